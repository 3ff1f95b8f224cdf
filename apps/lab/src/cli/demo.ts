#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { DRIVERS } from '@jwt-blast-radius/stack';
import type { Variant } from '../demo/expected';
import { mismatches, runDemo } from '../demo/run';
import { formatMarkdown, formatTerminal, formatVerdict } from '../demo/report';
import { readStackRunOptions, runCommand, usageError } from './command';

const USAGE = `usage: npm run demo -- [--mode <${MODE_NAMES.join('|')}>] [--driver <${Object.keys(DRIVERS).join('|')}>]
                       [--insecure no-audience-check] [--json <file>] [--markdown <file>]

Starts the stack in each mode, compromises each app, forges and replays tokens against every service,
and prints the blast-radius matrices. Exit status: 0 when every cell matches the expected table,
1 when any does not (or the run itself fails), 2 for a usage error.`;

async function main(): Promise<number> {
  const options = await readStackRunOptions('demo', USAGE, { insecure: true });
  if (!options) return 0;
  const { modes, driver } = options;
  let variant: Variant = 'secure';
  if (options.insecure !== undefined) {
    if (options.insecure !== 'no-audience-check') {
      usageError('demo', `unknown --insecure "${options.insecure}"; the one there is: no-audience-check`, USAGE);
    }
    variant = options.insecure;
  }

  const started = Date.now();
  const probes = await runDemo({ modes, driver, variant, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(formatTerminal(probes));
  if (options.json) await writeFile(options.json, `${JSON.stringify(probes, null, 2)}\n`);
  if (options.markdown) {
    await writeFile(options.markdown, formatMarkdown(probes, ['npm run demo --', ...process.argv.slice(2)].join(' ')));
  }
  process.stdout.write(`\n${formatVerdict(probes)}\n`);
  process.stderr.write(`took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return mismatches(probes).length === 0 ? 0 : 1;
}

runCommand('demo', main);
