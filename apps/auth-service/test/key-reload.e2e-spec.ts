import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MODE_NAMES,
  getMode,
  keyNameOf,
  readProtectedHeader,
  rotateKeyFolders,
  type AppName,
  type JsonWebKeySet,
} from '@jwt-blast-radius/keys';
import { spawnWithFreshKeys, type LoggedService } from '@jwt-blast-radius/service-kit/testing';

// The auth service in every mode, run from its build, through one whole rotation of every key while it runs:
// after each step, SIGHUP alone makes it sign with the version its key file marks current, publish what the
// file holds, and trust it.
const main = join(__dirname, '..', 'dist', 'main.js');
const app: AppName = 'auth-service';

describe.each(MODE_NAMES)('auth-service in %s, reloading its keys on SIGHUP', (mode) => {
  let dir: string;
  let issuer: LoggedService | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'issuer-reload-'));
  });
  afterEach(async () => {
    await issuer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs with the promoted version after a reload, publishes a staged version before it signs, and drops a retired one', async () => {
    const { material, service: running } = await spawnWithFreshKeys(main, {
      app,
      mode,
      keysDir: dir,
      settings: { LOGIN_ATTEMPTS_PER_USER: '1000', LOGIN_ATTEMPTS_PER_ADDRESS: '1000' },
    });
    issuer = running;

    const login = async () => {
      const response = await fetch(`${running.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'wonderland-alice', audience: app }),
      });
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const me = async (token: string) => (await fetch(`${running.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    const published = async () => {
      const response = await fetch(`${running.url}/.well-known/jwks.json`);
      return response.ok ? ((await response.json()) as JsonWebKeySet).keys.map((jwk) => jwk.kid).sort() : response.status;
    };
    const health = async () => {
      const { kids, signing } = (await (await fetch(`${running.url}/health`)).json()) as { kids: string[]; signing: string[] };
      return { kids: [...kids].sort(), signing: [...signing].sort() };
    };
    const reload = async () => {
      const { outcome, kids, signing } = await running.reloadKeys();
      return { outcome, kids: [...(kids as string[])].sort(), signing: [...(signing as string[])].sort() };
    };
    const step = async (name: 'stage' | 'promote' | 'retire') => {
      const rotated = await rotateKeyFolders(dir, mode, name);
      const reloaded = await reload();
      const token = await login();
      const observed = { reloaded, health: await health(), signedWith: readProtectedHeader(token).kid, published: await published() };
      return { observed, token, rotated };
    };

    const first = await login();
    const staged = await step('stage');
    const promoted = await step('promote');
    const answersAfterPromote = { first: await me(first), promoted: await me(promoted.token) };
    const retired = await step('retire');
    const answersAfterRetire = { first: await me(first), promoted: await me(promoted.token) };

    const { keys, signingKey, publishesJwks } = getMode(mode);
    const sorted = (kids: readonly string[]) => [...kids].sort();
    const jwks = (kids: readonly string[]) => (publishesJwks ? sorted(kids) : 404);
    const before = material[app].keys.map((jwk) => jwk.kid!);
    const after = keys.map((key) => staged.rotated[app]!.rotation![key.name]!.kid);
    const oldOwn = before.find((kid) => keyNameOf(kid) === signingKey[app])!;
    const newOwn = after.find((kid) => keyNameOf(kid) === signingKey[app])!;

    expect({
      firstSignedWith: readProtectedHeader(first).kid,
      staged: staged.observed,
      promoted: promoted.observed,
      answersAfterPromote,
      retired: retired.observed,
      answersAfterRetire,
    }).toEqual({
      firstSignedWith: oldOwn,
      staged: {
        reloaded: { outcome: 'ok', kids: sorted([oldOwn, newOwn]), signing: sorted(before) },
        health: { kids: sorted([oldOwn, newOwn]), signing: sorted(before) },
        signedWith: oldOwn,
        published: jwks([...before, ...after]),
      },
      promoted: {
        reloaded: { outcome: 'ok', kids: sorted([oldOwn, newOwn]), signing: sorted(after) },
        health: { kids: sorted([oldOwn, newOwn]), signing: sorted(after) },
        signedWith: newOwn,
        published: jwks([...before, ...after]),
      },
      answersAfterPromote: { first: 200, promoted: 200 },
      retired: {
        reloaded: { outcome: 'ok', kids: [newOwn], signing: sorted(after) },
        health: { kids: [newOwn], signing: sorted(after) },
        signedWith: newOwn,
        published: jwks(after),
      },
      answersAfterRetire: { first: 401, promoted: 200 },
    });
  }, 120_000);
});
