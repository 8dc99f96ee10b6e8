// Schema- and vendor-aware checks of a parsed filter. The parser already
// guarantees RFC grammar; lint finds what is grammatical but wrong or
// unsupported: unknown attributes, operators that make no sense for a type,
// values of the wrong type, non-RFC forms and what a given provider cannot do.
// Severity `error` means the filter cannot work as written per RFC 7643/7644;
// `warning` means it may not do what was meant, or a provider may refuse it.

import { closestName, type SchemaModel } from '../schema/schema-model.ts';
import type { AttributeDefinition } from '../schema/schema.types.ts';
import type { VendorProfile } from '../vendors/vendor-profiles.ts';
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from './ast.ts';
import { formatAttributePath, formatFilterValue, tooDeep } from './format.ts';
import { FILTER_LIMITS } from './parser.ts';

export type FilterDiagnosticCode =
  | 'UNKNOWN_RESOURCE_TYPE'
  | 'UNKNOWN_ATTRIBUTE'
  | 'UNQUALIFIED_EXTENSION_ATTRIBUTE'
  | 'OPERATOR_TYPE_MISMATCH'
  | 'VALUE_TYPE_MISMATCH'
  | 'CANONICAL_VALUE_MISMATCH'
  | 'NOT_FILTERABLE'
  | 'NON_RFC_FORM'
  | 'VENDOR_UNSUPPORTED';

export interface FilterDiagnostic {
  readonly code: FilterDiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** The attribute path concerned, as written (`emails.type` for `type` inside `emails[ ]`). */
  readonly path?: string;
  /** A replacement path, for "did you mean" and canonical spellings. */
  readonly suggestion?: string;
  /**
   * The node concerned. Parse with `{ spans }` (ParseFilterOptions) to map it back
   * to a range of the filter text.
   */
  readonly node?: FilterNode;
}

export interface LintFilterOptions {
  readonly schema: SchemaModel;
  /** Resource type name or endpoint, e.g. `User` or `/Users`. */
  readonly resourceType: string;
  readonly vendor?: VendorProfile;
}

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le']);
const SUBSTRING = new Set<CompareOperator>(['co', 'sw', 'ew']);
// xsd:dateTime as used by SCIM (RFC 7643 §2.3.5), with an optional zone.
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;

interface Target {
  readonly label: string;
  readonly attribute: AttributeDefinition;
  readonly sub?: AttributeDefinition;
  readonly canonicalPath: string;
}

class Linter {
  readonly diagnostics: FilterDiagnostic[] = [];
  private terms = 0;
  private current: FilterNode | undefined;

  constructor(private readonly options: LintFilterOptions) {}

  private report(d: FilterDiagnostic): void {
    this.diagnostics.push(this.current !== undefined ? { ...d, node: this.current } : d);
  }

  private vendorUnsupported(what: string, path?: string): void {
    const vendor = this.options.vendor!;
    this.report({
      code: 'VENDOR_UNSUPPORTED',
      severity: 'warning',
      message: `${vendor.name} does not support ${what}`,
      ...(path !== undefined ? { path } : {}),
    });
  }

  run(node: FilterNode): void {
    const { schema, resourceType, vendor } = this.options;
    if (schema.resourceType(resourceType) === undefined) {
      this.report({
        code: 'UNKNOWN_RESOURCE_TYPE',
        severity: 'error',
        message: `Unknown resource type "${resourceType}"`,
      });
      return;
    }
    if (
      vendor &&
      !vendor.resourceTypes.some(
        (r) => r.toLowerCase() === schema.resourceType(resourceType)!.name.toLowerCase(),
      )
    ) {
      this.vendorUnsupported(`the ${schema.resourceType(resourceType)!.name} resource type`);
    }
    this.visit(node, undefined);
    this.current = node;
    if (vendor?.maxFilterTerms !== undefined && this.terms > vendor.maxFilterTerms) {
      this.vendorUnsupported(
        `more than ${vendor.maxFilterTerms} comparison${vendor.maxFilterTerms === 1 ? '' : 's'} in one filter (this one has ${this.terms})`,
      );
    }
  }

