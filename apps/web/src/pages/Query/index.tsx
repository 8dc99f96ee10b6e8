// The Query page: pick a connection and resource type, compose a filter (visual builder,
// raw text or a predefined query), choose attributes, sort and page size, run it with
// your own token, read the results. Opened pre-filled by `/?saved=<id>` or `/?input=…`.
import { useQuery } from '@tanstack/react-query';
import { parseFilter, ScimFilterError } from '@scim-console/scim';
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { Alert, Button, Form, Nav, Spinner, Tab } from 'react-bootstrap';
import { useSearchParams } from 'react-router';
import { toApiError } from '../../api/http';
import { useQueryOptions } from '../../api/query-options';
import { fetchSavedQueries, savedQueryKeys } from '../../api/saved-queries';
import { useSession } from '../../auth/session';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { usePageTitle } from '../../components/use-page-title';
import { toCurl } from '../../scim/curl';
import { attributePaths, buildFields, fieldMap } from './builder/fields';
import FilterBuilder from './builder/FilterBuilder';
import { emptyQuery } from './builder/filter-model';
import { ConnectionPicker } from './ConnectionPicker';
import { OptionsPanel } from './OptionsPanel';
import { PresetPanel } from './PresetPanel';
import {
  builderText,
  decodeInput,
  encodeInput,
  formFromInput,
  initialForm,
  rawToBuilder,
  toInput,
  type FilterMode,
  type QueryForm,
} from './query-form';
import { ResultsSection } from './ResultsSection';
import { useQueryRunner } from './use-query-runner';
import { capabilityWarnings } from './warnings';

// CodeMirror is a chunk of its own, loaded when the raw editor is first shown.
const RawFilterEditor = lazy(() => import('./raw/RawFilterEditor'));

function FilterError({
  text,
  position,
  message,
  id,
}: {
  text: string;
  position: number | undefined;
  message: string;
  id: string;
}) {
  const pos = position !== undefined && position >= 0 ? Math.min(position, text.length) : undefined;
  return (
    <div id={id} className="text-danger-emphasis small mt-1" role="alert">
      <div>
        {message}
        {pos !== undefined && !/position/i.test(message) && <> (at character {pos + 1})</>}
      </div>
      {pos !== undefined && text.length <= 400 && !text.includes('\n') && (
        <pre
          className="mb-0 text-danger-emphasis"
          aria-hidden="true"
          data-testid="filter-error-caret"
        >
          {text}
          {'\n'}
          {' '.repeat(pos)}^
        </pre>
      )}
    </div>
  );
}

