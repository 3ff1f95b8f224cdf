import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { APP_NAMES, generateKeySet } from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { fetchWithin } from '@jwt-blast-radius/process';
import { startLocalStack, collectKeyFiles, parseEnviron, signingKeysIn, REPO_ROOT } from '@jwt-blast-radius/stack';
import { harvestToken } from '../demo/probes';
import { FORGED_IDENTITY, ROUTES } from '../targets';
import { detectForgedTokens, type Detection } from './detect';
import { readLogFolder } from './read';

jest.setTimeout(120_000);

const DETECT = join(REPO_ROOT, 'apps', 'lab', 'dist', 'cli', 'detect.js');

/** Runs the built `npm run detect` command: its exit status and what it printed. */
function runDetect(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [DETECT, ...args], { cwd: REPO_ROOT }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

describe('npm run detect on the logs of a real stack in shared-hs256: alice’s call, and two tokens forged with dashboard-api’s secret', () => {
  let dir: string;
  let logsDir: string;
  let aliceJti: string;
  let forgedJti: string;
  let statuses: number[];
  let detection: Detection;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'detect-'));
    logsDir = join(dir, 'logs');
    const stack = await startLocalStack({
      mode: 'shared-hs256',
      material: await generateKeySet('shared-hs256'),
      keysDir: join(dir, 'keys'),
      logsDir,
    });
    try {
      const dashboard = stack.urls['dashboard-api'];
      const call = async (route: string, token: string) =>
        (await fetchWithin(10_000, `${dashboard}${route}`, { headers: { authorization: `Bearer ${token}` } })).status;

      const alice = await harvestToken(stack.urls['auth-service'], 'dashboard-api');
      aliceJti = decodeJwt(alice).jti!;

      // What the lab takes from dashboard-api: its environment, and the key files it points to.
      const env = parseEnviron(await readFile(`/proc/${stack.services['dashboard-api'].child.pid}/environ`, 'utf8'));
      const hostFiles = { list: (path: string) => readdir(path), read: (path: string) => readFile(path, 'utf8') };
      const [secret] = signingKeysIn({ app: 'dashboard-api', source: 'test', env, files: await collectKeyFiles(env, hostFiles) });
      const claims = { iss: env.ISSUER, aud: 'dashboard-api', ...FORGED_IDENTITY, roles: [...FORGED_IDENTITY.roles] };
      const forged = await signWithJwk(secret!, accessTokenClaims(claims));
      forgedJti = decodeJwt(forged).jti!;
      const reused = await signWithJwk(secret!, accessTokenClaims({ ...claims, jti: aliceJti }));

      statuses = [
        await call(ROUTES['dashboard-api'].user, alice),
        await call(ROUTES['dashboard-api'].admin, forged),
        await call(ROUTES['dashboard-api'].admin, reused),
      ];
    } finally {
      // Each service writes out every line before it ends.
      await stack.stop();
    }
    detection = detectForgedTokens((await readLogFolder(logsDir, APP_NAMES)).logs);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has dashboard-api accept alice’s call and both forged tokens', () => {
    expect(statuses).toEqual([200, 200, 200]);
  });

  it('flags exactly the two forged tokens: the fresh jti never issued, alice’s jti issued to another sub', () => {
    expect(detection.flagged.map(({ service, route, sub, jti, findings }) => ({ service, route, sub, jti, findings }))).toEqual([
      { service: 'dashboard-api', route: 'GET /dashboard/admin', sub: 'admin', jti: forgedJti, findings: ['unknown-jti'] },
      { service: 'dashboard-api', route: 'GET /dashboard/admin', sub: 'admin', jti: aliceJti, findings: ['sub-differs'] },
    ]);
    expect(detection.flagged[1]?.why).toBe('sub admin, issued to alice');
    expect(detection.issued).toBe(1);
    expect(detection.counts).toEqual({
      'auth-service': { accepted: 0, forbidden: 0, flagged: 0 },
      'dashboard-api': { accepted: 3, forbidden: 0, flagged: 2 },
      'mobile-api': { accepted: 0, forbidden: 0, flagged: 0 },
    });
  });

  it('prints them, writes them as JSON and exits with status 1', async () => {
    const json = join(dir, 'detect.json');
    const { status, stdout } = await runDetect('--logs', logsDir, '--json', json);
    expect(status).toBe(1);
    expect(stdout).toContain('2 requests flagged');
    for (const jti of [forgedJti, aliceJti]) expect(stdout).toContain(jti);
    const written = JSON.parse(await readFile(json, 'utf8'));
    expect(written).toEqual({ ...JSON.parse(JSON.stringify(detection)), skippedLines: 0 });
  });

  it('exits with status 0 when the logs hold alice’s call alone', async () => {
    const clean = join(dir, 'without-the-forgeries');
    await mkdir(clean);
    for (const app of APP_NAMES) {
      const lines = (await readFile(join(logsDir, `${app}.jsonl`), 'utf8')).split('\n');
      await writeFile(join(clean, `${app}.jsonl`), lines.filter((line) => !line.includes(ROUTES['dashboard-api'].admin)).join('\n'));
    }
    const { status, stdout } = await runDetect('--logs', clean);
    expect(status).toBe(0);
    expect(stdout).toContain('Nothing flagged');
  });

  it('exits with status 2 for a usage error or logs it cannot read, and 0 for --help', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const runs = await Promise.all([
      runDetect('--logs', empty),
      runDetect('--logs', logsDir, '--compose'),
      runDetect('--no-such-option'),
      runDetect('--help'),
    ]);
    expect(runs.map((run) => run.status)).toEqual([2, 2, 2, 0]);
    expect(runs[0]?.stderr).toContain('cannot read the logs');
    expect(runs[3]?.stdout).toContain('exit status: 0 when nothing is flagged, 1 when a request is flagged');
  });
});
