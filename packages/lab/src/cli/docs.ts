#!/usr/bin/env node
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { renderDocs, writeDocs } from '../docs';
import { localDriver } from '../drivers/local';
import { VARIANTS, type Variant } from '../expected';
import { mismatches, runLab, type Probe } from '../lab';

// `npm run docs`: runs the lab in every mode and variant, and regenerates the reports in docs/ and
// the README's demo block from what it measured. A run that differs from the expected tables writes
// nothing.
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
  const docs = await renderDocs(probes);
  await writeDocs(docs);
  process.stdout.write(`wrote ${Object.keys(docs).join(', ')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`docs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
