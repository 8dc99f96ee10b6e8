import {
  ScimFilterError,
  and,
  compare,
  not,
  or,
  parseAttributePath,
  pr,
  valuePath,
  type AttributePath,
  type CompareOperator,
  type FilterNode,
  type FilterValue,
} from '@scim-console/scim';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';

/**
 * The condition tree a visual builder produces (docs/api.md `ConditionGroup`), turned into a
 * filter AST with the SCIM library's builders only: values stay data and are escaped by the
 * formatter, attribute names must be valid ATTRNAMEs, operators come from a closed set.
 */

export const WHERE_LIMITS = Object.freeze({
  /** Deepest nesting of groups (the root group is depth 1). */
  maxDepth: 8,
  /** Most rules and groups in one tree. */
  maxNodes: 200,
  /** Longest string value of a rule. */
  maxValueLength: 1024,
  /** Longest attribute path. */
  maxFieldLength: 256,
});

export const RULE_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export interface ConditionRule {
  field: string;
  operator: RuleOperator;
  value?: string | number | boolean | null;
}

export interface ConditionGroup {
  combinator: 'and' | 'or';
  not?: boolean;
  path?: string;
  rules: (ConditionRule | ConditionGroup)[];
}

const ruleSchema = z
  .object({
    field: z.string().min(1).max(WHERE_LIMITS.maxFieldLength),
    operator: z.enum(RULE_OPERATORS),
    value: z
      .union([z.string().max(WHERE_LIMITS.maxValueLength), z.number(), z.boolean(), z.null()])
      .optional(),
  })
  .strict();

// Recursive schema; depth and size are enforced by the translator (zod alone would recurse
// without bound on hostile input, so the route also caps the body size).
export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z
    .object({
      combinator: z.enum(['and', 'or']),
      not: z.boolean().optional(),
      path: z.string().min(1).max(WHERE_LIMITS.maxFieldLength).optional(),
      rules: z.array(z.union([ruleSchema, conditionGroupSchema])).max(WHERE_LIMITS.maxNodes),
    })
    .strict(),
);

/** Decides the literal for a rule (type coercion against the schema); throws AppError with `details.field`. */
export type ValueResolver = (input: {
  /** The attribute as written in the rule, resolved against its value-path group when inside one. */
  path: AttributePath;
  /** The value-path group's attribute when the rule sits inside `emails[ … ]`. */
  parent: AttributePath | undefined;
  operator: CompareOperator;
  value: ConditionRule['value'];
  field: string;
}) => FilterValue;

export interface TranslateOptions {
  /** Where in the request body the tree sits, for error details (default `body.where`). */
  field?: string;
  resolveValue?: ValueResolver;
  /** Called for every attribute path (for schema validation); throws AppError. */
  checkPath?: (path: AttributePath, parent: AttributePath | undefined, field: string) => void;
}

function isGroup(node: ConditionRule | ConditionGroup): node is ConditionGroup {
  return Array.isArray((node as ConditionGroup).rules);
}

function pathOf(text: string, field: string): AttributePath {
  try {
    return parseAttributePath(text.trim());
  } catch (error) {
    if (error instanceof ScimFilterError) {
      throw new AppError(
        'INVALID_PATH',
        `${JSON.stringify(text)} is not a valid attribute path: ${error.message}`,
        {
          field,
          scimType: 'invalidPath',
        },
      );
    }
    throw error;
  }
}

function defaultValue(input: Parameters<ValueResolver>[0]): FilterValue {
  if (input.value === undefined) {
    throw new AppError('VALIDATION_FAILED', `Operator "${input.operator}" needs a value`, {
      field: input.field,
    });
  }
  return input.value;
}

/** Sub-attribute relative to a value-path group: `type` or `emails.type` inside `emails[ … ]`. */
function relativeTo(parent: AttributePath, path: AttributePath, field: string): AttributePath {
  if (path.subAttribute === undefined && path.uri === undefined) return path;
  const sameParent =
    path.attribute.toLowerCase() === parent.attribute.toLowerCase() &&
    (path.uri === undefined ||
      parent.uri === undefined ||
      path.uri.toLowerCase() === parent.uri.toLowerCase()) &&
    path.subAttribute !== undefined;
  if (sameParent) return { attribute: path.subAttribute! };
  throw new AppError(
    'INVALID_PATH',
    `Inside a value filter on "${parent.attribute}" name its sub-attributes only (e.g. "type")`,
    {
      field,
      scimType: 'invalidPath',
    },
  );
}

