import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES, KEY_FILE_NAME, generateKeySet, rotateKeyFolders, type AppName } from '@jwt-blast-radius/keys';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { startLocalStack, type LocalStack } from './local-stack';
import { formatReload, reloadStack } from './reload';
import type { StackRecord } from './stack-record';

// `npm run reload`'s waiting, against the three services running as npm start runs them, in rs256-jwks: the
// APIs fetch the issuer's JWKS, so they must reload after it.
const mode = 'rs256-jwks';
const TIMEOUT_MS = 60_000;

describe('reloading a running stack', () => {
  let dir: string;
  let stack: LocalStack;
  let record: StackRecord;
  const keysDir = () => join(dir, 'keys');
  const reloadLines = async () =>
    Object.fromEntries(
      await Promise.all(
        APP_NAMES.map(async (app) => {
          const lines = (await readFile(stack.logFiles[app], 'utf8')).split('\n').map(parseLogLine);
          return [app, lines.filter((line) => line?.event === 'keys-reloaded').length];
        }),
      ),
    ) as Record<AppName, number>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reload-'));
    stack = await startLocalStack({ mode, material: await generateKeySet(mode), keysDir: keysDir(), logsDir: join(dir, 'logs') });
    const services = Object.fromEntries(
      APP_NAMES.map((app) => [app, { pid: stack.services[app].child.pid!, url: stack.urls[app], logFile: stack.logFiles[app] }]),
    ) as StackRecord['services'];
    record = { mode, keysDir: keysDir(), pid: process.pid, services };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves once every service reports the kids the key files give it, the issuer signing with its current one', async () => {
    const staged = await rotateKeyFolders(keysDir(), mode, 'stage');
    const reloaded = await reloadStack(record, { timeoutMs: TIMEOUT_MS });
    const { kid: fresh } = staged['auth-service']!.rotation!.issuer!;
    const both = staged['auth-service']!.keys.map((jwk) => jwk.kid!);
    const current = both.find((kid) => kid !== fresh)!;
    const sorted = (kids: readonly string[] | undefined) => kids && [...kids].sort();

    expect(reloaded.map(({ app, trusted, signing }) => ({ app, trusted: sorted(trusted), signing }))).toEqual([
      { app: 'auth-service', trusted: sorted(both), signing: [current] },
      { app: 'dashboard-api', trusted: sorted(both), signing: undefined },
      { app: 'mobile-api', trusted: sorted(both), signing: undefined },
    ]);
    expect(formatReload(record, reloaded).split('\n').slice(1, 3)).toEqual([
      expect.stringMatching(/^ {2}app +trusts +signs with$/),
      expect.stringMatching(new RegExp(`^  auth-service +(${both.join('|')}), (${both.join('|')}) +${current}$`)),
    ]);
  }, 120_000);

  it('signals no service when a key folder does not load, and says which and why', async () => {
    const before = await reloadLines();
    const misplaced = join(keysDir(), 'dashboard-api', KEY_FILE_NAME);
    await copyFile(join(keysDir(), 'auth-service', KEY_FILE_NAME), misplaced);
    const refusal = await reloadStack(record, { timeoutMs: TIMEOUT_MS }).catch((error: Error) => error.message);
    await rm(misplaced);

    expect({ refusal, lines: await reloadLines() }).toEqual({
      refusal: expect.stringMatching(
        /^the key files do not load, so no service was signalled: dashboard-api: KEYS_DIR: holds private key material .*\(ERR_KEYS_PRIVATE_KEY_FORBIDDEN\)$/,
      ),
      lines: before,
    });
  }, 120_000);

  it('fails with one line when a service reports no reload in time, or when the stack has stopped', async () => {
    const silent = join(dir, 'silent.jsonl');
    await writeFile(silent, '');
    const unheard = { ...record, services: { ...record.services, 'mobile-api': { ...record.services['mobile-api'], logFile: silent } } };
    // Long enough for every other service to report, so that the one that cannot is the one named.
    const late = await reloadStack(unheard, { timeoutMs: 15_000 }).catch((error: Error) => error.message);
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    const stopped = await reloadStack({ ...record, pid: ended }, { timeoutMs: TIMEOUT_MS }).catch((error: Error) => error.message);

    expect({ late, stopped }).toEqual({
      late: `mobile-api did not report a reload before the time ran out (pid ${record.services['mobile-api'].pid})`,
      stopped: `the stack npm start ran (pid ${ended}) has stopped; start one with npm start`,
    });
  }, 120_000);
});
