// The three shapes of a filter and the conversions between them:
//   builder query (react-querybuilder)  →  `where` (ConditionGroup, what /api/scim-query takes)
//   `where`  →  FilterNode (via the SCIM library's builders)  →  text (formatFilter)
//   FilterNode (parsed from the raw editor)  →  builder query, when the builder can show it.
//
// react-querybuilder already uses `path` on rules and groups for their position, so a
// value-path group (`emails[type eq "work"]`) keeps its attribute in `scimPath`. Rules
// inside such a group hold full field names ('emails.type') so the field list stays
// one list; they become relative ('type') in `where` and in the AST.
import {
  and,
  compare,
  formatAttributePath,
  not,
  or,
  pr,
  valuePath,
  type AttributePath,
  type CompareOperator,
  type FilterNode,
  type FilterValue,
} from '@scim-console/scim';
import type { RuleGroupType, RuleType } from 'react-querybuilder';
import type { ConditionGroup, ConditionOperator, ConditionRule } from '../../../api/scim-query';
import type { ScimField } from './fields';

export interface ScimRuleGroup extends RuleGroupType {
  scimPath?: string;
}

export interface BuilderIssue {
  /** react-querybuilder position path of the rule/group at fault. */
  path: number[];
  message: string;
}

let idCounter = 0;
const nextId = () => `r${Date.now().toString(36)}${(idCounter++).toString(36)}`;

export function emptyQuery(): ScimRuleGroup {
  return { id: nextId(), combinator: 'and', rules: [] };
}

function isGroup(r: unknown): r is ScimRuleGroup {
  return (
    typeof r === 'object' &&
    r !== null &&
    'rules' in r &&
    Array.isArray((r as { rules: unknown }).rules)
  );
}

function convertValue(
  field: ScimField | undefined,
  raw: unknown,
): string | number | boolean | null {
  if (raw === null) return null;
  const type = field?.scimType ?? 'string';
  if (type === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    return String(raw);
  }
  if (type === 'integer' || type === 'decimal') {
    if (typeof raw === 'number') return raw;
    const text = String(raw).trim();
    const n = Number(text);
    return text !== '' && Number.isFinite(n) ? n : text;
  }
  return typeof raw === 'string' ? raw : String(raw ?? '');
}

function ruleIssue(rule: RuleType, field: ScimField | undefined, value: unknown): string | null {
  if (!rule.field || rule.field === '~') return 'Choose an attribute.';
  if (!field) return `Unknown attribute "${rule.field}".`;
  if (rule.operator === 'pr') return null;
  if (value === '' || value === undefined) return `Enter a value for "${field.label}".`;
  if ((field.scimType === 'integer' || field.scimType === 'decimal') && typeof value !== 'number') {
    return `"${field.label}" needs a number.`;
  }
  if (field.scimType === 'boolean' && typeof value !== 'boolean')
    return `"${field.label}" is true or false.`;
  return null;
}

/**
 * The builder's query as the API's ConditionGroup. Empty groups are dropped; an empty
 * query gives `where: undefined` (no filter). Muted rules are left out.
 */
export function builderToWhere(
  query: ScimRuleGroup,
  fields: ReadonlyMap<string, ScimField>,
): { where: ConditionGroup | undefined; issues: BuilderIssue[] } {
  const issues: BuilderIssue[] = [];

  const walkGroup = (
    group: ScimRuleGroup,
    at: number[],
    valuePathOf: string | null,
  ): ConditionGroup | null => {
    const scimPath = group.scimPath && !valuePathOf ? group.scimPath : undefined;
    if (group.scimPath && valuePathOf) {
      issues.push({ path: at, message: 'A value filter cannot contain another value filter.' });
    }
    const inner = scimPath ?? valuePathOf;
    const rules: (ConditionRule | ConditionGroup)[] = [];
    group.rules.forEach((r, i) => {
      if (typeof r === 'string') return;
      if (r.muted) return;
      if (isGroup(r)) {
        const g = walkGroup(r, [...at, i], inner);
        if (g) rules.push(g);
        return;
      }
      const rule = r as RuleType;
      const field = fields.get(rule.field);
      const value = rule.operator === 'pr' ? undefined : convertValue(field, rule.value);
      const issue = ruleIssue(rule, field, value);
      if (issue) {
        issues.push({ path: [...at, i], message: issue });
        return;
      }
      let name = rule.field;
      if (inner) {
        if (!name.toLowerCase().startsWith(`${inner.toLowerCase()}.`)) {
          issues.push({
            path: [...at, i],
            message: `Inside ${inner}[…] pick one of its sub-attributes.`,
          });
          return;
        }
        name = name.slice(inner.length + 1);
      }
      rules.push({
        field: name,
        operator: rule.operator as ConditionOperator,
        ...(rule.operator === 'pr' ? {} : { value }),
      });
    });
    if (rules.length === 0) {
      if (scimPath) issues.push({ path: at, message: `Add a condition to ${scimPath}[…].` });
      return null;
    }
    return {
      combinator: group.combinator === 'or' ? 'or' : 'and',
      ...(group.not ? { not: true } : {}),
      ...(scimPath ? { path: scimPath } : {}),
      rules,
    };
  };

  const where = walkGroup(query, [], null) ?? undefined;
  return { where, issues };
}

function isConditionGroup(r: ConditionRule | ConditionGroup): r is ConditionGroup {
  return 'rules' in r;
}

