/**
 * The only reader of the environment. `loadConfig()` validates every variable at once and
 * throws a ConfigError naming each bad or missing one; the result is frozen.
 *
 * Profiles: `demo` (what `npm start` runs: SQLite under ./data, demo accounts, the sandbox as
 * connections and OIDC issuer, generated keys) and `production` (refuses to start without
 * encryption keys, with demo accounts, or over plain HTTP without TLS or a declared proxy).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isRole, type Role } from './lib/actor.ts';

/** Every variable this file reads. `.env.example` must document exactly these (tested). */
export const CONFIG_VARIABLES = [
  'SCIM_CONSOLE_PROFILE',
  'HOST',
  'PORT',
  'PUBLIC_URL',
  'DATABASE_URL',
  'SQLITE_PATH',
  'ENCRYPTION_KEYS',
  'ENCRYPTION_KEYS_FILE',
  'ENCRYPTION_ACTIVE_KEY',
  'TOKEN_FINGERPRINT_KEY',
  'SESSION_IDLE_MINUTES',
  'SESSION_ABSOLUTE_HOURS',
  'DEMO_ACCOUNTS',
  'DEMO_PASSWORD',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPES',
  'OIDC_ROLE_CLAIM',
  'OIDC_ROLE_MAP',
  'OIDC_DEFAULT_ROLE',
  'OIDC_LABEL',
  'TRUST_PROXY',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'RATE_LIMIT_MAX',
  'LOGIN_RATE_LIMIT_MAX',
  'AUDIT_REDACT_FILTER_VALUES',
  'SANDBOX_URL',
  'SANDBOX_CLIENT_ID',
  'SANDBOX_CLIENT_SECRET',
  'WEB_DIST',
  'LOG_LEVEL',
  'HTTP_TIMEOUT_MS',
  'DISCOVERY_CACHE_SECONDS',
  'TOKEN_REFRESH_MARGIN_SECONDS',
  'SCIM_CONNECT_SRC',
] as const;

export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];
export type Env = Partial<Record<string, string | undefined>>;

export type Profile = 'demo' | 'production';
export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /** `schema` (not from the environment) lets tests isolate themselves in one PostgreSQL database. */
  | { kind: 'postgres'; url: string; schema?: string };

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  scopes: string[];
  /** Claim holding group/role names (a string or an array of strings). */
  roleClaim: string;
  /** Claim value → console role; the highest mapped role wins. */
  roleMap: ReadonlyMap<string, Role>;
  /** Role for a user with no mapped claim value; null refuses such users. */
  defaultRole: Role | null;
  label: string;
}

export interface Config {
  profile: Profile;
  host: string;
  port: number;
  /** Origin (and optional path prefix) the browser uses, without trailing slash. */
  publicUrl: string;
  database: DatabaseConfig;
  encryption: { keys: ReadonlyMap<string, Buffer>; activeKeyId: string };
  fingerprintKey: Buffer;
  session: { idleMinutes: number; absoluteHours: number };
  demo: { accounts: boolean; password: string | null; passwordGenerated: boolean };
  oidc: OidcConfig | null;
  trustProxy: boolean | number | string;
  tls: { certFile: string; keyFile: string } | null;
  rateLimit: { max: number; loginMax: number };
  auditRedactFilterValues: boolean;
  sandbox: { url: string; clientId: string; clientSecret: string } | null;
  webDist: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  httpTimeoutMs: number;
  discoveryCacheSeconds: number;
  tokenRefreshMarginSeconds: number;
  scimConnectSrc: string[];
  /** Notes for the start-up banner (generated keys, generated demo password). */
  warnings: string[];
}

