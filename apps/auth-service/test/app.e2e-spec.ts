import { join } from 'node:path';
import request, { type Response } from 'supertest';
import {
  APP_NAMES,
  DEFAULT_ISSUER,
  DEFAULT_MODE,
  JWKS_CACHE_CONTROL,
  MAX_TOKEN_LIFETIME,
  MODE_NAMES,
  generateKeySet,
  getMode,
  writeKeyFolders,
  type AppName,
  type JsonWebKeySet,
} from '@jwt-blast-radius/keys';
import { secretValuesOf } from '@jwt-blast-radius/keys/testing';
import {
  describeItsLog,
  describeStartupRefusals,
  itGuardsItsRoutes,
  outcomeOf,
  startAppUnderTest,
  type AppUnderTest,
} from '@jwt-blast-radius/service-kit/testing';
import type { LogLine } from '@jwt-blast-radius/service-kit';
import { AppModule, SERVICE } from '../src/app.module';
import { DEFAULT_LOGIN_SETTINGS, DEFAULT_USERS_FILE, type LoginSettings } from '../src/config/config';

const app = 'auth-service';
const issuer = DEFAULT_ISSUER;
const TTL_SECONDS = 300;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** Limits these tests' own logins never reach: the login door has tests of its own. */
const UNTHROTTLED: LoginSettings = { ...DEFAULT_LOGIN_SETTINGS, attemptsPerUser: 10_000, attemptsPerAddress: 10_000 };

describe.each(MODE_NAMES)('auth-service in %s', (mode) => {
  let server: AppUnderTest;
  beforeAll(async () => {
    server = await startAppUnderTest({
      mode,
      service: SERVICE,
      module: (ring) => AppModule.forRoot({ usersFile: DEFAULT_USERS_FILE, tokenTtlSeconds: TTL_SECONDS, login: UNTHROTTLED }, ring),
      issuer,
    });
  });
  afterAll(() => server?.close());

  const login = (username: string, password: string, audience: string) =>
    request(server.url).post('/auth/login').send({ username, password, audience });

  itGuardsItsRoutes(() => server, mode, { app, issuer, userRoute: '/auth/me', adminRoute: '/auth/users' });

  describe('logging alice in', () => {
    const logins = new Map<AppName, Response>();
    beforeAll(async () => {
      // One after the other: one client address gets one password check at a time.
      for (const audience of APP_NAMES) logins.set(audience, await login('alice', 'wonderland-alice', audience));
    }, 120_000);

    it('issues one token per audience: typed at+jwt, with a kid, for that audience alone, 15 minutes at most', () => {
      const observed = APP_NAMES.map((audience) => {
        const { status, body } = logins.get(audience)!;
        const token = String(body.access_token);
        const { iat, exp, aud } = decodePart(token, 1);
        return [
          audience,
          { status, body, header: decodePart(token, 0), aud, lifetimeWithinLimit: Number(exp) - Number(iat) <= MAX_TOKEN_LIFETIME },
        ];
      });
      const expected = APP_NAMES.map((audience) => [
        audience,
        {
          status: 200,
          body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: TTL_SECONDS },
          header: { alg: getMode(mode).alg, kid: expect.any(String), typ: 'at+jwt' },
          aud: audience,
          lifetimeWithinLimit: true,
        },
      ]);
      expect(Object.fromEntries(observed)).toEqual(Object.fromEntries(expected));
    });

    it("lets alice's auth-service token open /auth/me, and refuses her dashboard-api token there", async () => {
      const me = (audience: AppName) =>
        request(server.url)
          .get('/auth/me')
          .set('Authorization', `Bearer ${logins.get(audience)!.body.access_token}`);
      const own = await me('auth-service');
      expect({ status: own.status, sub: own.body.sub }).toEqual({ status: 200, sub: 'alice' });
      expect(outcomeOf(await me('dashboard-api'))).toBe('refuse');
    });
  });

  it('refuses a login for an audience that is not an app of the stack with a 400', async () => {
    expect((await login('alice', 'wonderland-alice', 'billing-api')).status).toBe(400);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrongPassword = await login('alice', 'wonderland-bob', 'dashboard-api');
    const unknownUser = await login('mallory', 'wonderland-alice', 'dashboard-api');
    expect([wrongPassword.status, unknownUser.status]).toEqual([401, 401]);
    expect(unknownUser.body).toEqual(wrongPassword.body);
  }, 120_000);

  it('publishes its public keys, and nothing private, exactly when the mode has public keys', async () => {
    const { status, headers, body } = await request(server.url).get('/.well-known/jwks.json');
    const keys = status === 200 ? (body as JsonWebKeySet).keys : [];
    const published =
      status === 200
        ? {
            cacheControl: headers['cache-control'],
            kids: keys.map((jwk) => jwk.kid),
            privateMembers: keys.flatMap((jwk) => PRIVATE_MEMBERS.filter((member) => member in jwk)),
          }
        : undefined;
    const issuerKids = server.material['auth-service'].keys.map((jwk) => jwk.kid);
    expect({ status, published }).toEqual(
      getMode(mode).publishesJwks
        ? { status: 200, published: { cacheControl: JWKS_CACHE_CONTROL, kids: issuerKids, privateMembers: [] } }
        : { status: 404, published: undefined },
    );
  });

  it('names its issuer, and its jwks_uri only when it publishes keys, in its metadata', async () => {
    const { status, body } = await request(server.url).get('/.well-known/oauth-authorization-server');
    expect({ status, issuer: body.issuer, jwks_uri: body.jwks_uri }).toEqual({
      status: 200,
      issuer,
      jwks_uri: getMode(mode).publishesJwks ? `${issuer}/.well-known/jwks.json` : undefined,
    });
  });
});