export default function QueryPage() {
  usePageTitle('Query');
  const { can } = useSession();
  const freeFilter = can('query:free-filter');
  const [form, setForm] = useState<QueryForm>(() => ({
    ...initialForm(),
    mode: freeFilter ? 'builder' : 'preset',
  }));
  const update = useCallback(
    (patch: Partial<QueryForm>) => setForm((f) => ({ ...f, ...patch })),
    [],
  );
  const runner = useQueryRunner();
  const { state } = runner;
  const [search] = useSearchParams();
  const [showProblems, setShowProblems] = useState(false);
  const [linkCopied, setLinkCopied] = useState(false);

  // Pre-fill from ?input= (base64url JSON) or ?saved=<id>, once.
  const savedId = search.get('saved');
  const inputParam = search.get('input');
  const saved = useQuery({
    queryKey: savedQueryKeys.list(),
    queryFn: fetchSavedQueries,
    enabled: Boolean(savedId),
  });
  const prefilled = useRef<string | null>(null);
  const [prefillError, setPrefillError] = useState<string | null>(null);
  useEffect(() => {
    const key = `${savedId ?? ''}|${inputParam ?? ''}`;
    if (prefilled.current === key || (!savedId && !inputParam)) return;
    if (inputParam) {
      prefilled.current = key;
      const decoded = decodeInput(inputParam);
      if (decoded) setForm((f) => formFromInput(decoded, { ...f, builder: emptyQuery() }));
      else setPrefillError('The link does not hold a readable query.');
    } else if (savedId && saved.data) {
      prefilled.current = key;
      const q = saved.data.find((s) => s.id === savedId);
      if (q) setForm((f) => formFromInput(q.input as never, { ...f, builder: emptyQuery() }));
      else setPrefillError('That saved query was not found (it may have been deleted).');
    } else if (savedId && saved.isError) {
      prefilled.current = key;
      setPrefillError(toApiError(saved.error).message);
    }
  }, [savedId, inputParam, saved.data, saved.isError, saved.error]);

  const optionsQuery = useQueryOptions(form.connectionId);
  const options = optionsQuery.data;

  // Keep the resource type valid for the connection (accepts an id, a name or an endpoint).
  useEffect(() => {
    if (!options) return;
    const wanted = form.resourceType?.toLowerCase();
    const match = options.resourceTypes.find(
      (rt) =>
        rt.id.toLowerCase() === wanted ||
        rt.name.toLowerCase() === wanted ||
        rt.endpoint.toLowerCase() === wanted ||
        rt.endpoint.toLowerCase() === `/${wanted}`,
    );
    const next = match?.id ?? options.resourceTypes[0]?.id ?? null;
    if (next !== form.resourceType) update({ resourceType: next });
  }, [options, form.resourceType, update]);

  const resourceType = options?.resourceTypes.find((rt) => rt.id === form.resourceType);
  const fields = useMemo(() => (resourceType ? buildFields(resourceType) : []), [resourceType]);
  const byName = useMemo(() => fieldMap(fields), [fields]);
  const attributeChoices = useMemo(
    () => (resourceType ? attributePaths(resourceType) : []),
    [resourceType],
  );
  const completions = useMemo(
    () => [
      ...fields.map((f) => ({ path: f.name, label: f.label, type: f.scimType })),
      ...attributeChoices
        .filter((a) => !byName.has(a.path))
        .map((a) => ({ path: a.path, label: a.label, type: 'attribute' })),
    ],
    [fields, attributeChoices, byName],
  );
  const presets = useMemo(
    () =>
      (options?.presets ?? []).filter(
        (p) =>
          !resourceType ||
          p.resourceType.toLowerCase() === resourceType.id.toLowerCase() ||
          p.resourceType === resourceType.endpoint,
      ),
    [options, resourceType],
  );

  // When a link opened the raw view, show it in the builder as well where possible.
  const built = useMemo(() => {
    const result = toInput(form, byName, {
      freeFilter,
      maxPageSize: options?.capabilities.maxPageSize ?? null,
    });
    // Required preset parameters are checked here too, so nothing is sent without them.
    const preset =
      (freeFilter ? form.mode : 'preset') === 'preset'
        ? options?.presets.find((p) => p.id === form.presetId)
        : undefined;
    const missing =
      preset?.parameters.filter((p) => p.required && !form.presetParams[p.name]?.trim()) ?? [];
    if (missing.length === 0) return result;
    return {
      ...result,
      input: null,
      problems: [
        ...result.problems,
        ...missing.map((p) => ({
          field: `preset.params.${p.name}`,
          message: `Enter "${p.label}".`,
        })),
      ],
    };
  }, [form, byName, freeFilter, options]);
  const warnings = useMemo(
    () => (built.input && options ? capabilityWarnings(built.input, options) : []),
    [built.input, options],
  );

  const rawError = useMemo(() => {
    if (form.raw.trim() === '') return null;
    try {
      parseFilter(form.raw);
      return null;
    } catch (e) {
      return e instanceof ScimFilterError
        ? { message: e.message, position: e.position }
        : { message: String(e), position: undefined };
    }
  }, [form.raw]);

  const switchMode = (mode: FilterMode) => {
    setForm((f) => {
      if (mode === f.mode) return f;
      if (mode === 'raw' && f.mode === 'builder')
        return { ...f, mode, raw: builderText(f.builder, byName), rawOnly: null };
      if (mode === 'builder' && f.mode === 'raw') {
        const res = rawToBuilder(f.raw, fields, resourceType?.schema ?? '');
        return res.ok
          ? { ...f, mode, builder: res.builder, rawOnly: null }
          : { ...f, mode, rawOnly: res.reason };
      }
      return { ...f, mode };
    });
    runner.clearPreview();
  };

  // Run stays enabled while something is missing: pressing it shows what to fix. Only a
  // filter text that does not parse disables it (the error is shown under the editor).
  const canRun =
    !(freeFilter && form.mode === 'raw' && built.problems.some((p) => p.field === 'filter')) &&
    state.phase !== 'generating' &&
    state.phase !== 'sending' &&
    state.phase !== 'fetching-all';
  const run = () => {
    setShowProblems(true);
    if (!built.input) return;
    void runner.run(built.input);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !e.defaultPrevented) {
      e.preventDefault();
      run();
    }
  };

  const serverError = state.error?.source === 'console' ? state.error : null;
  const filterServerError =
    serverError &&
    (serverError.code === 'INVALID_FILTER' ||
      serverError.field?.replace(/^body\./, '') === 'filter')
      ? serverError
      : null;
  const builderText_ = form.mode === 'builder' ? builderText(form.builder, byName) : '';
  // Problems not already shown next to their field (builder rules, page size, filter text).
  const shownProblems = showProblems
    ? built.problems.filter(
        (p) =>
          !['filter', 'builder', 'count'].includes(p.field) &&
          !p.field.startsWith('preset.params.'),
      )
    : [];

  return (
    <div onKeyDown={onKeyDown}>
      <h1 className="h3 mb-3">Query</h1>
      {prefillError && (
        <Alert variant="warning" dismissible onClose={() => setPrefillError(null)}>
          {prefillError}
        </Alert>
      )}
      <Form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
        aria-label="SCIM query"
      >
        <ConnectionPicker
          connectionId={form.connectionId}
          resourceType={form.resourceType}
          options={options}
          onConnection={(id) => {
            runner.clearPreview();
            setForm((f) => ({
              ...f,
              connectionId: id || null,
              resourceType: f.resourceType,
              builder: emptyQuery(),
              presetId: null,
              presetParams: {},
              attributes: [],
              sortBy: '',
            }));
          }}
          onDefaultConnection={(id) =>
            setForm((f) => (f.connectionId ? f : { ...f, connectionId: id }))
          }
          onResourceType={(id) => {
            runner.clearPreview();
            setForm((f) => ({
              ...f,
              resourceType: id,
              builder: emptyQuery(),
              raw: '',
              rawOnly: null,
              presetId: null,
              presetParams: {},
              attributes: [],
              sortBy: '',
            }));
          }}
        />

        {optionsQuery.isLoading && <DelayedSpinner label="Reading the provider's schemas…" />}
        {optionsQuery.isError && (
          <Alert variant="danger" className="mt-3">
            Could not load the query options for this connection:{' '}
            {toApiError(optionsQuery.error).message}
          </Alert>
        )}

        {options && resourceType && (
          <>
            <Tab.Container
              activeKey={freeFilter ? form.mode : 'preset'}
              onSelect={(k) => k && switchMode(k as FilterMode)}
            >
              <Nav variant="tabs" className="mt-3" role="tablist">
                {freeFilter && (
                  <>
                    <Nav.Item>
                      <Nav.Link eventKey="builder">Builder</Nav.Link>
                    </Nav.Item>
                    <Nav.Item>
                      <Nav.Link eventKey="raw">Filter text</Nav.Link>
                    </Nav.Item>
                  </>
                )}
                <Nav.Item>
                  <Nav.Link eventKey="preset">Predefined</Nav.Link>
                </Nav.Item>
              </Nav>
              <Tab.Content className="border border-top-0 rounded-bottom p-3">
                {freeFilter && (
                  <Tab.Pane eventKey="builder">
                    {form.rawOnly && (
                      <Alert variant="info" className="py-2 small">
                        This filter can only be edited as text: {form.rawOnly}. The builder below
                        shows the last visual query; the Filter text tab keeps your text.
                      </Alert>
                    )}
                    {form.mode === 'builder' && (
                      <FilterBuilder
                        fields={fields}
                        query={form.builder}
                        onQueryChange={(q) => update({ builder: q })}
                      />
                    )}
                    <div className="small mt-2 text-break">
                      <span className="text-body-secondary">Filter: </span>
                      <code data-testid="builder-filter-text">
                        {builderText_ || '(none — all resources)'}
                      </code>
                    </div>
                    {showProblems && built.builderIssues.length > 0 && (
                      <ul className="text-danger small mb-0 mt-1" role="alert">
                        {built.builderIssues.map((i, n) => (
                          <li key={n}>{i.message}</li>
                        ))}
                      </ul>
                    )}
                  </Tab.Pane>
                )}
                {freeFilter && (
                  <Tab.Pane eventKey="raw">
                    <Form.Label htmlFor="raw-filter" id="raw-filter-label">
                      SCIM filter
                    </Form.Label>
                    {form.mode === 'raw' && (
                      <Suspense
                        fallback={
                          <div className="border rounded p-2 text-body-secondary small">
                            <Spinner size="sm" animation="border" aria-hidden="true" /> Loading the
                            editor…
                          </div>
                        }
                      >
                        <RawFilterEditor
                          id="raw-filter"
                          value={form.raw}
                          onChange={(raw) => setForm((f) => (f.raw === raw ? f : { ...f, raw }))}
                          onRun={run}
                          attributes={completions}
                          describedBy="raw-filter-help"
                        />
                      </Suspense>
                    )}
                    <div id="raw-filter-help">
                      {rawError ? (
                        <FilterError
                          id="raw-filter-error"
                          text={form.raw}
                          position={rawError.position}
                          message={rawError.message}
                        />
                      ) : filterServerError ? (
                        <FilterError
                          id="raw-filter-error"
                          text={form.raw}
                          position={filterServerError.position}
                          message={filterServerError.message}
                        />
                      ) : (
                        <Form.Text>
                          RFC 7644 filter syntax, e.g.{' '}
                          <code>
                            active eq true and emails[type eq "work" and value co "@example.com"]
                          </code>
                          . Ctrl+Space completes attribute names.
                        </Form.Text>
                      )}
                    </div>
                  </Tab.Pane>
                )}
                <Tab.Pane eventKey="preset">
                  {presets.length === 0 ? (
                    <p className="text-body-secondary small mb-0">
                      No predefined queries for this resource type.
                    </p>
                  ) : (
                    <PresetPanel
                      presets={presets}
                      presetId={form.presetId}
                      params={form.presetParams}
                      onPreset={(id) => update({ presetId: id || null, presetParams: {} })}
                      onParam={(name, value) =>
                        setForm((f) => ({
                          ...f,
                          presetParams: { ...f.presetParams, [name]: value },
                        }))
                      }
                      fieldError={
                        (showProblems
                          ? built.problems.find((p) => p.field.startsWith('preset.params.'))
                          : null) ??
                        (serverError?.field?.includes('preset')
                          ? { field: serverError.field, message: serverError.message }
                          : null)
                      }
                    />
                  )}
                  {!freeFilter && <Form.Text>Your role runs predefined queries only.</Form.Text>}
                </Tab.Pane>
              </Tab.Content>
            </Tab.Container>

            <div className="mt-3">
              <OptionsPanel
                form={form}
                update={update}
                attributes={attributeChoices}
                capabilities={options.capabilities}
                serverError={serverError}
                problems={showProblems ? built.problems : []}
              />
            </div>

            {warnings.length > 0 && (
              <Alert variant="warning" className="mt-3 py-2" data-testid="capability-warnings">
                <div className="fw-semibold small">Before you run: {options.vendor.name}</div>
                <ul className="mb-0 small">
                  {warnings.map((w, i) => (
                    <li key={`${w.code}-${i}`}>{w.message}</li>
                  ))}
                </ul>
              </Alert>
            )}
          </>
        )}

        {shownProblems.length > 0 && (
          <ul className="text-danger small mt-2" role="alert">
            {shownProblems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        )}

        <div className="d-flex flex-wrap gap-2 mt-3 align-items-center">
          <Button
            type="submit"
            variant="primary"
            disabled={!canRun}
            aria-keyshortcuts="Control+Enter Meta+Enter"
          >
            <i className="bi bi-play-fill me-1" aria-hidden="true" />
            Run <span className="small">(Ctrl+Enter)</span>
          </Button>
          <Button
            variant="outline-secondary"
            disabled={!built.input || state.previewing}
            onClick={() => built.input && void runner.preview(built.input)}
          >
            Preview request
          </Button>
          <Button
            variant="outline-secondary"
            disabled={!built.input}
            onClick={() => {
              if (!built.input) return;
              const url = `${window.location.origin}/?input=${encodeInput(built.input)}`;
              void navigator.clipboard?.writeText(url).then(() => setLinkCopied(true));
            }}
            onBlur={() => setLinkCopied(false)}
          >
            <i className="bi bi-link-45deg me-1" aria-hidden="true" />
            {linkCopied ? 'Link copied' : 'Copy link'}
          </Button>
        </div>
      </Form>

      {state.previewError && (
        <Alert variant="danger" className="mt-3">
          <div className="fw-semibold">{state.previewError.title}</div>
          {state.previewError.message}
        </Alert>
      )}
      {state.preview && (
        <div className="mt-3 border rounded p-2" aria-label="Request preview">
          <div className="small fw-semibold mb-1">
            {state.preview.generated.method} {state.preview.generated.path}
            {state.preview.generated.execution.mode === 'relay' && ' (through the console relay)'}
          </div>
          {state.preview.generated.warnings.length > 0 && (
            <ul className="small text-warning-emphasis mb-1">
              {state.preview.generated.warnings.map((w, i) => (
                <li key={i}>{w.message}</li>
              ))}
            </ul>
          )}
          <pre className="small bg-body-tertiary p-2 rounded mb-0 text-wrap text-break">
            <code>{toCurl(state.preview.generated)}</code>
          </pre>
        </div>
      )}

      <ResultsSection
        state={state}
        onCancel={runner.cancel}
        onPage={(input) => void runner.run(input)}
        onFetchAll={() => void runner.fetchAll()}
        resourceType={resourceType?.id ?? form.resourceType ?? ''}
        includeAttributes={state.input?.attributes ?? []}
      />
    </div>
  );
}
