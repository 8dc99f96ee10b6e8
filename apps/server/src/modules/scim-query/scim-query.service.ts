import {
  FILTER_LIMITS,
  ScimFilterError,
  ScimQueryError,
  buildScimRequest,
  formatAttributePath,
  lintQuery,
  parseAttributePath,
  parseFilter,
  type AttributePath,
  type FilterDiagnostic,
  type FilterNode,
  type FilterValue,
  type ResourceTypeDefinition,
  type SchemaModel,
  type ScimQuery,
  type VendorProfile,
} from '@scim-console/scim';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { Actor } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import { redactFilterValues } from '../audit/audit.redact.ts';
import { recordAudit, recordPermissionDenied } from '../audit/audit.service.ts';
import type { Discovery } from '../query-options/discovery.service.ts';
import type { ConnectionsPort } from '../token-vault/token-vault.service.ts';
import { randomId } from '../token-vault/token-vault.service.ts';
import {
  conditionTreeToFilter,
  type ConditionGroup,
  type ValueResolver,
} from './condition-tree.ts';
import { carriesPersonalData } from './personal-data.ts';
import { buildPreset, isDateTime } from './presets.ts';

/** Documented limits of POST /api/scim-query (see README.md). */
export const QUERY_LIMITS = Object.freeze({
  maxFilterLength: 4096,
  maxAttributes: 100,
  maxPathLength: 256,
  maxCursorLength: 1024,
  maxResourceTypeLength: 128,
  /** Longest GET URL before `method: 'auto'` switches to POST /.search (when supported). */
  maxGetUrlLength: 2000,
  /** Largest startIndex accepted (a 32-bit integer, what providers store). */
  maxStartIndex: 2_147_483_647,
});

export interface ScimQueryInput {
  connectionId: string;
  resourceType: string;
  filter?: string | undefined;
  where?: ConditionGroup | undefined;
  preset?: { id: string; params?: Record<string, string> | undefined } | undefined;
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
  sortBy?: string | undefined;
  sortOrder?: 'ascending' | 'descending' | undefined;
  startIndex?: number | undefined;
  count?: number | undefined;
  cursor?: string | undefined;
  method?: 'auto' | 'GET' | 'POST' | undefined;
}

export interface QueryWarning {
  code: string;
  message: string;
  path?: string;
}

export interface ScimQueryDeps {
  db: Kysely<Database>;
  connections: ConnectionsPort;
  discovery: Discovery;
  now: () => Date;
  /** AUDIT_REDACT_FILTER_VALUES: the stored query record keeps no filter literals either. */
  redactFilterValues: boolean;
}

const CURSOR_SHAPE = /^[A-Za-z0-9\-._~]*$/; // RFC 9865: RFC 3986 unreserved characters only

/**
 * What the `queries` row keeps of the generated request. With filter redaction on, the
 * filter's literals are replaced wherever the filter appears (params, body, text), so the
 * query record holds no more personal data than the audit trail.
 */
function storedRequestParts(
  result: { params: Record<string, string>; body: object | null; filter: string | null },
  redact: boolean,
): { params: Record<string, string>; body: object | null; filter: string | null } {
  if (!redact || result.filter === null) return result;
  const filter = redactFilterValues(result.filter);
  return {
    params: 'filter' in result.params ? { ...result.params, filter } : result.params,
    body: result.body && 'filter' in result.body ? { ...result.body, filter } : result.body,
    filter,
  };
}

function invalidPath(message: string, field: string): AppError {
  return new AppError('INVALID_PATH', message, { field, scimType: 'invalidPath' });
}

