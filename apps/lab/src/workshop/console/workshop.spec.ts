import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { APP_NAMES, getMode, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { isPortFree } from '@jwt-blast-radius/process';
import type { Browser, Page } from 'playwright-core';
import { EXPECTED } from '../../demo/expected';
import { NO_CHROMIUM, compromiseApp, findChromium, launchChromium, pickMode, readMatrixRow, waitUntilReady } from './browser';
import type { WorkshopView } from './view';

// The console as a user runs it: the built command on a free port, driven by a real browser.

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli', 'workshop.js');
const MODE: ModeName = 'per-app-secret';

// Without Chromium this test skips, saying so in one line; with REQUIRE_BROWSER=1 (as in CI) it fails instead,
// as the container tests do with REQUIRE_DOCKER=1.
const browserFound = findChromium(process.env) !== undefined;
const browserRequired = process.env.REQUIRE_BROWSER === '1';
if (!browserFound && !browserRequired)
  process.stderr.write(`console test skipped: ${NO_CHROMIUM} (REQUIRE_BROWSER=1 makes this a failure)\n`);
const describeWithBrowser = browserFound || browserRequired ? describe : describe.skip;

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with exactly the headers given (fetch would not send a foreign Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Starts the built command and answers the URL it prints. */
async function startCli(): Promise<{ child: ChildProcess; url: URL }> {
  await access(CLI).catch(() => {
    throw new Error(`${CLI} is missing: build first (npx turbo run build)`);
  });
  const child = spawn(process.execPath, [CLI, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const found = /^workshop console: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout);
      if (found) resolve(new URL(found[1]!));
    });
    child.once('exit', (code) => reject(new Error(`the console exited (${code}) before printing its URL: ${stderr.trim()}`)));
  });
  return { child, url };
}

