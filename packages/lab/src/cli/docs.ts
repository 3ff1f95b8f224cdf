#!/usr/bin/env node
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { benchFailures, runBench } from '../bench/run';
import { failuresOf, runCatalogue } from '../catalogue/run';
import { BENCH_REPORT, renderAttackDocs, renderBenchDocs, renderDocs, renderLogsDocs, renderRecoveryDocs, writeDocs } from '../docs';
import { runLogsExample } from '../logs-example';
import { runDrills } from '../drill/run';
import { localDriver } from '../drivers/local';
import { VARIANTS, type Variant } from '../expected';
import { mismatches, runLab, type Probe } from '../lab';
import { readCommandOptions, runCommand } from './command';

// `npm run docs`: runs the lab in every mode and variant, the attack catalogue in every mode, the recovery
// drills and the bench, and regenerates the reports in docs/ and the README's demo block from what they
// measured. A run that differs from the expected tables, the catalogue or the expected recovery, or a bench
// round that was not all 200s, writes nothing.
// The bench takes minutes: `--skip-bench` keeps the existing docs/bench.md.

const USAGE = `usage: npm run docs -- [--skip-bench]
  --skip-bench  do not run the bench; keep ${BENCH_REPORT} as it is`;

async function main(): Promise<number> {
  const values = readCommandOptions('docs', USAGE, { 'skip-bench': { type: 'boolean' } });
  if (!values) return 0;
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
  let benchDocs: Record<string, string> = {};
  if (!values['skip-bench']) {
    const bench = await runBench({ progress: (line) => process.stderr.write(`bench ${line}\n`) });
    const wrong = benchFailures(bench);
    if (wrong.length > 0) {
      process.stderr.write(`docs: the bench run failed; run npm run bench to see it. Nothing written.\n`);
      for (const failure of wrong) process.stderr.write(`  ${failure}\n`);
      return 1;
    }
    benchDocs = renderBenchDocs(bench);
  }
  const records = await runDrills({ modes: MODE_NAMES, progress: (line) => process.stderr.write(`drill ${line}\n`) });
  const failed = records.filter((record) => record.failures.length > 0);
  if (failed.length > 0) {
    process.stderr.write(`docs: ${failed.length} drills did not go as expected; run npm run drill to see them. Nothing written.\n`);
    return 1;
  }
  const logs = await renderLogsDocs(await runLogsExample());
  const docs = { ...(await renderDocs(probes)), ...renderAttackDocs(attacks), ...renderRecoveryDocs(records), ...logs, ...benchDocs };
  await writeDocs(docs);
  process.stdout.write(`wrote ${Object.keys(docs).join(', ')}\n`);
  return 0;
}

runCommand('docs', main);
