import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { APP_NAMES, type AppName } from './apps';
import type { KeysError } from './errors';
import { generateKeySet } from './generate';
import { publicJwks } from './jwks';
import { keyNameOf, writeKeyFolders, type JsonWebKeySet } from './keyset';
import { MODE_NAMES, getMode } from './modes';
import { createKeyRing } from './ring';
import { rotateKeyFolders, rotateKeySet, type RotationStep } from './rotate';
import { createSigner } from './sign';
import { startJwksServer } from './testing';
import { createVerifier } from './verify';

const issuer = 'http://127.0.0.1:3000';

/** The stack after a restart on these key sets: the issuer's signer, and the dashboard's verifier. */
async function restart(mode: string, material: Record<AppName, JsonWebKeySet>) {
  const settings = { mode: mode as 'rs256-jwks', keyFile: undefined, issuer, audienceCheck: true };
  const issuerRing = await createKeyRing({ ...settings, app: 'auth-service', jwksUrl: '' }, material['auth-service']);
  const jwks = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
  const verifier = createVerifier(await createKeyRing({ ...settings, app: 'dashboard-api', jwksUrl: jwks.url }, material['dashboard-api']));
  const signer = createSigner(issuerRing, { ttlSeconds: 300 });
  const sign = async () => (await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'dashboard-api' })).token;
  const accepts = (token: string) =>
    verifier.verifyAccessToken(token).then(
      () => true,
      () => false,
    );
  return { sign, accepts, close: () => jwks.close() };
}

/** Every file under the key folders, by path: its text and its permission bits. */
type Files = Record<string, { text: string; mode: number }>;