describeWithBrowser('the workshop console (npm run workshop)', () => {
  let browser: Browser | undefined;
  let cli: ChildProcess | undefined;
  let url: URL;
  let port: number;
  let page: Page;
  const own = () => ({ host: url.host, origin: url.origin, 'content-type': 'application/json' });
  const state = async () => JSON.parse((await raw(port, 'GET', '/api/state', { host: url.host })).body) as WorkshopView;

  beforeAll(async () => {
    browser = await launchChromium();
    ({ child: cli, url } = await startCli());
    port = Number(url.port);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url.href);
    await pickMode(page, MODE);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (cli && cli.exitCode === null) {
      // SIGTERM first: the console stops its stack; a SIGKILL would leave the services running.
      const exited = once(cli, 'exit');
      cli.kill('SIGTERM');
      const timer = global.setTimeout(() => cli?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }, 120_000);

  it('switches to the mode picked with the "Mode" control and draws the keys each service holds in it', async () => {
    await expect(page.getByLabel('Mode', { exact: true }).inputValue()).resolves.toBe(MODE);
    const picture = page.getByRole('img', { name: new RegExp(`^Keys in ${MODE}:`) });
    const holdings = getMode(MODE).holdings;
    for (const app of APP_NAMES) {
      const keys = picture.locator(`[data-app="${app}"] [data-held]`);
      const held = await Promise.all((await keys.all()).map((key) => key.getAttribute('data-held')));
      expect({ app, held }).toEqual({ app, held: [...holdings[app]] });
      const texts = await keys.allTextContents();
      for (const [i, key] of holdings[app].entries()) expect(texts[i]).toContain(key);
    }
  });

  it.each(APP_NAMES)(
    'fills the %s row of "Blast radius" and "Replay" with the real answers, as expected',
    async (compromised: AppName) => {
      await compromiseApp(page, compromised);
      const expected = EXPECTED.secure[MODE];
      const forge = await readMatrixRow(page, 'Blast radius', compromised);
      const replay = await readMatrixRow(page, 'Replay', compromised);
      for (const target of APP_NAMES) {
        const outcome = (accepted: boolean | undefined) => (accepted ? 'accepted 200' : 'refused 401');
        expect({ target, forge: forge[target] }).toEqual({
          target,
          forge: expect.stringContaining(`${outcome(expected.forge[compromised][target])} ✓ as expected`),
        });
        expect({ target, replay: replay[target] }).toEqual({
          target,
          replay: target === compromised ? '—' : expect.stringContaining(`${outcome(expected.replay[compromised][target])} ✓ as expected`),
        });
      }
    },
    120_000,
  );

  it('shows a compromised app’s secret only once "reveal" is clicked', async () => {
    const answer = await raw(port, 'POST', '/api/reveal', own(), JSON.stringify({ app: 'dashboard-api' }));
    expect(answer.status).toBe(200);
    const secret = (JSON.parse(answer.body) as { keys: { members: [string, string][] }[] }).keys[0]!.members[0]![1];
    expect(await page.locator('body').innerText()).not.toContain(secret);
    const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: /^dashboard-api/ }) });
    await card.getByRole('button', { name: 'reveal' }).click();
    await card.getByText(secret).waitFor();
  });

  it('offers the attack catalogue and the recovery drill', async () => {
    await expect(page.getByRole('button', { name: 'Run the attack catalogue' }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Run the recovery drill' }).isEnabled()).resolves.toBe(true);
  });

  it('answers its own page with headers that keep it private', async () => {
    const answer = await raw(port, 'GET', '/', { host: url.host });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it.each([
    ['a foreign Host', 'GET', { host: `evil.example:${'PORT'}` }],
    ['a foreign Host naming another address', 'GET', { host: '127.0.0.2:PORT' }],
    ['a foreign Origin', 'GET', { host: 'HOST', origin: 'http://evil.example' }],
    ['a foreign Origin on a POST', 'POST', { host: 'HOST', origin: 'http://evil.example', 'content-type': 'application/json' }],
    ['a POST without Origin', 'POST', { host: 'HOST', 'content-type': 'application/json' }],
    ['a cross-site fetch', 'GET', { host: 'HOST', 'sec-fetch-site': 'cross-site' }],
  ])('refuses %s with a plain-text 403', async (_what, method, template: Record<string, string>) => {
    const headers = Object.fromEntries(
      Object.entries(template).map(([name, value]) => [name, value.replace('HOST', url.host).replace('PORT', String(port))]),
    );
    const path = method === 'POST' ? '/api/compromise' : '/api/state';
    const answer = await raw(port, method, path, headers, method === 'POST' ? JSON.stringify({ app: 'mobile-api' }) : undefined);
    expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status: 403, type: 'text/plain; charset=utf-8' });
    expect(answer.body).not.toContain('"loot"');
  });

  it('restarts without the audience check when "Skip the audience check" is ticked, and expects what that variant accepts', async () => {
    const mode: ModeName = 'shared-hs256';
    await pickMode(page, mode);
    await page.getByLabel('Skip the audience check').check();
    await waitUntilReady(page);
    await expect(page.getByText('Misconfigured: every service runs with').isVisible()).resolves.toBe(true);
    await compromiseApp(page, 'mobile-api');
    const replay = await readMatrixRow(page, 'Replay', 'mobile-api');
    const expected = EXPECTED['no-audience-check'][mode].replay['mobile-api'];
    expect(replay).toEqual({
      'auth-service': expect.stringContaining(`${expected['auth-service'] ? 'accepted 200' : 'refused 401'} ✓ as expected`),
      'dashboard-api': expect.stringContaining(`${expected['dashboard-api'] ? 'accepted 200' : 'refused 401'} ✓ as expected`),
      'mobile-api': '—',
    });
  }, 300_000);

  it('refuses a second long operation while one runs, with a 409', async () => {
    const first = await raw(port, 'POST', '/api/stack', own(), JSON.stringify({ mode: MODE, insecure: false }));
    const second = await raw(port, 'POST', '/api/compromise', own(), JSON.stringify({ app: 'mobile-api' }));
    expect([first.status, second.status]).toEqual([202, 409]);
    for (let view = await state(); view.busy !== undefined || view.stack.state !== 'running'; view = await state()) {
      await setTimeout(100);
    }
  }, 300_000);

  it('stops its stack and exits on SIGTERM', async () => {
    const view = await state();
    const ports = Object.values(view.stack.urls ?? {}).map((service) => Number(new URL(service).port));
    expect(ports).toHaveLength(APP_NAMES.length);
    cli!.kill('SIGTERM');
    const [code] = (await once(cli!, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(await Promise.all([port, ...ports].map((free) => isPortFree(free)))).toEqual([port, ...ports].map(() => true));
  }, 120_000);
});
