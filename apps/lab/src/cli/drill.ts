#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { APP_NAMES, MODE_NAMES, isAppName, type AppName } from '@jwt-blast-radius/keys';
import { formatDrillMarkdown, formatDrillTerminal } from '../drill/report';
import { runDrills } from '../drill/run';
import { DOCS_REPORTS } from '../docs/pages';
import { DRIVERS, REPO_ROOT } from '@jwt-blast-radius/stack';
import { DEFAULT_DRIVER, readCommandOptions, readDriver, readModes, runCommand, usageError } from './command';

const USAGE = `usage: npm run drill -- [--mode <${MODE_NAMES.join('|')}>] [--compromised <${APP_NAMES.join('|')}>]
                        [--driver <${Object.keys(DRIVERS).join('|')}>] [--json <file>] [--markdown <file>]

For each mode and compromised app (every one unless picked; both options repeat), runs the stack with
three users calling every service, compromises the app as the lab does, lets an attacker forge and
replay, runs the detection over the logs, then the mode's playbook live (stage, promote, retire, every
service reloading after each step), and prints what recovery changed and cost.
--driver compose runs each drill on the compose stack (ports 3000-3002): each step in a one-shot keygen
container, the services reloaded with SIGHUP, never recreated.
Exit status: 0 when every drill went as expected, 1 when any did not (or the run failed), 2 for a
usage error.`;

async function main(): Promise<number> {
  const values = readCommandOptions('drill', USAGE, {
    mode: { type: 'string', multiple: true },
    compromised: { type: 'string', multiple: true },
    driver: { type: 'string', default: DEFAULT_DRIVER },
    json: { type: 'string' },
    markdown: { type: 'string' },
  });
  if (!values) return 0;
  const modes = readModes('drill', USAGE, values.mode);
  const unknown = values.compromised?.find((app) => !isAppName(app));
  if (unknown !== undefined) usageError('drill', `unknown app "${unknown}"`, USAGE);
  const compromised = values.compromised ? ([...new Set(values.compromised)] as AppName[]) : APP_NAMES;
  const driver = readDriver('drill', USAGE, values.driver);

  const started = Date.now();
  const records = await runDrills({ modes, compromised, driver, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(formatDrillTerminal(records));
  if (values.json) await writeFile(values.json, `${JSON.stringify(records, null, 2)}\n`);
  if (values.markdown) {
    const command = ['npm run drill --', ...process.argv.slice(2)].join(' ');
    const blastRadius = relative(dirname(resolve(values.markdown)), join(REPO_ROOT, DOCS_REPORTS.secure));
    await writeFile(values.markdown, formatDrillMarkdown(records, command, blastRadius));
  }
  process.stderr.write(`took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return records.every((record) => record.failures.length === 0) ? 0 : 1;
}

runCommand('drill', main);
