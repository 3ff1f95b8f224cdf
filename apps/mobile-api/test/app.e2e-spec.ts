import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DEFAULT_ISSUER, MODE_NAMES } from '@jwt-blast-radius/keys';
import {
  accessTokenClaims,
  buildStartupFailureCases,
  buildVerificationCases,
  findSigningJwk,
  signWithJwk,
} from '@jwt-blast-radius/keys/testing';
import { observeStartupFailure, outcomeOf, startAppUnderTest, type AppUnderTest } from '@jwt-blast-radius/service-kit/testing';
import { AppModule, SERVICE } from '../src/app.module';

const app = 'mobile-api';
const issuer = DEFAULT_ISSUER;

describe.each(MODE_NAMES)('mobile-api in %s', (mode) => {
  let server: AppUnderTest;
  beforeAll(async () => {
    server = await startAppUnderTest({ mode, service: SERVICE, module: (ring) => AppModule.forRoot(ring), issuer });
  });
  afterAll(() => server?.close());

  it('answers each token of the verification table at /mobile/feed as the mode says', async () => {
    const cases = await buildVerificationCases({ mode, material: server.material, audience: app, issuer });
    const outcomes = await Promise.all(
      cases.map(async ({ name, token }) => [name, outcomeOf(await request(server.url).get('/mobile/feed').set('Authorization', `Bearer ${token}`))]),
    );
    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(cases.map(({ name, expected }) => [name, expected])));
  });

  it('keeps /mobile/admin for the admin role, challenges a request without a token and leaves /health open', async () => {
    const jwk = findSigningJwk(server.material, mode, app);
    const alice = await signWithJwk(jwk, accessTokenClaims({ iss: issuer, aud: app, sub: 'alice', roles: ['user'] }));
    const root = await signWithJwk(jwk, accessTokenClaims({ iss: issuer, aud: app, sub: 'root', roles: ['admin'] }));
    const answer = async (path: string, token?: string) => {
      const response = await (token ? request(server.url).get(path).set('Authorization', `Bearer ${token}`) : request(server.url).get(path));
      return { status: response.status, challenge: response.headers['www-authenticate'] };
    };
    expect({
      'admin route, user token': await answer('/mobile/admin', alice),
      'admin route, admin token': await answer('/mobile/admin', root),
      'feed, no token': await answer('/mobile/feed'),
      'health, no token': await answer('/health'),
    }).toEqual({
      'admin route, user token': { status: 403, challenge: `Bearer realm="${app}", error="insufficient_scope"` },
      'admin route, admin token': { status: 200 },
      'feed, no token': { status: 401, challenge: `Bearer realm="${app}"` },
      'health, no token': { status: 200 },
    });
  });
});

describe('mobile-api started with bad key settings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${app}-settings-`));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits with status 1 and one line naming the setting, quoting no key material', async () => {
    const main = join(__dirname, '..', 'dist', 'main.js');
    const cases = await buildStartupFailureCases(app, dir);
    const observed = await Promise.all(cases.map(async (failure) => [failure.name, await observeStartupFailure(main, failure)]));
    expect(Object.fromEntries(observed)).toEqual(
      Object.fromEntries(
        cases.map(({ name, setting, code }) => [
          name,
          { status: 1, stderr: [expect.stringMatching(new RegExp(`^${app}: ${setting}: .+ \\(${code}\\)$`))], quoted: 0 },
        ]),
      ),
    );
  }, 30_000);
});
