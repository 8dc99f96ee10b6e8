/**
 * A scripted browser for the sandbox's sign-in and consent pages: follows redirects by hand
 * with a small cookie jar, fills the login form, confirms consent, and stops at the first URL
 * that starts with `stopAt` (the console's callback), which it returns without requesting.
 */
export async function signInAtIdp(
  start: string,
  credentials: { username: string; password: string },
  stopAt: string,
): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step += 1) {
    if (url.startsWith(stopAt)) return url;
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await response.text();
    const login = /action="([^"]*\/login)"/.exec(html);
    const confirm = /action="([^"]*\/confirm)"/.exec(html);
    if (login) {
      url = new URL(login[1]!, url).toString();
      method = 'POST';
      body = new URLSearchParams(credentials).toString();
    } else if (confirm) {
      url = new URL(confirm[1]!, url).toString();
      method = 'POST';
      body = '';
    } else {
      throw new Error(`Unexpected page at ${url} (${response.status}): ${html.slice(0, 300)}`);
    }
  }
  throw new Error('Too many steps in the sign-in flow');
}
