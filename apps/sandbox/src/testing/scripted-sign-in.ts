// Drives the sandbox's login and consent pages with plain fetch, the way a browser would
// (manual redirects, a cookie jar, form posts). Server and e2e tests use it to obtain real
// authorization codes without a browser.

export interface ScriptedSignInOptions {
  readonly username: string;
  readonly password: string;
  /** Deny instead of allowing on the consent page. */
  readonly deny?: boolean;
  /** Cookies carried across sign-ins (an existing session); a fresh jar by default. */
  readonly cookies?: Map<string, string>;
}

export class ScriptedSignInError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ScriptedSignInError';
    this.status = status;
  }
}

function remember(jar: Map<string, string>, setCookies: string[]): void {
  for (const header of setCookies) {
    const [pair] = header.split(';');
    const at = pair?.indexOf('=') ?? -1;
    if (!pair || at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

const alertText = (html: string): string =>
  /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? '';

/**
 * Follow an authorization URL through sign-in and consent; resolve with the URL the
 * sandbox finally redirects to (the client's redirect_uri with `code` and `state`, or an
 * `error`). Rejects when the credentials are wrong or a page answers unexpectedly.
 */
export async function scriptedSignIn(
  authorizationUrl: string | URL,
  options: ScriptedSignInOptions,
): Promise<URL> {
  const jar = options.cookies ?? new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    remember(jar, response.headers.getSetCookie());
    body = undefined;
    if (response.status >= 300 && response.status < 400) {
      await response.arrayBuffer();
      const next = new URL(response.headers.get('location') ?? '', url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) {
      throw new ScriptedSignInError(
        response.status,
        `Sign-in page answered ${response.status}: ${alertText(html) || html.slice(0, 200)}`,
      );
    }
    const login = /action="([^"]*\/login)"/.exec(html);
    const confirm = /action="([^"]*\/confirm)"/.exec(html);
    const abort = /action="([^"]*\/abort)"/.exec(html);
    if (login?.[1]) {
      url = new URL(login[1], url);
      body = new URLSearchParams({ username: options.username, password: options.password });
    } else if (confirm?.[1] && abort?.[1]) {
      url = new URL(options.deny ? abort[1] : confirm[1], url);
      body = new URLSearchParams();
    } else {
      throw new ScriptedSignInError(
        200,
        `Unexpected page during sign-in: ${alertText(html) || html.slice(0, 200)}`,
      );
    }
  }
  throw new ScriptedSignInError(0, 'Too many steps during sign-in');
}
