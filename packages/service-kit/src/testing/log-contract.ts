/// <reference types="jest" />
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ISSUER,
  DEFAULT_MODE,
  createKeyRing,
  generateKeySet,
  publicJwks,
  readKeysSettings,
  writeKeyFolders,
  type AppName,
} from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { findSigningJwk, secretValuesOf, startJwksServer } from '@jwt-blast-radius/keys/testing';
import { parseLogLine, type LogLine } from '../log-line';
import { findFreePorts, spawnService } from '@jwt-blast-radius/process';

export interface LogContract {
  readonly app: AppName;
  /** The built app, `<app>/dist/main.js`. */
  readonly main: string;
  /** A route any authenticated user may call. */
  readonly userRoute: string;
  /** A route for the admin role only. */
  readonly adminRoute: string;
  /**
   * More traffic, for the app's own events (the auth service's logins), sent after the access
   * decisions: resolves with the secrets it handled (passwords, tokens), which no line may quote.
   */
  readonly exercise?: (url: string) => Promise<readonly string[]>;
  /** Checks of the app's own events, given every line of its log once it has stopped. */
  readonly check?: (lines: readonly LogLine[]) => void;
}

/**
 * Registers the test of an app's log: the built app runs as a child process in the default mode at
 * `LOG_LEVEL=trace`, with its log going to a file; it is sent an accepted, a forbidden and refused
 * requests (and the app's own traffic), then stopped with SIGTERM. Every line must be JSON; each
 * access decision one line with exactly the fields docs/logs.md lists for it; no line, at any level,
 * may quote a key's secret value, a token or a password; and the `stopped` event, logged on the way
 * out, must be the file's last line (the asynchronous destination is written out before exit).
 *
 * @example
 * describeItsLog({ app: 'mobile-api', main, userRoute: '/mobile/feed', adminRoute: '/mobile/admin' });
 */
