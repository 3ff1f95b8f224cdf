import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// The package as an architect takes it: packed, installed from its tarball in a fresh app outside the
// workspace (its own committed lockfile, test/fresh-app), the README's two snippets compiled there under strict
// TypeScript with names of the app's own, and run as real processes over real HTTP in every mode.

const PACKAGE = join(__dirname, '..');
const README = readFileSync(join(PACKAGE, 'README.md'), 'utf8');
const ISSUER = 'identity';
const PASSWORD = randomBytes(12).toString('base64url');

/** A snippet of the package README, between its markers. */
function snippet(name: 'api' | 'issuer'): string {
  const found = new RegExp(`<!-- ${name}-snippet:start[^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}-snippet:end -->`).exec(
    README,
  );
  if (!found) throw new Error(`the package README has no ${name} snippet`);
  return found[1]!;
}

/** The API snippet as the service `name` would write it: the same code, its own name. */
function apiNamed(name: string): string {
  const source = snippet('api');
  const renamed = source.replace("const APP = 'orders-api';", `const APP = '${name}';`);
  if (renamed === source && name !== 'orders-api') throw new Error("the API snippet no longer names itself with const APP = 'orders-api'");
  return renamed;
}

function run(command: string, args: readonly string[], cwd: string): string {
  const { status, stdout, stderr } = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${status}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return stdout;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
}

/** Starts a compiled file of the fresh app on `port` and waits until `healthPath` answers 200, or the process ends. */
async function start(
  app: string,
  file: string,
  env: Readonly<Record<string, string>>,
  healthPath: string,
  port?: number,
): Promise<Running> {
  port ??= await freePort();
  const child = spawn(process.execPath, [join('dist', `${file}.js`)], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), FRESH_APP_PASSWORD: PASSWORD, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  // Only a service that never answers reaches this: it stops a hang, never judges how fast a service starts.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${file} did not answer ${healthPath} at ${url}: ${stderr.trim()}`);
    }
    const ok = await fetch(`${url}${healthPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { url, child, stderr: () => stderr };
    await sleep(100);
  }
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  await exited;
}

/** Runs a compiled file that must refuse to start: its exit status and what it wrote on stderr. */
async function refusal(
  app: string,
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join('dist', `${file}.js`)], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

/** What one API answers: an admin token, a token without the role, a token for another audience, no token. */
async function answersOf(issuer: string, api: { name: string; url: string }, other: string) {
  const token = async (username: string, audience: string) => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD, audience }),
    });
    if (!response.ok) throw new Error(`the issuer answered ${response.status} to ${username}'s login for ${audience}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const call = async (bearer: string | undefined) => {
    const response = await fetch(`${api.url}/orders/admin`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const challenge = response.headers.get('www-authenticate');
    return {
      status: response.status,
      ...(challenge ? { challenge: challenge.split(',')[0] } : {}),
      body: response.ok ? await response.json() : undefined,
    };
  };
  return {
    admin: await call(await token('admin', api.name)),
    withoutRole: await call(await token('alice', api.name)),
    otherAudience: await call(await token('admin', other)),
    noToken: await call(undefined),
  };
}

function expectedAnswers(api: string) {
  const realm = `Bearer realm="${api}"`;
  return {
    admin: { status: 200, body: { hello: 'admin' } },
    withoutRole: { status: 403, challenge: realm, body: undefined },
    otherAudience: { status: 401, challenge: realm, body: undefined },
    noToken: { status: 401, challenge: realm, body: undefined },
  };
}

const FIVE_APIS = ['orders-api', 'billing-api', 'stock-api', 'search-api', 'mail-api'];

