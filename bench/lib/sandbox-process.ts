/**
 * Child process for the fetch-all benches: the sandbox (`startSandbox`) with BENCH_SANDBOX_USERS
 * users, in its own process as a real SCIM provider would be, so a client's concurrency can
 * actually overlap with its work. It counts its own time serving SCIM requests (the sandbox's
 * request logger reports each request's time from arrival to the last byte).
 *  → parent { type: 'ready', url, scimUrl, staticTokens }
 *  ← { type: 'busy-reset' } / { type: 'busy-read' } → { type: 'busy', ms, requests }
 */
import { startSandbox } from '../../apps/sandbox/src/index.ts';

let busyMs = 0;
let requests = 0;
const sandbox = await startSandbox({
  port: 0,
  users: Number(process.env.BENCH_SANDBOX_USERS ?? 1000),
  password: 'bench-sandbox',
  env: {},
  logger: (line) => {
    const m = / \/scim\/v2\S* \d{3} ([\d.]+)ms/.exec(line);
    if (m) {
      busyMs += Number(m[1]);
      requests += 1;
    }
  },
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'busy-reset') {
    busyMs = 0;
    requests = 0;
  } else if (m.type === 'busy-read') process.send!({ type: 'busy', ms: busyMs, requests });
  else if (m.type === 'close') void sandbox.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send!({
  type: 'ready',
  url: sandbox.url,
  scimUrl: sandbox.scimUrl,
  staticTokens: sandbox.staticTokens,
});
