import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES, type AppName } from '@jwt-blast-radius/keys';
import { findFreePorts } from '@jwt-blast-radius/process';
import { REPO_ROOT } from '@jwt-blast-radius/stack';
import { MACHINE_CHECKS, checkMachine, formatMachineCheck, machineReady, type CheckResult, type MachineCheckOptions } from './check';

jest.setTimeout(120_000);

// `npm run lab -- check` on this machine, with what a participant's machine may lack given instead: another Node.js, no
// Linux, a port taken, an unbuilt clone, no curl, no Docker. The ports are free ones, never npm start's own.
describe('the workshop machine check', () => {
  let ports: Record<AppName, number>;
  let empty: string;
  const check = (options: MachineCheckOptions = {}) => checkMachine({ ports, commands: { docker: 'no-such-docker' }, ...options });
  const line = (results: CheckResult[], name: string) => {
    const found = results.find((result) => result.name === name);
    return found && `${found.status} ${found.detail}`;
  };

  beforeAll(async () => {
    const free = await findFreePorts(APP_NAMES.length);
    ports = Object.fromEntries(APP_NAMES.map((app, i) => [app, free[i]!])) as Record<AppName, number>;
    empty = await mkdtemp(join(tmpdir(), 'check-'));
    await writeFile(join(empty, 'package.json'), JSON.stringify({ engines: { node: '>=20.19' } }));
  });

  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('passes the required checks on this machine, and prints one line per check and a verdict', async () => {
    const results = await check({ commands: { curl: process.execPath, docker: 'no-such-docker' } });
    expect(results.map(({ name, status }) => [name, status])).toEqual([
      ['Node.js', 'ok'],
      ['Linux /proc', 'ok'],
      ["npm start's ports", 'ok'],
      ['workspace built', 'ok'],
      ['curl', 'ok'],
      ['Docker (optional)', 'skip'],
    ]);
    expect(machineReady(results)).toBe(true);
    const lines = formatMachineCheck(results).trimEnd().split('\n');
    expect(lines).toHaveLength(MACHINE_CHECKS.length + 1);
    expect(lines[0]).toBe(`ok    Node.js: v${process.versions.node} (the workspace needs >=20.19)`);
    expect(lines.at(-1)).toBe('ready for the workshop: every required check passed (Docker (optional): not needed by any exercise)');
  });

  it.each([
    ['20.19.0', 'ok'],
    ['20.20.2', 'ok'],
    ['22.1.0', 'ok'],
    ['20.18.3', 'FAIL'],
    ['18.20.4', 'FAIL'],
  ])('takes Node.js %s as %s against engines >=20.19', async (nodeVersion, status) => {
    expect(line(await check({ nodeVersion }), 'Node.js')).toMatch(new RegExp(`^${status} v${nodeVersion.replaceAll('.', '\\.')}`));
  });

  it('fails without Linux, or without a /proc to read, saying what to do', async () => {
    expect(line(await check({ platform: 'darwin' }), 'Linux /proc')).toBe(
      "FAIL this is darwin, not Linux: loot reads a process's environment from /proc/<pid>/environ; use a Linux machine, VM or " +
        "container (WSL 2 on Windows), or follow on the trainer's console",
    );
    expect(line(await check({ procRoot: join(empty, 'proc') }), 'Linux /proc')).toMatch(/^FAIL no .*\/proc\/<pid>\/environ here/);
  });

  it('fails when something listens on a port npm start needs, naming the port and the app, and binds none itself', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(ports['dashboard-api'], '127.0.0.1', resolve));
    try {
      const results = await check();
      expect(line(results, "npm start's ports")).toMatch(new RegExp(`^FAIL ${ports['dashboard-api']} \\(dashboard-api\\) is taken: `));
      expect(machineReady(results)).toBe(false);
      expect(formatMachineCheck(results).trimEnd().split('\n').at(-1)).toBe('not ready for the workshop: 1 check failed (FAIL above)');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(line(await check(), "npm start's ports")).toBe(`ok 127.0.0.1:${APP_NAMES.map((app) => ports[app]).join(', ')} are free`);
  });

  it('fails for a clone that is not built, naming the first missing file', async () => {
    expect(line(await check({ root: empty }), 'workspace built')).toMatch(
      /^FAIL apps\/auth-service\/dist\/main\.js and \d+ more missing: run npm install, then npx turbo run build$/,
    );
  });

  it('fails without curl, and only skips without Docker', async () => {
    const results = await check({ commands: { curl: 'no-such-curl', docker: 'no-such-docker' } });
    expect(line(results, 'curl')).toBe('FAIL not found: the exercises send their requests with curl (apt-get install curl)');
    expect(line(results, 'Docker (optional)')).toBe(
      'skip not installed; no exercise needs it (only docker-compose up and --driver compose do)',
    );
  });

  it('is what npm run lab -- check prints, with exit status 0 when ready and 1 when not', async () => {
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [join(REPO_ROOT, 'apps', 'lab', 'dist', 'cli', 'lab.js'), 'check'], (_error, stdout) =>
        resolve({ status: child.exitCode, stdout }),
      );
    });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((printed) => /^(ok|FAIL|skip) {2,}([^:]+):/.exec(printed)?.[2])).toEqual(
      MACHINE_CHECKS.map(({ name }) => name),
    );
    expect(run.status).toBe(lines.some((printed) => printed.startsWith('FAIL')) ? 1 : 0);
  });
});
