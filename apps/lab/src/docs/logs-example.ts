import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_NAMES, generateKeySet, type AppName } from '@jwt-blast-radius/keys';
import { fetchWithin } from '@jwt-blast-radius/process';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { startLocalStack, readableLogLine } from '@jwt-blast-radius/stack';
import { harvestToken } from '../demo/probes';
import { ROUTES } from '../targets';

/** One line of a service's log, as it wrote it. */
export interface LoggedLine {
  readonly app: AppName;
  readonly line: string;
}

/** The events the example shows: one of each kind a session of `npm start` writes, and the last line of a service. */
const SHOWN = new Set(['login', 'token-issued', 'jwks-fetch', 'access', 'keys-reloaded', 'stopped']);

/** The longest the example waits for a service to log its reload. */
const RELOAD_WAIT_MS = 60_000;

/**
 * The example session of docs/logs.md, on a real stack in rs256-jwks: alice logs in for dashboard-api, calls its
 * summary and its admin route, then mobile-api with the same token and with none; dashboard-api gets SIGHUP; the
 * stack stops. Answers with the lines of those events, in the order they were logged.
 *
 * @example
 * const lines = await runLogsExample();
 */
export async function runLogsExample(): Promise<LoggedLine[]> {
  const dir = await mkdtemp(join(tmpdir(), 'blast-radius-logs-'));
  try {
    {
      // Stopped at the end of this block, before its logs are read whole.
      await using stack = await startLocalStack({
        mode: 'rs256-jwks',
        material: await generateKeySet('rs256-jwks'),
        keysDir: join(dir, 'keys'),
        logsDir: join(dir, 'logs'),
      });
      const token = await harvestToken(stack.urls['auth-service'], 'dashboard-api');
      const call = async (app: AppName, route: string, bearer?: string) => {
        const response = await fetchWithin(10_000, `${stack.urls[app]}${route}`, {
          headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        });
        await response.arrayBuffer();
      };
      await call('dashboard-api', ROUTES['dashboard-api'].user, token);
      await call('dashboard-api', ROUTES['dashboard-api'].admin, token);
      await call('mobile-api', ROUTES['mobile-api'].user, token);
      await call('mobile-api', ROUTES['mobile-api'].user);
      process.kill(stack.services['dashboard-api'].child.pid!, 'SIGHUP');
      await waitForEvent(stack.logFiles['dashboard-api'], 'keys-reloaded');
    }
    const lines: (LoggedLine & { time: number })[] = [];
    for (const app of APP_NAMES) {
      for (const line of (await readFile(join(dir, 'logs', `${app}.jsonl`), 'utf8')).split('\n')) {
        const entry = parseLogLine(line);
        if (!entry?.event || !SHOWN.has(entry.event)) continue;
        // One service's last line is enough to show how a service stops.
        if (entry.event === 'stopped' && app !== 'dashboard-api') continue;
        lines.push({ app, line, time: entry.time });
      }
    }
    return lines.sort((a, b) => a.time - b.time).map(({ app, line }) => ({ app, line }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitForEvent(logFile: string, event: string): Promise<void> {
  const deadline = Date.now() + RELOAD_WAIT_MS;
  while (!(await readFile(logFile, 'utf8')).split('\n').some((line) => parseLogLine(line)?.event === event)) {
    if (Date.now() > deadline) throw new Error(`${logFile} logged no ${event} event within ${RELOAD_WAIT_MS / 1000} s`);
    await sleep(20);
  }
}

/**
 * The example as docs/logs.md shows it: the JSON lines, then what `npm start` showed of them.
 *
 * @example
 * formatLogsExample(await runLogsExample());
 */
export function formatLogsExample(lines: readonly LoggedLine[]): string {
  const readable = lines.flatMap(({ app, line }) => {
    const shown = readableLogLine(line);
    return shown === undefined ? [] : [`${app.padEnd(14)} ${shown}`];
  });
  return [
    'Lines from a run (alice logs in for dashboard-api, calls its summary and its admin route, then',
    'mobile-api with the same token and with none; then dashboard-api gets SIGHUP, and the stack stops), as',
    '`npm run docs` ran it on a real stack in rs256-jwks:',
    '',
    '```json',
    ...lines.map(({ line }) => line),
    '```',
    '',
    'and what `npm start` shows of them:',
    '',
    '```console',
    ...readable,
    '```',
    '',
  ].join('\n');
}

/**
 * The example with what changes from run to run made alike (times, ids, kids, durations), for the test that
 * compares docs/logs.md with a fresh run.
 *
 * @example
 * normalizeLogsExample(formatLogsExample(lines));
 */
export function normalizeLogsExample(text: string): string {
  return text
    .replace(/"time":\d+/g, '"time":0')
    .replace(/"exp":\d+/g, '"exp":0')
    .replace(/"ms":\d+/g, '"ms":0')
    .replace(/\b\d+ ms\b/g, '0 ms')
    .replace(/\d\d:\d\d:\d\d UTC/g, '00:00:00 UTC')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b(issuer|shared|auth-service|dashboard-api|mobile-api)\.[0-9a-f]{8}\b/g, '$1.<kid>')
    .replace(/\b[0-9a-f]{8}-[0-9a-z]+\b/g, '<reqId>');
}