describeStartupRefusals(app, join(__dirname, '..', 'dist', 'main.js'), async (dir) => {
  const material = await generateKeySet(DEFAULT_MODE);
  const folders = await writeKeyFolders(join(dir, 'valid'), material);
  const refusal = (name: string, setting: string, value: string) => ({
    name,
    env: { AUTH_MODE: DEFAULT_MODE, KEYS_DIR: folders[app]!, [setting]: value },
    setting,
    code: 'ERR_SETTINGS_INVALID' as const,
    secrets: secretValuesOf(material[app]),
  });
  return [
    refusal('a token lifetime over 15 minutes', 'TOKEN_TTL_SECONDS', '3600'),
    refusal('a login limit that is not a number', 'LOGIN_ATTEMPTS_PER_USER', 'five'),
    refusal('no password hash allowed at all', 'PASSWORD_HASHES_IN_FLIGHT', '0'),
  ];
});

/** The logins the log test makes: one token for each audience, and a wrong password. */
const issued: { token: string; reqId: string }[] = [];

describeItsLog({
  app,
  main: join(__dirname, '..', 'dist', 'main.js'),
  userRoute: '/auth/me',
  adminRoute: '/auth/users',
  exercise: async (url) => {
    const login = (password: string, audience: AppName) => request(url).post('/auth/login').send({ username: 'alice', password, audience });
    for (const audience of APP_NAMES) {
      const { body, headers } = await login('wonderland-alice', audience);
      issued.push({ token: String(body.access_token), reqId: String(headers['x-request-id']) });
    }
    await login('wonderland-bob', 'mobile-api');
    return ['wonderland-alice', 'wonderland-bob', ...issued.flatMap(({ token }) => [token, token.split('.')[2] ?? token])];
  },
  check: (lines: readonly LogLine[]) => {
    const events = (event: string) => lines.filter((line) => line.event === event).map((line) => ({ ...line, time: undefined }));
    expect({ 'token-issued': events('token-issued'), login: events('login') }).toEqual({
      'token-issued': issued.map(({ token, reqId }) => {
        const { jti, sub, aud, exp } = decodePart(token, 1);
        return { level: 'info', app, context: 'auth', event: 'token-issued', jti, sub, aud, kid: decodePart(token, 0).kid, exp, reqId };
      }),
      login: [
        ...issued.map(({ token, reqId }) => {
          const { jti, aud } = decodePart(token, 1);
          const fields = { username: 'alice', audience: aud, address: '127.0.0.1', outcome: 'issued', jti, reqId };
          return { level: 'info', app, context: 'auth', event: 'login', ...fields };
        }),
        {
          level: 'warn',
          app,
          context: 'auth',
          event: 'login',
          username: 'alice',
          audience: 'mobile-api',
          address: '127.0.0.1',
          outcome: 'refused',
          reqId: expect.any(String),
        },
      ],
    });
  },
});

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
