#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MODE_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { DRIVERS } from '../drivers';
import type { Variant } from '../expected';
import { mismatches, runLab } from '../lab';
import { formatMarkdown, formatTerminal, formatVerdict } from '../report';
import { runCommand, usageError as failUsage } from './command';

const USAGE = `usage: npm run demo -- [--mode <${MODE_NAMES.join('|')}>] [--driver <${Object.keys(DRIVERS).join('|')}>]
                       [--insecure no-audience-check] [--json <file>] [--markdown <file>]

Starts the stack in each mode, compromises each app, forges and replays tokens against every service,
and prints the blast-radius matrices. Exit status: 0 when every cell matches the expected table,
1 when any does not (or the run itself fails), 2 for a usage error.`;

function usageError(message: string): never {
  return failUsage('demo', message, USAGE);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        mode: { type: 'string', multiple: true },
        driver: { type: 'string', default: 'local' },
        insecure: { type: 'string' },
        json: { type: 'string' },
        markdown: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const modes = (values.mode ?? MODE_NAMES) as ModeName[];
  for (const mode of modes) if (!MODE_NAMES.includes(mode)) usageError(`unknown mode "${mode}"`);
  const driver = DRIVERS[values.driver] ?? usageError(`unknown driver "${values.driver}"`);
  let variant: Variant = 'secure';
  if (values.insecure !== undefined) {
    if (values.insecure !== 'no-audience-check') usageError(`unknown --insecure "${values.insecure}"; the one there is: no-audience-check`);
    variant = values.insecure;
  }

  const started = Date.now();
  const probes = await runLab({ modes, driver, variant, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(formatTerminal(probes));
  if (values.json) await writeFile(values.json, `${JSON.stringify(probes, null, 2)}\n`);
  if (values.markdown) {
    await writeFile(values.markdown, formatMarkdown(probes, ['npm run demo --', ...process.argv.slice(2)].join(' ')));
  }
  process.stdout.write(`\n${formatVerdict(probes)}\n`);
  process.stderr.write(`took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return mismatches(probes).length === 0 ? 0 : 1;
}

runCommand('demo', main);
