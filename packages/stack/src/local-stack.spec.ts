import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES, generateKeySet } from '@jwt-blast-radius/keys';
import { isHealthy } from '@jwt-blast-radius/process';
import { startLocalStack } from './local-stack';
import { isProcessRunning } from './stack-record';

describe('a local stack', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-stack-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops every service when the block that holds it ends, with await using', async () => {
    const mode = 'per-app-secret';
    let pids: number[];
    let urls: string[];
    {
      await using stack = await startLocalStack({
        mode,
        material: await generateKeySet(mode),
        keysDir: join(dir, 'keys'),
        logsDir: join(dir, 'logs'),
      });
      pids = APP_NAMES.map((app) => stack.services[app].child.pid!);
      urls = APP_NAMES.map((app) => stack.urls[app]);
      expect(await Promise.all(urls.map((url) => isHealthy(url)))).toEqual([true, true, true]);
    }
    expect(pids.filter((pid) => isProcessRunning(pid))).toEqual([]);
    expect(await Promise.all(urls.map((url) => isHealthy(url)))).toEqual([false, false, false]);
  });
});
