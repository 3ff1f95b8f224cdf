import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { readKeysSettings } from './config';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, writeKeyFolders } from './keyset';
import { layOutMode } from './modes';
import { loadKeyRing } from './ring';
import { createSigner } from './sign';
import { checkServiceName, createTopology } from './topology';
import { createVerifier } from './verify';

const topology = createTopology('identity', ['identity', 'orders-api', 'billing-api']);

describe('a service name', () => {
  it.each(['orders-api', 'a', 'api2', `a${'b'.repeat(62)}`])('takes %j', (name) => {
    expect(checkServiceName(name, '--apps')).toBe(name);
  });

  it.each(['Orders-API', 'orders_api', '2fa-api', '-api', 'api-', '', `a${'b'.repeat(63)}`, 'orders.api', 'ördres'])(
    'refuses %j, naming the setting',
    (name) => {
      expect(() => checkServiceName(name, '--apps')).toThrow(expect.objectContaining({ code: 'ERR_KEYS_CONFIG', setting: '--apps' }));
    },
  );
});

describe('a topology', () => {
  it.each([
    ['an issuer that is not among the services', () => createTopology('identity', ['orders-api', 'billing-api'])],
    ['a service named twice', () => createTopology('identity', ['identity', 'orders-api', 'orders-api'])],
    ['no API', () => createTopology('identity', ['identity'])],
    ['a bad issuer name', () => createTopology('Identity', ['Identity', 'orders-api'])],
  ])('refuses %s', (_name, make) => {
    expect(make).toThrow(expect.objectContaining({ code: 'ERR_KEYS_CONFIG' }));
  });

  it('lays each mode out by role: the issuer holds every key that signs, each API its own or nothing', () => {
    const holdings = (mode: string) => layOutMode(mode, topology).holdings;
    expect({
      'shared-hs256': holdings('shared-hs256'),
      'per-app-secret': holdings('per-app-secret'),
      'rs256-jwks': holdings('rs256-jwks'),
    }).toEqual({
      'shared-hs256': { identity: ['shared'], 'orders-api': ['shared'], 'billing-api': ['shared'] },
      'per-app-secret': {
        identity: ['identity', 'orders-api', 'billing-api'],
        'orders-api': ['orders-api'],
        'billing-api': ['billing-api'],
      },
      'rs256-jwks': { identity: ['issuer'], 'orders-api': [], 'billing-api': [] },
    });
  });
});

describe('the keys of services of one’s own', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-topology-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sign for every service of the key file and verify at each, each key file recording the mode and the services', async () => {
    const folders = await writeKeyFolders(dir, await generateKeySet('per-app-secret', topology));
    const recorded = JSON.parse(await readFile(join(folders['orders-api']!, KEY_FILE_NAME), 'utf8')) as { mode: string; topology: unknown };
    const ring = (app: string) => loadKeyRing(readKeysSettings({ AUTH_MODE: 'per-app-secret', KEYS_DIR: folders[app] }, app));
    const signer = createSigner(await ring('identity'), { ttlSeconds: 300 });
    const orders = createVerifier(await ring('orders-api'));
    const billing = createVerifier(await ring('billing-api'));
    const { token } = await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'orders-api' });

    expect({ mode: recorded.mode, topology: recorded.topology, audiences: signer.audiences(), aud: decodeJwt(token).aud }).toEqual({
      mode: 'per-app-secret',
      topology: { issuer: 'identity', apps: ['identity', 'orders-api', 'billing-api'] },
      audiences: ['identity', 'orders-api', 'billing-api'],
      aud: 'orders-api',
    });
    await expect(orders.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice' });
    await expect(billing.verifyAccessToken(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_UNKNOWN_KID' });
    await expect(signer.signAccessToken({ sub: 'alice', roles: [], audience: 'payments-api' })).rejects.toMatchObject({
      code: 'ERR_KEYS_CONFIG',
    });
  });

  it.each([
    [
      'a name the key file does not list',
      'payments-api',
      { AUTH_MODE: 'per-app-secret' },
      'KEYS_DIR',
      /made for identity, orders-api, billing-api, and payments-api is not one of them/,
    ],
    ['a malformed name', 'Orders_API', { AUTH_MODE: 'per-app-secret' }, 'the app name', /"Orders_API" is not a service name/],
    [
      'a mode the key file was not made for',
      'orders-api',
      { AUTH_MODE: 'shared-hs256' },
      'AUTH_MODE',
      /is shared-hs256, but the key file was made for per-app-secret/,
    ],
  ])('stop a service started with %s, in one line naming the setting', async (_name, app, env, setting, message) => {
    const folders = await writeKeyFolders(dir, await generateKeySet('per-app-secret', topology));
    const started = async () => loadKeyRing(readKeysSettings({ ...env, KEYS_DIR: folders['orders-api'] }, app));
    await expect(started()).rejects.toMatchObject({ setting, message: expect.stringMatching(message) });
  });

  it('leave an API of rs256-jwks, which holds no key file, checking the form of its name only', async () => {
    const ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: 'rs256-jwks' }, 'any-api-at-all'));
    expect({ keys: ring.keys.length, topology: ring.topology }).toEqual({ keys: 0, topology: undefined });
  });
});

