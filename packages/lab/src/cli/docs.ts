#!/usr/bin/env node
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { failuresOf, runCatalogue } from '../catalogue/run';
import { renderAttackDocs, renderDocs, writeDocs } from '../docs';
import { localDriver } from '../drivers/local';
import { VARIANTS, type Variant } from '../expected';
import { mismatches, runLab, type Probe } from '../lab';
import { runCommand } from './command';

// `npm run docs`: runs the lab in every mode and variant and the attack catalogue in every mode, and
// regenerates the reports in docs/ and the README's demo block from what they measured. A run that
// differs from the expected tables or the catalogue writes nothing.
async function main(): Promise<number> {
  const probes = {} as Record<Variant, Probe[]>;
  for (const variant of VARIANTS) {
    probes[variant] = await runLab({
      modes: MODE_NAMES,
      driver: localDriver,
      variant,
      progress: (line) => process.stderr.write(`${variant} ${line}\n`),
    });
    const wrong = mismatches(probes[variant]);
    if (wrong.length > 0) {
      process.stderr.write(`docs: ${wrong.length} cells differ from the expected tables; run npm run demo to see them. Nothing written.\n`);
      return 1;
    }
  }
  const attacks = await runCatalogue({
    modes: MODE_NAMES,
    driver: localDriver,
    progress: (line) => process.stderr.write(`attacks ${line}\n`),
  });
  const failures = failuresOf(attacks);
  if (failures.length > 0) {
    process.stderr.write(`docs: the attack catalogue run failed; run npm run attacks to see it. Nothing written.\n`);
    for (const failure of failures) process.stderr.write(`  ${failure}\n`);
    return 1;
  }
  const docs = { ...(await renderDocs(probes)), ...renderAttackDocs(attacks) };
  await writeDocs(docs);
  process.stdout.write(`wrote ${Object.keys(docs).join(', ')}\n`);
  return 0;
}

runCommand('docs', main);
