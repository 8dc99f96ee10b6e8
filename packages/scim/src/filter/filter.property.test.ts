// Properties of the parser and formatter over generated input (fast-check):
// every AST survives format → parse unchanged, formatting is a fixed point, and
// parseFilter never throws anything but ScimFilterError.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimFilterError } from '../errors.ts';
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from './ast.ts';
import { and, compare, eq, not, or, pr, valuePath } from './builder.ts';
import { formatFilter } from './format.ts';
import { compileFilter } from './match.ts';
import { parseFilter } from './parser.ts';
import { coreSchemaModel } from '../schema/schema-model.ts';

const LIMITS = { maxDepth: 1_000, maxLength: 1_000_000 };

const name = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/) },
  // Names that are also keywords must still read back as names.
  {
    weight: 2,
    arbitrary: fc.constantFrom('and', 'or', 'not', 'pr', 'eq', 'true', 'null', 'Not', 'AND'),
  },
  { weight: 1, arbitrary: fc.constant('$ref') },
);
const uri = fc.oneof(
  fc.constantFrom(
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ),
  fc.stringMatching(/^urn:[a-z]{1,5}(:[A-Za-z0-9][A-Za-z0-9.-]{0,5}){0,4}$/),
);
const path: fc.Arbitrary<AttributePath> = fc
  .record({
    uri: fc.option(uri, { nil: undefined }),
    attribute: name,
    subAttribute: fc.option(name, { nil: undefined }),
  })
  .map(({ uri: u, attribute, subAttribute }) => ({
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
    ...(u !== undefined ? { uri: u } : {}),
  }));

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: anyCodeUnit }), // lone surrogates, controls, U+2028/2029
  fc.constantFrom('" or userName pr or userName eq "', '\\', '")', '"]', '\u2028\u2029'),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const op = fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(path, op, value).map(([p, o, v]) => compare(p, o, v)) },
  { weight: 1, arbitrary: path.map((p) => pr(p)) },
);

/** Filters without value paths (what may appear inside `[ ]`). */
const { inner } = fc.letrec<{ inner: FilterNode }>((tie) => ({
  inner: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('inner'), { minLength: 2, maxLength: 4 }).map((fs) => and(...fs)),
    fc.array(tie('inner'), { minLength: 2, maxLength: 4 }).map((fs) => or(...fs)),
    tie('inner').map((f) => not(f)),
  ),
}));
const { filter } = fc.letrec<{ filter: FilterNode }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(path, inner).map(([p, f]) => valuePath(p, f)),
    fc.array(tie('filter'), { minLength: 2, maxLength: 4 }).map((fs) => and(...fs)),
    fc.array(tie('filter'), { minLength: 2, maxLength: 4 }).map((fs) => or(...fs)),
    tie('filter').map((f) => not(f)),
  ),
}));

/** Text made of filter-like pieces, so generated strings reach deep into the grammar. */
const filterish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'userName',
        'emails',
        'name.familyName',
        'urn:ietf:params:scim:schemas:core:2.0:User:userName',
        'x:',
        'eq',
        'Eq',
        'pr',
        'co',
        'gt',
        'np',
        'and',
        'or',
        'not',
        'AND',
        'not(',
        'true',
        'True',
        'null',
        '"x"',
        '"a\\"b"',
        '"\\u00e9"',
        '"\\ud83d"',
        '"',
        '\\',
        '\\u12',
        '-1.5e3',
        '01',
        '1.',
        '.value',
        '(',
        ')',
        '[',
        ']',
        ' ',
        '  ',
        '\t',
        '\n',
        '$ref',
        "'",
        '&&',
        '\u2028',
      ),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));
const spaced = fc
  .array(
    fc.constantFrom(
      'userName',
      'eq',
      '"x"',
      'pr',
      'and',
      'or',
      'not',
      '(',
      ')',
      'emails[',
      ']',
      'type',
      '1',
      'true',
    ),
    { maxLength: 16 },
  )
  .map((p) => p.join(' '));

type Gen = fc.GeneratorValue;

/**
 * Writes an AST the way people do: operators and keywords in any case, several
 * kinds of whitespace, redundant parentheses, `not(` or `not (`, strings with
 * optional \uXXXX and \/ escapes, numbers in exponent form.
 */
function messy(node: FilterNode, g: Gen, nested = false): string {
  const ws = () => g(fc.constantFrom, ' ', ' ', '  ', '\t', '\n ', ' \r\n');
  const opt = () => g(fc.constantFrom, '', '', ' ', '\t');
  const anyCase = (word: string) =>
    [...word].map((c) => (g(fc.boolean) ? c.toUpperCase() : c.toLowerCase())).join('');
  const path = (p: AttributePath) =>
    `${p.uri !== undefined ? `${p.uri}:` : ''}${p.attribute}${p.subAttribute !== undefined ? `.${p.subAttribute}` : ''}`;
  const literal = (v: FilterValue): string => {
    if (typeof v === 'string') {
      let out = '"';
      for (const c of v) {
        for (let k = 0; k < c.length; k++) {
          const unit = c.charCodeAt(k);
          const ch = c[k]!;
          if (ch === '"' || ch === '\\' || unit < 0x20 || g(fc.integer, { min: 0, max: 9 }) === 0) {
            const hex = unit.toString(16).padStart(4, '0');
            out += `\\u${g(fc.boolean) ? hex.toUpperCase() : hex}`;
          } else if (ch === '/' && g(fc.boolean)) out += '\\/';
          else out += ch;
        }
      }
      return `${out}"`;
    }
    if (typeof v === 'number') {
      if (Object.is(v, -0)) return '-0';
      return g(fc.boolean) ? v.toExponential() : JSON.stringify(v);
    }
    return String(v);
  };
  const wrap = (text: string) =>
    g(fc.integer, { min: 0, max: 5 }) === 0 ? `(${opt()}${text}${opt()})` : text;
  switch (node.kind) {
    case 'compare':
      return wrap(`${path(node.path)}${ws()}${anyCase(node.op)}${ws()}${literal(node.value)}`);
    case 'present':
      return wrap(`${path(node.path)}${ws()}${anyCase('pr')}`);
    case 'not':
      return wrap(`${anyCase('not')}${opt()}(${opt()}${messy(node.filter, g)}${opt()})`);
    case 'valuePath':
      return wrap(`${path(node.path)}[${opt()}${messy(node.filter, g)}${opt()}]`);
    case 'and':
    case 'or': {
      const text = node.filters
        .map((f) => messy(f, g, true))
        .join(`${ws()}${anyCase(node.kind)}${ws()}`);
      return nested ? `(${opt()}${text}${opt()})` : wrap(text);
    }
  }
}