export function describeItsLog({ app, main, userRoute, adminRoute, exercise, check }: LogContract): void {
  describe(`${app}'s log`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `${app}-log-`));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('writes each access decision as one JSON event with its fields, quotes no secret at any level, and is written out on SIGTERM', async () => {
      const material = await generateKeySet(DEFAULT_MODE);
      const folders = await writeKeyFolders(join(dir, 'keys'), material);
      const issuerRing = await createKeyRing(readKeysSettings({ AUTH_MODE: DEFAULT_MODE }, 'auth-service'), material['auth-service']);
      await using jwks = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
      const [port] = await findFreePorts(1);
      const logFile = join(dir, `${app}.jsonl`);
      const service = await spawnService(
        main,
        {
          PORT: String(port),
          AUTH_MODE: DEFAULT_MODE,
          KEYS_DIR: folders[app]!,
          ISSUER: DEFAULT_ISSUER,
          JWKS_URL: jwks.url,
          LOG_LEVEL: 'trace',
        },
        { logFile },
      );

      const jwk = findSigningJwk(material, DEFAULT_MODE, app);
      const claims = (sub: string, roles: string[], now?: number) => accessTokenClaims({ iss: DEFAULT_ISSUER, aud: app, sub, roles }, now);
      const alice = claims('alice', ['user']);
      const root = claims('root', ['admin']);
      const tokens = {
        alice: await signWithJwk(jwk, alice),
        root: await signWithJwk(jwk, root),
        expired: await signWithJwk(jwk, claims('alice', ['user'], Math.floor(Date.now() / 1000) - 3600)),
        malformed: 'not-a.jwt.at-all',
      };
      // A socket per request (`Connection: close`): no idle keep-alive connection delays the app's stop.
      const send = (path: string, token?: string) =>
        new Promise<string>((resolve, reject) => {
          const headers = token ? { authorization: `Bearer ${token}` } : {};
          get(`${service.url}${path}`, { agent: false, headers }, (response) => {
            const id = response.headers['x-request-id'];
            response.on('error', reject).on('end', () => resolve(typeof id === 'string' ? id : '(no X-Request-Id)'));
            response.resume();
          }).on('error', reject);
        });
      const sent = {
        accepted: await send(userRoute, tokens.alice),
        'accepted, admin': await send(adminRoute, tokens.root),
        forbidden: await send(adminRoute, tokens.alice),
        'refused, expired': await send(userRoute, tokens.expired),
        'refused, malformed': await send(userRoute, tokens.malformed),
        'refused, no token': await send(userRoute),
        'public /health': await send('/health'),
      };
      const secrets = [...((await exercise?.(service.url)) ?? [])];
      // SIGTERM while a burst of requests is in flight: the app answers them, logs them and `stopped`, and
      // every line must be in the file once the process has ended.
      let answered = 0;
      let twentyAnswered = () => {};
      const answering = new Promise<void>((resolve) => (twentyAnswered = resolve));
      const burst = Array.from({ length: 200 }, () =>
        send(userRoute, tokens.alice).then((reqId) => {
          answered += 1;
          if (answered === 20) twentyAnswered();
          return reqId;
        }),
      );
      const settled = Promise.allSettled(burst);
      await answering;
      await service.stop();
      const last = (await settled).flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));

      const text = await readFile(logFile, 'utf8');
      const raw = text.split('\n').filter((line) => line !== '');
      const lines = raw.map(parseLogLine);
      const access = new Map(lines.filter((line) => line?.event === 'access').map((line) => [line!.reqId, line!]));
      const anyNumber: unknown = expect.any(Number);
      const anyString: unknown = expect.any(String);
      const common = (level: string, route: string) => ({
        level,
        time: anyNumber,
        app,
        context: 'auth',
        event: 'access',
        route,
        address: '127.0.0.1',
      });
      const verified = (token: { sub?: unknown; jti?: unknown }) => ({ kid: jwk.kid, sub: token.sub, aud: app, jti: token.jti });

      expect({
        notJson: raw.filter((_, i) => lines[i] === undefined),
        quoted: [
          ...secretValuesOf(material[app]),
          ...secretValuesOf(material['auth-service']),
          ...Object.values(tokens).flatMap((token) => [token, token.split('.')[2] ?? token]),
          ...secrets,
        ]
          .filter((secret) => text.includes(secret))
          .map((secret) => `${secret.slice(0, 12)}…`),
        lastLine: lines[lines.length - 1]?.event,
        answeredInTheBurstButNotLogged: last.filter((reqId) => !access.has(reqId)),
      }).toEqual({ notJson: [], quoted: [], lastLine: 'stopped', answeredInTheBurstButNotLogged: [] });
      expect(Object.fromEntries(Object.entries(sent).map(([name, reqId]) => [name, access.get(reqId) ?? '(no access line)']))).toEqual({
        accepted: { ...common('info', `GET ${userRoute}`), outcome: 'accepted', ...verified(alice), reqId: sent.accepted },
        'accepted, admin': {
          ...common('info', `GET ${adminRoute}`),
          outcome: 'accepted',
          ...verified(root),
          reqId: sent['accepted, admin'],
        },
        forbidden: {
          ...common('warn', `GET ${adminRoute}`),
          outcome: 'forbidden',
          reason: 'missing role admin',
          ...verified(alice),
          reqId: sent.forbidden,
        },
        'refused, expired': {
          ...common('warn', `GET ${userRoute}`),
          outcome: 'refused',
          reason: anyString,
          kid: jwk.kid,
          reqId: sent['refused, expired'],
        },
        'refused, malformed': {
          ...common('warn', `GET ${userRoute}`),
          outcome: 'refused',
          reason: 'ERR_TOKEN_MALFORMED',
          reqId: sent['refused, malformed'],
        },
        'refused, no token': {
          ...common('warn', `GET ${userRoute}`),
          outcome: 'refused',
          reason: 'no bearer token',
          reqId: sent['refused, no token'],
        },
        'public /health': '(no access line)',
      });
      expect(
        lines.filter((line) => line?.event === 'listening' || line?.event === 'stopped').map((line) => ({ ...line, time: undefined })),
      ).toEqual([
        { level: 'info', app, context: 'service', event: 'listening', url: service.url, time: undefined },
        { level: 'info', app, context: 'service', event: 'stopped', signal: 'SIGTERM', time: undefined },
      ]);
      check?.(lines.filter((line): line is LogLine => line !== undefined));
    }, 120_000);
  });
}
