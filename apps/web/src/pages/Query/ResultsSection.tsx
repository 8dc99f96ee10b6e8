// Everything below the Run button: status, errors, provider warnings, the results in
// Table / JSON / Chart views, paging, fetch all, export, copy as curl, save.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  ButtonGroup,
  ProgressBar,
  ToggleButton,
  ToggleButtonGroup,
} from 'react-bootstrap';
import { Link } from 'react-router';
import type { ScimQueryInput } from '../../api/scim-query';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { EmptyState } from '../../components/EmptyState';
import { ColumnChooser } from '../../components/results/ColumnChooser';
import { ResultsTable } from '../../components/results/ResultsTable';
import { RowDetail } from '../../components/results/RowDetail';
import { toCurl } from '../../scim/curl';
import { downloadText, exportFilename, toCsv, toJson } from '../../scim/export';
import type { ScimResource } from '../../scim/list-response';
import {
  columnsForPaths,
  defaultColumns,
  discoverPaths,
  type ResultColumn,
} from '../../scim/values';
import { SaveQueryButton } from './SaveQueryButton';
import { RUN_LIMITS, type RunState } from './use-query-runner';

const ResultsChart = lazy(() => import('../../components/results/ResultsChart'));

const JSON_PREVIEW_ROWS = 200;