export class ConfigError extends Error {
  readonly problems: ReadonlyArray<{ variable: string; message: string }>;
  constructor(problems: Array<{ variable: string; message: string }>) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Defaults shared with the sandbox's own defaults (apps/sandbox). Demo only. */
export const SANDBOX_DEFAULTS = Object.freeze({
  url: 'http://127.0.0.1:8090',
  clientId: 'scim-console',
  clientSecret: 'scim-console-sandbox-secret',
});

const SERVER_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const boolString = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveNumber = (label: string) =>
  z
    .string()
    .trim()
    .refine(
      (v) => v !== '' && Number.isFinite(Number(v)) && Number(v) > 0,
      `${label} must be a positive number`,
    )
    .transform(Number);

const positiveInt = (label: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) > 0 && Number(v) <= max,
      `${label} must be an integer 1..${max}`,
    )
    .transform(Number);

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without credentials')
  .transform((v) => v.replace(/\/+$/, ''));

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** `k1:<base64 of 32 bytes>,k2:…` → Map; throws a message on the first bad entry. */
export function parseKeyList(text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const raw of text.split(/[,\n]/)) {
    const entry = raw.trim();
    if (!entry || entry.startsWith('#')) continue;
    const colon = entry.indexOf(':');
    if (colon < 1)
      throw new Error(`entry ${keys.size + 1} must look like "k1:<base64 of 32 bytes>"`);
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id))
      throw new Error(`key id "${id}" must be 1-32 letters, digits, "_" or "-"`);
    if (keys.has(id)) throw new Error(`key id "${id}" appears twice`);
    const bytes = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (bytes.length !== 32)
      throw new Error(`key "${id}" must be 32 bytes of base64 (got ${bytes.length})`);
    keys.set(id, bytes);
  }
  if (keys.size === 0) throw new Error('no keys given');
  return keys;
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** True when the URL is plain http on a loopback host (where a Secure cookie cannot be used). */
export function isHttpLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

interface DemoKeysFile {
  encryptionKeys: string;
  activeKeyId: string;
  fingerprintKey: string;
}

