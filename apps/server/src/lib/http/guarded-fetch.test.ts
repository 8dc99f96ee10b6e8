import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.ts';
import { createGuardedFetch, type OutboundPolicy } from './guarded-fetch.ts';

// Real local HTTP servers on 127.0.0.1:0; the only substitution is the DNS resolver for the
// hostname cases (a resolver answering like an attacker's DNS would).

let server: http.Server;
let other: http.Server;
let origin: string;
let otherOrigin: string;
const seen: { path: string; headers: http.IncomingHttpHeaders; method: string; body: string }[] =
  [];

function listen(handler: http.RequestListener): Promise<[http.Server, string]> {
  const s = http.createServer(handler);
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () =>
      resolve([s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`]),
    ),
  );
}

beforeAll(async () => {
  [server, origin] = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, method: req.method ?? '', body });
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/ok':
          res
            .writeHead(200, { 'content-type': 'application/scim+json', etag: 'W/"1"' })
            .end('{"ok":true}');
          return;
        case '/redirect-same':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/redirect-post':
          res.writeHead(307, { location: '/echo' }).end();
          return;
        case '/echo':
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ method: req.method, body }));
          return;
        case '/redirect-away':
          res.writeHead(302, { location: `${otherOrigin}/ok` }).end();
          return;
        case '/redirect-loop':
          res.writeHead(302, { location: '/redirect-loop' }).end();
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          // No content-length: the cap must hold while streaming.
          for (let i = 0; i < 40; i += 1) res.write(Buffer.alloc(64 * 1024, 97));
          res.end();
          return;
        case '/hang':
          return; // never answers
        case '/reset':
          req.socket.destroy();
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });
  [other, otherOrigin] = await listen((_req, res) => res.writeHead(200).end('other'));
});

afterAll(() => {
  server.close();
  other.close();
  server.closeAllConnections();
  other.closeAllConnections();
});

const local = (extra: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  allowedOrigins: [origin],
  allowPrivateNetwork: true,
  ...extra,
});

async function errorOf(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('guardedFetch', () => {
  const guarded = createGuardedFetch({ timeoutMs: 2000 });
  afterAll(() => guarded.close());

  it('fetches from an allowed origin and exposes status, headers and body', async () => {
    const res = await guarded(`${origin}/ok`, {}, local());
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('refuses origins that are not listed, other schemes and embedded credentials', async () => {
    expect((await errorOf(guarded(`${otherOrigin}/ok`, {}, local()))).code).toBe('URL_NOT_ALLOWED');
    expect((await errorOf(guarded('file:///etc/passwd', {}, local()))).code).toBe(
      'URL_NOT_ALLOWED',
    );
    const withCreds = origin.replace('http://', 'http://user:pw@');
    expect(
      (
        await errorOf(
          guarded(
            `${withCreds}/ok`,
            {},
            { allowedOrigins: [withCreds], allowPrivateNetwork: true },
          ),
        )
      ).code,
    ).toBe('URL_NOT_ALLOWED');
  });

  it('refuses loopback unless the connection allows private networks', async () => {
    const error = await errorOf(guarded(`${origin}/ok`, {}, local({ allowPrivateNetwork: false })));
    expect(error.code).toBe('URL_NOT_ALLOWED');
    expect(error.details?.reason).toBe('address');
  });

  it('refuses IPv4-mapped IPv6 and numeric encodings of loopback', async () => {
    const port = new URL(origin).port;
    for (const host of [
      `[::ffff:127.0.0.1]:${port}`,
      `[::ffff:7f00:1]:${port}`,
      `0x7f000001:${port}`,
      `2130706433:${port}`,
    ]) {
      const url = `http://${host}/ok`;
      const error = await errorOf(
        guarded(url, {}, { allowedOrigins: [url], allowPrivateNetwork: false }),
      );
      expect(error.code, host).toBe('URL_NOT_ALLOWED');
    }
  });

  it('follows redirects on the same origin only', async () => {
    const res = await guarded(`${origin}/redirect-same`, {}, local());
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${origin}/ok`);
    const away = await errorOf(
      guarded(
        `${origin}/redirect-away`,
        {},
        { allowedOrigins: [origin, otherOrigin], allowPrivateNetwork: true },
      ),
    );
    expect(away.code).toBe('URL_NOT_ALLOWED');
    expect(away.details?.reason).toBe('redirect');
    expect((await errorOf(guarded(`${origin}/redirect-loop`, {}, local()))).code).toBe(
      'PROVIDER_ERROR',
    );
  });

  it('keeps method and body across a 307 and returns 3xx untouched in manual mode', async () => {
    const res = await guarded(
      `${origin}/redirect-post`,
      { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } },
      local(),
    );
    expect(await res.json()).toEqual({ method: 'POST', body: '{"a":1}' });
    const manual = await guarded(`${origin}/redirect-away`, { redirect: 'manual' }, local());
    expect(manual.status).toBe(302);
  });

  it('never forwards a cookie header', async () => {
    await guarded(
      `${origin}/ok`,
      { headers: { cookie: 'scim_console_session=secret', authorization: 'Bearer t' } },
      local(),
    );
    const last = seen.at(-1)!;
    expect(last.headers.cookie).toBeUndefined();
    expect(last.headers.authorization).toBe('Bearer t');
  });

  it('caps the response size while streaming', async () => {
    const res = await guarded(`${origin}/big`, {}, local({ maxResponseBytes: 1024 * 1024 }));
    const error = await errorOf(res.arrayBuffer());
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toMatch(/exceeds 1048576 bytes/);
  });

  it('times out with PROVIDER_UNREACHABLE and keeps the token out of the error', async () => {
    const error = await errorOf(
      guarded(
        `${origin}/hang`,
        { headers: { authorization: 'Bearer SECRET-TOKEN-123' } },
        local({ timeoutMs: 300 }),
      ),
    );
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('timed out');
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain('SECRET-TOKEN');
    const reset = await errorOf(
      guarded(
        `${origin}/reset?filter=userName%20eq%20%22alice%22`,
        { headers: { authorization: 'Bearer SECRET-TOKEN-123' } },
        local(),
      ),
    );
    expect(reset.code).toBe('PROVIDER_UNREACHABLE');
    expect(reset.message).not.toContain('SECRET');
    expect(reset.message).not.toContain('alice');
  });

  it('connects to the address it validated (a hostile resolver cannot slip in a private address)', async () => {
    const port = new URL(origin).port;
    const answers: Record<string, string[]> = {
      'scim.example.test': ['127.0.0.1'],
      'metadata.example.test': ['169.254.169.254'],
      'mixed.example.test': ['93.184.216.34', '10.0.0.7'],
      'v6meta.example.test': ['fd00:ec2::254'],
    };
    const hostile = createGuardedFetch({
      timeoutMs: 2000,
      lookup: async (hostname) =>
        (answers[hostname] ?? []).map((address) => ({
          address,
          family: address.includes(':') ? 6 : 4,
        })),
    });
    try {
      // The socket goes to the resolved 127.0.0.1 while the Host header names the host.
      const ok = await hostile(
        `http://scim.example.test:${port}/ok`,
        {},
        { allowedOrigins: [`http://scim.example.test:${port}`], allowPrivateNetwork: true },
      );
      expect(ok.status).toBe(200);
      expect(seen.at(-1)!.headers.host).toBe(`scim.example.test:${port}`);
      for (const host of [
        'scim.example.test',
        'metadata.example.test',
        'mixed.example.test',
        'v6meta.example.test',
      ]) {
        const url = `http://${host}:${port}/ok`;
        const error = await errorOf(
          hostile(url, {}, { allowedOrigins: [url], allowPrivateNetwork: false }),
        );
        expect(error.code, host).toBe('URL_NOT_ALLOWED');
      }
      // Metadata addresses stay refused even for private-network connections.
      const meta = `http://metadata.example.test:${port}/ok`;
      expect(
        (await errorOf(hostile(meta, {}, { allowedOrigins: [meta], allowPrivateNetwork: true })))
          .code,
      ).toBe('URL_NOT_ALLOWED');
    } finally {
      hostile.close();
    }
  });
});

describe('checkAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['::ffff:10.0.0.1', 'mapped'],
  ])('refuses %s (%s) by default and allows it for private-network connections', (address) => {
    expect(checkAddress(address, false).allowed).toBe(false);
    expect(checkAddress(address, true).allowed).toBe(true);
  });

  it.each([
    '169.254.169.254',
    'fd00:ec2::254',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '::ffff:169.254.169.254',
  ])('always refuses %s', (address) => {
    expect(checkAddress(address, true).allowed).toBe(false);
  });

  it('allows public unicast addresses', () => {
    expect(checkAddress('93.184.216.34', false).allowed).toBe(true);
    expect(checkAddress('2606:2800:220:1:248:1893:25c8:1946', false).allowed).toBe(true);
    expect(checkAddress('::ffff:93.184.216.34', false).allowed).toBe(false); // mapped form is never "public"
  });
});