  /** `parent` is set inside a value filter: the complex attribute whose sub-attributes the paths name. */
  private visit(node: FilterNode, parent: Target | undefined, depth = 0): void {
    if (depth > FILTER_LIMITS.hardMaxDepth) throw tooDeep();
    const vendor = this.options.vendor;
    this.current = node;
    switch (node.kind) {
      case 'and':
      case 'or':
        if (vendor && !vendor.logical[node.kind]) this.vendorUnsupported(`"${node.kind}"`);
        for (const f of node.filters) this.visit(f, parent, depth + 1);
        return;
      case 'not':
        if (vendor && !vendor.logical.not) this.vendorUnsupported('"not"');
        this.visit(node.filter, parent, depth + 1);
        return;
      case 'valuePath': {
        const label = formatAttributePath(node.path);
        if (node.form === 'subAttributeAfterFilter') {
          this.report({
            code: 'NON_RFC_FORM',
            severity: 'warning',
            message: `${label}[…].sub is the PATCH path form, not RFC 7644 filter grammar; many servers reject it. It is sent as ${label}[… and …]`,
            path: label,
          });
        }
        if (vendor && !vendor.valuePaths)
          this.vendorUnsupported(`value filters such as ${label}[…]`, label);
        const target = this.resolve(node.path, parent);
        if (target === undefined) return;
        const def = target.sub ?? target.attribute;
        if (def.type !== 'complex') {
          this.report({
            code: 'OPERATOR_TYPE_MISMATCH',
            severity: 'error',
            message: `${target.label} is a ${def.type} attribute: "[ ]" filters need a complex attribute`,
            path: target.label,
          });
          return;
        }
        this.visit(node.filter, target, depth + 1);
        return;
      }
      case 'present': {
        this.terms++;
        if (vendor && !vendor.presence)
          this.vendorUnsupported('"pr"', formatAttributePath(node.path));
        const target = this.resolve(node.path, parent);
        if (target) this.checkVendorAttribute(target);
        return;
      }
      case 'compare': {
        this.terms++;
        const label = formatAttributePath(node.path);
        if (vendor && !vendor.operators.includes(node.op))
          this.vendorUnsupported(`"${node.op}"`, label);
        const target = this.resolve(node.path, parent);
        if (target === undefined) return;
        this.checkVendorAttribute(target);
        this.checkComparison(target, node.op, node.value);
        return;
      }
    }
  }

