import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type Env } from './config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const productionEnv: Env = {
  SCIM_CONSOLE_PROFILE: 'production',
  PUBLIC_URL: 'https://console.example.com',
  ENCRYPTION_KEYS: `k1:${KEY}`,
  TOKEN_FINGERPRINT_KEY: KEY,
  DATABASE_URL: 'postgres://u@db:5432/console',
};

function problems(env: Env, cwd?: string): Record<string, string> {
  try {
    loadConfig(env, { cwd: cwd ?? mkdtempSync(join(tmpdir(), 'cfg-')) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.message]));
  }
  return {};
}

describe('loadConfig', () => {
  it('starts the demo profile with no environment at all (generated keys kept under ./data)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cfg-'));
    const config = loadConfig({}, { cwd });
    expect(config.profile).toBe('demo');
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ kind: 'sqlite', path: join(cwd, 'data/scim-console.db') });
    expect(config.demo.accounts).toBe(true);
    expect(config.demo.password).toMatch(/^.{12,}$/);
    expect(config.demo.passwordGenerated).toBe(true);
    expect(config.encryption.keys.get(config.encryption.activeKeyId)?.length).toBe(32);
    expect(config.oidc?.issuer).toBe('http://127.0.0.1:8090/oidc');
    expect(config.warnings.join(' ')).toMatch(/dev-keys\.json/);
    const again = loadConfig({}, { cwd });
    // Same keys on restart (stored secrets stay readable).
    expect(again.encryption.keys.get(again.encryption.activeKeyId)).toEqual(
      config.encryption.keys.get(config.encryption.activeKeyId),
    );
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(productionEnv);
    expect(config.profile).toBe('production');
    expect(config.demo).toEqual({ accounts: false, password: null, passwordGenerated: false });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/console' });
    expect(config.oidc).toBeNull();
    expect(config.sandbox).toBeNull();
    expect(config.host).toBe('0.0.0.0');
  });

  it('names every bad variable at once', () => {
    const found = problems({
      PORT: 'eighty',
      SESSION_IDLE_MINUTES: '-5',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      ENCRYPTION_KEYS: 'k1:dG9vLXNob3J0',
      RATE_LIMIT_MAX: '0',
      OIDC_ROLE_MAP: 'admins=superuser',
      SCIM_CONSOLE_PROFILE: 'staging',
    });
    expect(Object.keys(found).sort()).toEqual(
      [
        'DATABASE_URL',
        'ENCRYPTION_KEYS',
        'LOG_LEVEL',
        'OIDC_ROLE_MAP',
        'PORT',
        'RATE_LIMIT_MAX',
        'SCIM_CONSOLE_PROFILE',
        'SESSION_IDLE_MINUTES',
      ].sort(),
    );
    expect(found.ENCRYPTION_KEYS).toMatch(/32 bytes/);
    expect(found.OIDC_ROLE_MAP).toMatch(/admins=superuser/);
    try {
      loadConfig({ PORT: 'eighty' }, { cwd: mkdtempSync(join(tmpdir(), 'cfg-')) });
    } catch (error) {
      expect((error as Error).message).toContain('PORT: must be an integer 0..65535');
    }
  });

  it('refuses production without keys, with demo accounts, or over plain HTTP', () => {
    const missing = problems({ SCIM_CONSOLE_PROFILE: 'production' });
    expect(Object.keys(missing)).toEqual(
      expect.arrayContaining(['ENCRYPTION_KEYS', 'TOKEN_FINGERPRINT_KEY', 'PUBLIC_URL']),
    );
    expect(problems({ ...productionEnv, DEMO_ACCOUNTS: 'true' })).toHaveProperty(
      'DEMO_ACCOUNTS',
      'must be false in production',
    );
    expect(problems({ ...productionEnv, PUBLIC_URL: 'http://console.example.com' })).toHaveProperty(
      'PUBLIC_URL',
    );
    // Plain HTTP is fine behind a declared TLS-terminating proxy.
    expect(
      problems({ ...productionEnv, PUBLIC_URL: 'http://console.internal', TRUST_PROXY: 'true' }),
    ).toEqual({});
    expect(
      problems({ ...productionEnv, OIDC_ISSUER: 'http://idp.example.com', OIDC_CLIENT_ID: 'c' }),
    ).toHaveProperty('OIDC_ISSUER');
  });

  it('reads a key ring from a file and checks the active key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(
      join(dir, 'keys'),
      `# rotated 2026-12\nk1:${KEY}\nk2:${Buffer.alloc(32, 9).toString('base64')}\n`,
    );
    const config = loadConfig(
      {
        ...productionEnv,
        ENCRYPTION_KEYS: undefined,
        ENCRYPTION_KEYS_FILE: 'keys',
        ENCRYPTION_ACTIVE_KEY: 'k2',
      },
      { cwd: dir },
    );
    expect([...config.encryption.keys.keys()]).toEqual(['k1', 'k2']);
    expect(config.encryption.activeKeyId).toBe('k2');
    expect(
      problems({ ...productionEnv, ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: 'keys' }, dir),
    ).toHaveProperty('ENCRYPTION_ACTIVE_KEY');
    expect(problems({ ...productionEnv, ENCRYPTION_ACTIVE_KEY: 'k9' })).toHaveProperty(
      'ENCRYPTION_ACTIVE_KEY',
    );
    expect(
      problems(
        { ...productionEnv, ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: 'missing' },
        dir,
      ).ENCRYPTION_KEYS_FILE,
    ).toMatch(/ENOENT/);
  });

  it('parses the OIDC role map and requires a client id for an explicit issuer', () => {
    const config = loadConfig({
      ...productionEnv,
      OIDC_ISSUER: 'https://idp.example.com/',
      OIDC_CLIENT_ID: 'console',
      OIDC_ROLE_MAP: 'scim-admins=admin, scim-auditors=auditor',
      OIDC_DEFAULT_ROLE: 'none',
    });
    expect(config.oidc?.issuer).toBe('https://idp.example.com');
    expect([...config.oidc!.roleMap]).toEqual([
      ['scim-admins', 'admin'],
      ['scim-auditors', 'auditor'],
    ]);
    expect(config.oidc?.defaultRole).toBeNull();
    expect(problems({ ...productionEnv, OIDC_ISSUER: 'https://idp.example.com' })).toHaveProperty(
      'OIDC_CLIENT_ID',
    );
  });

  it('requires both TLS files', () => {
    expect(problems({ ...productionEnv, TLS_CERT_FILE: '/nonexistent/cert.pem' })).toMatchObject({
      TLS_KEY_FILE: expect.stringContaining('required'),
      TLS_CERT_FILE: expect.stringContaining('not found'),
    });
  });
});

describe('.env.example', () => {
  it('documents exactly the variables config.ts reads', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...CONFIG_VARIABLES].sort());
    // …and CONFIG_VARIABLES is really what the code reads (every get('X') / error names a listed variable).
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const read = new Set(
      [...source.matchAll(/(?:get|parse)\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]),
    );
    expect([...read].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
