import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODE, generateKeySet, writeKeyFolders } from '@jwt-blast-radius/keys';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { findFreePorts, spawnService, startAppUnderTest, type AppUnderTest } from '@jwt-blast-radius/service-kit/testing';
import { AppModule, SERVICE } from '../src/app.module';
import { DEFAULT_LOGIN_SETTINGS, DEFAULT_USERS_FILE, type LoginSettings } from '../src/config/config';
import { loopbackAddresses, postJsonFrom, type ClientAnswer } from './clients';
import { PasswordProbe, waitUntil } from './password-probe';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const AUDIENCE = 'dashboard-api';
const ALICE = { username: 'alice', password: 'wonderland-alice', audience: AUDIENCE };
const BOB = { username: 'bob', password: 'builder-bob', audience: AUDIENCE };
const GUESS = 'guessed-password-1234';
const HELD_GUESS = 'guessed-password-5678';
/** Limits that a test's own traffic never reaches, for the tests about something else. */
const UNTHROTTLED: LoginSettings = { ...DEFAULT_LOGIN_SETTINGS, attemptsPerUser: 10_000, attemptsPerAddress: 10_000 };

function startAuthService(login: LoginSettings, probe: PasswordProbe): Promise<AppUnderTest> {
  return startAppUnderTest({
    mode: DEFAULT_MODE,
    service: SERVICE,
    module: (ring) =>
      AppModule.forRoot({ usersFile: DEFAULT_USERS_FILE, tokenTtlSeconds: 300, login }, ring, { verifyPassword: probe.verify }),
  });
}

function logIn(url: string, from: string, body: Record<string, unknown>): Promise<ClientAnswer> {
  return postJsonFrom(from, `${url}/auth/login`, body);
}

