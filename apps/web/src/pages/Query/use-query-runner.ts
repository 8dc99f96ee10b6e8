// Running a query: generate it on the console (POST /api/scim-query), send it to the
// SCIM API with the SCIM client, read the ListResponse, report the outcome once per
// generated query. Also paging and "fetch all pages". Nothing stays "loading" after
// an error or a cancel.
import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from '../../api/http';
import { scimClient, ScimRequestError, type RateLimitWait } from '../../api/scim-client';
import {
  generateScimQuery,
  reportQueryOutcome,
  type GeneratedQuery,
  type QueryOutcome,
  type ScimQueryInput,
} from '../../api/scim-query';
import {
  fetchAllPages,
  FETCH_ALL_DEFAULTS,
  type FetchAllProgress,
  type FetchAllResult,
} from '../../scim/fetch-all';
import {
  ListResponseError,
  readListResponse,
  type ListPage,
  type ScimResource,
} from '../../scim/list-response';
import { requestFor, requestedCount } from '../../scim/page-request';

export const RUN_LIMITS = {
  timeoutMs: 30_000,
  maxRows: FETCH_ALL_DEFAULTS.maxRows,
  concurrency: FETCH_ALL_DEFAULTS.concurrency,
};

export type RunPhase = 'idle' | 'generating' | 'sending' | 'fetching-all' | 'done' | 'error';

export interface RunError {
  source: 'console' | 'provider';
  title: string;
  message: string;
  hint?: string;
  link?: { href: string; label: string };
  /** Console validation errors: the request field at fault / the filter position. */
  field?: string;
  position?: number;
  code?: string;
}

export interface RunState {
  phase: RunPhase;
  input: ScimQueryInput | null;
  generated: GeneratedQuery | null;
  page: ListPage | null;
  resources: ScimResource[];
  durationMs: number | null;
  error: RunError | null;
  rateLimit: RateLimitWait | null;
  fetchAll: {
    progress: FetchAllProgress | null;
    result: Omit<FetchAllResult, 'resources'> | null;
  } | null;
  /** A generated request shown before running (Preview); Run sends it as is when the input did not change. */
  preview: { key: string; generated: GeneratedQuery } | null;
  previewError: RunError | null;
  previewing: boolean;
  /** A short note for the user (e.g. after a cancel). */
  notice: string | null;
}

const IDLE: RunState = {
  phase: 'idle',
  input: null,
  generated: null,
  page: null,
  resources: [],
  durationMs: null,
  error: null,
  rateLimit: null,
  fetchAll: null,
  preview: null,
  previewError: null,
  previewing: false,
  notice: null,
};

function consoleError(e: ApiError): RunError {
  const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
  const position = typeof e.details?.position === 'number' ? e.details.position : undefined;
  return {
    source: 'console',
    title:
      e.code === 'FORBIDDEN'
        ? 'Not allowed'
        : e.status === 400
          ? 'The console did not accept this query'
          : 'The console could not prepare the query',
    message: e.message,
    field,
    position,
    code: e.code,
  };
}

function providerError(e: unknown): RunError {
  if (e instanceof ScimRequestError) {
    return {
      source: 'provider',
      title: e.title,
      message: e.message,
      hint: e.hint,
      link: e.link,
      code: e.code,
    };
  }
  if (e instanceof ListResponseError) {
    return {
      source: 'provider',
      title: 'The provider answered with something unexpected',
      message: e.message,
      hint: 'Check that the connection points at a SCIM 2.0 API.',
      code: 'SCIM_MALFORMED',
    };
  }
  return {
    source: 'provider',
    title: 'Something went wrong',
    message: (e as Error)?.message ?? String(e),
    code: 'SCIM_UNKNOWN',
  };
}