/** The ConditionGroup as a filter AST, built only through the library's builders. */
export function whereToFilterNode(where: ConditionGroup | undefined): FilterNode | undefined {
  if (!where) return undefined;
  const build = (group: ConditionGroup): FilterNode | undefined => {
    const nodes: FilterNode[] = [];
    for (const r of group.rules) {
      if (isConditionGroup(r)) {
        const n = build(r);
        if (n) nodes.push(n);
      } else if (r.operator === 'pr') {
        nodes.push(pr(r.field));
      } else {
        nodes.push(
          compare(r.field, r.operator as CompareOperator, (r.value ?? null) as FilterValue),
        );
      }
    }
    if (nodes.length === 0) return undefined;
    let node = group.combinator === 'or' ? or(...nodes) : and(...nodes);
    if (group.path) node = valuePath(group.path, node);
    if (group.not) node = not(node);
    return node;
  };
  return build(where);
}

export type ToBuilderResult = { ok: true; query: ScimRuleGroup } | { ok: false; reason: string };

class NotRepresentable extends Error {}

/**
 * A parsed filter as a builder query. Fails (with a reason) when the builder cannot
 * show it: an attribute it does not offer, an operator that attribute does not allow,
 * or a value of a type its editor cannot hold.
 */
export function filterNodeToBuilder(
  node: FilterNode,
  fields: readonly ScimField[],
  coreSchema: string,
): ToBuilderResult {
  const byLower = new Map(fields.map((f) => [f.name.toLowerCase(), f]));

  const resolve = (path: AttributePath, within: string | null): ScimField => {
    const candidates: string[] = [];
    const own = formatAttributePath(path);
    if (within) candidates.push(`${within}.${own}`);
    else {
      candidates.push(own);
      if (path.uri && path.uri.toLowerCase() === coreSchema.toLowerCase()) {
        candidates.push(
          path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute,
        );
      }
    }
    for (const c of candidates) {
      const f = byLower.get(c.toLowerCase());
      if (f) return f;
    }
    throw new NotRepresentable(
      `the builder does not offer the attribute "${within ? `${within}[${own}]` : own}"`,
    );
  };

  const toRule = (
    n: Extract<FilterNode, { kind: 'compare' | 'present' }>,
    within: string | null,
  ): RuleType => {
    const field = resolve(n.path, within);
    const op = n.kind === 'present' ? 'pr' : n.op;
    const allowed = (field.operators ?? []) as { name: string }[];
    if (!allowed.some((o) => o.name === op)) {
      throw new NotRepresentable(`"${op}" is not offered for ${field.label}`);
    }
    if (n.kind === 'present') return { id: nextId(), field: field.name, operator: 'pr', value: '' };
    const v = n.value;
    if (v === null) throw new NotRepresentable('comparisons with null cannot be edited visually');
    let value: unknown = v;
    if (field.scimType === 'boolean') {
      if (typeof v !== 'boolean')
        throw new NotRepresentable(`${field.label} compares with true or false`);
      value = String(v);
    } else if (field.scimType === 'integer' || field.scimType === 'decimal') {
      if (typeof v !== 'number')
        throw new NotRepresentable(`${field.label} compares with a number`);
    } else if (typeof v !== 'string') {
      throw new NotRepresentable(`${field.label} compares with a quoted string`);
    } else if (field.canonicalValues?.length && !field.canonicalValues.includes(v)) {
      throw new NotRepresentable(`"${v}" is not one of the values offered for ${field.label}`);
    }
    return { id: nextId(), field: field.name, operator: op, value };
  };

  const toGroup = (n: FilterNode, within: string | null): ScimRuleGroup => {
    switch (n.kind) {
      case 'and':
      case 'or':
        return { id: nextId(), combinator: n.kind, rules: n.filters.map((f) => toItem(f, within)) };
      case 'not': {
        const inner = n.filter;
        if (inner.kind === 'and' || inner.kind === 'or' || inner.kind === 'valuePath') {
          return { ...toGroup(inner, within), not: true };
        }
        return { id: nextId(), combinator: 'and', not: true, rules: [toItem(inner, within)] };
      }
      case 'valuePath': {
        if (within) throw new NotRepresentable('value filters cannot be nested');
        const outer = resolve(n.path, null);
        if (!outer.valuePathable)
          throw new NotRepresentable(`${outer.label} cannot hold a value filter`);
        const inner = n.filter;
        const g =
          inner.kind === 'and' || inner.kind === 'or'
            ? toGroup(inner, outer.name)
            : { id: nextId(), combinator: 'and', rules: [toItem(inner, outer.name)] };
        return { ...g, scimPath: outer.name };
      }
      default:
        return { id: nextId(), combinator: 'and', rules: [toRule(n, within)] };
    }
  };

  const toItem = (n: FilterNode, within: string | null): RuleType | ScimRuleGroup =>
    n.kind === 'compare' || n.kind === 'present' ? toRule(n, within) : toGroup(n, within);

  try {
    const root = toGroup(node, null);
    // A value filter at the top stays a child, so that conditions added beside it are not put inside it.
    return {
      ok: true,
      query: root.scimPath ? { id: nextId(), combinator: 'and', rules: [root] } : root,
    };
  } catch (e) {
    if (e instanceof NotRepresentable) return { ok: false, reason: e.message };
    throw e;
  }
}
