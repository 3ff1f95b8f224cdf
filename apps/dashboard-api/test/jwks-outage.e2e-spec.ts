import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_ISSUER,
  createKeyRing,
  generateKeySet,
  publicJwks,
  readKeysSettings,
  rotateKeySet,
  writeKeyFolders,
  type AppName,
  type JsonWebKeySet,
} from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { findSigningJwk, startJwksProcess } from '@jwt-blast-radius/keys/testing';
import { parseLogLine, type LogLine } from '@jwt-blast-radius/service-kit';
import { findFreePorts, spawnService, type SpawnedService } from '@jwt-blast-radius/service-kit/testing';

// dashboard-api in rs256-jwks, run from its build, with the issuer's JWKS served by a process of its own that
// the tests kill: the issuer really stops, and the API has to live with it.
const main = join(__dirname, '..', 'dist', 'main.js');
const mode = 'rs256-jwks';
const app: AppName = 'dashboard-api';

/** The API with its log lines collected; its JWKS_URL points at `jwksPort`. */
async function startApi(dir: string, jwksPort: number, settings: Record<string, string>) {
  const folders = await writeKeyFolders(dir, { 'auth-service': { keys: [] }, 'dashboard-api': { keys: [] }, 'mobile-api': { keys: [] } });
  const [port] = await findFreePorts(1);
  const log: LogLine[] = [];
  const service = await spawnService(
    main,
    {
      AUTH_MODE: mode,
      KEYS_DIR: folders[app]!,
      PORT: String(port),
      ISSUER: DEFAULT_ISSUER,
      JWKS_URL: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
      ...settings,
    },
    {
      onOutput: (line) => {
        const entry = parseLogLine(line);
        if (entry) log.push(entry);
      },
    },
  );
  return { service, log, events: (event: string) => log.filter((entry) => entry.event === event) };
}

async function issuerOf(material: Record<AppName, JsonWebKeySet>) {
  const ring = await createKeyRing(readKeysSettings({ AUTH_MODE: mode }, 'auth-service'), material['auth-service']);
  const sign = (kid?: string) =>
    signWithJwk(
      findSigningJwk(material, mode, app),
      accessTokenClaims({ iss: DEFAULT_ISSUER, aud: app, sub: 'alice', roles: ['user'] }),
      kid ? { kid } : {},
    );
  return { jwks: publicJwks(ring)!, sign };
}

async function call(service: SpawnedService, token: string) {
  const response = await fetch(`${service.url}/dashboard/summary`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), challenge: response.headers.get('www-authenticate') };
}

describe('dashboard-api when the issuer of its JWKS is down', () => {
  let dir: string;
  const running: { stop(): Promise<void> }[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jwks-outage-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while it has no keys, not 401, and recovers without a restart once the issuer is back', async () => {
    const issuer = await issuerOf(await generateKeySet(mode));
    const [jwksPort] = await findFreePorts(1);
    const api = await startApi(dir, jwksPort!, { JWKS_COOLDOWN_SECONDS: '1' });
    running.push(api.service);
    const token = await issuer.sign();

    const down = await call(api.service, token);
    await using jwks = await startJwksProcess(issuer.jwks, { port: jwksPort });
    await sleep(Number(down.retryAfter) * 1000);
    const back = await call(api.service, token);

    expect({ down, back }).toEqual({
      down: { status: 503, retryAfter: '1', challenge: null },
      back: { status: 200, retryAfter: null, challenge: null },
    });
    expect({
      access: api.events('access').find((entry) => entry.outcome === 'unavailable')?.reason,
      fetch: api.events('jwks-fetch')[0],
    }).toMatchObject({ access: 'ERR_JWKS_UNAVAILABLE', fetch: { trigger: 'first-use', outcome: 'failed', reason: 'ECONNREFUSED' } });
    expect(await jwks.served()).toBe(1);
  }, 120_000);

  it('keeps its last good keys through an outage, refuses unknown kids without a fetch, and reloads on SIGHUP', async () => {
    const material = await generateKeySet(mode);
    const issuer = await issuerOf(material);
    await using jwks = await startJwksProcess(issuer.jwks);
    const api = await startApi(dir, jwks.port, { JWKS_CACHE_MAX_AGE_SECONDS: '1', JWKS_COOLDOWN_SECONDS: '1' });
    running.push(api.service);
    const token = await issuer.sign();
    const before = await call(api.service, token);

    await jwks.kill();
    const outageFrom = Date.now();
    await sleep(1_100); // past the cache max age: the keys are stale, and one refetch fails
    const during = await Promise.all([
      ...Array.from({ length: 10 }, () => call(api.service, token)),
      ...Array.from({ length: 10 }, (_, i) =>
        issuer.sign(`issuer.${String(i).padStart(8, '0')}`).then((forged) => call(api.service, forged)),
      ),
    ]);
    // At most one failed refetch per cooldown (1 s) while the issuer was down, however long the requests took.
    const cooldownWindows = Math.ceil((Date.now() - outageFrom) / 1000);

    // The issuer comes back with a new key staged (published first, so findSigningJwk signs with it): a
    // reload fetches at once and reports both kids.
    const staged = await rotateKeySet(material, mode, 'stage');
    const next = await issuerOf(staged);
    await jwks.restart(next.jwks);
    const reloaded = new Promise<LogLine>((resolve) => {
      const timer = setInterval(() => {
        const entry = api.events('keys-reloaded')[0];
        if (!entry) return;
        clearInterval(timer);
        resolve(entry);
      }, 20);
    });
    api.service.child.kill('SIGHUP');
    const reload = await reloaded;
    // Read once the reload's line is in: the log keeps its order, so every line of the outage is in too.
    const failedFetches = api.events('jwks-fetch').filter((entry) => entry.outcome === 'failed');
    const health = (await (await fetch(`${api.service.url}/health`)).json()) as { kids: string[] };
    const after = await call(api.service, await next.sign());

    expect({
      before: before.status,
      during: during.map((answer) => answer.status),
      failedFetches: failedFetches.length >= 1 && failedFetches.length <= cooldownWindows,
      reload: { outcome: reload.outcome, kids: [...((reload.kids as string[] | undefined) ?? [])].sort() },
      health: [...health.kids].sort(),
      after: after.status,
    }).toEqual({
      before: 200,
      during: [...Array<number>(10).fill(200), ...Array<number>(10).fill(401)],
      failedFetches: true,
      reload: { outcome: 'ok', kids: staged['auth-service'].keys.map((jwk) => jwk.kid).sort() },
      health: staged['auth-service'].keys.map((jwk) => jwk.kid).sort(),
      after: 200,
    });
  }, 120_000);
});