/** Key folders of a mode in a temporary directory, removed by `await using`. */
async function createKeyFolders(mode: string, material?: Readonly<Record<string, JsonWebKeySet>>) {
  const dir = await mkdtemp(join(tmpdir(), 'keys-rotate-'));
  await writeKeyFolders(dir, material ?? (await generateKeySet(mode)));
  const read = async (): Promise<Files> => {
    const files: Files = {};
    for (const folder of await readdir(dir)) {
      for (const name of await readdir(join(dir, folder))) {
        const path = join(dir, folder, name);
        files[`${folder}/${name}`] = { text: await readFile(path, 'utf8'), mode: (await stat(path)).mode & 0o777 };
      }
    }
    return files;
  };
  return { dir, read, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

const setOf = (files: Files, app: AppName) => JSON.parse(files[`${app}/keys.json`]?.text ?? '{"keys":[]}') as JsonWebKeySet;
const kidsOf = (files: Files, app: AppName, name: string) =>
  setOf(files, app)
    .keys.map((jwk) => jwk.kid!)
    .filter((kid) => keyNameOf(kid) === name);
const holdersOf = (mode: string, name: string) => APP_NAMES.filter((app) => getMode(mode).holdings[app].includes(name));
/** Files that are not a key file readable by its owner only: a temporary file left behind, or a wider mode. */
const strays = (files: Files) => Object.entries(files).filter(([path, { mode }]) => !path.endsWith('/keys.json') || mode !== 0o600);
/** The code and message of a refusal, or 'done' when the step was applied. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'done',
    (error: KeysError) => ({ code: error.code, setting: error.setting, message: error.message }),
  );

const EVERY_KEY = MODE_NAMES.flatMap((mode) => getMode(mode).keys.map((key) => [mode, key.name] as const));

describe.each(MODE_NAMES)('rotating the keys of %s', (mode) => {
  it('stages a key everywhere before it signs, promotes it, then retires the old one', async () => {
    const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
    const initial = await generateKeySet(mode);
    const before = await restart(mode, initial);
    const oldToken = await before.sign();
    await before.close();

    const staged = await rotateKeySet(initial, mode, 'stage');
    const afterStage = await restart(mode, staged);
    const stillOld = await afterStage.sign();

    const promoted = await rotateKeySet(staged, mode, 'promote');
    const afterPromote = await restart(mode, promoted);
    const newToken = await afterPromote.sign();

    const retired = await rotateKeySet(promoted, mode, 'retire');
    const afterRetire = await restart(mode, retired);

    const observed = {
      'staged: the issuer still signs with the old key': kidOf(stillOld) === kidOf(oldToken),
      'staged: verifiers accept old tokens': await afterStage.accepts(oldToken),
      'promoted: the issuer signs with a new version of the same mode key':
        kidOf(newToken) !== kidOf(oldToken) && keyNameOf(kidOf(newToken)) === keyNameOf(kidOf(oldToken)),
      'promoted: verifiers accept old and new tokens': (await afterPromote.accepts(oldToken)) && (await afterPromote.accepts(newToken)),
      'retired: verifiers refuse old tokens': !(await afterRetire.accepts(oldToken)),
      'retired: verifiers accept new tokens': await afterRetire.accepts(newToken),
    };
    await Promise.all([afterStage, afterPromote, afterRetire].map((stack) => stack.close()));
    expect(observed).toEqual(Object.fromEntries(Object.keys(observed).map((claim) => [claim, true])));
  });

  it('gives every holder of a key the same two versions, and nothing to an app that holds nothing', async () => {
    const staged = await rotateKeySet(await generateKeySet(mode), mode, 'stage');
    const { keys, holdings } = getMode(mode);
    const versions = (app: AppName, name: string) => staged[app].keys.filter((jwk) => keyNameOf(jwk.kid!) === name).map((jwk) => jwk.kid);
    for (const { name } of keys) {
      const held = (Object.keys(holdings) as AppName[]).map((app) => (holdings[app].includes(name) ? versions(app, name) : []));
      const holders = held.filter((kids) => kids.length > 0);
      expect(holders.every((kids) => kids.length === 2 && kids.join() === holders[0]!.join())).toBe(true);
    }
    for (const app of Object.keys(holdings) as AppName[]) {
      if (holdings[app].length === 0) expect(staged[app].keys).toEqual([]);
    }
  });
});

describe('promoting a staged key twice', () => {
  it('is refused, and a retire after the refusal keeps the new key', async () => {
    await using folders = await createKeyFolders('rs256-jwks');
    await rotateKeyFolders(folders.dir, 'rs256-jwks', 'stage');
    const [staged] = kidsOf(await folders.read(), 'auth-service', 'issuer');
    await rotateKeyFolders(folders.dir, 'rs256-jwks', 'promote');
    const second = await outcome(rotateKeyFolders(folders.dir, 'rs256-jwks', 'promote'));
    await rotateKeyFolders(folders.dir, 'rs256-jwks', 'retire');
    expect({ second, kept: kidsOf(await folders.read(), 'auth-service', 'issuer') }).toEqual({
      second: expect.objectContaining({ code: 'ERR_KEYS_ROTATION_STATE' }),
      kept: [staged],
    });
  });
});

describe.each(EVERY_KEY)('rotating %s key %s alone', (mode, key) => {
  it('stages, promotes and retires it in every app that holds it, recording each state with the keys', async () => {
    await using folders = await createKeyFolders(mode);
    const initial = await folders.read();
    const seen: Files[] = [];
    for (const step of ['stage', 'promote', 'retire'] as const) {
      await rotateKeyFolders(folders.dir, mode, step, { key });
      seen.push(await folders.read());
    }
    const [staged, promoted, retired] = seen as [Files, Files, Files];
    const holders = holdersOf(mode, key);
    const [old] = kidsOf(initial, holders[0]!, key);
    const [fresh] = kidsOf(staged, holders[0]!, key);
    // The last version signs, so [fresh, old] is staged and [old, fresh] is promoted.
    const observed = (app: AppName) => ({
      staged: { kids: kidsOf(staged, app, key), rotation: setOf(staged, app).rotation },
      promoted: { kids: kidsOf(promoted, app, key), rotation: setOf(promoted, app).rotation },
      retired: { kids: kidsOf(retired, app, key), rotation: setOf(retired, app).rotation },
    });
    const expected = {
      staged: { kids: [fresh, old], rotation: { [key]: { state: 'staged', kid: fresh } } },
      promoted: { kids: [old, fresh], rotation: { [key]: { state: 'promoted', kid: fresh } } },
      retired: { kids: [fresh], rotation: undefined },
    };
    expect({ fresh: fresh !== old, apps: holders.map(observed), strays: seen.flatMap(strays) }).toEqual({
      fresh: true,
      apps: holders.map(() => expected),
      strays: [],
    });
  });

  it("leaves the other apps' key files byte for byte, and the versions of the other keys", async () => {
    await using folders = await createKeyFolders(mode);
    const before = await folders.read();
    await rotateKeyFolders(folders.dir, mode, 'stage', { key });
    const after = await folders.read();
    const others = APP_NAMES.filter((app) => !holdersOf(mode, key).includes(app));
    const otherKeys = getMode(mode)
      .keys.map(({ name }) => name)
      .filter((name) => name !== key);
    const unchanged = (files: Files) => ({
      files: others.map((app) => files[`${app}/keys.json`]),
      versions: APP_NAMES.map((app) => setOf(files, app).keys.filter((jwk) => otherKeys.includes(keyNameOf(jwk.kid!)))),
    });
    expect(unchanged(after)).toEqual(unchanged(before));
  });
});

describe.each(EVERY_KEY)('a step out of order on %s key %s', (mode, key) => {
  it.each([
    ['stage twice', ['stage'], 'stage', 'staged already', 'promote'],
    ['promote before stage', [], 'promote', 'settled', 'stage'],
    ['promote twice', ['stage', 'promote'], 'promote', 'promoted already', 'retire'],
    ['retire after stage', ['stage'], 'retire', 'staged', 'promote'],
    ['retire before anything', [], 'retire', 'settled', 'stage'],
  ] as const)('%s: is refused, naming the state and the next step, and changes no file', async (_case, before, step, state, next) => {
    await using folders = await createKeyFolders(mode);
    for (const earlier of before) await rotateKeyFolders(folders.dir, mode, earlier, { key });
    const files = await folders.read();
    const refusal = await outcome(rotateKeyFolders(folders.dir, mode, step, { key }));
    expect({ refusal, files: await folders.read() }).toEqual({
      refusal: {
        code: 'ERR_KEYS_ROTATION_STATE',
        setting: undefined,
        message: expect.stringMatching(new RegExp(`^cannot ${step} "${key}": it is ${state} \\(.+\\); ${next} is next$`)),
      },
      files,
    });
  });
});

describe('a step on every key of a mode', () => {
  it.each([
    ['promote', 'stage', /^cannot promote "auth-service": it is settled \(/],
    ['stage', 'stage', /^cannot stage "dashboard-api": it is staged already \(/],
  ] as const)(
    'checks every key before changing any: %s after staging dashboard-api alone is refused, and changes no file',
    async (step, earlier, message) => {
      await using folders = await createKeyFolders('per-app-secret');
      await rotateKeyFolders(folders.dir, 'per-app-secret', earlier, { key: 'dashboard-api' });
      const files = await folders.read();
      const refusal = await outcome(rotateKeyFolders(folders.dir, 'per-app-secret', step));
      expect({ refusal, files: await folders.read() }).toEqual({
        refusal: { code: 'ERR_KEYS_ROTATION_STATE', setting: undefined, message: expect.stringMatching(message) },
        files,
      });
    },
  );
});

describe('key files the rotation cannot read a state from', () => {
  const unrecorded = (set: JsonWebKeySet): JsonWebKeySet => ({ keys: set.keys });
  const mismatched = (set: JsonWebKeySet): JsonWebKeySet => ({
    keys: set.keys,
    rotation: { shared: { state: 'promoted', kid: set.keys[0]!.kid! } },
  });
  const malformed = (set: JsonWebKeySet) => ({ keys: set.keys, rotation: { shared: { state: 'done', kid: set.keys[0]!.kid! } } });
  // One version, and so settled but for the record: a record that is not an object stops every step.
  const notAnObject = (set: JsonWebKeySet) => ({ keys: set.keys.slice(1), rotation: 'staged' });
  it.each([
    ['two versions and no recorded state (an older key file)', unrecorded, 'no recorded rotation state'],
    ['a recorded state that does not match the versions', mismatched, 'does not match its versions'],
    ['a recorded state that is not one', malformed, 'its recorded rotation state is not'],
    ['a rotation member that is not an object', notAnObject, 'member of its key file is not an object'],
  ] as const)('refuses every step on %s, and changes no file', async (_case, edit, message) => {
    const staged = await rotateKeySet(await generateKeySet('shared-hs256'), 'shared-hs256', 'stage');
    const edited = Object.fromEntries(APP_NAMES.map((app) => [app, edit(staged[app]) as JsonWebKeySet]));
    await using folders = await createKeyFolders('shared-hs256', edited);
    const files = await folders.read();
    const refusals: unknown[] = [];
    for (const step of ['stage', 'promote', 'retire'] as RotationStep[]) {
      refusals.push(await outcome(rotateKeyFolders(folders.dir, 'shared-hs256', step)));
    }
    expect({ refusals, files: await folders.read() }).toEqual({
      refusals: ['stage', 'promote', 'retire'].map((step) => ({
        code: 'ERR_KEYS_ROTATION_STATE',
        setting: undefined,
        message: expect.stringMatching(new RegExp(`^cannot ${step} "shared": .*${message}`)),
      })),
      files,
    });
  });

  it('refuses key folders that do not serve the mode', async () => {
    await using folders = await createKeyFolders('shared-hs256');
    await expect(rotateKeyFolders(folders.dir, 'per-app-secret', 'stage')).rejects.toMatchObject({
      code: 'ERR_KEYS_INVALID',
      setting: '--dir',
    });
  });

  it("refuses a key that is not one of the mode's, naming the mode's keys", async () => {
    const refusal = await outcome(rotateKeySet(await generateKeySet('per-app-secret'), 'per-app-secret', 'stage', { key: 'issuer' }));
    expect(refusal).toEqual({
      code: 'ERR_KEYS_CONFIG',
      setting: '--key',
      message: 'unknown key "issuer" in per-app-secret; expected one of auth-service, dashboard-api, mobile-api',
    });
  });
});

describe('writing key folders', () => {
  it('writes every file or none: a failure part-way leaves the files as they were and no temporary file', async () => {
    await using folders = await createKeyFolders('shared-hs256');
    const before = await folders.read();
    // A file where the last app's folder should be: every other app's set is written before it fails.
    await writeFile(join(folders.dir, 'zz-blocked'), '');
    const fresh = await generateKeySet('shared-hs256');
    const failed = await outcome(writeKeyFolders(folders.dir, { ...fresh, 'zz-blocked': fresh['auth-service'] }));
    await rm(join(folders.dir, 'zz-blocked'));
    expect({ failed: failed !== 'done', files: await folders.read() }).toEqual({ failed: true, files: before });
  });
});

describe('keys rotate, the command', () => {
  const cli = join(__dirname, '..', 'dist', 'cli.js');
  const run = (...args: string[]) => {
    const { status, stdout, stderr } = spawnSync(process.execPath, [cli, 'rotate', ...args], { encoding: 'utf8' });
    return { status, stdout, stderr };
  };

  beforeAll(() => {
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: build the keys package first (npm run build)');
  });

  it('refuses a second promote with one line on stderr and exit status 1, changing no file', async () => {
    await using folders = await createKeyFolders('per-app-secret');
    const args = ['--mode', 'per-app-secret', '--dir', folders.dir, '--key', 'dashboard-api', '--step'];
    const steps = [run(...args, 'stage'), run(...args, 'promote')];
    const files = await folders.read();
    const refused = run(...args, 'promote');
    expect({ steps: steps.map(({ status, stdout }) => ({ status, stdout })), refused, files: await folders.read() }).toEqual({
      steps: [
        { status: 0, stdout: expect.stringMatching(/^ {2}dashboard-api +staged: .+; promote is next$/m) },
        { status: 0, stdout: expect.stringMatching(/^ {2}dashboard-api +promoted: .+; retire is next$/m) },
      ],
      refused: {
        status: 1,
        stdout: '',
        stderr: expect.stringMatching(
          /^jwt-blast-radius-keys: cannot promote "dashboard-api": it is promoted already \([^\n]+\); retire is next\n$/,
        ),
      },
      files,
    });
  });

  it("refuses an unknown --key with exit status 2, naming the mode's keys", async () => {
    await using folders = await createKeyFolders('per-app-secret');
    const files = await folders.read();
    const refused = run('--mode', 'per-app-secret', '--dir', folders.dir, '--step', 'stage', '--key', 'issuer');
    expect({ refused, files: await folders.read() }).toEqual({
      refused: { status: 2, stdout: '', stderr: expect.stringContaining('expected one of auth-service, dashboard-api, mobile-api') },
      files,
    });
  });
});

describe('keys kids, the command', () => {
  const cli = join(__dirname, '..', 'dist', 'cli.js');

  it('prints what each app trusts and signs with after a step: the staged kid trusted, the old one still signing', async () => {
    await using folders = await createKeyFolders('rs256-jwks');
    const [old] = kidsOf(await folders.read(), 'auth-service', 'issuer');
    const rotate = spawnSync(process.execPath, [cli, 'rotate', '--mode', 'rs256-jwks', '--dir', folders.dir, '--step', 'stage'], {
      encoding: 'utf8',
    });
    const staged = kidsOf(await folders.read(), 'auth-service', 'issuer').find((kid) => kid !== old);
    const { status, stdout } = spawnSync(process.execPath, [cli, 'kids', '--mode', 'rs256-jwks', '--dir', folders.dir], {
      encoding: 'utf8',
    });
    // Trusted kids are a set: compared sorted, whatever order the key file holds them in.
    const kids = Object.fromEntries(
      Object.entries(JSON.parse(stdout) as Record<string, { trusted: string[] }>).map(([app, held]) => [
        app,
        { ...held, trusted: [...held.trusted].sort() },
      ]),
    );
    const trusted = [old, staged].sort();
    const published = { trusted, signing: [], fromJwks: true };
    expect({ rotated: rotate.status, status, kids }).toEqual({
      rotated: 0,
      status: 0,
      kids: {
        'auth-service': { trusted, signing: [old], fromJwks: false },
        'dashboard-api': published,
        'mobile-api': published,
      },
    });
  });
});