export function ResultsSection({
  state,
  onCancel,
  onPage,
  onFetchAll,
  resourceType,
  includeAttributes,
}: {
  state: RunState;
  onCancel: () => void;
  onPage: (input: ScimQueryInput) => void;
  onFetchAll: () => void;
  resourceType: string;
  includeAttributes: string[];
}) {
  const [view, setView] = useState<'table' | 'json' | 'chart'>('table');
  const [visibility, setVisibility] = useState<Record<string, boolean>>({});
  const [extra, setExtra] = useState<string[]>([]);
  const [detail, setDetail] = useState<ScimResource | null>(null);
  const [copied, setCopied] = useState(false);
  const { phase, page, resources, generated, error, input } = state;

  const columns: ResultColumn[] = useMemo(() => {
    const base =
      includeAttributes.length > 0
        ? columnsForPaths(includeAttributes)
        : defaultColumns(resourceType);
    const have = new Set(base.map((c) => c.id));
    return [...base, ...columnsForPaths(extra.filter((p) => !have.has(p)))];
  }, [includeAttributes, resourceType, extra]);
  const discovered = useMemo(() => {
    const shown = new Set(columns.map((c) => c.path));
    return discoverPaths(resources).filter(
      (p) => !shown.has(p) && !columns.some((c) => c.id === p),
    );
  }, [resources, columns]);

  useEffect(() => setCopied(false), [generated]);

  const busy = phase === 'generating' || phase === 'sending' || phase === 'fetching-all';
  const shownColumns = columns.filter((c) => visibility[c.id] !== false);
  const fetchedAll = Boolean(state.fetchAll?.result);
  const progress = state.fetchAll?.progress;

  const startIndex = page?.startIndex ?? input?.startIndex ?? 1;
  const count = input?.count ?? (page?.resources.length || 50);
  const indexPaging =
    page && !page.nextCursor && !page.previousCursor && input?.cursor === undefined;
  const canPrev =
    !busy && !fetchedAll && page && (indexPaging ? startIndex > 1 : Boolean(page.previousCursor));
  const canNext =
    !busy &&
    !fetchedAll &&
    page &&
    (indexPaging
      ? startIndex - 1 + page.resources.length < page.totalResults && page.resources.length > 0
      : Boolean(page.nextCursor));

  const goto = (dir: 1 | -1) => {
    if (!input || !page) return;
    if (indexPaging) {
      onPage({ ...input, cursor: undefined, startIndex: Math.max(1, startIndex + dir * count) });
    } else {
      const cursor = dir === 1 ? page.nextCursor : page.previousCursor;
      if (cursor) onPage({ ...input, startIndex: undefined, cursor });
    }
  };

  return (
    <section aria-labelledby="results-heading" className="mt-4">
      <h2 id="results-heading" className="h5">
        Results
      </h2>

      {(phase === 'generating' || phase === 'sending') && (
        <div className="d-flex align-items-center gap-3">
          <DelayedSpinner
            label={phase === 'generating' ? 'Preparing the request…' : 'Waiting for the provider…'}
          />
          <Button variant="outline-secondary" size="sm" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      )}

      {state.rateLimit && (
        <Alert variant="warning" className="py-2" role="status">
          The provider is rate limiting requests (429). Retrying in {state.rateLimit.secondsLeft} s
          (attempt {state.rateLimit.attempt} of 3)…
        </Alert>
      )}

      {error && (
        <Alert variant="danger" role="alert">
          <div className="fw-semibold">{error.title}</div>
          <div>{error.message}</div>
          {error.field && <div className="small">Field: {error.field.replace(/^body\./, '')}</div>}
          {error.hint && <div className="small mt-1">{error.hint}</div>}
          {error.link && (
            <Link to={error.link.href} className="alert-link small">
              {error.link.label}
            </Link>
          )}
        </Alert>
      )}

      {generated && generated.warnings.length > 0 && (
        <Alert variant="warning" className="py-2">
          <div className="fw-semibold small">Provider warnings</div>
          <ul className="mb-0 small">
            {generated.warnings.map((w, i) => (
              <li key={`${w.code}-${i}`}>{w.message}</li>
            ))}
          </ul>
        </Alert>
      )}

      {phase === 'fetching-all' && (
        <div className="my-2" role="status" aria-live="polite">
          <div className="d-flex justify-content-between small mb-1">
            <span>
              Fetching all pages: {progress?.loaded ?? 0}
              {progress?.target != null ? ` of ${progress.target}` : ''} rows (
              {progress?.pages ?? 0} page{progress?.pages === 1 ? '' : 's'})
            </span>
            <Button variant="outline-secondary" size="sm" onClick={onCancel}>
              Cancel
            </Button>
          </div>
          <ProgressBar
            now={progress?.target ? (progress.loaded / Math.max(1, progress.target)) * 100 : 100}
            animated={!progress?.target}
            striped={!progress?.target}
            aria-label="Fetch all progress"
          />
        </div>
      )}

      {state.fetchAll?.result && (
        <Alert
          variant={state.fetchAll.result.status === 'complete' ? 'success' : 'info'}
          className="py-2 small"
        >
          {state.fetchAll.result.status === 'complete' &&
            `All ${resources.length} rows loaded in ${state.fetchAll.result.pages} pages.`}
          {state.fetchAll.result.status === 'truncated' &&
            `Stopped at the limit of ${RUN_LIMITS.maxRows.toLocaleString()} rows (of ${state.fetchAll.result.totalResults.toLocaleString()}). Add a filter to narrow the result.`}
          {state.fetchAll.result.status === 'cancelled' &&
            `Cancelled: keeping the ${resources.length} rows loaded so far.`}
          {state.fetchAll.result.status === 'failed' &&
            `A page failed: keeping the ${resources.length} rows loaded so far.`}
          {state.fetchAll.result.duplicates > 0 &&
            ` ${state.fetchAll.result.duplicates} duplicate row(s) were dropped — the data changed while paging.`}
          {state.fetchAll.result.gaps &&
            ' Some pages came back short: rows may be missing (the data changed while paging).'}
        </Alert>
      )}

      {page && (
        <>
          <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
            <span className="me-auto small" aria-live="polite">
              {resources.length === 0
                ? 'No resources match.'
                : fetchedAll
                  ? `${resources.length.toLocaleString()} of ${page.totalResults.toLocaleString()}`
                  : indexPaging
                    ? `${startIndex.toLocaleString()}–${(startIndex + resources.length - 1).toLocaleString()} of ${page.totalResults.toLocaleString()}`
                    : `${resources.length} shown of ${page.totalResults.toLocaleString()}`}
              {state.durationMs !== null && (
                <span className="text-body-secondary"> · {state.durationMs} ms</span>
              )}
            </span>
            <ToggleButtonGroup
              type="radio"
              name="results-view"
              size="sm"
              value={view}
              onChange={(v: typeof view) => setView(v)}
            >
              <ToggleButton id="view-table" value="table" variant="outline-primary">
                Table
              </ToggleButton>
              <ToggleButton id="view-json" value="json" variant="outline-primary">
                JSON
              </ToggleButton>
              <ToggleButton id="view-chart" value="chart" variant="outline-primary">
                Chart
              </ToggleButton>
            </ToggleButtonGroup>
            {view === 'table' && (
              <ColumnChooser
                columns={columns}
                visibility={visibility}
                onToggle={(id, v) => setVisibility((s) => ({ ...s, [id]: v }))}
                extraPaths={discovered}
                onAddPath={(p) => setExtra((s) => [...s, p])}
              />
            )}
            <ButtonGroup size="sm">
              <Button
                variant="outline-secondary"
                disabled={resources.length === 0}
                onClick={() =>
                  downloadText(
                    toCsv(shownColumns, resources),
                    exportFilename(resourceType, 'csv'),
                    'text/csv;charset=utf-8',
                  )
                }
              >
                <i className="bi bi-filetype-csv me-1" aria-hidden="true" />
                CSV
              </Button>
              <Button
                variant="outline-secondary"
                disabled={resources.length === 0}
                onClick={() =>
                  downloadText(
                    toJson(resources),
                    exportFilename(resourceType, 'json'),
                    'application/json',
                  )
                }
              >
                <i className="bi bi-filetype-json me-1" aria-hidden="true" />
                JSON
              </Button>
              {generated && (
                <Button
                  variant="outline-secondary"
                  onClick={() => {
                    void navigator.clipboard
                      ?.writeText(toCurl(generated))
                      .then(() => setCopied(true));
                  }}
                  title="Copies the request as a curl command; the token reads $SCIM_TOKEN"
                >
                  <i className="bi bi-terminal me-1" aria-hidden="true" />
                  {copied ? 'Copied' : 'Copy as curl'}
                </Button>
              )}
            </ButtonGroup>
            {input && <SaveQueryButton input={input} />}
          </div>

          {view === 'table' &&
            (resources.length === 0 ? (
              <EmptyState icon="search" title="No resources match this query">
                Loosen the filter or pick another resource type.
              </EmptyState>
            ) : (
              <ResultsTable
                rows={resources}
                columns={shownColumns}
                visibility={visibility}
                onOpenRow={(r) => setDetail(r)}
              />
            ))}
          {view === 'json' && (
            <div>
              {resources.length > JSON_PREVIEW_ROWS && (
                <p className="small text-body-secondary">
                  Showing the first {JSON_PREVIEW_ROWS} of {resources.length} rows; export JSON for
                  all.
                </p>
              )}
              <pre
                className="bg-body-tertiary border rounded p-2 small"
                style={{ maxHeight: '60vh' }}
                tabIndex={0}
                aria-label="Results as JSON"
              >
                <code>{JSON.stringify(resources.slice(0, JSON_PREVIEW_ROWS), null, 2)}</code>
              </pre>
            </div>
          )}
          {view === 'chart' && (
            <Suspense fallback={<DelayedSpinner label="Loading charts…" />}>
              <ResultsChart
                rows={resources}
                paths={[...new Set([...columns.map((c) => c.path), ...discovered])]}
                defaultPath={resourceType.toLowerCase().startsWith('user') ? 'active' : undefined}
                complete={fetchedAll || resources.length >= page.totalResults}
              />
            </Suspense>
          )}

          <div className="d-flex flex-wrap align-items-center gap-2 mt-2">
            <ButtonGroup size="sm" aria-label="Pages">
              <Button variant="outline-secondary" disabled={!canPrev} onClick={() => goto(-1)}>
                ‹ Previous
              </Button>
              <Button variant="outline-secondary" disabled={!canNext} onClick={() => goto(1)}>
                Next ›
              </Button>
            </ButtonGroup>
            {!fetchedAll && page.totalResults > resources.length && (
              <Button size="sm" variant="outline-primary" disabled={busy} onClick={onFetchAll}>
                <i className="bi bi-cloud-download me-1" aria-hidden="true" />
                Fetch all pages ({Math.min(
                  page.totalResults,
                  RUN_LIMITS.maxRows,
                ).toLocaleString()}{' '}
                rows)
              </Button>
            )}
          </div>
        </>
      )}

      {!page && !busy && !error && phase === 'idle' && (
        <p className="text-body-secondary small" role="status">
          {state.notice ?? 'Build a query and press Run (Ctrl+Enter).'}
        </p>
      )}

      {detail && <RowDetail row={detail} onClose={() => setDetail(null)} />}
    </section>
  );
}
