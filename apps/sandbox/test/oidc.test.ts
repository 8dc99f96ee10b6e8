import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  scriptedSignIn,
  SIGN_IN_ACCOUNTS,
  type RequestRecord,
  type Sandbox,
} from '../src/index.ts';
import { scim, startTestSandbox, TEST_PASSWORD } from './helpers.ts';

const REDIRECT = 'http://127.0.0.1:8080/api/token/oauth/callback';
let sandbox: Sandbox;
let consoleClient: client.Configuration;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  consoleClient = await client.discovery(
    new URL(sandbox.issuer),
    sandbox.consoleClient.clientId,
    sandbox.consoleClient.clientSecret,
    undefined,
    {
      execute: [client.allowInsecureRequests],
    },
  );
});
afterAll(() => sandbox.close());

async function signIn(
  username: string,
  scope = 'openid profile email offline_access scim:read scim:write',
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(consoleClient, {
    redirect_uri: REDIRECT,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await scriptedSignIn(url, { username, password: TEST_PASSWORD });
  return client.authorizationCodeGrant(consoleClient, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}

async function requests(): Promise<RequestRecord[]> {
  return (await fetch(`${sandbox.url}/_sandbox/requests`)).json() as Promise<RequestRecord[]>;
}

describe('authorization code + PKCE + refresh', () => {
  it('issues a JWT access token for the SCIM API, an ID token with roles, and a rotating refresh token', async () => {
    const operator = SIGN_IN_ACCOUNTS[1]!;
    const tokens = await signIn('operator');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      sub: operator.id,
      preferred_username: 'operator',
      email: 'operator@example.com',
      roles: ['operator'],
      groups: ['SCIM Console Operators'],
    });
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({
      sub: operator.id,
      aud: sandbox.scimUrl,
      iss: sandbox.issuer,
      client_id: 'scim-console',
    });
    expect(String(access.scope).split(' ').sort()).toEqual(['scim:read', 'scim:write']);
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(900);

    const me = await scim(sandbox, '/Me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(operator.id);

    const refreshed = await client.refreshTokenGrant(consoleClient, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token); // rotation on use
    expect((await scim(sandbox, '/Users?count=1', { token: refreshed.access_token })).status).toBe(
      200,
    );

    const introspection = await client.tokenIntrospection(consoleClient, refreshed.refresh_token!);
    expect(introspection).toMatchObject({
      active: true,
      sub: operator.id,
      client_id: 'scim-console',
    });

    // Revocation: the refresh token stops working.
    await client.tokenRevocation(consoleClient, refreshed.refresh_token!);
    expect((await client.tokenIntrospection(consoleClient, refreshed.refresh_token!)).active).toBe(
      false,
    );
    await expect(
      client.refreshTokenGrant(consoleClient, refreshed.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps a plain OIDC sign-in (no SCIM scopes) usable at the userinfo endpoint', async () => {
    const tokens = await signIn('auditor', 'openid profile email');
    expect(tokens.refresh_token).toBeUndefined();
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ preferred_username: 'auditor', roles: ['auditor'] });
    const info = await client.fetchUserInfo(consoleClient, tokens.access_token, claims.sub);
    expect(info).toMatchObject({
      preferred_username: 'auditor',
      email: 'auditor@example.com',
      groups: ['SCIM Console Auditors'],
    });
    expect((await scim(sandbox, '/Users', { token: tokens.access_token })).status).toBe(401);
  });

  it('treats reuse of a rotated refresh token as theft: invalid_grant and the grant is gone', async () => {
    const tokens = await signIn('operator');
    const rotated = await client.refreshTokenGrant(consoleClient, tokens.refresh_token!);
    await expect(
      client.refreshTokenGrant(consoleClient, tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      client.refreshTokenGrant(consoleClient, rotated.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives viewer and auditor read-only SCIM scopes', async () => {
    const tokens = await signIn('viewer');
    expect(String(decodeJwt(tokens.access_token).scope).split(' ')).toEqual(['scim:read']);
    const write = await scim(sandbox, '/Groups', {
      method: 'POST',
      token: tokens.access_token,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'x' },
    });
    expect(write.status).toBe(403);
  });

  it('refuses a wrong password on the login page', async () => {
    const url = client.buildAuthorizationUrl(consoleClient, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await expect(
      scriptedSignIn(url, { username: 'admin', password: 'wrong-password' }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('/_sandbox/revoke kills the refresh token (invalid_grant) and the issued access token', async () => {
    const tokens = await signIn('admin');
    expect((await scim(sandbox, '/Me', { token: tokens.access_token })).status).toBe(200);
    const revoked = await fetch(`${sandbox.url}/_sandbox/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin' }),
    });
    expect(await revoked.json()).toMatchObject({ username: 'admin', grantsRevoked: 1 });
    await expect(
      client.refreshTokenGrant(consoleClient, tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const denied = await scim(sandbox, '/Me', { token: tokens.access_token });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(denied.body.detail).toBe('The access token has been revoked');
    // Signing in again right away works: only tokens from before the revocation are dead.
    const again = await signIn('admin');
    expect((await scim(sandbox, '/Me', { token: again.access_token })).status).toBe(200);
  });
});

describe('client credentials and personal tokens', () => {
  it('issues service tokens that can read but have no /Me', async () => {
    const service = await client.discovery(
      new URL(sandbox.issuer),
      sandbox.serviceClient.clientId,
      sandbox.serviceClient.clientSecret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const tokens = await client.clientCredentialsGrant(service, { scope: 'scim:read' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: sandbox.serviceClient.clientId,
      aud: sandbox.scimUrl,
    });
    expect((await scim(sandbox, '/Users?count=2', { token: tokens.access_token })).status).toBe(
      200,
    );
    const me = await scim(sandbox, '/Me', { token: tokens.access_token });
    expect(me.status).toBe(404);
    expect(me.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('attributes each call to the subject of the token that made it', async () => {
    await fetch(`${sandbox.url}/_sandbox/requests`, { method: 'DELETE' });
    const viewerJwt = (await signIn('viewer', 'openid scim:read')).access_token;
    await scim(sandbox, '/Users?count=1', { token: viewerJwt });
    await scim(sandbox, '/Groups?count=1', { token: sandbox.staticTokens.operator });
    await scim(sandbox, '/Users', { token: null });
    await scim(sandbox, `/Users/${SIGN_IN_ACCOUNTS[0]!.id}`, {
      token: sandbox.staticTokens.auditor,
    });
    const log = await requests();
    expect(
      log.map((r) => [r.tokenKind, r.username, r.subject, r.method, r.path, r.status]),
    ).toEqual([
      ['jwt', 'viewer', SIGN_IN_ACCOUNTS[3]!.id, 'GET', '/scim/v2/Users', 200],
      ['static', 'operator', SIGN_IN_ACCOUNTS[1]!.id, 'GET', '/scim/v2/Groups', 200],
      ['none', null, null, 'GET', '/scim/v2/Users', 401],
      [
        'static',
        'auditor',
        SIGN_IN_ACCOUNTS[2]!.id,
        'GET',
        `/scim/v2/Users/${SIGN_IN_ACCOUNTS[0]!.id}`,
        200,
      ],
    ]);
    const since = async (value: string): Promise<number> =>
      ((await (await fetch(`${sandbox.url}/_sandbox/requests?since=${value}`)).json()) as unknown[])
        .length;
    expect(await since(log[0]!.at)).toBe(4);
    expect(await since(String(Date.parse(log[3]!.at) + 1))).toBe(0);
  });
});

describe('expiry', () => {
  it('answers an expired access token with 401 invalid_token', async () => {
    const short = await startTestSandbox({ users: 10, accessTokenTtl: 3 });
    try {
      const service = await client.discovery(
        new URL(short.issuer),
        short.serviceClient.clientId,
        short.serviceClient.clientSecret,
        undefined,
        {
          execute: [client.allowInsecureRequests],
        },
      );
      const { access_token } = await client.clientCredentialsGrant(service, { scope: 'scim:read' });
      const exp = (decodeJwt(access_token).exp ?? 0) * 1000;
      const startedAt = Date.now();
      const fresh = await scim(short, '/Users?count=1', { token: access_token });
      // Under heavy machine load the token may already be near expiry; check it works only
      // when there was a clear second left.
      if (startedAt < exp - 1000) expect(fresh.status).toBe(200);
      await new Promise((r) => setTimeout(r, Math.max(0, exp - Date.now()) + 1100));
      const expired = await scim(short, '/Users?count=1', { token: access_token });
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '401',
        detail: 'The access token expired',
      });
      expect(expired.headers.get('www-authenticate')).toBe(
        'Bearer realm="scim", error="invalid_token", error_description="The access token expired"',
      );
    } finally {
      await short.close();
    }
  });
});
