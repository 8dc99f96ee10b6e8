// The Query page's form: what the user chose, and how it becomes the body of
// POST /api/scim-query (and back, for saved queries and `/?input=` links).
import { formatFilter, parseFilter } from '@scim-console/scim';
import type { ScimQueryInput } from '../../api/scim-query';
import {
  builderToWhere,
  emptyQuery,
  filterNodeToBuilder,
  whereToFilterNode,
  type BuilderIssue,
  type ScimRuleGroup,
} from './builder/filter-model';
import type { ScimField } from './builder/fields';

export type FilterMode = 'builder' | 'raw' | 'preset';

export interface QueryForm {
  connectionId: string | null;
  resourceType: string | null;
  mode: FilterMode;
  builder: ScimRuleGroup;
  raw: string;
  /** Why the raw filter cannot be shown in the builder (null when it can). */
  rawOnly: string | null;
  presetId: string | null;
  presetParams: Record<string, string>;
  attrMode: 'include' | 'exclude';
  attributes: string[];
  sortBy: string;
  sortOrder: 'ascending' | 'descending';
  count: number;
  /** Index paging (startIndex/count) or cursor paging (RFC 9865, where the provider offers it). */
  paging: 'index' | 'cursor';
  method: 'auto' | 'GET' | 'POST';
}

export const DEFAULT_PAGE_SIZE = 50;

export function initialForm(): QueryForm {
  return {
    connectionId: null,
    resourceType: null,
    mode: 'builder',
    builder: emptyQuery(),
    raw: '',
    rawOnly: null,
    presetId: null,
    presetParams: {},
    attrMode: 'include',
    attributes: [],
    sortBy: '',
    sortOrder: 'ascending',
    count: DEFAULT_PAGE_SIZE,
    paging: 'index',
    method: 'auto',
  };
}

export interface FormProblem {
  /** Where to show it: 'filter', 'preset.<param>', 'count', 'connection', 'resourceType', 'builder'. */
  field: string;
  message: string;
  position?: number;
  builderPath?: number[];
}

/** The filter text the builder's query stands for ('' when empty). */
export function builderText(
  builder: ScimRuleGroup,
  fields: ReadonlyMap<string, ScimField>,
): string {
  const { where } = builderToWhere(builder, fields);
  const node = whereToFilterNode(where);
  return node ? formatFilter(node) : '';
}

/** Raw text → builder, when the builder can show it. */
export function rawToBuilder(
  raw: string,
  fields: readonly ScimField[],
  coreSchema: string,
): { ok: true; builder: ScimRuleGroup } | { ok: false; reason: string } {
  if (raw.trim() === '') return { ok: true, builder: emptyQuery() };
  let node;
  try {
    node = parseFilter(raw);
  } catch (e) {
    return { ok: false, reason: `fix the filter first: ${(e as Error).message}` };
  }
  const result = filterNodeToBuilder(node, fields, coreSchema);
  return result.ok ? { ok: true, builder: result.query } : { ok: false, reason: result.reason };
}

export function toInput(
  form: QueryForm,
  fields: ReadonlyMap<string, ScimField>,
  options: { freeFilter: boolean; maxPageSize: number | null },
): { input: ScimQueryInput | null; problems: FormProblem[]; builderIssues: BuilderIssue[] } {
  const problems: FormProblem[] = [];
  let builderIssues: BuilderIssue[] = [];
  if (!form.connectionId) problems.push({ field: 'connection', message: 'Choose a connection.' });
  if (!form.resourceType)
    problems.push({ field: 'resourceType', message: 'Choose a resource type.' });
  const input: ScimQueryInput = {
    connectionId: form.connectionId ?? '',
    resourceType: form.resourceType ?? '',
  };
  const mode = options.freeFilter ? form.mode : 'preset';

  if (mode === 'raw' && form.raw.trim() !== '') {
    try {
      parseFilter(form.raw);
      input.filter = form.raw.trim();
    } catch (e) {
      const position =
        typeof (e as { position?: unknown }).position === 'number'
          ? (e as { position: number }).position
          : undefined;
      problems.push({ field: 'filter', message: (e as Error).message, position });
    }
  } else if (mode === 'builder') {
    const { where, issues } = builderToWhere(form.builder, fields);
    builderIssues = issues;
    for (const issue of issues)
      problems.push({ field: 'builder', message: issue.message, builderPath: issue.path });
    if (where) input.where = where;
  } else if (mode === 'preset') {
    if (!form.presetId) problems.push({ field: 'preset', message: 'Choose a predefined query.' });
    else
      input.preset = {
        id: form.presetId,
        params: Object.fromEntries(Object.entries(form.presetParams).filter(([, v]) => v !== '')),
      };
  }

  const attrs = form.attributes.filter(Boolean);
  if (attrs.length > 0) {
    if (form.attrMode === 'include') input.attributes = attrs;
    else input.excludedAttributes = attrs;
  }
  if (form.sortBy) {
    input.sortBy = form.sortBy;
    input.sortOrder = form.sortOrder;
  }
  if (!Number.isInteger(form.count) || form.count < 1) {
    problems.push({ field: 'count', message: 'The page size is a whole number of at least 1.' });
  } else if (options.maxPageSize && form.count > options.maxPageSize) {
    problems.push({
      field: 'count',
      message: `This provider returns at most ${options.maxPageSize} resources per page.`,
    });
  } else {
    input.count = form.count;
  }
  // An empty cursor asks for the first page of a cursor walk (RFC 9865 §2.1).
  if (form.paging === 'cursor') input.cursor = '';
  if (form.method !== 'auto') input.method = form.method;
  return { input: problems.length === 0 ? input : null, problems, builderIssues };
}

/** A saved or linked scim-query body → form fields (the builder is rebuilt from `filter`/`where` text). */
export function formFromInput(
  input: Partial<ScimQueryInput>,
  base: QueryForm = initialForm(),
): QueryForm {
  const form: QueryForm = { ...base };
  if (input.connectionId) form.connectionId = input.connectionId;
  if (input.resourceType) form.resourceType = input.resourceType;
  if (input.preset) {
    form.mode = 'preset';
    form.presetId = input.preset.id;
    form.presetParams = { ...input.preset.params };
  } else if (input.filter) {
    form.mode = 'raw';
    form.raw = input.filter;
  } else if (input.where) {
    const node = whereToFilterNode(input.where);
    form.mode = 'raw';
    form.raw = node ? formatFilter(node) : '';
  }
  if (input.attributes?.length) {
    form.attrMode = 'include';
    form.attributes = [...input.attributes];
  } else if (input.excludedAttributes?.length) {
    form.attrMode = 'exclude';
    form.attributes = [...input.excludedAttributes];
  }
  if (input.sortBy) form.sortBy = input.sortBy;
  if (input.sortOrder) form.sortOrder = input.sortOrder;
  if (typeof input.count === 'number' && input.count > 0) form.count = input.count;
  if (input.method) form.method = input.method;
  if (input.cursor !== undefined) form.paging = 'cursor';
  return form;
}

export function encodeInput(input: ScimQueryInput): string {
  const bytes = new TextEncoder().encode(JSON.stringify(input));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeInput(text: string): Partial<ScimQueryInput> | null {
  try {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Partial<ScimQueryInput>)
      : null;
  } catch {
    return null;
  }
}