  private resolve(path: AttributePath, parent: Target | undefined): Target | undefined {
    const { schema, resourceType } = this.options;
    const written = formatAttributePath(path);
    if (parent === undefined) {
      const resolved = schema.resolve(resourceType, path);
      if (resolved === undefined) {
        const suggestion = schema.suggest(resourceType, path);
        this.report({
          code: 'UNKNOWN_ATTRIBUTE',
          severity: 'error',
          message: `Unknown attribute "${written}" for ${schema.resourceType(resourceType)!.name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          path: written,
          ...(suggestion ? { suggestion } : {}),
        });
        return undefined;
      }
      if (resolved.extension && path.uri === undefined) {
        this.report({
          code: 'UNQUALIFIED_EXTENSION_ATTRIBUTE',
          severity: 'warning',
          message: `"${written}" belongs to the extension ${resolved.schema}; servers may only find it by its full path "${resolved.canonicalPath}"`,
          path: written,
          suggestion: resolved.canonicalPath,
        });
      }
      const def = resolved.subAttribute ?? resolved.attribute;
      if (def.returned === 'never') {
        this.report({
          code: 'NOT_FILTERABLE',
          severity: 'warning',
          message: `"${resolved.canonicalPath}" is never returned (e.g. a password); servers do not filter on it`,
          path: written,
        });
      }
      return {
        label: written,
        attribute: resolved.attribute,
        ...(resolved.subAttribute ? { sub: resolved.subAttribute } : {}),
        canonicalPath: resolved.canonicalPath,
      };
    }
    // Inside parent[ ]: the path names a sub-attribute.
    const container = parent.sub ?? parent.attribute;
    const label = `${parent.label}.${written}`;
    const sub = container.subAttributes?.find(
      (s) => s.name.toLowerCase() === path.attribute.toLowerCase(),
    );
    if (sub === undefined || path.uri !== undefined || path.subAttribute !== undefined) {
      const names = (container.subAttributes ?? []).map((s) => s.name);
      const close = closestName(path.attribute, names);
      this.report({
        code: 'UNKNOWN_ATTRIBUTE',
        severity: 'error',
        message:
          sub !== undefined
            ? `Inside ${parent.label}[ ], name a sub-attribute directly (e.g. "${sub.name}")`
            : `${parent.label} has no sub-attribute "${path.attribute}"${names.length ? `; it has ${names.join(', ')}` : ''}`,
        path: label,
        ...(close && sub === undefined ? { suggestion: close } : {}),
      });
      return undefined;
    }
    return {
      label,
      attribute: container,
      sub,
      canonicalPath: `${parent.canonicalPath}.${sub.name}`,
    };
  }

  private checkVendorAttribute(target: Target): void {
    const vendor = this.options.vendor;
    const allowed =
      vendor?.filterAttributes?.[this.options.schema.resourceType(this.options.resourceType)!.name];
    if (!vendor || allowed === undefined) return;
    const path = target.canonicalPath.toLowerCase();
    const ok = allowed.some(
      (a) => a.toLowerCase() === path || path.startsWith(`${a.toLowerCase()}.`),
    );
    if (!ok)
      this.vendorUnsupported(
        `filtering on "${target.canonicalPath}" (only ${allowed.join(', ')})`,
        target.label,
      );
  }

  private checkComparison(target: Target, op: CompareOperator, value: FilterValue): void {
    let def = target.sub ?? target.attribute;
    const label = target.label;
    const error = (code: FilterDiagnosticCode, message: string) =>
      this.report({ code, severity: 'error', message, path: label });
    const warning = (code: FilterDiagnosticCode, message: string) =>
      this.report({ code, severity: 'warning', message, path: label });

    if (def.type === 'complex') {
      const valueSub = def.subAttributes?.find((s) => s.name.toLowerCase() === 'value');
      if (ORDERING.has(op) || valueSub === undefined) {
        error(
          'OPERATOR_TYPE_MISMATCH',
          `"${op}" cannot compare ${label}: it is a complex attribute; name a sub-attribute (e.g. ${label}.${def.subAttributes?.[0]?.name ?? 'value'})`,
        );
        return;
      }
      warning(
        'OPERATOR_TYPE_MISMATCH',
        `${label} is complex: "${op}" compares its "value" sub-attribute; write ${label}.value to say so`,
      );
      def = valueSub;
    }
    const shown = formatFilterValue(value);
    if (value === null) {
      if (op !== 'eq' && op !== 'ne')
        error('VALUE_TYPE_MISMATCH', `"${op}" needs a value; null works only with eq and ne`);
      return;
    }
    switch (def.type) {
      case 'boolean':
        if (op !== 'eq' && op !== 'ne') {
          error(
            'OPERATOR_TYPE_MISMATCH',
            `"${op}" cannot compare ${label}: it is a boolean; use eq or ne`,
          );
        } else if (typeof value !== 'boolean') {
          error(
            'VALUE_TYPE_MISMATCH',
            `${label} is a boolean: compare it with true or false, not ${shown}`,
          );
        }
        return;
      case 'integer':
      case 'decimal':
        if (SUBSTRING.has(op))
          error('OPERATOR_TYPE_MISMATCH', `"${op}" cannot compare ${label}: it is a number`);
        else if (typeof value !== 'number')
          error(
            'VALUE_TYPE_MISMATCH',
            `${label} is a number: write ${shown} without quotes, as a JSON number`,
          );
        else if (def.type === 'integer' && !Number.isInteger(value))
          warning('VALUE_TYPE_MISMATCH', `${label} is an integer; ${shown} has a fraction`);
        return;
      case 'dateTime':
        if (SUBSTRING.has(op)) {
          warning(
            'OPERATOR_TYPE_MISMATCH',
            `"${op}" treats the dateTime ${label} as text; servers may refuse it. Use gt, ge, lt or le for ranges`,
          );
        }
        if (typeof value !== 'string') {
          error(
            'VALUE_TYPE_MISMATCH',
            `${label} is a dateTime: write it as a quoted xsd:dateTime such as "2011-05-13T04:42:34Z", not ${shown}`,
          );
        } else if (!SUBSTRING.has(op) && !DATE_TIME.test(value)) {
          error(
            'VALUE_TYPE_MISMATCH',
            `${shown} is not an xsd:dateTime; write e.g. "2011-05-13T04:42:34Z"`,
          );
        }
        return;
      case 'binary':
        if (ORDERING.has(op))
          error('OPERATOR_TYPE_MISMATCH', `"${op}" cannot compare ${label}: it is binary`);
        else if (SUBSTRING.has(op))
          warning('OPERATOR_TYPE_MISMATCH', `"${op}" on the binary ${label} compares base64 text`);
        else if (typeof value !== 'string')
          error('VALUE_TYPE_MISMATCH', `${label} is binary (base64 text): quote the value`);
        return;
      default: // string, reference
        if (typeof value !== 'string') {
          error(
            'VALUE_TYPE_MISMATCH',
            `${label} is a ${def.type}: quote the value ("${String(value)}")`,
          );
          return;
        }
        if (def.canonicalValues && def.canonicalValues.length > 0 && (op === 'eq' || op === 'ne')) {
          const known = def.caseExact
            ? def.canonicalValues.includes(value)
            : def.canonicalValues.some((c) => c.toLowerCase() === value.toLowerCase());
          if (!known) {
            warning(
              'CANONICAL_VALUE_MISMATCH',
              `${shown} is not one of the usual values of ${label} (${def.canonicalValues.join(', ')})`,
            );
          }
        }
    }
  }
}

/** Diagnostics for a filter against a resource type's schema and, optionally, a provider's capabilities. */
export function lintFilter(node: FilterNode, options: LintFilterOptions): FilterDiagnostic[] {
  const linter = new Linter(options);
  linter.run(node);
  return linter.diagnostics;
}
