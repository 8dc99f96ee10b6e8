import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { timingSafeEqual } from 'node:crypto';
import type { SignInAccount } from '../seed/directory.seed.ts';
import { allowedScimScopes } from './oidc.provider.ts';

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'See your name, user name and roles',
  email: 'See your email address',
  offline_access: 'Keep access while you are away (refresh token)',
  'scim:read': 'Read users and groups through the SCIM API',
  'scim:write': 'Create, change and delete users and groups through the SCIM API',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · SCIM sandbox</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2125; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #6b778c; border-radius: .25rem; }
  input:focus, button:focus { outline: 3px solid #0b5cff; outline-offset: 2px; }
  button { margin-top: 1.25rem; padding: .6rem 1.2rem; font-size: 1rem; border-radius: .25rem; border: 1px solid #0b5cff; background: #0b5cff; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0b5cff; }
  .error { color: #ae2a19; background: #ffeceb; padding: .5rem; border-radius: .25rem; }
  .hint { color: #44546f; font-size: .9rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginPage(uid: string, clientName: string, error?: string, username = ''): string {
  return page(
    'Sign in',
    `<h1>Sign in to the SCIM sandbox</h1>
<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oidc/interaction/${escapeHtml(uid)}/login" autocomplete="on">
  <label for="username">User name</label>
  <input id="username" name="username" type="text" autocomplete="username" required autofocus value="${escapeHtml(username)}"${error ? ' aria-describedby="login-error" aria-invalid="true"' : ''}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="hint">Accounts: admin, operator, auditor, viewer (password printed by the sandbox at start).</p>
<form method="post" action="/oidc/interaction/${escapeHtml(uid)}/abort"><button type="submit" class="secondary">Cancel</button></form>`,
  );
}

function consentPage(uid: string, clientName: string, username: string, scopes: string[]): string {
  const items = scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code>: ${escapeHtml(SCOPE_TEXT[s] ?? s)}</li>`)
    .join('');
  return page(
    'Authorize',
    `<h1>Authorize ${escapeHtml(clientName)}</h1>
<p>Signed in as <strong>${escapeHtml(username)}</strong>. ${escapeHtml(clientName)} asks to:</p>
<ul>${items}</ul>
<form method="post" action="/oidc/interaction/${escapeHtml(uid)}/confirm">
  <button type="submit">Allow</button>
</form>
<form method="post" action="/oidc/interaction/${escapeHtml(uid)}/abort"><button type="submit" class="secondary">Deny</button></form>`,
  );
}

function passwordMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The sandbox's own login and consent pages (oidc-provider's devInteractions are for
 * development of the provider, not for an app that others script against).
 */
export function interactionRoutes(
  provider: Provider,
  accounts: readonly SignInAccount[],
  password: string,
): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const byUsername = new Map(accounts.map((a) => [a.username, a]));
  const byId = new Map(accounts.map((a) => [a.id, a]));
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
    );
    next();
  });

  const clientName = async (clientId: unknown): Promise<string> => {
    const client = await provider.Client.find(String(clientId));
    return client?.clientName ?? String(clientId);
  };

  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response): void => {
      fn(req, res).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : 'Unexpected error';
        if (!res.headersSent)
          res
            .status(400)
            .type('html')
            .send(
              page(
                'Sign-in error',
                `<h1>Sign-in error</h1><p role="alert">${escapeHtml(message)}</p><p>Start the sign-in again from the application.</p>`,
              ),
            );
      });
    };

  router.get(
    '/:uid',
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const name = await clientName(details.params.client_id);
      if (details.prompt.name === 'login') {
        res.type('html').send(loginPage(details.uid, name));
        return;
      }
      const account = byId.get(details.session?.accountId ?? '');
      const requested = String(details.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const allowed = new Set([
        ...allowedScimScopes(account),
        'openid',
        'profile',
        'email',
        'offline_access',
      ]);
      res.type('html').send(
        consentPage(
          details.uid,
          name,
          account?.username ?? 'unknown',
          requested.filter((s) => allowed.has(s)),
        ),
      );
    }),
  );

  router.post(
    '/:uid/login',
    form,
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const body = req.body as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
      const given = typeof body.password === 'string' ? body.password : '';
      const account = byUsername.get(username as SignInAccount['username']);
      if (!account || !passwordMatches(given, password)) {
        res
          .status(401)
          .type('html')
          .send(
            loginPage(
              details.uid,
              await clientName(details.params.client_id),
              'Wrong user name or password.',
              username,
            ),
          );
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.id } },
        { mergeWithLastSubmission: false },
      );
    }),
  );

  router.post(
    '/:uid/confirm',
    form,
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const accountId = details.session?.accountId;
      if (details.prompt.name !== 'consent' || !accountId)
        throw new Error('There is no consent to give for this sign-in');
      const account = byId.get(accountId);
      const clientId = String(details.params.client_id);
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ??
          new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      const prompt = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(' '));
      if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims);
      const allowed = new Set(allowedScimScopes(account));
      for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
        const granted = scopes.filter((s) => allowed.has(s));
        const rejected = scopes.filter((s) => !allowed.has(s));
        if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
        // Rejected, not silently dropped: otherwise the provider would ask for consent again.
        if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }),
  );

  router.post(
    '/:uid/abort',
    form,
    handle(async (req, res) => {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    }),
  );

  return router;
}
