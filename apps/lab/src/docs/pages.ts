import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODE_NAMES, type ModeName } from '@jwt-blast-radius/keys';
import { REPO_ROOT } from '@jwt-blast-radius/stack';
import { formatBenchMarkdown } from '../bench/report';
import type { BenchRun } from '../bench/run';
import { formatCatalogueMarkdown } from '../attacks/report';
import { formatChoosingMarkdown, type ChoosingRuns } from './choosing';
import type { CatalogueRun } from '../attacks/run';
import { formatDrillMarkdown } from '../drill/report';
import { formatWorkshopPages } from '../workshop/pages/pages';
import type { WorkshopRun } from '../workshop/pages/run';
import { formatLogsExample, type LoggedLine } from './logs-example';
import type { DrillRecord } from '../drill/run';
import type { Variant } from '../demo/expected';
import type { Probe } from '../demo/run';
import { formatMarkdown, formatTerminal, formatVerdict } from '../demo/report';
import { drawKeys } from '../workshop/console/picture';

/** The reports in docs/ that the lab generates from a real run of each variant. */
export const DOCS_REPORTS: Readonly<Record<Variant, string>> = {
  secure: 'docs/blast-radius.md',
  'no-audience-check': 'docs/no-audience-check.md',
};

const README = 'README.md';
const DEMO_BLOCK = /(<!-- demo:start[^>]*-->\n)[\s\S]*?(<!-- demo:end -->)/;

/** The workshop console's picture in the README, taken by `npm run workshop -- --screenshot` in a real browser. */
export const CONSOLE_SCREENSHOT = 'docs/console.png';

/** The picture of each mode's keys, drawn from the mode table as the workshop console draws it, for the README. */
export const KEY_PICTURES: Readonly<Record<ModeName, string>> = Object.fromEntries(
  MODE_NAMES.map((mode) => [mode, `docs/keys-${mode}.svg`]),
) as Record<ModeName, string>;

/**
 * Every generated document, as file → content, from the probes of a run of each variant: the two
 * reports, the README's demo block (the terminal output of the secure run), and the pictures of each
 * mode's keys.
 */
export async function renderDocs(probes: Readonly<Record<Variant, readonly Probe[]>>): Promise<Record<string, string>> {
  const docs: Record<string, string> = {};
  for (const mode of MODE_NAMES) docs[KEY_PICTURES[mode]] = `${drawKeys(mode)}\n`;
  for (const [variant, file] of Object.entries(DOCS_REPORTS) as [Variant, string][]) {
    docs[file] = formatMarkdown(probes[variant], 'npm run docs');
  }
  const readme = await readFile(join(REPO_ROOT, README), 'utf8');
  if (!DEMO_BLOCK.test(readme)) throw new Error(`${README} has no <!-- demo:start --> ... <!-- demo:end --> block`);
  const block = `\`\`\`console\n$ npm run demo\n${formatTerminal(probes.secure).trimStart()}\n${formatVerdict(probes.secure)}\n\`\`\`\n`;
  docs[README] = readme.replace(DEMO_BLOCK, (_match, start: string, end: string) => `${start}${block}${end}`);
  return docs;
}

/** The attack catalogue's report in docs/, generated from a run of every mode. */
export const ATTACKS_REPORT = 'docs/attacks.md';

/**
 * The attack catalogue's report, as file → content, from a catalogue run: verdicts and statuses only,
 * no timings, so that a fresh run gives the same text.
 *
 * @example
 * await writeDocs(renderAttackDocs(await runCatalogue({ modes: MODE_NAMES, driver: localDriver })));
 */
export function renderAttackDocs(run: CatalogueRun): Record<string, string> {
  return { [ATTACKS_REPORT]: formatCatalogueMarkdown(run, 'npm run docs', { timings: false }) };
}

/** The bench's report in docs/, generated from a run of every mode. */
export const BENCH_REPORT = 'docs/bench.md';

/**
 * The bench's report, as file → content, from a bench run. Its figures vary from run to run, so no test
 * compares it with a fresh run; it is only ever written from one.
 *
 * @example
 * await writeDocs(renderBenchDocs(await runBench()));
 */
export function renderBenchDocs(run: BenchRun): Record<string, string> {
  return { [BENCH_REPORT]: formatBenchMarkdown(run, 'npm run docs') };
}

/** The guide to choosing a mode, generated from the mode table and the runs of every other page. */
export const CHOOSING_GUIDE = 'docs/choosing.md';

/**
 * The guide to choosing a mode, as file → content: the mode table, the lab's matrices and the drills' changes (the
 * same in every run: the tests compare them), then the seconds and ratios of the runs that wrote it.
 *
 * @example
 * await writeDocs(renderChoosingDocs({ secure, noAudienceCheck, drills, bench: readBenchSummary(benchPage) }));
 */
export function renderChoosingDocs(runs: ChoosingRuns): Record<string, string> {
  return { [CHOOSING_GUIDE]: formatChoosingMarkdown(runs, 'npm run docs') };
}

/** The recovery drills' report in docs/, generated from a run of every drill. */
export const RECOVERY_REPORT = 'docs/recovery.md';

/**
 * The drills' report, as file → content: what recovery changes (the same in every run: the tests compare it)
 * and the counts and seconds of the run that wrote it (which no test compares).
 *
 * @example
 * await writeDocs(renderRecoveryDocs(await runDrills({ modes: MODE_NAMES })));
 */
export function renderRecoveryDocs(records: readonly DrillRecord[]): Record<string, string> {
  return { [RECOVERY_REPORT]: formatDrillMarkdown(records, 'npm run docs') };
}

/** The log schema's page, whose example session is generated. */
export const LOGS_PAGE = 'docs/logs.md';

const LOGS_EXAMPLE_BLOCK = /(<!-- logs-example:start[^>]*-->\n)[\s\S]*?(<!-- logs-example:end -->)/;

/**
 * docs/logs.md with its example session replaced by the lines of a real one.
 *
 * @example
 * await writeDocs(await renderLogsDocs(await runLogsExample()));
 */
export async function renderLogsDocs(lines: readonly LoggedLine[]): Promise<Record<string, string>> {
  const page = await readFile(join(REPO_ROOT, LOGS_PAGE), 'utf8');
  if (!LOGS_EXAMPLE_BLOCK.test(page))
    throw new Error(`${LOGS_PAGE} has no <!-- logs-example:start --> ... <!-- logs-example:end --> block`);
  const example = formatLogsExample(lines);
  return { [LOGS_PAGE]: page.replace(LOGS_EXAMPLE_BLOCK, (_match, start: string, end: string) => `${start}${example}${end}`) };
}

/**
 * The workshop's pages in docs/workshop/, as file → content: the plan and the exercises, from a real run of the machine
 * check and every exercise (the tests compare them with a fresh run but for what varies: ids, times, durations).
 *
 * @example
 * await writeDocs(renderWorkshopDocs(await runWorkshop({ requireReadyMachine: true })));
 */
export function renderWorkshopDocs(run: WorkshopRun): Record<string, string> {
  return formatWorkshopPages(run, 'npm run docs');
}

/** Writes the generated documents in place. */
export async function writeDocs(docs: Readonly<Record<string, string>>): Promise<void> {
  for (const [file, content] of Object.entries(docs)) await writeFile(join(REPO_ROOT, file), content);
}
