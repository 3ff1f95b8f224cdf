#!/usr/bin/env node
import { once } from 'node:events';
import { MODE_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { takeConsoleScreenshot } from '../workshop/console/screenshot';
import { DEFAULT_WORKSHOP_MODE, DEFAULT_WORKSHOP_PORT, startWorkshop } from '../workshop/console/server';
import { readCommandOptions, readWholeNumberOption, runCommand, usageError } from './command';

// `npm run workshop`: the console a trainer projects. It runs its own stack (one mode at a time, fresh keys at each
// start), compromises an app at a click and fills the matrices live; it also runs the attack catalogue and the
// recovery drill. It shows secrets, so it answers only its own page on 127.0.0.1.

const USAGE = `usage: npm run workshop -- [--port <n>] [--mode <${MODE_NAMES.join('|')}>] [--screenshot <file>]
  --port        the port on 127.0.0.1 (default ${DEFAULT_WORKSHOP_PORT}; 0 for a free one)
  --mode        the mode the stack starts in (default ${DEFAULT_WORKSHOP_MODE}; the page's "Mode" control switches)
  --screenshot  instead of serving: start the console on a free port, compromise every app in --mode
                (per-app-secret unless given), save the page as a PNG in <file>, and stop

Serves the workshop console and prints its URL; Ctrl-C stops it and its stack. Its browser test and
--screenshot drive Chromium: CHROME_PATH, or the first of chromium, chromium-browser, google-chrome on PATH.`;

async function main(): Promise<number> {
  const values = readCommandOptions('workshop', USAGE, {
    port: { type: 'string' },
    mode: { type: 'string' },
    screenshot: { type: 'string' },
  });
  if (!values) return 0;
  const port = readWholeNumberOption('workshop', USAGE, '--port', values.port, { fallback: DEFAULT_WORKSHOP_PORT, min: 0, max: 65_535 });
  if (values.mode !== undefined && !(MODE_NAMES as readonly string[]).includes(values.mode)) {
    usageError('workshop', `unknown mode "${values.mode}"`, USAGE);
  }
  const mode = values.mode as ModeName | undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  if (values.screenshot !== undefined) {
    await takeConsoleScreenshot(values.screenshot, { ...(mode ? { mode } : {}), log });
    process.stdout.write(`wrote ${values.screenshot}\n`);
    return 0;
  }

  const workshop = await startWorkshop({ port, mode: mode ?? DEFAULT_WORKSHOP_MODE, log });
  process.stdout.write(`workshop console: ${workshop.url}\n(Ctrl-C stops it and its stack)\n`);
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(([name]) => String(name));
  process.stderr.write(`${signal}: stopping the console and its stack (again to stop at once)\n`);
  const again = () => process.exit(130);
  process.once('SIGINT', again).once('SIGTERM', again);
  await workshop.close();
  return 0;
}

runCommand('workshop', main);
