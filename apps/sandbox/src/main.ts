// `npm run sandbox`: the sandbox alone, configured from SANDBOX_* environment variables.
import { SandboxConfigError, SandboxStartError, startSandbox } from './index.ts';

async function main(): Promise<void> {
  const started = Date.now();
  const sandbox = await startSandbox({ logger: (line) => console.log(line) });
  const { config } = sandbox;
  const lines = [
    '',
    `SCIM sandbox ready in ${Date.now() - started} ms (${config.users} users, seed ${config.seed})`,
    `  SCIM 2.0 base URL   ${sandbox.scimUrl}`,
    `  OIDC issuer         ${sandbox.issuer}   (discovery: ${sandbox.issuer}/.well-known/openid-configuration)`,
    `  Test knobs          ${sandbox.url}/_sandbox/faults, /_sandbox/requests, /_sandbox/revoke (loopback only)`,
    '',
    `  Sign-in accounts    admin, operator, auditor, viewer`,
    `  Password            ${sandbox.password}${config.passwordGenerated ? '   (random: set SANDBOX_PASSWORD to fix it)' : ''}`,
    '',
    '  Personal API tokens (Authorization: Bearer …)',
    ...Object.entries(sandbox.staticTokens).map(
      ([user, token]) => `    ${user.padEnd(10)} ${token}`,
    ),
    '',
    `  Console OAuth client  ${config.consoleClient.clientId} / ${config.consoleClient.clientSecret}`,
    ...config.consoleClient.redirectUris.map((uri) => `    redirect URI         ${uri}`),
    `  Service client (client_credentials)  ${config.serviceClient.clientId} / ${config.serviceClient.clientSecret}`,
    `  Access token lifetime  ${config.accessTokenTtl} s; refresh tokens rotate on use: ${config.rotateRefreshTokens}`,
    `  CORS origins        ${config.corsOrigins.join(', ')}`,
    '',
    `Try: curl -H "Authorization: Bearer ${sandbox.staticTokens.operator ?? '<token>'}" '${sandbox.scimUrl}/Users?count=2'`,
    '',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: closing the sandbox`);
    // Long-polling clients must not keep us alive forever.
    setTimeout(() => process.exit(0), 5_000).unref();
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof SandboxConfigError || error instanceof SandboxStartError) {
    console.error(`sandbox: ${error.message}`);
  } else {
    console.error('sandbox: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