/** How many answers had each status. */
function countStatuses(answers: readonly ClientAnswer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** RFC 9110 §10.2.3's delay-seconds form, within the default window. */
function isSecondsWithinWindow(value: unknown): boolean {
  return typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= DEFAULT_LOGIN_SETTINGS.windowSeconds;
}

describe('the login door of auth-service', () => {
  it('lets 5 attempts a minute for one username from one address reach a password hash, and 20 from the address in all', async () => {
    const probe = new PasswordProbe();
    await using server = await startAuthService(DEFAULT_LOGIN_SETTINGS, probe);
    const flood = await Promise.all(Array.from({ length: 20 }, () => logIn(server.url, '127.0.0.2', { ...ALICE, password: GUESS })));
    const twentyFirst = await logIn(server.url, '127.0.0.2', BOB);
    const hashesFromTheAddress = probe.calls;
    const elsewhere = await logIn(server.url, '127.0.0.3', BOB);
    const throttled = [...flood, twentyFirst].filter(({ status }) => status === 429);

    expect(hashesFromTheAddress).toBeGreaterThanOrEqual(1);
    expect(hashesFromTheAddress).toBeLessThanOrEqual(5);
    expect({
      throttledInTheFlood: flood.filter(({ status }) => status === 429).length,
      refusedOrBusyInTheFlood: flood.filter(({ status }) => status === 401 || status === 503).length,
      twentyFirst: twentyFirst.status,
      elsewhere: elsewhere.status,
      retryAfterNotInSeconds: throttled.map(({ headers }) => headers['retry-after']).filter((value) => !isSecondsWithinWindow(value)),
      namedRetryAfter: throttled.flatMap(({ headers }) => Object.keys(headers).filter((name) => name.startsWith('retry-after-'))),
    }).toEqual({
      throttledInTheFlood: 15,
      refusedOrBusyInTheFlood: 5,
      twentyFirst: 429,
      elsewhere: 200,
      retryAfterNotInSeconds: [],
      namedRetryAfter: [],
    });
  }, 120_000);

  it('never has more password hashes in flight than PASSWORD_HASHES_IN_FLIGHT, and answers the excess at once with 503', async () => {
    const probe = new PasswordProbe();
    await using server = await startAuthService({ ...UNTHROTTLED, hashesInFlight: 2 }, probe);
    probe.hold(GUESS);
    const clients = loopbackAddresses(10, 8);
    const answered: ClientAnswer[] = [];
    const pending = clients.map((from) =>
      logIn(server.url, from, { ...ALICE, password: GUESS }).then((answer) => (answered.push(answer), answer)),
    );
    // Every request is either answered or hashing: the held hashes cannot finish before `release`.
    await waitUntil(() => answered.length + probe.inFlight >= clients.length);
    const whileHashing = {
      inFlight: probe.inFlight,
      answers: answered.map(({ status, headers }) => ({ status, retryAfter: headers['retry-after'] })),
    };
    probe.release();
    const all = await Promise.all(pending);

    expect(whileHashing).toEqual({ inFlight: 2, answers: Array.from({ length: 6 }, () => ({ status: 503, retryAfter: '1' })) });
    expect({ maxInFlight: probe.maxInFlight, statuses: countStatuses(all) }).toEqual({ maxInFlight: 2, statuses: { 401: 2, 503: 6 } });
  }, 120_000);

  it('logs bob in from another address while one address floods the login', async () => {
    const probe = new PasswordProbe();
    await using server = await startAuthService({ ...UNTHROTTLED, hashesInFlight: 2 }, probe);
    probe.hold(GUESS);
    const answered: ClientAnswer[] = [];
    const flood = Array.from({ length: 20 }, () =>
      logIn(server.url, '127.0.0.2', { ...ALICE, password: GUESS }).then((answer) => (answered.push(answer), answer)),
    );
    await waitUntil(() => answered.length + probe.inFlight >= flood.length);
    const bob = await logIn(server.url, '127.0.0.3', BOB);
    probe.release();
    const floodAnswers = await Promise.all(flood);

    expect({
      bob: bob.status,
      hashesInFlightAsBobsBegan: probe.started.find(({ password }) => password === BOB.password)?.inFlight,
      flood: countStatuses(floodAnswers),
    }).toEqual({ bob: 200, hashesInFlightAsBobsBegan: 2, flood: { 401: 1, 503: 19 } });
  }, 120_000);

  it('marks every answer of /auth/login as not to be stored, the token response first (RFC 6749 §5.1)', async () => {
    const probe = new PasswordProbe();
    await using server = await startAuthService({ ...UNTHROTTLED, attemptsPerUser: 1 }, probe);
    const issued = await logIn(server.url, '127.0.0.2', ALICE);
    const throttled = await logIn(server.url, '127.0.0.2', ALICE);
    const refused = await logIn(server.url, '127.0.0.2', { ...BOB, password: GUESS });
    const malformed = await logIn(server.url, '127.0.0.2', { ...BOB, username: 'carol', audience: 'billing-api' });
    probe.hold(HELD_GUESS);
    const hashing = logIn(server.url, '127.0.0.3', { ...BOB, username: 'mallory', password: HELD_GUESS });
    await waitUntil(() => probe.inFlight === 1);
    const busy = await logIn(server.url, '127.0.0.3', { ...BOB, username: 'admin', password: GUESS });
    probe.release();
    await hashing;

    const caching = ({ status, headers }: ClientAnswer) => ({ status, cacheControl: headers['cache-control'], pragma: headers.pragma });
    expect({
      issued: caching(issued),
      throttled: caching(throttled),
      refused: caching(refused),
      malformed: caching(malformed),
      busy: caching(busy),
    }).toEqual({
      issued: { status: 200, cacheControl: 'no-store', pragma: 'no-cache' },
      throttled: { status: 429, cacheControl: 'no-store', pragma: 'no-cache' },
      refused: { status: 401, cacheControl: 'no-store', pragma: 'no-cache' },
      malformed: { status: 400, cacheControl: 'no-store', pragma: 'no-cache' },
      busy: { status: 503, cacheControl: 'no-store', pragma: 'no-cache' },
    });
  }, 120_000);
});

describe('auth-service built and running', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-service-login-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('logs every login as one JSON event with its outcome, and never a password or a token', async () => {
    const folders = await writeKeyFolders(dir, await generateKeySet(DEFAULT_MODE));
    const [port] = await findFreePorts(1);
    const lines: string[] = [];
    await using service = await spawnService(
      MAIN,
      {
        PORT: String(port),
        AUTH_MODE: DEFAULT_MODE,
        KEYS_DIR: folders['auth-service']!,
        LOGIN_ATTEMPTS_PER_USER: '2',
        LOGIN_ATTEMPTS_PER_ADDRESS: '3',
        LOGIN_WINDOW_SECONDS: '60',
        PASSWORD_HASHES_IN_FLIGHT: '2',
      },
      { onOutput: (line) => lines.push(line) },
    );
    const longName = 'x'.repeat(100);
    const issued = await logIn(service.url, '127.0.0.2', ALICE);
    const sequential = [
      issued,
      await logIn(service.url, '127.0.0.2', { ...ALICE, password: GUESS }),
      await logIn(service.url, '127.0.0.2', { ...ALICE, password: GUESS }),
      await logIn(service.url, '127.0.0.2', { ...ALICE, username: longName, password: GUESS }),
      await logIn(service.url, '127.0.0.3', { ...ALICE, username: 'mallory', password: GUESS }),
    ];
    // One address may hash one password at a time: of these, the first to arrive is checked, the others are turned away.
    const concurrentNames = ['bob', 'admin', 'carol'];
    const concurrent = await Promise.all(
      concurrentNames.map((username) => logIn(service.url, '127.0.0.4', { ...BOB, username, password: GUESS })),
    );
    const token = String(issued.body.access_token);
    const jti = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: unknown }).jti;

    const event = (answer: ClientAnswer, username: string, address: string, outcome: string, more: Record<string, unknown> = {}) => ({
      level: outcome === 'issued' ? 'info' : 'warn',
      app: 'auth-service',
      context: 'auth',
      event: 'login',
      username,
      audience: AUDIENCE,
      address,
      outcome,
      reqId: answer.headers['x-request-id'],
      ...more,
    });
    const [, refused, throttled, longThrottled, mallory] = sequential;
    const expected = [
      event(issued, 'alice', '127.0.0.2', 'issued', { jti }),
      event(refused!, 'alice', '127.0.0.2', 'refused'),
      event(throttled!, 'alice', '127.0.0.2', 'throttled', { limit: 'per-user' }),
      event(longThrottled!, 'x'.repeat(64), '127.0.0.2', 'throttled', { limit: 'per-address' }),
      event(mallory!, 'mallory', '127.0.0.3', 'refused'),
      ...concurrent.map((answer, index) => event(answer, concurrentNames[index]!, '127.0.0.4', answer.status === 503 ? 'busy' : 'refused')),
    ];
    const events = () =>
      lines.flatMap((line) => {
        const entry = parseLogLine(line);
        // The time differs from run to run; JSON.stringify leaves an undefined member out.
        return entry?.event === 'login' ? [{ ...entry, time: undefined }] : [];
      });
    await waitUntil(() => events().length >= expected.length);
    const byContent = (entries: readonly object[]) => entries.map((entry) => JSON.stringify(entry, Object.keys(entry).sort())).sort();

    expect(byContent(events())).toEqual(byContent(expected));
    expect(sequential.map(({ status }) => status)).toEqual([200, 401, 429, 429, 401]);
    expect(concurrent.map(({ status }) => status)).toContain(503);
    expect(typeof jti).toBe('string');
    const secrets = [ALICE.password, GUESS, token, token.split('.')[2] ?? token];
    expect(lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  }, 120_000);
});