describe('the keys package, packed and installed in a fresh app with names of its own', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'keys-package-'));
    app = join(work, 'fresh-app');
    cpSync(join(PACKAGE, 'test', 'fresh-app'), app, { recursive: true });
    const tarball = join(work, run('npm', ['pack', '--silent', '--pack-destination', work], PACKAGE).trim().split('\n').pop()!);
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    run('npm', ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
    writeFileSync(join(app, 'src', 'issuer.ts'), snippet('issuer'));
    for (const name of [...FIVE_APIS, 'payments-api', 'Orders_API']) writeFileSync(join(app, 'src', `${name}.ts`), apiNamed(name));
    run('npm', ['run', 'build', '--silent'], app);
  }, 600_000);
  afterAll(() => rm(work, { recursive: true, force: true }));

  const generate = (mode: string, apis: readonly string[]) => {
    const keys = join(work, `keys-${mode}-${apis.length}`);
    run(
      join(app, 'node_modules', '.bin', 'jwt-blast-radius-keys'),
      ['generate', '--mode', mode, '--issuer', ISSUER, '--apps', [ISSUER, ...apis].join(','), '--out', keys],
      app,
    );
    return keys;
  };

  describe.each([
    ['per-app-secret', FIVE_APIS.slice(0, 1)],
    ['per-app-secret', FIVE_APIS],
    ['shared-hs256', FIVE_APIS.slice(0, 2)],
    ['rs256-jwks', FIVE_APIS.slice(0, 2)],
  ])('%s with %j', (mode, apis) => {
    const running: Running[] = [];
    let issuer: Running;
    const services: { name: string; url: string }[] = [];

    beforeAll(async () => {
      const keys = generate(mode, apis);
      const issuerPort = await freePort();
      const common = { AUTH_MODE: mode, ISSUER: `http://127.0.0.1:${issuerPort}` };
      issuer = await start(
        app,
        'issuer',
        { ...common, KEYS_DIR: join(keys, ISSUER) },
        '/.well-known/oauth-authorization-server',
        issuerPort,
      );
      running.push(issuer);
      for (const name of apis) {
        const api = await start(app, name, { ...common, KEYS_DIR: join(keys, name) }, '/orders/health');
        running.push(api);
        services.push({ name, url: api.url });
      }
    }, 300_000);
    afterAll(() => Promise.all(running.map(stop)));

    it('lets each API take an admin token for itself (200), and refuse one without the role (403), one for another service and none at all (401)', async () => {
      for (const api of services) {
        const other = apis.find((name) => name !== api.name) ?? ISSUER;
        expect({ api: api.name, ...(await answersOf(issuer.url, api, other)) }).toEqual({ api: api.name, ...expectedAnswers(api.name) });
      }
    });

    it("serves the issuer's RFC 8414 metadata from the package, naming its token endpoint, and its JWKS where the mode publishes one", async () => {
      const metadata = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      const jwks = await fetch(`${issuer.url}/.well-known/jwks.json`);
      expect({ token: metadata.token_endpoint, jwksUri: metadata.jwks_uri, jwks: jwks.status }).toEqual({
        token: `${issuer.url}/token`,
        jwksUri: mode === 'rs256-jwks' ? `${issuer.url}/.well-known/jwks.json` : undefined,
        jwks: mode === 'rs256-jwks' ? 200 : 404,
      });
    });

    it('never quotes a token or a password on stderr', () => {
      expect(running.map((service) => service.stderr()).filter((text) => text.includes(PASSWORD) || /eyJ[\w-]+\.eyJ/.test(text))).toEqual(
        [],
      );
    });
  });

  it('stops a service with a malformed name, or one the key file does not list, in one line naming the setting', async () => {
    const keys = generate('per-app-secret', ['orders-api']);
    const env = { AUTH_MODE: 'per-app-secret', KEYS_DIR: join(keys, 'orders-api') };
    expect({ malformed: await refusal(app, 'Orders_API', env), unlisted: await refusal(app, 'payments-api', env) }).toEqual({
      malformed: {
        status: 1,
        stderr: expect.stringMatching(/^Orders_API: the app name: "Orders_API" is not a service name [^\n]+ \(ERR_KEYS_CONFIG\)\n$/),
      },
      unlisted: {
        status: 1,
        stderr:
          'payments-api: KEYS_DIR: the key file was made for identity, orders-api, and payments-api is not one of them (ERR_KEYS_CONFIG)\n',
      },
    });
  });
});
