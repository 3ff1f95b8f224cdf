#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { CATALOGUE } from '../attacks/catalogue';
import { formatCatalogueMarkdown, formatCatalogueTerminal, formatCatalogueVerdict } from '../attacks/report';
import { failuresOf, runCatalogue } from '../attacks/run';
import { DRIVERS } from '@jwt-blast-radius/stack';
import { readStackRunOptions, runCommand } from './command';

const USAGE = `usage: npm run attacks -- [--mode <${MODE_NAMES.join('|')}>] [--driver <${Object.keys(DRIVERS).join('|')}>]
                          [--json <file>] [--markdown <file>]

Sends every attack of the catalogue (${CATALOGUE.length} kinds) to every service in each mode, over real HTTP to
the real stack, and prints one table per mode. In the lab's container (docker compose run --rm lab attacks) the
driver is compose-network: the stack already up, in the mode its keys were made for. Exit status: 0 when every row matches the catalogue and every
check after the run passes (services alive, the attacker's server never fetched, nothing secret in the logs),
1 when any does not (or the run itself fails), 2 for a usage error.`;

async function main(): Promise<number> {
  const options = await readStackRunOptions('attacks', USAGE);
  if (!options) return 0;
  const { modes, driver } = options;

  const started = Date.now();
  const run = await runCatalogue({ modes, driver, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(formatCatalogueTerminal(run));
  if (options.json) await writeFile(options.json, `${JSON.stringify(run, null, 2)}\n`);
  if (options.markdown) {
    await writeFile(options.markdown, formatCatalogueMarkdown(run, ['npm run attacks --', ...process.argv.slice(2)].join(' ')));
  }
  const failures = failuresOf(run);
  if (failures.length > 0) process.stdout.write(`\nWhat differs:\n${failures.map((failure) => `  ${failure}`).join('\n')}\n`);
  process.stdout.write(`\n${formatCatalogueVerdict(run)}\n`);
  process.stderr.write(`took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return failures.length === 0 ? 0 : 1;
}

runCommand('attacks', main);
