import { describe, expect, it } from 'vitest';
import { DEFAULT_REDIRECT_URIS, resolveSandboxConfig, SandboxConfigError } from '../src/index.ts';

describe('configuration', () => {
  it('reads SANDBOX_* variables, options win', () => {
    const config = resolveSandboxConfig({
      env: {
        SANDBOX_PORT: '9100',
        SANDBOX_USERS: '100000',
        SANDBOX_SEED: '7',
        SANDBOX_ACCESS_TOKEN_TTL: '60',
        SANDBOX_PASSWORD: 'secret-pw',
        SANDBOX_STATIC_TOKENS:
          'operator=op-token-0123456789abcdef, viewer=vw-token-0123456789abcdef',
        SANDBOX_CORS_ORIGINS: 'http://localhost:3000',
        SANDBOX_REDIRECT_URIS: 'http://127.0.0.1:9999/cb',
      },
      seed: 9,
    });
    expect(config).toMatchObject({
      port: 9100,
      users: 100_000,
      seed: 9,
      accessTokenTtl: 60,
      password: 'secret-pw',
      passwordGenerated: false,
    });
    expect(config.staticTokens).toEqual({
      operator: 'op-token-0123456789abcdef',
      viewer: 'vw-token-0123456789abcdef',
    });
    expect(config.corsOrigins).toEqual(['http://localhost:3000']);
    expect(config.consoleClient.redirectUris).toEqual([
      ...DEFAULT_REDIRECT_URIS,
      'http://127.0.0.1:9999/cb',
    ]);
  });

  it('generates a password and four personal tokens when unset', () => {
    const config = resolveSandboxConfig({ env: {} });
    expect(config.passwordGenerated).toBe(true);
    expect(config.password.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(config.staticTokens).sort()).toEqual([
      'admin',
      'auditor',
      'operator',
      'viewer',
    ]);
    expect(config.port).toBe(8090);
    expect(config.users).toBe(2000);
  });

  it.each([
    ['SANDBOX_PORT', '70000'],
    ['SANDBOX_USERS', 'many'],
    ['SANDBOX_USERS', '2'],
    ['SANDBOX_ACCESS_TOKEN_TTL', '0'],
    ['SANDBOX_STATIC_TOKENS', 'root=abcdefghijklmnopqrstuvwxyz'],
    ['SANDBOX_STATIC_TOKENS', 'operator=short'],
    ['SANDBOX_CORS_ORIGINS', 'http://localhost:3000/app'],
    ['SANDBOX_REDIRECT_URIS', 'not a url'],
    ['SANDBOX_ROTATE_REFRESH_TOKENS', 'maybe'],
    ['SANDBOX_PUBLIC_URL', 'ftp://example.com'],
  ])('rejects %s=%s naming the variable', (variable, value) => {
    let error: unknown;
    try {
      resolveSandboxConfig({ env: { [variable]: value } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxConfigError);
    expect((error as SandboxConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});
