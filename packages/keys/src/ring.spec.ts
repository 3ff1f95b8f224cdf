import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeysSettings } from './config';
import { KeysError } from './errors';
import { generateKeySet } from './generate';
import { writeKeyFolders, type JsonWebKeySet } from './keyset';
import { loadKeyRing } from './ring';

describe('loading an app key ring at start-up', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-ring-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function folderWith(mode: string, app: 'auth-service' | 'dashboard-api' | 'mobile-api', set?: JsonWebKeySet) {
    const material = await generateKeySet(mode);
    const folders = await writeKeyFolders(dir, set ? { ...material, [app]: set } : material);
    return folders[app]!;
  }

  async function failure(env: Record<string, string>, app: 'auth-service' | 'dashboard-api' | 'mobile-api') {
    try {
      await loadKeyRing(readKeysSettings(env, app));
    } catch (error) {
      if (error instanceof KeysError) return { code: error.code, setting: error.setting };
      throw error;
    }
    return undefined;
  }

  it('loads every key the mode gives the app', async () => {
    const folder = await folderWith('per-app-secret', 'auth-service');
    const ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: 'per-app-secret', KEYS_DIR: folder }, 'auth-service'));
    expect(ring.keys.map((key) => key.name)).toEqual(['auth-service', 'dashboard-api', 'mobile-api']);
  });

  it('loads a key file named by KEYS_FILE', async () => {
    const folder = await folderWith('shared-hs256', 'mobile-api');
    const ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: 'shared-hs256', KEYS_FILE: join(folder, 'keys.json') }, 'mobile-api'));
    expect(ring.keys).toHaveLength(1);
  });

  it('needs nothing for an API in rs256-jwks', async () => {
    const ring = await loadKeyRing(readKeysSettings({ AUTH_MODE: 'rs256-jwks' }, 'dashboard-api'));
    expect(ring.keys).toEqual([]);
  });

  it.each([
    ['an unknown mode', { AUTH_MODE: 'hs-everything' }, 'dashboard-api', 'ERR_KEYS_UNKNOWN_MODE', 'AUTH_MODE'],
    ['no key folder', { AUTH_MODE: 'shared-hs256' }, 'dashboard-api', 'ERR_KEYS_MISSING', 'KEYS_DIR'],
    [
      'a key file that is not there',
      { AUTH_MODE: 'shared-hs256', KEYS_FILE: '/nonexistent/keys.json' },
      'mobile-api',
      'ERR_KEYS_MISSING',
      'KEYS_FILE',
    ],
    ['an ISSUER that is not a URL', { ISSUER: 'issuer' }, 'mobile-api', 'ERR_KEYS_CONFIG', 'ISSUER'],
    [
      'a switch that is neither true nor false',
      { INSECURE_SKIP_AUDIENCE_CHECK: 'yes' },
      'mobile-api',
      'ERR_KEYS_CONFIG',
      'INSECURE_SKIP_AUDIENCE_CHECK',
    ],
  ] as const)('refuses %s', async (_name, env, app, code, setting) => {
    expect(await failure(env, app)).toEqual({ code, setting });
  });

  describe('the JWKS URL an API of rs256-jwks fetches', () => {
    const load = (env: Record<string, string>) => loadKeyRing(readKeysSettings({ AUTH_MODE: 'rs256-jwks', ...env }, 'dashboard-api'));

    it.each([
      ['https anywhere', { JWKS_URL: 'https://issuer.example/.well-known/jwks.json' }],
      ['plain http on loopback', { JWKS_URL: 'http://127.0.0.1:3000/.well-known/jwks.json' }],
      ['plain http to localhost', { ISSUER: 'http://localhost:3000' }],
      ['plain http to [::1]', { JWKS_URL: 'http://[::1]:3000/.well-known/jwks.json' }],
      [
        'plain http to another host where TLS ends elsewhere',
        { JWKS_URL: 'http://auth-service:3000/.well-known/jwks.json', TLS_ENDS_ELSEWHERE: 'true' },
      ],
    ])('accepts %s', async (_name, env) => {
      await expect(load(env)).resolves.toMatchObject({ keys: [] });
    });

    it.each([
      ['JWKS_URL', { JWKS_URL: 'http://auth-service:3000/.well-known/jwks.json' }],
      ['ISSUER, from which the JWKS URL comes', { ISSUER: 'http://issuer.example' }],
      ['JWKS_URL, with TLS_ENDS_ELSEWHERE off', { JWKS_URL: 'http://10.0.0.7/jwks', TLS_ENDS_ELSEWHERE: 'false' }],
    ])('refuses plain http to another host in %s, naming JWKS_URL and never quoting the whole URL', async (_name, env) => {
      const refused = await load(env).catch((error: unknown) => error as KeysError);
      expect(refused).toMatchObject({ code: 'ERR_KEYS_CONFIG', setting: 'JWKS_URL' });
      expect((refused as KeysError).message).toMatch(
        /^is plain http to [^/]+: whoever answers there can sign for this service; use https, or set TLS_ENDS_ELSEWHERE=true/,
      );
    });

    it('does not apply to the issuer, which fetches nothing', async () => {
      const folder = await folderWith('rs256-jwks', 'auth-service');
      const ring = await loadKeyRing(
        readKeysSettings({ AUTH_MODE: 'rs256-jwks', KEYS_DIR: folder, ISSUER: 'http://auth-service:3000' }, 'auth-service'),
      );
      expect(ring.keys).toHaveLength(1);
    });
  });

  it('refuses an HS secret under 256 bits', async () => {
    const weak = { keys: [{ kty: 'oct', k: 'c2hvcnQtc2VjcmV0LTEyOA', kid: 'shared.00000001', alg: 'HS256' }] };
    const folder = await folderWith('shared-hs256', 'mobile-api', weak);
    expect(await failure({ AUTH_MODE: 'shared-hs256', KEYS_DIR: folder }, 'mobile-api')).toEqual({
      code: 'ERR_KEYS_WEAK_SECRET',
      setting: 'KEYS_DIR',
    });
  });

  it('refuses private key material handed to a verify-only app in rs256-jwks', async () => {
    const material = await generateKeySet('rs256-jwks');
    const folder = await folderWith('rs256-jwks', 'dashboard-api', material['auth-service']);
    expect(await failure({ AUTH_MODE: 'rs256-jwks', KEYS_DIR: folder }, 'dashboard-api')).toEqual({
      code: 'ERR_KEYS_PRIVATE_KEY_FORBIDDEN',
      setting: 'KEYS_DIR',
    });
  });

  it("refuses another app's secret in per-app-secret", async () => {
    const material = await generateKeySet('per-app-secret');
    const folder = await folderWith('per-app-secret', 'dashboard-api', material['auth-service']);
    expect(await failure({ AUTH_MODE: 'per-app-secret', KEYS_DIR: folder }, 'dashboard-api')).toEqual({
      code: 'ERR_KEYS_UNEXPECTED_KEY',
      setting: 'KEYS_DIR',
    });
  });

  it('refuses a key file that is not JSON, without quoting it', async () => {
    const file = join(dir, 'keys.json');
    await writeFile(file, 'k=supersecretvalue');
    const error = await loadKeyRing(readKeysSettings({ AUTH_MODE: 'shared-hs256', KEYS_FILE: file }, 'mobile-api')).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'ERR_KEYS_INVALID' });
    expect(String((error as Error).message)).not.toContain('supersecretvalue');
  });
});
