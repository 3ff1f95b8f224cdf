import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { generateKeySet, type AppName, type JsonWebKeySet, type ModeName } from '@jwt-blast-radius/keys';
import { secretValuesOf } from '@jwt-blast-radius/keys/testing';
import { type Loot, REPO_ROOT } from '@jwt-blast-radius/stack';

jest.setTimeout(120_000);

// The built `npm run lab` command (build first: npx turbo run build), run as a user runs it: what it prints on
// stdout and stderr, and its exit status. The loot files are written here from fresh key sets, as loot holds them.
const LAB = join(REPO_ROOT, 'apps', 'lab', 'dist', 'cli', 'lab.js');
const ISSUER = 'http://127.0.0.1:3000';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function lab(args: readonly string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [LAB, ...args], { cwd: REPO_ROOT }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** A loot as `npm run lab -- loot --out` writes it, of an app holding its share of a fresh key set. */
function lootOf(app: AppName, mode: ModeName, set: JsonWebKeySet): Loot {
  const keysDir = `/keys/${app}`;
  return {
    app,
    source: 'pid 4242',
    env: { AUTH_MODE: mode, ISSUER, KEYS_DIR: keysDir, PATH: '/usr/bin' },
    files: [{ path: `${keysDir}/keys.json`, text: JSON.stringify(set) }],
  };
}

describe('npm run lab', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  let perApp: Record<AppName, JsonWebKeySet>;
  let secrets: string[];

  beforeAll(async () => {
    if (!existsSync(LAB)) throw new Error(`${LAB} is not built: run npx turbo run build first`);
    dir = await mkdtemp(join(tmpdir(), 'lab-cli-'));
    perApp = await generateKeySet('per-app-secret');
    const rs = await generateKeySet('rs256-jwks');
    secrets = [...secretValuesOf(perApp['auth-service']), ...secretValuesOf(rs['auth-service'])];
    await writeFile(file('dashboard.json'), JSON.stringify(lootOf('dashboard-api', 'per-app-secret', perApp['dashboard-api'])));
    await writeFile(file('issuer.json'), JSON.stringify(lootOf('auth-service', 'per-app-secret', perApp['auth-service'])));
    await writeFile(file('verifier.json'), JSON.stringify(lootOf('mobile-api', 'rs256-jwks', rs['mobile-api'])));
    await writeFile(file('not-loot.json'), JSON.stringify({ keys: perApp['auth-service'].keys }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('forges a token the key verifies, printing only the token on stdout and what it claims, and a curl line, on stderr', async () => {
    const run = await lab([
      'forge',
      '--with',
      file('dashboard.json'),
      '--sub',
      'admin',
      '--roles',
      'admin,auditor',
      '--roles',
      'user',
      '--aud',
      'dashboard-api',
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const [secret] = perApp['dashboard-api'].keys;
    const { payload, protectedHeader } = await jwtVerify(run.stdout.trim(), await importJWK(secret!, 'HS256'), {
      issuer: ISSUER,
      audience: 'dashboard-api',
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toBe(secret!.kid);
    expect(payload).toMatchObject({ sub: 'admin', roles: ['admin', 'auditor', 'user'] });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^forged an HS256 token with kid ${secret!.kid}: aud dashboard-api, sub admin, roles admin,auditor,user, exp \\S+Z \\(in 5 min\\)$`,
        ),
      ),
      expect.stringMatching(/^curl -si -H "authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:\d+\/dashboard\/admin$/),
      '',
    ]);
  });

  it('signs with the key --kid names, and warns of a lifetime the services refuse', async () => {
    const kid = perApp['auth-service'].keys.find((jwk) => jwk.kid!.startsWith('mobile-api.'))!.kid!;
    const run = await lab([
      'forge',
      '--with',
      file('issuer.json'),
      '--sub',
      'x',
      '--roles',
      'admin',
      '--aud',
      'mobile-api',
      '--kid',
      kid,
      '--ttl',
      '3600',
    ]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`kid ${kid}: aud mobile-api`);
    expect(run.stderr).toContain('a lifetime of 3600 s, over the 900 s the services accept');
  });

  it('decodes a token from stdin, and says it verified nothing', async () => {
    const forged = await lab(['forge', '--with', file('dashboard.json'), '--sub', 'admin', '--roles', 'admin', '--aud', 'mobile-api']);
    const run = await lab(['decode', '-'], forged.stdout);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('"aud": "mobile-api"');
    expect(run.stdout).toMatch(/ {2}exp {2}\S+Z {2}\(expires in 5 min\)/);
    expect(run.stdout).toContain('decoding verifies nothing');
    expect(run.stdout).not.toContain(forged.stdout.trim().split('.')[2]);
  });

  it.each<[string, number, string[], string | RegExp]>([
    [
      'an unknown command',
      2,
      ['steal'],
      'lab: unknown command "steal"; the commands are loot, forge, decode, check, start, reload, demo, attacks, drill, detect, bench, workshop, docs (npm run lab -- --help)',
    ],
    ['an unknown option', 2, ['loot', '--app', 'mobile-api', '--all'], 'lab: loot: unknown option "--all" (npm run lab -- loot --help)'],
    ['loot without --app', 2, ['loot', '--reveal'], 'lab: loot: --app is missing (npm run lab -- loot --help)'],
    [
      'loot of an unknown app',
      2,
      ['loot', '--app', 'billing-api'],
      'lab: loot: --app "billing-api" is not an app; the apps are auth-service, dashboard-api, mobile-api (npm run lab -- loot --help)',
    ],
    [
      'forge without --with',
      2,
      ['forge', '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'],
      'lab: forge: --with is missing (npm run lab -- forge --help)',
    ],
    [
      'forge without --roles',
      2,
      ['forge', '--with', 'x', '--sub', 'a', '--aud', 'mobile-api'],
      'lab: forge: --roles is missing (npm run lab -- forge --help)',
    ],
    [
      'a loot file that is not there',
      2,
      ['forge', '--with', '/nonexistent/loot.json', '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'],
      'lab: cannot read the loot file /nonexistent/loot.json: no such file or folder',
    ],
    [
      'a file that is not a loot file',
      2,
      ['forge', '--with', '<dir>/not-loot.json', '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'],
      /^lab: \S+not-loot\.json is not a loot file: expected the JSON npm run lab -- loot --out <file> writes \(app, source, env, files\)$/,
    ],
    [
      'a loot that holds nothing that signs',
      2,
      ['forge', '--with', '<dir>/verifier.json', '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'],
      'lab: the loot of mobile-api (pid 4242) holds nothing that signs: in rs256-jwks, mobile-api holds no secret or private key, so it can only verify',
    ],
    [
      'a loot that holds several keys that sign, and no --kid',
      2,
      ['forge', '--with', '<dir>/issuer.json', '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'],
      /^lab: the loot of auth-service holds 3 keys that sign \(auth-service\.\w{8}, dashboard-api\.\w{8}, mobile-api\.\w{8}\): name one with --kid$/,
    ],
    ['decode without a token', 2, ['decode'], 'lab: decode: give the token, or - to read it from stdin (npm run lab -- decode --help)'],
    [
      'decode of something that is not a JWT',
      2,
      ['decode', 'secret-looking.value'],
      'lab: not a JWT: 2 parts where a JWS has three, separated by dots',
    ],
  ])('refuses %s: exit status %i, one line', async (_case, status, args, line) => {
    const run = await lab(args.map((arg) => arg.replace('<dir>', dir)));
    expect({ status: run.status, stdout: run.stdout, lines: run.stderr.split('\n').length }).toEqual({ status, stdout: '', lines: 2 });
    expect(run.stderr.trimEnd()).toEqual(typeof line === 'string' ? line : expect.stringMatching(line));
    expect(secrets.filter((secret) => run.stderr.includes(secret))).toEqual([]);
    expect(run.stderr).not.toContain('secret-looking');
  });

  it('never quotes a token given where it does not belong', async () => {
    const forged = (
      await lab(['forge', '--with', file('dashboard.json'), '--sub', 'a', '--roles', 'admin', '--aud', 'mobile-api'])
    ).stdout.trim();
    const runs = await Promise.all([
      lab(['forge', forged]),
      lab(['loot', '--app', forged]),
      lab([forged]),
      lab(['decode', forged, forged]),
    ]);
    expect(runs.map((run) => run.status)).toEqual([2, 2, 2, 2]);
    for (const run of runs) expect(run.stderr).not.toContain(forged);
  });

  it('prints the usage of each command with --help, the hand tools and the others alike, and its own with none', async () => {
    const runs = await Promise.all([
      lab(['loot', '--help']),
      lab(['forge', '-h']),
      lab(['decode', '--help']),
      lab(['--help']),
      lab([]),
      lab(['demo', '--help']),
      lab(['drill', '--help']),
    ]);
    expect(runs.map((run) => [run.status, run.stdout.split('\n')[0]])).toEqual([
      [0, 'usage: npm run lab -- loot --app <app> [--compose] [--reveal] [--out <file>]'],
      [0, 'usage: npm run -s lab -- forge --with <loot file> --sub <subject> --roles <role,...> --aud <app>'],
      [0, 'usage: npm run lab -- decode <token | ->'],
      [0, 'usage: npm run lab -- <command> [options]'],
      [2, ''],
      [0, expect.stringMatching(/^usage: npm run demo -- /)],
      [0, expect.stringMatching(/^usage: npm run drill -- /)],
    ]);
    expect(runs[4].stderr.split('\n')[0]).toBe('usage: npm run lab -- <command> [options]');
  });
});
