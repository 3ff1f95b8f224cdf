import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_ISSUER,
  KEY_FILE_NAME,
  generateKeySet,
  readFolderKids,
  rotateKeyFolders,
  waitForReplicas,
  writeKeyFolders,
  type AppName,
  type ReplicaState,
} from '@jwt-blast-radius/keys';
import { writeLikeKubelet } from '@jwt-blast-radius/keys/testing';
import { findFreePorts } from '@jwt-blast-radius/process';
import { spawnLoggedService, type LoggedService } from '@jwt-blast-radius/service-kit/testing';

// Three replicas of the auth service stand in for three pods, each following its own copy of the mounted Secret
// (KEYS_WATCH=true), which the kubelet of each node updates on its own schedule. A rotation step is safe only once
// every replica holds it: the wait reads each replica's /health, and no signal is ever sent.
const main = join(__dirname, '..', 'dist', 'main.js');
const cli = join(require.resolve('@jwt-blast-radius/keys'), '..', 'cli.js');
const app: AppName = 'auth-service';
const mode = 'per-app-secret';

describe('a rotation across replicas that no one signals', () => {
  let dir: string;
  const replicas: LoggedService[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replicas-'));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for the last replica to take each step, then goes on', async () => {
    const source = join(dir, 'source');
    await writeKeyFolders(source, await generateKeySet(mode));
    const mounts = [0, 1, 2].map((i) => join(dir, `pod-${i}`));
    /** The kubelet of pod i delivers the Secret as the source folder holds it now. */
    const deliver = async (i: number) =>
      writeLikeKubelet(mounts[i]!, { [KEY_FILE_NAME]: await readFile(join(source, app, KEY_FILE_NAME), 'utf8') });
    const ports = await findFreePorts(3);
    for (const [i, port] of ports.entries()) {
      await deliver(i);
      replicas.push(
        await spawnLoggedService(main, {
          PORT: String(port),
          AUTH_MODE: mode,
          KEYS_DIR: mounts[i]!,
          KEYS_WATCH: 'true',
          ISSUER: DEFAULT_ISSUER,
        }),
      );
    }
    const targets = replicas.map((replica) => ({ app, url: replica.url }));

    // Stage: two pods get the new Secret; the wait goes on until the third has it too.
    await rotateKeyFolders(source, mode, 'stage');
    let seenTwoOfThree!: () => void;
    const twoOfThree = new Promise<void>((resolve) => (seenTwoOfThree = resolve));
    const rounds: ReplicaState[][] = [];
    let settled = false;
    const staged = waitForReplicas(targets, await readFolderKids(source, mode), {
      timeoutMs: 120_000,
      intervalMs: 100,
      onRound: (states) => {
        rounds.push([...states]);
        if (states.map((state) => state.problem === undefined).join() === 'true,true,false') seenTwoOfThree();
      },
    }).finally(() => (settled = true));
    await deliver(0);
    await deliver(1);
    await twoOfThree;
    expect(settled).toBe(false);
    await deliver(2);
    expect((await staged).map((state) => state.problem)).toEqual([undefined, undefined, undefined]);
    expect(rounds[0]!.filter((state) => state.problem !== undefined)).toHaveLength(3);

    // Promote, waited for with the command a user runs against the pods' /health.
    await rotateKeyFolders(source, mode, 'promote');
    for (const i of [2, 0, 1]) await deliver(i);
    const replicaArgs = targets.flatMap((target) => ['--replica', `${target.app}=${target.url}`]);
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'wait', '--dir', source, ...replicaArgs, '--timeout', '120']);
    expect(stdout).toBe(`every replica holds what ${source} gives its service (${mode})\n`);
    const signing = await Promise.all(
      replicas.map(async (replica) => ((await (await fetch(`${replica.url}/health`)).json()) as { signing: string[] }).signing),
    );
    expect(new Set(signing.map((kids) => kids.join()))).toHaveProperty('size', 1);

    // No replica was restarted or signalled: each took both steps by following its folder.
    for (const replica of replicas) {
      expect(replica.events('keys-reloaded').map((line) => line.outcome)).toEqual(['ok', 'ok']);
      expect(replica.child.exitCode).toBeNull();
    }
  });

  it("does not wait for an API that fetches the issuer's JWKS, and says so", async () => {
    const folder = join(dir, 'rs256');
    await writeKeyFolders(folder, await generateKeySet('rs256-jwks'));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      cli,
      'wait',
      '--dir',
      folder,
      '--replica',
      'dashboard-api=http://127.0.0.1:9',
      '--timeout',
      '5',
    ]);
    expect(stderr).toContain("not waiting for http://127.0.0.1:9: dashboard-api fetches the issuer's JWKS");
    expect(stdout).toBe(`every replica holds what ${folder} gives its service (rs256-jwks)\n`);
  });
});
