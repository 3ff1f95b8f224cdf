#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MODE_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { CATALOGUE } from '../catalogue/attacks';
import { formatCatalogueMarkdown, formatCatalogueTerminal, formatCatalogueVerdict } from '../catalogue/report';
import { failuresOf, runCatalogue } from '../catalogue/run';
import { DRIVERS } from '../drivers';
import { runCommand, usageError as failUsage } from './command';

const USAGE = `usage: npm run attacks -- [--mode <${MODE_NAMES.join('|')}>] [--driver <${Object.keys(DRIVERS).join('|')}>]
                          [--json <file>] [--markdown <file>]

Sends every attack of the catalogue (${CATALOGUE.length} kinds) to every service in each mode, over real HTTP to
the real stack, and prints one table per mode. Exit status: 0 when every row matches the catalogue and every
check after the run passes (services alive, the attacker's server never fetched, nothing secret in the logs),
1 when any does not (or the run itself fails), 2 for a usage error.`;

function usageError(message: string): never {
  return failUsage('attacks', message, USAGE);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        mode: { type: 'string', multiple: true },
        driver: { type: 'string', default: 'local' },
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

  const started = Date.now();
  const run = await runCatalogue({ modes, driver, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(formatCatalogueTerminal(run));
  if (values.json) await writeFile(values.json, `${JSON.stringify(run, null, 2)}\n`);
  if (values.markdown) {
    await writeFile(values.markdown, formatCatalogueMarkdown(run, ['npm run attacks --', ...process.argv.slice(2)].join(' ')));
  }
  const failures = failuresOf(run);
  if (failures.length > 0) process.stdout.write(`\nWhat differs:\n${failures.map((failure) => `  ${failure}`).join('\n')}\n`);
  process.stdout.write(`\n${formatCatalogueVerdict(run)}\n`);
  process.stderr.write(`took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return failures.length === 0 ? 0 : 1;
}

runCommand('attacks', main);