/** Checks an attribute path (or a whole schema URN) against the schema; returns it trimmed. */
function checkAttributeSelector(
  schema: SchemaModel,
  rt: ResourceTypeDefinition,
  text: string,
  field: string,
): string {
  const value = text.trim();
  if (value.length === 0 || value.length > QUERY_LIMITS.maxPathLength)
    throw invalidPath('An attribute path must be 1–256 characters', field);
  if (schema.schemasOf(rt.name).some((s) => s.id.toLowerCase() === value.toLowerCase()))
    return value;
  let path: AttributePath;
  try {
    path = parseAttributePath(value);
  } catch (error) {
    throw invalidPath(
      `"${value.slice(0, 80)}" is not an attribute path: ${(error as Error).message}`,
      field,
    );
  }
  if (!schema.resolve(rt.name, path)) {
    const suggestion = schema.suggest(rt.name, path);
    throw invalidPath(
      `Unknown attribute "${formatAttributePath(path)}" for ${rt.name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      field,
    );
  }
  return value;
}

/** Coerces a builder value to the literal the attribute's type needs (the UI sends strings). */
function valueResolver(schema: SchemaModel, rt: ResourceTypeDefinition): ValueResolver {
  return ({ path, parent, value, field }) => {
    if (value === undefined)
      throw new AppError('VALIDATION_FAILED', 'This operator needs a value', { field });
    if (value === null) return null;
    const full: AttributePath = parent
      ? {
          ...(parent.uri ? { uri: parent.uri } : {}),
          attribute: parent.attribute,
          subAttribute: path.attribute,
        }
      : path;
    const resolved = schema.resolve(rt.name, full);
    const def = resolved?.subAttribute ?? resolved?.attribute;
    const type = def?.type ?? 'string';
    const bad = (expected: string) =>
      new AppError(
        'VALIDATION_FAILED',
        `Expected ${expected} for ${resolved?.canonicalPath ?? 'this attribute'}`,
        { field, scimType: 'invalidValue' },
      );
    switch (type) {
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        throw bad('true or false');
      case 'integer':
      case 'decimal': {
        const n =
          typeof value === 'number'
            ? value
            : typeof value === 'string' && value.trim() !== ''
              ? Number(value)
              : Number.NaN;
        if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n)))
          throw bad(type === 'integer' ? 'a whole number' : 'a number');
        return n;
      }
      case 'dateTime':
        if (typeof value === 'string' && isDateTime(value.trim())) return value.trim();
        throw bad('a date and time like 2026-01-31T00:00:00Z');
      default:
        if (typeof value === 'string') return value;
        if (typeof value === 'number') return String(value);
        throw bad('text');
    }
  };
}

function pathChecker(schema: SchemaModel, rt: ResourceTypeDefinition) {
  return (path: AttributePath, parent: AttributePath | undefined, field: string) => {
    const full: AttributePath = parent
      ? {
          ...(parent.uri ? { uri: parent.uri } : {}),
          attribute: parent.attribute,
          subAttribute: path.attribute,
        }
      : path;
    if (!schema.resolve(rt.name, full)) {
      const suggestion = schema.suggest(rt.name, full);
      throw invalidPath(
        `Unknown attribute "${formatAttributePath(full)}" for ${rt.name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        field,
      );
    }
  };
}

