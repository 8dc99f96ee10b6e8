import { ENTERPRISE_SCHEMA } from './resources.ts';

/**
 * SCIMMY 1.3.3 rejects `replace` with an extension attribute path
 * ("urn:…:enterprise:2.0:User:department"), which is what most clients send; the same
 * change expressed against the extension's URN works, so rewrite it before SCIMMY sees it.
 */
export function rewriteExtensionReplace(operation: unknown): unknown {
  if (!operation || typeof operation !== 'object') return operation;
  const op = operation as { op?: unknown; path?: unknown; value?: unknown };
  if (typeof op.op !== 'string' || op.op.toLowerCase() !== 'replace' || typeof op.path !== 'string')
    return operation;
  const prefix = `${ENTERPRISE_SCHEMA}:`;
  if (!op.path.toLowerCase().startsWith(prefix.toLowerCase())) return operation;
  const rest = op.path.slice(prefix.length);
  if (!/^[A-Za-z][\w$-]*(\.[A-Za-z][\w$-]*)?$/.test(rest)) return operation;
  const [attribute, sub] = rest.split('.') as [string, string | undefined];
  return {
    ...op,
    path: ENTERPRISE_SCHEMA,
    value: { [attribute]: sub ? { [sub]: op.value } : op.value },
  };
}
