import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import {
  DEFAULT_ISSUER,
  MODE_NAMES,
  generateKey,
  getMode,
  rotateKeyFolders,
  type AppName,
  type JsonWebKeySet,
} from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { findSigningJwk, secretValuesOf } from '@jwt-blast-radius/keys/testing';
import { spawnWithFreshKeys, type LoggedService } from '@jwt-blast-radius/service-kit/testing';

// dashboard-api in every mode where it holds the key it verifies with, run from its build: its key file
// changes under it while it runs, and SIGHUP alone makes it read the file again.
const main = join(__dirname, '..', 'dist', 'main.js');
const app: AppName = 'dashboard-api';
const HOLDING_MODES = MODE_NAMES.filter((mode) => getMode(mode).holdings[app].includes(getMode(mode).signingKey[app]));

describe.each(HOLDING_MODES)('dashboard-api in %s, reloading the keys it holds on SIGHUP', (mode) => {
  const keyName = getMode(mode).signingKey[app];
  let dir: string;
  let api: LoggedService | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'key-reload-'));
  });
  afterEach(async () => {
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start() {
    const { material, keyFile, service: running } = await spawnWithFreshKeys(main, { app, mode, keysDir: dir });
    api = running;
    return { material, running, keyFile };
  }

  const sign = (jwk: JWK) => signWithJwk(jwk, accessTokenClaims({ iss: DEFAULT_ISSUER, aud: app, sub: 'alice', roles: ['user'] }));
  const call = async (service: LoggedService, token: string) =>
    (await fetch(`${service.url}/dashboard/summary`, { headers: { authorization: `Bearer ${token}` } })).status;
  const health = async (service: LoggedService) => ((await (await fetch(`${service.url}/health`)).json()) as { kids: string[] }).kids;

  it("trusts a staged key's tokens after a reload, without a restart, and refuses the retired key's tokens after the next", async () => {
    const { material, running } = await start();
    const old = findSigningJwk(material, mode, app);
    const rotate = (step: 'stage' | 'promote' | 'retire') => rotateKeyFolders(dir, mode, step, { key: keyName });
    const staged = await rotate('stage');
    const fresh = staged[app]!.keys.find((jwk) => jwk.kid === staged[app]!.rotation?.[keyName]?.kid)!;
    const tokens = { old: await sign(old), fresh: await sign(fresh) };
    const answers = async () => ({ old: await call(running, tokens.old), fresh: await call(running, tokens.fresh) });
    const reloaded = async () => {
      const { level, outcome, kids } = await running.reloadKeys();
      return { level, outcome, kids };
    };

    const beforeReload = await answers();
    const stageReload = await reloaded();
    const afterStage = await answers();
    await rotate('promote');
    const promoteReload = await reloaded();
    const afterPromote = await answers();
    await rotate('retire');
    const retireReload = await reloaded();
    const afterRetire = await answers();

    expect({
      beforeReload,
      stageReload,
      afterStage,
      promoteReload,
      afterPromote,
      retireReload,
      afterRetire,
      health: await health(running),
      stillRunning: running.child.exitCode === null && running.child.signalCode === null,
    }).toEqual({
      beforeReload: { old: 200, fresh: 401 },
      stageReload: { level: 'info', outcome: 'ok', kids: [fresh.kid, old.kid] },
      afterStage: { old: 200, fresh: 200 },
      promoteReload: { level: 'info', outcome: 'ok', kids: [old.kid, fresh.kid] },
      afterPromote: { old: 200, fresh: 200 },
      retireReload: { level: 'info', outcome: 'ok', kids: [fresh.kid] },
      afterRetire: { old: 401, fresh: 200 },
      health: [fresh.kid],
      stillRunning: true,
    });
  }, 120_000);

  it('keeps its keys when its key file does not load, and logs one failed reload for each attempt, naming the reason', async () => {
    const { material, running, keyFile } = await start();
    const own = material[app];
    const weak: JWK = { kty: 'oct', kid: `${keyName}.0badc0de`, k: randomBytes(16).toString('base64url'), alg: 'HS256' };
    const foreign = await generateKey('auth-service', 'oct', getMode(mode));
    const files: readonly { readonly file: string; readonly write: () => Promise<void>; readonly code: string }[] = [
      { file: 'missing', write: () => rm(keyFile), code: 'ERR_KEYS_MISSING' },
      { file: 'not JSON', write: () => writeFile(keyFile, '{"keys": ['), code: 'ERR_KEYS_INVALID' },
      { file: 'a weak secret', write: () => writeSet(keyFile, { keys: [weak] }), code: 'ERR_KEYS_WEAK_SECRET' },
      { file: 'a key it must not hold', write: () => writeSet(keyFile, { keys: [...own.keys, foreign] }), code: 'ERR_KEYS_UNEXPECTED_KEY' },
      { file: 'without its own key', write: () => writeSet(keyFile, { keys: [] }), code: 'ERR_KEYS_MISSING' },
    ];
    const token = await sign(findSigningJwk(material, mode, app));
    const kidsBefore = await health(running);

    const observed: Record<string, unknown> = {};
    for (const { file, write } of files) {
      await write();
      const { level, outcome, kids, reason } = await running.reloadKeys();
      observed[file] = { level, outcome, kids, reason, answer: await call(running, token), health: await health(running) };
    }
    await writeSet(keyFile, own);
    const restored = await running.reloadKeys();
    await running.stop();

    expect(observed).toEqual(
      Object.fromEntries(
        files.map(({ file, code }) => [
          file,
          {
            level: 'warn',
            outcome: 'failed',
            kids: kidsBefore,
            reason: expect.stringContaining(`(${code})`),
            answer: 200,
            health: kidsBefore,
          },
        ]),
      ),
    );
    expect({
      restored: { outcome: restored.outcome, kids: restored.kids },
      reloads: running.events('keys-reloaded').map((line) => line.outcome),
      secretsLogged: [...secretValuesOf(own), ...secretValuesOf({ keys: [weak, foreign] })].filter((secret) =>
        running.lines.some((line) => JSON.stringify(line).includes(secret)),
      ),
    }).toEqual({
      restored: { outcome: 'ok', kids: kidsBefore },
      reloads: [...files.map(() => 'failed'), 'ok'],
      secretsLogged: [],
    });
  }, 120_000);
});

async function writeSet(file: string, set: JsonWebKeySet): Promise<void> {
  await writeFile(file, `${JSON.stringify(set, null, 2)}\n`, { mode: 0o600 });
}