export function createScimQueryService(deps: ScimQueryDeps) {
  async function generate(actor: Actor, input: ScimQueryInput) {
    const sources = [
      input.filter !== undefined,
      input.where !== undefined,
      input.preset !== undefined,
    ].filter(Boolean).length;
    if (sources > 1)
      throw new AppError('VALIDATION_FAILED', 'Send at most one of filter, where and preset', {
        field: 'body.filter',
      });
    const source: 'filter' | 'where' | 'preset' | 'none' =
      input.filter !== undefined
        ? 'filter'
        : input.where !== undefined
          ? 'where'
          : input.preset
            ? 'preset'
            : 'none';
    if (source !== 'preset' && !actor.permissions.has('query:free-filter')) {
      await recordPermissionDenied(deps.db, actor, {
        method: 'POST',
        path: '/api/scim-query',
        permission: 'query:free-filter',
        reason: 'viewers may run predefined queries only',
      });
      throw new AppError(
        'FORBIDDEN',
        'Your role may run predefined queries only (send a preset).',
        { permission: 'query:free-filter', field: `body.${source === 'none' ? 'preset' : source}` },
      );
    }

    const connection = await deps.connections.getForUse(actor, input.connectionId);
    const model = await deps.discovery.modelFor(actor, connection);
    const { schema, vendor, capabilities } = model;
    const rt = schema.resourceType(input.resourceType.trim());
    if (!rt) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Unknown resource type "${input.resourceType.slice(0, 64)}"; the provider offers ${schema.resourceTypes.map((r) => r.name).join(', ')}`,
        {
          field: 'body.resourceType',
        },
      );
    }

    // ---- the filter, as an AST (never as concatenated text)
    let filter: FilterNode | null = null;
    let presetId: string | null = null;
    const filterField =
      source === 'where' ? 'body.where' : source === 'preset' ? 'body.preset' : 'body.filter';
    if (source === 'filter') {
      const text = input.filter!;
      if (text.trim() !== '') {
        try {
          filter = parseFilter(text, { maxLength: QUERY_LIMITS.maxFilterLength });
        } catch (error) {
          if (error instanceof ScimFilterError) {
            throw new AppError('INVALID_FILTER', error.message, {
              field: 'body.filter',
              position: Math.max(0, error.position),
              scimType: error.scimType,
              reason: error.code,
            });
          }
          throw error;
        }
      }
    } else if (source === 'where') {
      filter = conditionTreeToFilter(input.where!, {
        resolveValue: valueResolver(schema, rt),
        checkPath: pathChecker(schema, rt),
      });
    } else if (source === 'preset') {
      const built = buildPreset(input.preset!.id, input.preset!.params ?? {});
      if (built.preset.resourceType.toLowerCase() !== rt.name.toLowerCase()) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Preset "${built.preset.id}" queries ${built.preset.resourceType}, not ${rt.name}`,
          { field: 'body.resourceType' },
        );
      }
      filter = built.filter;
      presetId = built.preset.id;
    }

    // ---- projection, sort, paging
    const attributes = input.attributes?.map((a, i) =>
      checkAttributeSelector(schema, rt, a, `body.attributes[${i}]`),
    );
    const excludedAttributes = input.excludedAttributes?.map((a, i) =>
      checkAttributeSelector(schema, rt, a, `body.excludedAttributes[${i}]`),
    );
    if (attributes?.length && excludedAttributes?.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send attributes or excludedAttributes, not both (RFC 7644 §3.4.2.5)',
        { field: 'body.excludedAttributes' },
      );
    }
    const sortBy =
      input.sortBy !== undefined && input.sortBy.trim() !== ''
        ? checkAttributeSelector(schema, rt, input.sortBy, 'body.sortBy')
        : undefined;
    if (input.count !== undefined && input.count > capabilities.maxPageSize) {
      throw new AppError(
        'VALIDATION_FAILED',
        `count must be 0–${capabilities.maxPageSize} for this provider`,
        { field: 'body.count', scimType: 'invalidCount' },
      );
    }
    if (input.cursor !== undefined) {
      if (input.startIndex !== undefined) {
        throw new AppError(
          'VALIDATION_FAILED',
          'cursor and startIndex cannot be combined: choose cursor or index paging (RFC 9865)',
          { field: 'body.cursor', scimType: 'invalidCursor' },
        );
      }
      if (!CURSOR_SHAPE.test(input.cursor)) {
        throw new AppError(
          'VALIDATION_FAILED',
          'A cursor holds only letters, digits and - . _ ~ (RFC 9865)',
          { field: 'body.cursor', scimType: 'invalidCursor' },
        );
      }
    }

    const query: ScimQuery = {
      endpoint: rt.endpoint,
      ...(filter ? { filter } : {}),
      ...(attributes?.length ? { attributes } : {}),
      ...(excludedAttributes?.length ? { excludedAttributes } : {}),
      ...(sortBy ? { sortBy } : {}),
      ...(input.sortOrder ? { sortOrder: input.sortOrder } : {}),
      ...(input.startIndex !== undefined ? { startIndex: input.startIndex } : {}),
      ...(input.count !== undefined ? { count: input.count } : {}),
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    };

    // ---- method: POST /.search for personal data or long URLs, when the provider has it
    const requested = input.method ?? 'auto';
    let method: 'GET' | 'POST' = requested === 'POST' ? 'POST' : 'GET';
    const buildOrThrow = (m: 'GET' | 'POST') => {
      try {
        return buildScimRequest(query, { method: m });
      } catch (error) {
        if (error instanceof ScimQueryError) {
          const field = `body.${error.field.replace(/^endpoint$/, 'resourceType')}`;
          throw new AppError(
            error.scimType === 'invalidPath' ? 'INVALID_PATH' : 'VALIDATION_FAILED',
            error.message,
            { field, scimType: error.scimType },
          );
        }
        if (error instanceof ScimFilterError)
          throw new AppError('INVALID_FILTER', error.message, {
            field: filterField,
            scimType: error.scimType,
          });
        throw error;
      }
    };
    let request = buildOrThrow(method);
    const warnings: QueryWarning[] = [];
    if (requested === 'auto' && capabilities.search) {
      if (carriesPersonalData(filter, rt.name)) {
        method = 'POST';
        warnings.push({
          code: 'SENT_AS_SEARCH',
          message:
            'The filter holds personal data, so it is sent as POST /.search instead of in the URL (RFC 7644 §7.5.2).',
        });
      } else if (
        `${connection.baseUrl}${request.path}${request.queryString}`.length >
        QUERY_LIMITS.maxGetUrlLength
      ) {
        method = 'POST';
        warnings.push({
          code: 'SENT_AS_SEARCH',
          message: `The URL would exceed ${QUERY_LIMITS.maxGetUrlLength} characters, so the query is sent as POST /.search.`,
        });
      }
      if (method === 'POST') request = buildOrThrow('POST');
    } else if (requested === 'auto' && carriesPersonalData(filter, rt.name)) {
      warnings.push({
        code: 'PERSONAL_DATA_IN_URL',
        message: `${vendor.name} does not support POST /.search, so personal data in the filter travels in the URL.`,
      });
    }

    // ---- lint (schema + vendor): errors refuse, warnings travel with the answer
    // Paging support is what the provider's own ServiceProviderConfig states; the vendor
    // profile only fills in what discovery did not say (capabilitiesFrom).
    const lintVendor: VendorProfile = {
      ...vendor,
      paging: {
        ...vendor.paging,
        index: capabilities.indexPaging,
        cursor: capabilities.cursorPaging,
        maxPageSize: capabilities.maxPageSize,
      },
    };
    const diagnostics: FilterDiagnostic[] = lintQuery(query, {
      schema,
      vendor: lintVendor,
      method,
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]!;
      const code = first.code === 'UNKNOWN_ATTRIBUTE' ? 'INVALID_PATH' : 'INVALID_FILTER';
      throw new AppError(code, first.message, {
        field: filterField,
        scimType: code === 'INVALID_PATH' ? 'invalidPath' : 'invalidFilter',
        ...(first.path ? { path: first.path } : {}),
        diagnostics: errors.map((d) => ({
          code: d.code,
          message: d.message,
          ...(d.path ? { path: d.path } : {}),
        })),
      });
    }
    for (const d of diagnostics)
      warnings.push({ code: d.code, message: d.message, ...(d.path ? { path: d.path } : {}) });
    if (model.source === 'defaults' && model.discoveryError) {
      warnings.push({
        code: 'DISCOVERY_FAILED',
        message: `Checked against the RFC core schemas: ${model.discoveryError}`,
      });
    }
    if (
      capabilities.maxResults !== null &&
      input.count !== undefined &&
      input.count > capabilities.maxResults
    ) {
      warnings.push({
        code: 'ABOVE_MAX_RESULTS',
        message: `The provider returns at most ${capabilities.maxResults} results per filter.`,
      });
    }

    const queryId = randomId();
    const url = `${connection.baseUrl}${request.path}${request.queryString}`;
    const headers: Record<string, string> = { Accept: 'application/scim+json' };
    if (request.method === 'POST') headers['Content-Type'] = 'application/scim+json';
    const execution = {
      mode: connection.executionMode,
      baseUrl: connection.baseUrl,
      relayUrl:
        connection.executionMode === 'relay'
          ? `/api/relay/${connection.id}${request.path}${request.queryString}`
          : null,
      headers,
    };
    const result = {
      queryId,
      connectionId: connection.id,
      resourceType: rt.name,
      method: request.method,
      url,
      path: request.path,
      params: { ...request.params },
      body: request.body
        ? (JSON.parse(JSON.stringify(request.body)) as Record<string, unknown>)
        : null,
      filter: request.filter ?? null,
      ast: filter,
      warnings,
      execution,
    };

    const credential = await deps.db
      .selectFrom('scim_credentials')
      .select(['fingerprint', 'token_version'])
      .where('user_id', '=', actor.userId)
      .where('connection_id', '=', connection.id)
      .executeTakeFirst();
    const at = deps.now().toISOString();
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('queries')
        .values({
          id: queryId,
          user_id: actor.userId,
          connection_id: connection.id,
          resource_type: rt.name,
          method: request.method,
          path: request.path,
          request: JSON.stringify({
            method: request.method,
            path: request.path,
            ...storedRequestParts(result, deps.redactFilterValues),
            source,
            presetId,
          }),
          created_at: at,
          outcome_reported_at: null,
        })
        .execute();
      await recordAudit(trx, {
        action: 'query.generated',
        actor,
        connectionId: connection.id,
        queryId,
        ...(credential
          ? { token: { fingerprint: credential.fingerprint, version: credential.token_version } }
          : {}),
        request: {
          method: request.method,
          path: request.path,
          params: result.params,
          filter: result.filter,
        },
        details: {
          resourceType: rt.name,
          source: source === 'none' ? 'filter' : source,
          presetId,
          warnings: warnings.length,
        },
      });
    });
    return result;
  }

  async function reportOutcome(
    actor: Actor,
    queryId: string,
    outcome: {
      status: number;
      resultCount?: number | undefined;
      totalResults?: number | undefined;
      pages?: number | undefined;
      durationMs: number;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<void> {
    const row = await deps.db
      .selectFrom('queries')
      .selectAll()
      .where('id', '=', queryId)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    // Someone else's query answers exactly like a missing one.
    if (!row) throw new AppError('NOT_FOUND', 'No such query.');
    const stored = JSON.parse(row.request) as {
      params?: Record<string, string>;
      filter?: string | null;
    };
    await deps.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('queries')
        .set({ outcome_reported_at: deps.now().toISOString() })
        .where('id', '=', queryId)
        .where('user_id', '=', actor.userId)
        .where('outcome_reported_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1)
        throw new AppError('ALREADY_REPORTED', 'The outcome of this query was already reported.');
      await recordAudit(trx, {
        action: 'query.outcome',
        actor,
        connectionId: row.connection_id,
        queryId,
        request: {
          method: row.method,
          path: row.path,
          params: stored.params ?? {},
          filter: stored.filter ?? null,
        },
        outcome: {
          status: outcome.status,
          resultCount: outcome.resultCount ?? null,
          durationMs: outcome.durationMs,
          error: outcome.error ?? null,
        },
        details: { totalResults: outcome.totalResults ?? null, pages: outcome.pages ?? null },
      });
    });
  }

  return { generate, reportOutcome };
}

export type ScimQueryService = ReturnType<typeof createScimQueryService>;

export { FILTER_LIMITS };
export type { FilterValue };