/**
 * Translates a condition tree. An empty root group means "no filter" (null); an empty nested
 * group is an error (it would otherwise silently change what `not` or `or` select).
 */
export function conditionTreeToFilter(
  root: ConditionGroup,
  options: TranslateOptions = {},
): FilterNode | null {
  const resolveValue = options.resolveValue ?? defaultValue;
  let nodes = 0;

  function group(
    g: ConditionGroup,
    field: string,
    depth: number,
    parent: AttributePath | undefined,
  ): FilterNode | null {
    if (depth > WHERE_LIMITS.maxDepth) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Groups may be nested at most ${WHERE_LIMITS.maxDepth} deep`,
        { field },
      );
    }
    let scope = parent;
    if (g.path !== undefined) {
      if (parent) {
        throw new AppError(
          'VALIDATION_FAILED',
          'Value filters cannot be nested (RFC 7644 §3.4.2.2)',
          { field: `${field}.path` },
        );
      }
      scope = pathOf(g.path, `${field}.path`);
      if (scope.subAttribute !== undefined) {
        throw new AppError(
          'INVALID_PATH',
          'A value filter applies to an attribute, not a sub-attribute',
          {
            field: `${field}.path`,
            scimType: 'invalidPath',
          },
        );
      }
      options.checkPath?.(scope, undefined, `${field}.path`);
    }
    const children: FilterNode[] = [];
    g.rules.forEach((child, i) => {
      nodes += 1;
      if (nodes > WHERE_LIMITS.maxNodes) {
        throw new AppError(
          'VALIDATION_FAILED',
          `A condition tree may have at most ${WHERE_LIMITS.maxNodes} rules and groups`,
          {
            field: `${field}.rules[${i}]`,
          },
        );
      }
      const childField = `${field}.rules[${i}]`;
      const node = isGroup(child)
        ? group(child, childField, depth + 1, scope)
        : rule(child, childField, scope);
      if (node === null)
        throw new AppError('VALIDATION_FAILED', 'A group needs at least one rule', {
          field: childField,
        });
      children.push(node);
    });
    if (children.length === 0) {
      if (depth === 1 && g.path === undefined && !g.not) return null;
      throw new AppError('VALIDATION_FAILED', 'A group needs at least one rule', {
        field: `${field}.rules`,
      });
    }
    let node = g.combinator === 'and' ? and(...children) : or(...children);
    if (g.path !== undefined && scope) node = valuePath(scope, node);
    return g.not ? not(node) : node;
  }

  function rule(r: ConditionRule, field: string, parent: AttributePath | undefined): FilterNode {
    const written = pathOf(r.field, `${field}.field`);
    const path = parent ? relativeTo(parent, written, `${field}.field`) : written;
    options.checkPath?.(path, parent, `${field}.field`);
    if (r.operator === 'pr') {
      if (r.value !== undefined && r.value !== null && r.value !== '') {
        throw new AppError('VALIDATION_FAILED', '"pr" (present) takes no value', {
          field: `${field}.value`,
        });
      }
      return pr(path);
    }
    const value = resolveValue({
      path,
      parent,
      operator: r.operator,
      value: r.value,
      field: `${field}.value`,
    });
    return compare(path, r.operator, value);
  }

  return group(root, options.field ?? 'body.where', 1, undefined);
}

/** Deepest JSON nesting accepted in a query body, checked before schema validation (which recurses). */
export const MAX_JSON_DEPTH = 64;

/**
 * Iterative nesting check: refuses hostile bodies (thousands of nested groups) with a 400
 * before the recursive validator could exhaust the stack.
 */
export function assertJsonDepth(value: unknown, field: string, maxDepth = MAX_JSON_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The request nests deeper than ${maxDepth} levels (groups may be nested at most ${WHERE_LIMITS.maxDepth} deep)`,
        { field },
      );
    }
    for (const child of Array.isArray(current) ? current : Object.values(current))
      stack.push([child, depth + 1]);
  }
}
