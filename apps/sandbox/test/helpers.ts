import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.ts';

export const TEST_PASSWORD = 'sandbox-test-password';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A sandbox isolated from the developer's SANDBOX_* environment. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    port: 0,
    users: 300,
    seed: 42,
    password: TEST_PASSWORD,
    env: {},
    ...options,
  });
}

export interface ScimCall {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- SCIM JSON under test
}

export async function scim(
  sandbox: Sandbox,
  path: string,
  init: {
    method?: string;
    token?: string | null;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<ScimCall> {
  const token = init.token === undefined ? sandbox.staticTokens.operator : init.token;
  const response = await fetch(`${sandbox.scimUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/scim+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // malformed on purpose in fault tests
  }
  return { status: response.status, headers: response.headers, body };
}

export const q = (params: Record<string, string | number>): string =>
  '?' +
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
