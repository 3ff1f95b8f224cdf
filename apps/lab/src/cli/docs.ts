#!/usr/bin/env node
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { benchFailures, runBench } from '../bench/run';
import { failuresOf, runCatalogue } from '../attacks/run';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBenchSummary, type BenchSummary } from '../docs/choosing';
import {
  BENCH_REPORT,
  CONSOLE_SCREENSHOT,
  renderAttackDocs,
  renderBenchDocs,
  renderChoosingDocs,
  renderDocs,
  renderLogsDocs,
  renderRecoveryDocs,
  renderWorkshopDocs,
  writeDocs,
} from '../docs/pages';
import { runWorkshop } from '../workshop/pages/run';
import { takeConsoleScreenshot } from '../workshop/console/screenshot';
import { REPO_ROOT, localDriver } from '@jwt-blast-radius/stack';
import { runLogsExample } from '../docs/logs-example';
import { runDrills } from '../drill/run';
import { VARIANTS, type Variant } from '../demo/expected';
import { mismatches, runDemo, type Probe } from '../demo/run';
import { readCommandOptions, runCommand, usageError } from './command';

// `npm run docs`: runs the lab in every mode and variant, the attack catalogue in every mode, the recovery
// drills, the bench and the workshop's exercises, and regenerates the reports in docs/, the workshop's pages and
// the README's demo block from what they measured. A run that differs from the expected tables, the catalogue or
// the expected recovery, a bench round that was not all 200s, or a machine that fails npm run lab -- check (the
// workshop's plan shows its output), writes nothing. `--only workshop` writes the workshop's pages alone.
// The bench takes minutes: `--skip-bench` keeps the existing docs/bench.md, and docs/choosing.md takes the bench's
// figures from it (the summary the page carries). Last, once every page is written, the console's screenshot.

const USAGE = `usage: npm run docs -- [--skip-bench] [--only workshop]
  --skip-bench     do not run the bench; keep ${BENCH_REPORT} as it is (and its figures in the guide)
  --only workshop  run only the machine check and the workshop's exercises, and write only docs/workshop/
Without --only, the last step takes the workshop console's screenshot, docs/console.png, in Chromium.`;

async function main(): Promise<number> {
  const values = readCommandOptions('docs', USAGE, { 'skip-bench': { type: 'boolean' }, only: { type: 'string' } });
  if (!values) return 0;
  if (values.only !== undefined && values.only !== 'workshop') usageError('docs', `--only takes workshop, not "${values.only}"`, USAGE);
  // First, since it stops at once when this machine fails the check its output shows.
  const workshop = renderWorkshopDocs(
    await runWorkshop({ requireReadyMachine: true, progress: (line) => process.stderr.write(`workshop ${line}\n`) }),
  );
  if (values.only === 'workshop') {
    await writeDocs(workshop);
    process.stdout.write(`wrote ${Object.keys(workshop).join(', ')}\n`);
    return 0;
  }
  const probes = {} as Record<Variant, Probe[]>;
  for (const variant of VARIANTS) {
    probes[variant] = await runDemo({
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
  let benchSummary: BenchSummary | undefined;
  if (values['skip-bench']) {
    benchSummary = readBenchSummary(await readFile(join(REPO_ROOT, BENCH_REPORT), 'utf8').catch(() => ''));
  } else {
    const bench = await runBench({ progress: (line) => process.stderr.write(`bench ${line}\n`) });
    const wrong = benchFailures(bench);
    if (wrong.length > 0) {
      process.stderr.write(`docs: the bench run failed; run npm run bench to see it. Nothing written.\n`);
      for (const failure of wrong) process.stderr.write(`  ${failure}\n`);
      return 1;
    }
    benchDocs = renderBenchDocs(bench);
    benchSummary = readBenchSummary(benchDocs[BENCH_REPORT]!);
  }
  const records = await runDrills({ modes: MODE_NAMES, progress: (line) => process.stderr.write(`drill ${line}\n`) });
  const failed = records.filter((record) => record.failures.length > 0);
  if (failed.length > 0) {
    process.stderr.write(`docs: ${failed.length} drills did not go as expected; run npm run drill to see them. Nothing written.\n`);
    return 1;
  }
  const logs = await renderLogsDocs(await runLogsExample());
  const choosing = renderChoosingDocs({
    secure: probes.secure,
    noAudienceCheck: probes['no-audience-check'],
    drills: records,
    bench: benchSummary,
  });
  const docs = {
    ...(await renderDocs(probes)),
    ...renderAttackDocs(attacks),
    ...renderRecoveryDocs(records),
    ...choosing,
    ...logs,
    ...benchDocs,
    ...workshop,
  };
  await writeDocs(docs);
  process.stderr.write('console: the screenshot for the README\n');
  await takeConsoleScreenshot(join(REPO_ROOT, CONSOLE_SCREENSHOT));
  process.stdout.write(`wrote ${[...Object.keys(docs), CONSOLE_SCREENSHOT].join(', ')}\n`);
  return 0;
}

runCommand('docs', main);
