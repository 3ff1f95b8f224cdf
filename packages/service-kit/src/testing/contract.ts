/// <reference types="jest" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODE, MAX_AUTHORIZATION_LENGTH, generateKeySet, writeKeyFolders, type AppName } from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import {
  buildStartupFailureCases,
  buildVerificationCases,
  findSigningJwk,
  secretValuesOf,
  type StartupFailureCase,
} from '@jwt-blast-radius/keys/testing';
import type { SettingsErrorCode } from '../errors';
import { outcomeOf } from './answers';
import type { AppUnderTest } from './services';
import { observeStartupFailure } from './startup';

// The tests every app of the stack passes the same way, registered by each app's e2e spec: a reader
// who knows one app's guarded routes knows all three.

export interface GuardedRoutes {
  readonly app: AppName;
  readonly issuer: string;
  /** A route any authenticated user may call. */
  readonly userRoute: string;
  /** A route for the admin role only. */
  readonly adminRoute: string;
}

/**
 * Registers, inside a `describe` of one mode, the tests of an app's token guard: the verification
 * table at its user route, and the admin role, the bare challenge and the open /health.
 *
 * @example
 * itGuardsItsRoutes(() => server, mode, { app: 'mobile-api', issuer, userRoute: '/mobile/feed', adminRoute: '/mobile/admin' });
 */
export function itGuardsItsRoutes(server: () => AppUnderTest, mode: string, { app, issuer, userRoute, adminRoute }: GuardedRoutes): void {
  const get = (path: string, token?: string) =>
    fetch(`${server().url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (response) => ({
      status: response.status,
      headers: { 'www-authenticate': response.headers.get('www-authenticate') ?? undefined },
      text: await response.text(),
    }));

  it(`answers each token of the verification table at ${userRoute} as the mode says`, async () => {
    const cases = await buildVerificationCases({ mode, material: server().material, audience: app, issuer });
    const outcomes = await Promise.all(cases.map(async ({ name, token }) => [name, outcomeOf(await get(userRoute, token))]));
    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(cases.map(({ name, expected }) => [name, expected])));
  });

  it('refuses an Authorization header over 8 KB at once, even one that holds a valid token', async () => {
    const jwk = findSigningJwk(server().material, mode, app);
    const withNote = (note: string) => signWithJwk(jwk, accessTokenClaims({ iss: issuer, aud: app, sub: 'alice', roles: ['user'], note }));
    const bare = (await withNote('')).length;
    // A token of about `length` characters: base64url writes 3 bytes of the note as 4 characters.
    const sized = (length: number) => withNote('x'.repeat(Math.floor(((length - bare) * 3) / 4)));
    const header = (token: string) => `Bearer ${token}`.length;
    const [under, over] = await Promise.all([sized(MAX_AUTHORIZATION_LENGTH - 100), sized(MAX_AUTHORIZATION_LENGTH)]);
    expect({ under: header(under) <= MAX_AUTHORIZATION_LENGTH, over: header(over) > MAX_AUTHORIZATION_LENGTH }).toEqual({
      under: true,
      over: true,
    });
    expect({ under: outcomeOf(await get(userRoute, under)), over: outcomeOf(await get(userRoute, over)) }).toEqual({
      under: 'accept',
      over: 'refuse',
    });
  });

  it(`keeps ${adminRoute} for the admin role, challenges a request without a token and leaves /health open`, async () => {
    const jwk = findSigningJwk(server().material, mode, app);
    const alice = await signWithJwk(jwk, accessTokenClaims({ iss: issuer, aud: app, sub: 'alice', roles: ['user'] }));
    const root = await signWithJwk(jwk, accessTokenClaims({ iss: issuer, aud: app, sub: 'root', roles: ['admin'] }));
    const answer = async (path: string, token?: string) => {
      const { status, headers } = await get(path, token);
      return { status, challenge: headers['www-authenticate'] };
    };
    expect({
      'admin route, user token': await answer(adminRoute, alice),
      'admin route, admin token': await answer(adminRoute, root),
      'user route, no token': await answer(userRoute),
      'health, no token': await answer('/health'),
    }).toEqual({
      'admin route, user token': { status: 403, challenge: `Bearer realm="${app}", error="insufficient_scope"` },
      'admin route, admin token': { status: 200, challenge: undefined },
      'user route, no token': { status: 401, challenge: `Bearer realm="${app}"` },
      'health, no token': { status: 200, challenge: undefined },
    });
  });
}

/** A start-up failure case of the app's own settings, which fail with a settings error or a keys error. */
export type AppStartupFailureCase = Omit<StartupFailureCase, 'code'> & { readonly code: StartupFailureCase['code'] | SettingsErrorCode };

/**
 * Registers the start-up refusal tests of a built app: each bad setting of `buildStartupFailureCases`,
 * a `LOG_LEVEL` that is not a level (with valid keys), and the app's own `moreCases`, stops it with
 * exit status 1 and one line naming the setting, quoting no key material.
 *
 * @example
 * describeStartupRefusals('mobile-api', join(__dirname, '..', 'dist', 'main.js'));
 */
export function describeStartupRefusals(app: AppName, main: string, moreCases?: (dir: string) => Promise<AppStartupFailureCase[]>): void {
  describe(`${app} started with bad settings`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `${app}-settings-`));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('exits with status 1 and one line naming the setting, quoting no key material', async () => {
      const cases = [...(await buildStartupFailureCases(app, dir)), await logLevelCase(app, dir), ...((await moreCases?.(dir)) ?? [])];
      const observed = await Promise.all(cases.map(async (failure) => [failure.name, await observeStartupFailure(main, failure)]));
      expect(Object.fromEntries(observed)).toEqual(
        Object.fromEntries(
          cases.map(({ name, setting, code }) => [
            name,
            { status: 1, stderr: [expect.stringMatching(new RegExp(`^${app}: ${setting}: .+ \\(${code}\\)$`))], quoted: 0 },
          ]),
        ),
      );
    }, 300_000);
  });
}

async function logLevelCase(app: AppName, dir: string): Promise<AppStartupFailureCase> {
  const material = await generateKeySet(DEFAULT_MODE);
  const folders = await writeKeyFolders(join(dir, 'log-level'), material);
  return {
    name: 'a LOG_LEVEL that is not a level',
    env: { AUTH_MODE: DEFAULT_MODE, KEYS_DIR: folders[app]!, LOG_LEVEL: 'verbose' },
    setting: 'LOG_LEVEL',
    code: 'ERR_SETTINGS_INVALID',
    secrets: secretValuesOf(material[app]),
  };
}
