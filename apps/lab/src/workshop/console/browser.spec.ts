import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './browser';

// Where the console's test and --screenshot look for Chromium, on folders made for the test: whatever the machine has.
describe('finding Chromium', () => {
  let dir: string;
  const executable = async (folder: string, name: string, mode = 0o755) => {
    await mkdir(join(dir, folder), { recursive: true });
    await writeFile(join(dir, folder, name), '#!/bin/sh\n');
    await chmod(join(dir, folder, name), mode);
    return join(dir, folder, name);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'find-chromium-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the first of chromium, chromium-browser and google-chrome on PATH, in that order of names', async () => {
    const chrome = await executable('a', 'google-chrome');
    const ubuntu = await executable('b', 'chromium-browser');
    const PATH = [join(dir, 'a'), join(dir, 'b')].join(':');
    expect(findChromium({ PATH })).toBe(ubuntu);
    expect(findChromium({ PATH: join(dir, 'a') })).toBe(chrome);
  });

  it('skips a file that is not executable, and finds none on a PATH without one', async () => {
    await executable('c', 'chromium', 0o644);
    expect(findChromium({ PATH: join(dir, 'c') })).toBeUndefined();
    expect(findChromium({})).toBeUndefined();
  });

  it('takes CHROME_PATH first, and refuses one that names no executable file', async () => {
    const own = await executable('d', 'my-chrome');
    const debian = await executable('e', 'chromium');
    expect(findChromium({ CHROME_PATH: own, PATH: join(dir, 'e') })).toBe(own);
    expect(findChromium({ PATH: join(dir, 'e') })).toBe(debian);
    expect(() => findChromium({ CHROME_PATH: join(dir, 'nothing-here') })).toThrow(
      /^CHROME_PATH is .*nothing-here, which is not an executable file$/,
    );
  });
});