describe('the workshop’s audience switch', () => {
  it('is refused alone, in one line saying what else is needed', () => {
    expect(() => readKeysSettings({ INSECURE_SKIP_AUDIENCE_CHECK: 'true' }, 'orders-api')).toThrow(
      expect.objectContaining({
        code: 'ERR_KEYS_CONFIG',
        setting: 'INSECURE_SKIP_AUDIENCE_CHECK',
        message: expect.stringContaining('ACKNOWLEDGE_INSECURE=INSECURE_SKIP_AUDIENCE_CHECK'),
      }),
    );
  });

  it('takes effect with its acknowledgement, and the acknowledgement alone changes nothing', () => {
    const acknowledged = { ACKNOWLEDGE_INSECURE: 'INSECURE_SKIP_AUDIENCE_CHECK' };
    expect(readKeysSettings({ ...acknowledged, INSECURE_SKIP_AUDIENCE_CHECK: 'true' }, 'orders-api').audienceCheck).toBe(false);
    expect(readKeysSettings(acknowledged, 'orders-api').audienceCheck).toBe(true);
  });

  it('refuses an acknowledgement of a switch that does not exist', () => {
    expect(() => readKeysSettings({ ACKNOWLEDGE_INSECURE: 'EVERYTHING' }, 'orders-api')).toThrow(
      expect.objectContaining({ setting: 'ACKNOWLEDGE_INSECURE' }),
    );
  });
});

describe('jwt-blast-radius-keys with services of one’s own', () => {
  const cli = join(__dirname, '..', 'dist', 'cli.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  let dir: string;
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: build the keys package first (npm run build)');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates one folder per service, then rotates, lists kids and modes from what the folder records', async () => {
    const generated = run(
      'generate',
      '--mode',
      'per-app-secret',
      '--issuer',
      'identity',
      '--apps',
      'identity,orders-api,billing-api',
      '--out',
      dir,
    );
    const staged = run('rotate', '--dir', dir, '--step', 'stage', '--key', 'orders-api');
    const kids = run('kids', '--dir', dir);
    const modes = run('modes', '--dir', dir);
    expect({
      generated: generated.status,
      staged: staged.status,
      kids: kids.status,
      modes: modes.status,
      folders: (await readdir(dir)).sort(),
    }).toEqual({
      generated: 0,
      staged: 0,
      kids: 0,
      modes: 0,
      folders: ['billing-api', 'identity', 'orders-api'],
    });
    expect(staged.stdout).toMatch(/^ {2}orders-api +staged: .+; promote is next$/m);
    expect(Object.keys(JSON.parse(kids.stdout) as object)).toEqual(['identity', 'orders-api', 'billing-api']);
    expect(modes.stdout).toContain(
      '| per-app-secret (these keys) | identity + orders-api + billing-api | orders-api | billing-api | HS256 |',
    );
  });

  it('refuses a --mode that disagrees with the folder, or a bad name, in one line, changing nothing', async () => {
    run('generate', '--mode', 'per-app-secret', '--issuer', 'identity', '--apps', 'identity,orders-api', '--out', dir);
    const before = await readFile(join(dir, 'orders-api', KEY_FILE_NAME), 'utf8');
    const disagreeing = run('rotate', '--dir', dir, '--step', 'stage', '--mode', 'shared-hs256');
    const badName = run('generate', '--issuer', 'identity', '--apps', 'identity,Orders', '--out', join(dir, 'other'));
    expect({ disagreeing: [disagreeing.status, disagreeing.stderr], badName: [badName.status, badName.stderr] }).toEqual({
      disagreeing: [2, `jwt-blast-radius-keys: --mode is shared-hs256, but the keys in ${dir} were made for per-app-secret\n`],
      badName: [2, expect.stringMatching(/^jwt-blast-radius-keys: --apps "Orders" is not a service name [^\n]+\n$/)],
    });
    expect(await readFile(join(dir, 'orders-api', KEY_FILE_NAME), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });
});