/** Demo profile: keys generated once and kept beside the data so restarts can open old secrets. */
function loadOrCreateDemoKeys(file: string): DemoKeysFile & { created: boolean } {
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as DemoKeysFile;
    return { ...parsed, created: false };
  }
  const keys: DemoKeysFile = {
    encryptionKeys: `demo1:${randomBytes(32).toString('base64')}`,
    activeKeyId: 'demo1',
    fingerprintKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  return { ...keys, created: true };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Reads and validates the environment. `cwd` is where relative paths (./data) resolve.
 */
export function loadConfig(env: Env = process.env, options: { cwd?: string } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const problems: Array<{ variable: string; message: string }> = [];
  const warnings: string[] = [];
  const get = (name: ConfigVariable): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  function parse<T>(name: ConfigVariable, schema: z.ZodType<T, string>, fallback: T): T;
  function parse<T>(
    name: ConfigVariable,
    schema: z.ZodType<T, string>,
    fallback?: undefined,
  ): T | undefined;
  function parse<T>(
    name: ConfigVariable,
    schema: z.ZodType<T, string>,
    fallback?: T,
  ): T | undefined {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const result = schema.safeParse(raw);
    if (!result.success) {
      problems.push({
        variable: name,
        message: result.error.issues.map((i) => i.message).join('; '),
      });
      return fallback;
    }
    return result.data;
  }

  const profile = parse(
    'SCIM_CONSOLE_PROFILE',
    z.enum(['demo', 'production'], 'must be demo or production'),
    'demo',
  );
  const production = profile === 'production';

  const host = parse('HOST', z.string().trim().min(1), production ? '0.0.0.0' : '127.0.0.1');
  const port = parse(
    'PORT',
    z
      .string()
      .trim()
      .refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, 'must be an integer 0..65535')
      .transform(Number),
    8080,
  );
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let publicUrl = parse('PUBLIC_URL', httpUrl);
  if (!publicUrl) {
    if (production)
      problems.push({
        variable: 'PUBLIC_URL',
        message: 'is required in production (the https URL users open)',
      });
    publicUrl = `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`;
  }

  // Database
  let database: DatabaseConfig;
  const databaseUrl = parse(
    'DATABASE_URL',
    z
      .string()
      .trim()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL'),
  );
  if (databaseUrl) database = { kind: 'postgres', url: databaseUrl };
  else
    database = {
      kind: 'sqlite',
      path: resolve(cwd, parse('SQLITE_PATH', z.string().trim().min(1), './data/scim-console.db')),
    };

  // Encryption key ring
  let keys: Map<string, Buffer> | undefined;
  let activeKeyId = parse(
    'ENCRYPTION_ACTIVE_KEY',
    z.string().trim().regex(KEY_ID, 'must be a key id like k1'),
  );
  let fingerprintKey: Buffer | undefined;
  const keysInline = get('ENCRYPTION_KEYS');
  const keysFile = get('ENCRYPTION_KEYS_FILE');
  if (keysInline && keysFile) {
    problems.push({
      variable: 'ENCRYPTION_KEYS_FILE',
      message: 'set either ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE, not both',
    });
  } else if (keysInline || keysFile) {
    const variable = keysInline ? 'ENCRYPTION_KEYS' : 'ENCRYPTION_KEYS_FILE';
    try {
      const text = keysInline ?? readFileSync(resolve(cwd, keysFile!), 'utf8');
      keys = parseKeyList(text);
    } catch (error) {
      const message = (error as NodeJS.ErrnoException).code
        ? `cannot read the file (${(error as NodeJS.ErrnoException).code})`
        : (error as Error).message;
      problems.push({ variable, message });
    }
  }
  const fingerprintRaw = get('TOKEN_FINGERPRINT_KEY');
  if (fingerprintRaw !== undefined) {
    const bytes = Buffer.from(fingerprintRaw.trim(), 'base64');
    if (bytes.length < 32)
      problems.push({
        variable: 'TOKEN_FINGERPRINT_KEY',
        message: 'must be at least 32 bytes of base64',
      });
    else fingerprintKey = bytes;
  }
  if (production) {
    if (!keysInline && !keysFile)
      problems.push({
        variable: 'ENCRYPTION_KEYS',
        message: 'is required in production (or ENCRYPTION_KEYS_FILE)',
      });
    if (fingerprintRaw === undefined)
      problems.push({ variable: 'TOKEN_FINGERPRINT_KEY', message: 'is required in production' });
  } else if ((!keysInline && !keysFile) || fingerprintRaw === undefined) {
    const file = resolve(cwd, 'data/dev-keys.json');
    try {
      const demoKeys = loadOrCreateDemoKeys(file);
      if (!keys && !keysInline && !keysFile) {
        keys = parseKeyList(demoKeys.encryptionKeys);
        activeKeyId ??= demoKeys.activeKeyId;
      }
      fingerprintKey ??= Buffer.from(demoKeys.fingerprintKey, 'base64');
      warnings.push(
        `${demoKeys.created ? 'Generated' : 'Using'} demo encryption keys in ${file} — demo only; set ENCRYPTION_KEYS and TOKEN_FINGERPRINT_KEY for real use.`,
      );
    } catch (error) {
      problems.push({
        variable: 'ENCRYPTION_KEYS',
        message: `demo keys file ${file} unusable: ${(error as Error).message}`,
      });
    }
  }
  if (keys) {
    if (!activeKeyId) {
      if (keys.size === 1) activeKeyId = [...keys.keys()][0];
      else
        problems.push({
          variable: 'ENCRYPTION_ACTIVE_KEY',
          message: 'is required when several encryption keys are given',
        });
    } else if (!keys.has(activeKeyId)) {
      problems.push({
        variable: 'ENCRYPTION_ACTIVE_KEY',
        message: `"${activeKeyId}" is not one of the given keys (${[...keys.keys()].join(', ')})`,
      });
    }
  }

  const session = {
    idleMinutes: parse('SESSION_IDLE_MINUTES', positiveNumber('SESSION_IDLE_MINUTES'), 30),
    absoluteHours: parse('SESSION_ABSOLUTE_HOURS', positiveNumber('SESSION_ABSOLUTE_HOURS'), 12),
  };

  const demoAccounts = parse('DEMO_ACCOUNTS', boolString, !production);
  if (production && demoAccounts)
    problems.push({ variable: 'DEMO_ACCOUNTS', message: 'must be false in production' });
  let demoPassword = parse('DEMO_PASSWORD', z.string().min(8, 'must be at least 8 characters'));
  let passwordGenerated = false;
  if (demoAccounts && !demoPassword && !problems.some((p) => p.variable === 'DEMO_PASSWORD')) {
    demoPassword = randomBytes(12).toString('base64url');
    passwordGenerated = true;
  }

  // Sandbox (demo): the default external SCIM API and OIDC issuer
  const sandboxUrl = parse('SANDBOX_URL', httpUrl, production ? undefined : SANDBOX_DEFAULTS.url);
  const sandboxClientId = parse(
    'SANDBOX_CLIENT_ID',
    z.string().trim().min(1),
    SANDBOX_DEFAULTS.clientId,
  );
  const sandboxClientSecret = parse(
    'SANDBOX_CLIENT_SECRET',
    z.string().min(1),
    SANDBOX_DEFAULTS.clientSecret,
  );
  const sandbox =
    sandboxUrl && !production
      ? { url: sandboxUrl, clientId: sandboxClientId, clientSecret: sandboxClientSecret }
      : null;

  // OIDC single sign-on
  const roleMapSchema = z.string().transform((text, ctx) => {
    const map = new Map<string, Role>();
    for (const raw of text.split(',')) {
      const entry = raw.trim();
      if (!entry) continue;
      const eq = entry.lastIndexOf('=');
      const claim = entry.slice(0, eq).trim();
      const role = entry.slice(eq + 1).trim();
      if (eq < 1 || !claim || !isRole(role)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry "${entry}" must look like "<claim value>=viewer|operator|auditor|admin"`,
        });
        return z.NEVER;
      }
      map.set(claim, role);
    }
    return map;
  });
  const roleSchema = z.enum(
    ['viewer', 'operator', 'auditor', 'admin', 'none'],
    'must be viewer, operator, auditor, admin or none',
  );
  const oidcIssuer = parse('OIDC_ISSUER', httpUrl) ?? (sandbox ? `${sandbox.url}/oidc` : undefined);
  let oidc: OidcConfig | null = null;
  if (oidcIssuer) {
    const explicitIssuer = get('OIDC_ISSUER') !== undefined;
    const clientId =
      parse('OIDC_CLIENT_ID', z.string().trim().min(1)) ??
      (explicitIssuer ? undefined : sandbox?.clientId);
    const clientSecret =
      parse('OIDC_CLIENT_SECRET', z.string().min(1)) ??
      (explicitIssuer ? undefined : sandbox?.clientSecret);
    if (!clientId)
      problems.push({ variable: 'OIDC_CLIENT_ID', message: 'is required when OIDC_ISSUER is set' });
    if (production && !oidcIssuer.startsWith('https://')) {
      problems.push({ variable: 'OIDC_ISSUER', message: 'must be https in production' });
    }
    const defaultRole = parse('OIDC_DEFAULT_ROLE', roleSchema, 'viewer');
    oidc = {
      issuer: oidcIssuer,
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? null,
      scopes: parse(
        'OIDC_SCOPES',
        z.string().transform((v) => v.split(/[\s,]+/).filter(Boolean)),
        // Demo: the login token also carries the sandbox's SCIM scopes (connections of kind `login`).
        explicitIssuer
          ? ['openid', 'profile', 'email']
          : ['openid', 'profile', 'email', 'offline_access', 'scim:read'],
      ),
      roleClaim: parse('OIDC_ROLE_CLAIM', z.string().trim().min(1), 'groups'),
      roleMap: parse(
        'OIDC_ROLE_MAP',
        roleMapSchema,
        explicitIssuer
          ? new Map()
          : new Map<string, Role>([
              // The sandbox's sign-in accounts carry these `groups` (apps/sandbox SIGN_IN_ACCOUNTS).
              ['SCIM Console Admins', 'admin'],
              ['SCIM Console Operators', 'operator'],
              ['SCIM Console Auditors', 'auditor'],
              ['SCIM Console Viewers', 'viewer'],
            ]),
      ),
      defaultRole: defaultRole === 'none' ? null : defaultRole,
      label: parse(
        'OIDC_LABEL',
        z.string().trim().min(1).max(60),
        explicitIssuer ? 'Single sign-on' : 'Sandbox SSO',
      ),
    };
  } else {
    for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
      if (get(name) !== undefined)
        problems.push({ variable: name, message: 'is set but OIDC_ISSUER is not' });
    }
  }

  const trustProxy = parse(
    'TRUST_PROXY',
    z
      .string()
      .trim()
      .transform((v): boolean | number | string => {
        const lower = v.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        if (/^\d+$/.test(v)) return Number(v);
        return v; // comma-separated addresses/CIDRs, passed to Fastify as-is
      }),
    false,
  );

  const certFile = parse('TLS_CERT_FILE', z.string().trim().min(1));
  const keyFile = parse('TLS_KEY_FILE', z.string().trim().min(1));
  let tls: Config['tls'] = null;
  if (certFile || keyFile) {
    if (!certFile)
      problems.push({ variable: 'TLS_CERT_FILE', message: 'is required when TLS_KEY_FILE is set' });
    if (!keyFile)
      problems.push({ variable: 'TLS_KEY_FILE', message: 'is required when TLS_CERT_FILE is set' });
    for (const [name, file] of [
      ['TLS_CERT_FILE', certFile],
      ['TLS_KEY_FILE', keyFile],
    ] as const) {
      if (file && !existsSync(resolve(cwd, file)))
        problems.push({ variable: name, message: `file not found: ${file}` });
    }
    if (certFile && keyFile)
      tls = { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) };
  }

  if (production && publicUrl.startsWith('http://') && trustProxy === false && !tls) {
    problems.push({
      variable: 'PUBLIC_URL',
      message:
        'is plain HTTP: production needs https (TLS_CERT_FILE/TLS_KEY_FILE) or TRUST_PROXY behind a TLS-terminating proxy',
    });
  }

  const rateLimit = {
    max: parse('RATE_LIMIT_MAX', positiveInt('RATE_LIMIT_MAX', 1_000_000), 600),
    loginMax: parse('LOGIN_RATE_LIMIT_MAX', positiveInt('LOGIN_RATE_LIMIT_MAX', 10_000), 20),
  };

  const webDistRaw = get('WEB_DIST');
  let webDist: string | null;
  if (webDistRaw !== undefined) {
    webDist = resolve(cwd, webDistRaw);
    if (!existsSync(resolve(webDist, 'index.html'))) {
      problems.push({
        variable: 'WEB_DIST',
        message: `no index.html in ${webDist} (build the web app first)`,
      });
      webDist = null;
    }
  } else {
    const fallback = resolve(SERVER_ROOT, '../web/dist');
    webDist = existsSync(resolve(fallback, 'index.html')) ? fallback : null;
  }

  const scimConnectSrc = parse(
    'SCIM_CONNECT_SRC',
    z.string().transform((text, ctx) => {
      const origins: string[] = [];
      for (const item of text.split(/[\s,]+/).filter(Boolean)) {
        try {
          const u = new URL(item);
          if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
          origins.push(u.origin);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not an http(s) origin` });
          return z.NEVER;
        }
      }
      return origins;
    }),
    [],
  );

  const config: Config = {
    profile,
    host,
    port,
    publicUrl,
    database,
    encryption: { keys: keys ?? new Map(), activeKeyId: activeKeyId ?? '' },
    fingerprintKey: fingerprintKey ?? Buffer.alloc(0),
    session,
    demo: {
      accounts: demoAccounts,
      password: demoAccounts ? (demoPassword ?? null) : null,
      passwordGenerated,
    },
    oidc,
    trustProxy,
    tls,
    rateLimit,
    auditRedactFilterValues: parse('AUDIT_REDACT_FILTER_VALUES', boolString, false),
    sandbox,
    webDist,
    logLevel: parse(
      'LOG_LEVEL',
      z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
      'info',
    ),
    httpTimeoutMs: parse('HTTP_TIMEOUT_MS', positiveInt('HTTP_TIMEOUT_MS', 300_000), 10_000),
    discoveryCacheSeconds: parse(
      'DISCOVERY_CACHE_SECONDS',
      positiveInt('DISCOVERY_CACHE_SECONDS', 86_400),
      300,
    ),
    tokenRefreshMarginSeconds: parse(
      'TOKEN_REFRESH_MARGIN_SECONDS',
      positiveInt('TOKEN_REFRESH_MARGIN_SECONDS', 3600),
      60,
    ),
    scimConnectSrc,
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (
    value &&
    typeof value === 'object' &&
    !Object.isFrozen(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Map)
  ) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
