import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ISSUER,
  KEY_FILE_NAME,
  MODE_NAMES,
  generateKeySet,
  rotateKeyFolders,
  writeKeyFolders,
  type AppName,
} from '@jwt-blast-radius/keys';
import { writeLikeKubelet } from '@jwt-blast-radius/keys/testing';
import { findFreePorts } from '@jwt-blast-radius/process';
import { spawnLoggedService, type LoggedService } from '@jwt-blast-radius/service-kit/testing';

// The auth service in every mode, run from its build with KEYS_WATCH=true and no signal ever sent: its key
// folder is updated the way the kubelet updates a mounted Secret, or by an ordinary rename, and it follows.
const main = join(__dirname, '..', 'dist', 'main.js');
const app: AppName = 'auth-service';

describe.each(MODE_NAMES)('auth-service in %s, following its key file with KEYS_WATCH', (mode) => {
  let dir: string;
  let service: LoggedService | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'key-watch-'));
  });
  afterEach(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The keys, made in `source` (as an operator makes them), and the folder the service reads (`mount`). */
  async function start(writeMount: (text: string) => Promise<unknown>) {
    const source = join(dir, 'source');
    const mount = join(dir, 'mount');
    await mkdir(mount);
    await writeKeyFolders(source, await generateKeySet(mode));
    const sourceFile = join(source, app, KEY_FILE_NAME);
    await writeMount(await readFile(sourceFile, 'utf8'));
    const [port] = await findFreePorts(1);
    service = await spawnLoggedService(main, {
      PORT: String(port),
      AUTH_MODE: mode,
      KEYS_DIR: mount,
      KEYS_WATCH: 'true',
      ISSUER: DEFAULT_ISSUER,
    });
    const running = service;
    const health = async () => {
      const { kids, signing } = (await (await fetch(`${running.url}/health`)).json()) as { kids: string[]; signing: string[] };
      return { kids: [...kids].sort(), signing: [...signing].sort() };
    };
    /** One rotation step made in `source`, delivered by `writeMount`; resolves with the reload line it caused. */
    const deliver = async (step: 'stage' | 'promote') => {
      await rotateKeyFolders(source, mode, step);
      const reloaded = running.nextEvent('keys-reloaded');
      await writeMount(await readFile(sourceFile, 'utf8'));
      return reloaded;
    };
    return { mount, running, health, deliver };
  }

  it('trusts two kubelet updates in a row without a signal, then keeps its keys through a broken one and says why', async () => {
    const timestamped = async (mount: string) => (await readdir(mount)).filter((name) => /^\.\.\d/.test(name));
    const { mount, running, health, deliver } = await start((text) => writeLikeKubelet(join(dir, 'mount'), { [KEY_FILE_NAME]: text }));
    const pid = running.child.pid;
    expect(running.events('keys-watch')).toEqual([expect.objectContaining({ outcome: 'watching', file: join(mount, KEY_FILE_NAME) })]);
    const before = await health();

    const staged = await deliver('stage');
    const afterStage = await health();
    const foldersAfterStage = await timestamped(mount);
    const promoted = await deliver('promote');
    const afterPromote = await health();
    const foldersAfterPromote = await timestamped(mount);

    const broken = running.nextEvent('keys-reloaded');
    await writeLikeKubelet(mount, { [KEY_FILE_NAME]: '{ "keys": [' });
    const refused = await broken;

    expect(staged).toMatchObject({ outcome: 'ok', kids: expect.arrayContaining(before.kids) });
    expect(afterStage.kids).toHaveLength(before.kids.length * 2);
    expect(afterStage.signing).toHaveLength(before.signing.length);
    expect(afterStage.signing).toEqual(before.signing);
    expect(promoted).toMatchObject({ outcome: 'ok' });
    expect(afterPromote.kids).toEqual(afterStage.kids);
    expect(afterPromote.signing).not.toEqual(before.signing);
    // Each update deleted the folder of the one before.
    expect(foldersAfterStage).toHaveLength(1);
    expect(foldersAfterPromote).toHaveLength(1);
    expect(foldersAfterPromote).not.toEqual(foldersAfterStage);
    expect(refused).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^KEYS_DIR: /) });
    expect(await health()).toEqual(afterPromote);
    expect(running.child.pid).toBe(pid);
    expect(running.child.exitCode).toBeNull();
  });

  it('follows an ordinary rename over its key file', async () => {
    const mount = join(dir, 'mount');
    const { running, health, deliver } = await start(async (text) => {
      await writeFile(join(mount, 'keys.json.new'), text, { mode: 0o600 });
      await rename(join(mount, 'keys.json.new'), join(mount, KEY_FILE_NAME));
    });
    const before = await health();
    expect(await deliver('stage')).toMatchObject({ outcome: 'ok' });
    expect((await health()).kids).toHaveLength(before.kids.length * 2);
    expect(running.child.exitCode).toBeNull();
  });
});