function outcomeOf(e: unknown, durationMs: number): QueryOutcome {
  if (e instanceof ScimRequestError)
    return { status: e.status, durationMs, error: { code: e.code, message: e.message } };
  if (e instanceof ListResponseError)
    return { status: 200, durationMs, error: { code: 'SCIM_MALFORMED', message: e.message } };
  return {
    status: 0,
    durationMs,
    error: { code: 'SCIM_UNKNOWN', message: String((e as Error)?.message ?? e) },
  };
}

export function useQueryRunner() {
  const [state, setState] = useState<RunState>(IDLE);
  const controller = useRef<AbortController | null>(null);
  const reported = useRef(new Set<string>());

  useEffect(() => () => controller.current?.abort(), []);

  const report = useCallback((queryId: string, outcome: QueryOutcome) => {
    if (reported.current.has(queryId)) return;
    reported.current.add(queryId);
    // The outcome log is best effort: a failure to record it must not hide the results.
    reportQueryOutcome(queryId, outcome).catch(() => undefined);
  }, []);

  const cancel = useCallback(() => controller.current?.abort(), []);

  const previewRef = useRef<RunState['preview']>(null);

  const preview = useCallback(async (input: ScimQueryInput) => {
    setState((s) => ({ ...s, previewing: true, previewError: null }));
    try {
      const generated = await generateScimQuery(input);
      previewRef.current = { key: JSON.stringify(input), generated };
      setState((s) => ({ ...s, previewing: false, preview: previewRef.current }));
    } catch (e) {
      previewRef.current = null;
      setState((s) => ({
        ...s,
        previewing: false,
        preview: null,
        previewError: consoleError(toApiError(e)),
      }));
    }
  }, []);

  const run = useCallback(
    async (input: ScimQueryInput) => {
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      const previewed =
        previewRef.current?.key === JSON.stringify(input) ? previewRef.current.generated : null;
      previewRef.current = null;
      setState((s) => ({
        ...IDLE,
        input,
        resources: s.resources,
        page: s.page,
        generated: s.generated,
        phase: 'generating',
      }));
      let generated: GeneratedQuery;
      try {
        generated = previewed ?? (await generateScimQuery(input, ac.signal));
      } catch (e) {
        if (controller.current !== ac) return;
        const err = toApiError(e);
        setState({
          ...IDLE,
          input,
          phase: err.code === 'CANCELLED' ? 'idle' : 'error',
          error: err.code === 'CANCELLED' ? null : consoleError(err),
        });
        return;
      }
      if (controller.current !== ac) return;
      setState((s) => ({ ...s, generated, phase: 'sending' }));
      const started = performance.now();
      try {
        const res = await scimClient.send(requestFor(generated), {
          signal: ac.signal,
          timeoutMs: RUN_LIMITS.timeoutMs,
          onRateLimitWait: (w) => {
            if (controller.current === ac) setState((s) => ({ ...s, rateLimit: w }));
          },
        });
        const page = readListResponse(res.data);
        const durationMs = Math.round(performance.now() - started);
        report(generated.queryId, {
          status: res.status,
          resultCount: page.resources.length,
          totalResults: page.totalResults,
          pages: 1,
          durationMs,
        });
        if (controller.current !== ac) return;
        setState({
          ...IDLE,
          input,
          generated,
          page,
          resources: page.resources,
          durationMs,
          phase: 'done',
        });
      } catch (e) {
        const durationMs = Math.round(performance.now() - started);
        report(generated.queryId, outcomeOf(e, durationMs));
        if (controller.current !== ac) return;
        const cancelled = e instanceof ScimRequestError && e.kind === 'cancelled';
        setState({
          ...IDLE,
          input,
          generated,
          phase: cancelled ? 'idle' : 'error',
          error: cancelled ? null : providerError(e),
          notice: cancelled ? 'Cancelled before the provider answered.' : null,
        });
      }
    },
    [report],
  );

  const fetchAll = useCallback(
    async (maxRows = RUN_LIMITS.maxRows) => {
      const input = state.input;
      if (!input) return;
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      const firstInput: ScimQueryInput = { ...input, startIndex: undefined, cursor: undefined };
      const cursorPaging = Boolean(
        (state.page && (state.page.nextCursor || state.page.previousCursor)) ||
        input.cursor !== undefined,
      );
      if (cursorPaging) firstInput.cursor = '';
      else firstInput.startIndex = 1;
      setState((s) => ({
        ...s,
        phase: 'fetching-all',
        error: null,
        fetchAll: { progress: null, result: null },
      }));
      let generated: GeneratedQuery;
      try {
        generated = await generateScimQuery(firstInput, ac.signal);
      } catch (e) {
        if (controller.current !== ac) return;
        const err = toApiError(e);
        setState((s) => ({
          ...s,
          phase: err.code === 'CANCELLED' ? 'done' : 'error',
          error: err.code === 'CANCELLED' ? null : consoleError(err),
          fetchAll: null,
        }));
        return;
      }
      const started = performance.now();
      const send = async (page?: Parameters<typeof requestFor>[1], signal?: AbortSignal) => {
        const res = await scimClient.send(requestFor(generated, page), {
          signal,
          timeoutMs: RUN_LIMITS.timeoutMs,
          onRateLimitWait: (w) => {
            if (controller.current === ac) setState((s) => ({ ...s, rateLimit: w }));
          },
        });
        return { status: res.status, page: readListResponse(res.data) };
      };
      let first: { status: number; page: ListPage };
      try {
        first = await send(undefined, ac.signal);
      } catch (e) {
        const durationMs = Math.round(performance.now() - started);
        report(generated.queryId, outcomeOf(e, durationMs));
        if (controller.current !== ac) return;
        const cancelled = e instanceof ScimRequestError && e.kind === 'cancelled';
        setState((s) => ({
          ...s,
          phase: cancelled ? 'done' : 'error',
          error: cancelled ? null : providerError(e),
          fetchAll: null,
        }));
        return;
      }
      const result = await fetchAllPages({
        first: first.page,
        requestedCount: requestedCount(generated),
        paging: first.page.nextCursor ? 'cursor' : 'index',
        fetchPage: async (p, signal) => (await send(p, signal)).page,
        maxRows,
        concurrency: RUN_LIMITS.concurrency,
        signal: ac.signal,
        onProgress: (progress) => {
          if (controller.current === ac)
            setState((s) => ({ ...s, fetchAll: { progress, result: null } }));
        },
      });
      const durationMs = Math.round(performance.now() - started);
      const { resources, ...summary } = result;
      report(
        generated.queryId,
        result.status === 'failed'
          ? {
              ...outcomeOf(result.error, durationMs),
              resultCount: resources.length,
              totalResults: result.totalResults,
              pages: result.pages,
            }
          : {
              status: first.status,
              resultCount: resources.length,
              totalResults: result.totalResults,
              pages: result.pages,
              durationMs,
              ...(result.status === 'cancelled'
                ? {
                    error: {
                      code: 'CANCELLED',
                      message: 'Cancelled by the user after some pages.',
                    },
                  }
                : {}),
            },
      );
      // A newer run took over (it aborted this walk): leave its state alone.
      if (controller.current !== ac) return;
      setState((s) => ({
        ...s,
        generated,
        input: firstInput,
        page: { ...first.page, nextCursor: null, previousCursor: null, startIndex: 1 },
        resources,
        durationMs,
        rateLimit: null,
        phase: 'done',
        error: result.status === 'failed' ? providerError(result.error) : null,
        fetchAll: { progress: null, result: summary },
      }));
    },
    [state.input, state.page, report],
  );

  const reset = useCallback(() => {
    controller.current?.abort();
    setState(IDLE);
  }, []);

  const clearPreview = useCallback(() => {
    previewRef.current = null;
    setState((s) =>
      s.preview || s.previewError ? { ...s, preview: null, previewError: null } : s,
    );
  }, []);

  return { state, run, cancel, fetchAll, reset, preview, clearPreview };
}