function parseOrError(text: string): FilterNode | ScimFilterError {
  try {
    return parseFilter(text, LIMITS);
  } catch (error) {
    if (error instanceof ScimFilterError) return error;
    throw error;
  }
}

describe('filter properties', () => {
  it('parse(format(ast)) deep-equals ast for any AST', () => {
    fc.assert(
      fc.property(filter, (ast) => {
        expect(parseFilter(formatFilter(ast), LIMITS)).toEqual(ast);
      }),
      { numRuns: 500 },
    );
  });

  it('a value built with eq() stays one literal, whatever it contains', () => {
    fc.assert(
      fc.property(value, (v) => {
        const node = eq('userName', v);
        expect(parseFilter(formatFilter(node))).toEqual(node);
      }),
      { numRuns: 500 },
    );
  });

  it('parseFilter throws nothing but ScimFilterError, with a position inside the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), filterish, spaced),
        (text) => {
          const result = parseOrError(text);
          if (result instanceof ScimFilterError) {
            expect(result.scimType).toBe('invalidFilter');
            expect(result.position).toBeGreaterThanOrEqual(0);
            expect(result.position).toBeLessThanOrEqual(text.length);
            expect(result.message).toMatch(/position \d+|empty/);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('reads filters written with any case, spacing, redundant parentheses and escapes', () => {
    fc.assert(
      fc.property(filter, fc.gen(), (ast, g) => {
        const text = `${g(fc.constantFrom, '', ' ', '\n')}${messy(ast, g)}${g(fc.constantFrom, '', ' ', '\t')}`;
        const parsed = parseFilter(text, LIMITS);
        expect(parsed).toEqual(ast);
        expect(formatFilter(parsed)).toBe(formatFilter(ast));
      }),
      { numRuns: 500 },
    );
  });

  it('format is a fixed point: format(parse(format(parse(t)))) === format(parse(t))', () => {
    fc.assert(
      fc.property(fc.oneof(filterish, spaced), (text) => {
        const first = parseOrError(text);
        if (first instanceof ScimFilterError) return;
        const canonical = formatFilter(first);
        expect(parseFilter(canonical, LIMITS)).toEqual(first);
        expect(formatFilter(parseFilter(canonical, LIMITS))).toBe(canonical);
      }),
      { numRuns: 2_000 },
    );
  });

  it('matching never throws on odd resources, and not(f) is the negation of f', () => {
    const context = { schema: coreSchemaModel(), resourceType: 'User' };
    const realPath = fc.constantFrom(
      'userName',
      'active',
      'emails',
      'emails.value',
      'emails.type',
      'meta.lastModified',
      'name.givenName',
      'title',
      'x',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    );
    const realLeaf = fc.oneof(
      fc.tuple(realPath, op, value).map(([p, o, v]) => compare(p, o, v)),
      realPath.map((p) => pr(p)),
      fc
        .tuple(
          fc.constantFrom('emails', 'name', 'x'),
          fc.constantFrom('value', 'type', 'primary'),
          value,
        )
        .map(([p, sub, v]) => valuePath(p, eq(sub, v))),
    );
    const { schemaFilter } = fc.letrec<{ schemaFilter: FilterNode }>((tie) => ({
      schemaFilter: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        realLeaf,
        fc.array(tie('schemaFilter'), { minLength: 2, maxLength: 3 }).map((fs) => and(...fs)),
        fc.array(tie('schemaFilter'), { minLength: 2, maxLength: 3 }).map((fs) => or(...fs)),
        tie('schemaFilter').map((f) => not(f)),
      ),
    }));
    const names = fc.constantFrom(
      'userName',
      'emails',
      'active',
      'meta',
      'name',
      'title',
      'x',
      'value',
      'type',
    );
    const resource = fc.dictionary(names, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(
        fc.oneof(filter, schemaFilter),
        fc.array(resource, { minLength: 1, maxLength: 5 }),
        (ast, resources) => {
          let predicate: (r: unknown) => boolean;
          try {
            predicate = compileFilter(ast, context);
          } catch (error) {
            // Only gt/ge/lt/le on boolean or binary attributes may be refused.
            expect(error).toMatchObject({ code: 'OPERATOR_TYPE_MISMATCH' });
            return;
          }
          const negated = compileFilter(not(ast), context);
          for (const r of resources) expect(negated(r)).toBe(!predicate(r));
        },
      ),
      { numRuns: 300 },
    );
  });
});
