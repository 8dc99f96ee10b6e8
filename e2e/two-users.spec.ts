/**
 * Journey 2: two people at once, each in their own browser with their own OAuth-linked token,
 * querying concurrently. Every SCIM call a page makes carries that page's user's token, and the
 * sandbox attributes each call to that user; no token is ever seen by the other page.
 */
import type { Page, Request } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import {
  captureTokens,
  connectOAuth,
  expectNoTokenInStorage,
  openQuery,
  results,
  runQuery,
  signIn,
} from './support/journey.ts';

const SUBJECT = {
  operator: '00000000-0000-4000-8000-00000000ad02',
  admin: '00000000-0000-4000-8000-00000000ad01',
};

interface ScimCall {
  method: string;
  path: string;
  token: string;
}

/** SCIM calls a page sends straight to the sandbox, with the bearer token each carried. */
function recordScimCalls(page: Page, sandboxUrl: string): ScimCall[] {
  const calls: ScimCall[] = [];
  page.on('request', (req: Request) => {
    if (!req.url().startsWith(`${sandboxUrl}/scim/v2/`) || req.method() === 'OPTIONS') return;
    const auth = req.headers()['authorization'] ?? '';
    calls.push({
      method: req.method(),
      path: new URL(req.url()).pathname,
      token: auth.replace(/^Bearer /, ''),
    });
  });
  return calls;
}

function subjectOf(jwt: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
  };
  return payload.sub;
}

test('operator and admin query concurrently, each only with their own token', async ({
  stack,
  newBrowser,
}) => {
  const people = ['operator', 'admin'] as const;
  const browsers = await Promise.all(people.map(() => newBrowser()));
  const pages = browsers.map((b) => b.page);
  const tokens = pages.map((p) => captureTokens(p));
  const calls = pages.map((p) => recordScimCalls(p, stack.sandbox.url));

  // Both sign in and link their own token (each through the sandbox's sign-in as themselves).
  await Promise.all(
    people.map(async (who, i) => {
      await signIn(pages[i]!, stack.origin, who);
      await connectOAuth(pages[i]!, who);
      await openQuery(pages[i]!);
    }),
  );
  const started = Date.now();

  // Different page sizes so each page's requests are recognisable in the sandbox log too.
  await pages[0]!.getByLabel('Page size').fill('20');
  await pages[1]!.getByLabel('Page size').fill('30');

  for (let round = 0; round < 3; round++) {
    await Promise.all(
      pages.map(async (page, i) => {
        if (round === 0) await runQuery(page);
        else await results(page).getByRole('button', { name: 'Next ›' }).click();
        const size = i === 0 ? 20 : 30;
        await expect(results(page).getByText(/^\d+–\d+ of \d+/)).toHaveText(
          new RegExp(`^${round * size + 1}–${(round + 1) * size} of 300`),
        );
      }),
    );
  }

  // What each page sent: only its own user's tokens.
  for (const [i, who] of people.entries()) {
    const mine = calls[i]!.filter((c) => c.path === '/scim/v2/Users');
    expect(mine, `${who}'s list calls`).toHaveLength(3);
    for (const call of calls[i]!) {
      expect(call.token, `${who}: ${call.method} ${call.path}`).not.toBe('');
      expect(subjectOf(call.token), `${who}: ${call.method} ${call.path}`).toBe(SUBJECT[who]);
      const other = tokens[1 - i]!;
      expect(other, `${who}'s call used the other user's token`).not.toContain(call.token);
    }
  }
  // No token was ever handed to both pages.
  expect(tokens[0]!.filter((t) => tokens[1]!.includes(t))).toEqual([]);

  // The sandbox's own log agrees: every list call is attributed to the user whose page sent it.
  const served = (await stack.requests(started)).filter((r) => r.path === '/scim/v2/Users');
  expect(served).toHaveLength(6);
  for (const r of served) {
    const count = new URLSearchParams(r.query).get('count');
    expect(r.tokenKind).toBe('jwt');
    expect(r.status).toBe(200);
    expect(r.username, `count=${count}`).toBe(count === '20' ? 'operator' : 'admin');
    expect(r.subject).toBe(count === '20' ? SUBJECT.operator : SUBJECT.admin);
  }

  for (const [i, page] of pages.entries()) await expectNoTokenInStorage(page, tokens[i]!);
});
