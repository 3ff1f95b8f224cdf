import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_NAMES,
  KEY_FILE_NAME,
  MODE_NAMES,
  generateKeySet,
  isPrivateJwk,
  writeKeyFolders,
  type AppName,
  type JsonWebKeySet,
} from '@jwt-blast-radius/keys';
import { signingKeysIn } from '../loot';
import { startLocalStack, type LocalStack } from '../local-stack';
import { composeSettingsOf, createComposeNetworkDriver } from './compose-network';

jest.setTimeout(120_000);

// The driver the lab's container uses, pointed at local processes instead of compose names: their key folders,
// one per app under one root, are laid out as the key volumes are under /keygen in the lab's container.
describe.each(MODE_NAMES)('the compose-network driver, in %s', (mode) => {
  let dir: string;
  let stack: LocalStack;
  let material: Record<AppName, JsonWebKeySet>;
  const progress: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compose-network-'));
    material = await generateKeySet(mode);
    stack = await startLocalStack({ mode, material, keysDir: join(dir, 'keys'), logsDir: join(dir, 'logs') });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const driver = () => createComposeNetworkDriver({ keysRoot: join(dir, 'keys'), urls: stack.urls, issuer: 'http://localhost:3000' });

  it('runs only the mode the key files record', async () => {
    expect(await driver().modes!()).toEqual([mode]);
    const other = MODE_NAMES.find((candidate) => candidate !== mode)!;
    await expect(driver().start(other, { insecure: false, progress: () => {} })).rejects.toThrow(
      `the stack's keys were made for ${mode}, not ${other}`,
    );
  });

  it("reads, for each compromised app, only that app's folder and the settings compose gives it", async () => {
    const running = await driver().start(mode, { insecure: false, progress: (line) => progress.push(line) });
    for (const app of APP_NAMES) {
      const loot = await running.compromise(app);
      expect(loot.env).toEqual(composeSettingsOf(app, mode, 'http://localhost:3000'));
      expect(loot.files.map((file) => file.path)).toEqual(material[app].keys.length > 0 ? [join(dir, 'keys', app, KEY_FILE_NAME)] : []);
      expect(signingKeysIn(loot).map((jwk) => jwk.kid)).toEqual(material[app].keys.filter(isPrivateJwk).map((jwk) => jwk.kid));
    }
    await running.stop();
    expect(progress).toContain(`waiting until ${APP_NAMES.map((app) => stack.urls[app]).join(', ')} answer /health`);
    // It leaves the stack running.
    expect((await fetch(`${stack.urls['auth-service']}/health`)).ok).toBe(true);
  });

  it('cannot rotate keys or signal the services, and says why', async () => {
    const running = await driver().start(mode, { insecure: false, progress: () => {} });
    await expect(running.keys.rotate('stage', 'shared')).rejects.toThrow(
      /cannot rotate keys: the lab's container mounts the keys read-only/,
    );
    expect('logs' in running).toBe(false);
  });
});

describe('the compose-network driver with no stack', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compose-network-none-'));
    for (const app of APP_NAMES) await mkdir(join(dir, app));
  });

  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('says to start the stack when the key volumes are empty', async () => {
    await expect(createComposeNetworkDriver({ keysRoot: dir }).modes!()).rejects.toThrow(
      `no key files under ${dir}: start the stack first (docker compose up -d), then run the lab`,
    );
  });

  it('says to start the stack when the services do not answer', async () => {
    const keysRoot = join(dir, 'keys');
    const material = await generateKeySet('per-app-secret');
    const unused = { 'auth-service': 'http://127.0.0.1:9', 'dashboard-api': 'http://127.0.0.1:9', 'mobile-api': 'http://127.0.0.1:9' };
    await writeKeyFolders(keysRoot, material);
    const driver = createComposeNetworkDriver({ keysRoot, urls: unused, waitMs: 1_000 });
    await expect(driver.start('per-app-secret', { insecure: false, progress: () => {} })).rejects.toThrow(
      'auth-service (http://127.0.0.1:9), dashboard-api (http://127.0.0.1:9), mobile-api (http://127.0.0.1:9) did not answer /health within 1 s: is the stack up? (docker compose up -d)',
    );
  });
});
