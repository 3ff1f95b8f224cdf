#!/usr/bin/env node
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  APP_NAMES,
  DEFAULT_MODE,
  describeStartupError,
  generateKeySet,
  getMode,
  KeysError,
  type AppName,
  type ModeName,
} from '@jwt-blast-radius/keys';
import {
  followLines,
  REPO_ROOT,
  startLocalStack,
  readableLogLine,
  LOGS_DIR,
  removeStackRecord,
  stackFileOf,
  writeStackRecord,
  type RecordedService,
} from '@jwt-blast-radius/stack';
import { isPortFree } from '@jwt-blast-radius/process';
import { ROUTES } from '../targets';

// `npm start`: the three services on their usual ports, in one mode, with a fresh key set, and what they
// log (access decisions, logins, JWKS fetches, key reloads) as readable lines. While it runs, .logs/stack.json
// records what it runs, for `npm run reload`.
const PORTS = { 'auth-service': 3000, 'dashboard-api': 3001, 'mobile-api': 3002 } as const;
const KEYS_ROOT = join(REPO_ROOT, '.keys');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, insecure: { type: 'string' } } });
  if (values.insecure !== undefined && values.insecure !== 'no-audience-check') {
    throw new Error(`unknown --insecure "${values.insecure}"; the one there is: no-audience-check`);
  }
  const mode = getMode(values.mode ?? process.env.AUTH_MODE ?? DEFAULT_MODE, values.mode ? '--mode' : 'AUTH_MODE');
  for (const app of APP_NAMES) {
    if (!(await isPortFree(PORTS[app]))) {
      throw new Error(`127.0.0.1:${PORTS[app]} (${app}) is in use: is another stack running? (docker-compose down stops the containers)`);
    }
  }
  const keysDir = join(KEYS_ROOT, mode.name);
  await rm(keysDir, { recursive: true, force: true });
  console.log(`mode ${mode.name}: ${mode.summary}`);
  console.log(`fresh keys in ${relative(process.cwd(), keysDir)} (one folder per app, each holding only its own keys)`);
  console.log(`logs in ${relative(process.cwd(), LOGS_DIR)}/<app>.jsonl, one JSON line per event`);

  const stack = await startLocalStack({
    mode: mode.name as ModeName,
    material: await generateKeySet(mode.name),
    keysDir,
    logsDir: LOGS_DIR,
    ports: PORTS,
    insecure: values.insecure !== undefined,
  });
  const stackFile = stackFileOf(process.env);
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await removeStackRecord(stackFile);
    await stack.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));
  await writeStackRecord(stackFile, {
    mode: mode.name as ModeName,
    keysDir,
    pid: process.pid,
    services: Object.fromEntries(
      APP_NAMES.map((app) => [app, { pid: stack.services[app].child.pid!, url: stack.urls[app], logFile: stack.logFiles[app] }]),
    ) as Record<AppName, RecordedService>,
  });
  console.log('');
  for (const app of APP_NAMES) {
    const { pid } = stack.services[app].child;
    console.log(
      `  ${app.padEnd(14)} http://127.0.0.1:${PORTS[app]}   ${ROUTES[app].user}, ${ROUTES[app].admin}   docs: /docs   pid ${pid}`,
    );
  }
  console.log("\nlog in: curl -s 127.0.0.1:3000/auth/login -H 'content-type: application/json' \\");
  console.log('          -d \'{"username":"alice","password":"wonderland-alice","audience":"dashboard-api"}\'');
  console.log('npm run reload, in another terminal, makes all three read their keys again (after npm run keys -- rotate, say).');
  console.log('Ctrl-C stops all three.\n');
  for (const app of APP_NAMES) {
    followLines(stack.logFiles[app], 0, (line) => showLogLine(app, line));
    stack.services[app].child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`${app} exited (${signal ?? `status ${code}`}); stopping the others`);
      void stopAll().then(() => process.exit(1));
    });
  }
}

/** Shows one line of a service's log as `npm start` does: an event or a warning as one readable line. */
function showLogLine(app: string, line: string): void {
  const shown = readableLogLine(line);
  if (shown !== undefined) console.log(`${app.padEnd(14)} ${shown}`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof KeysError ? describeStartupError('start', error) : `start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
