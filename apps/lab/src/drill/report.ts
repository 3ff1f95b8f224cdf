import { MODES, type ModeName } from '@jwt-blast-radius/keys';
import { markdownTable, textTable } from '../tables';
import { DRILL_TIMING, type DrillRecord } from './run';

const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');
const seconds = (value: number) => `${value.toFixed(1)} s`;

/** One field of a drill's report: its column header in the tables, its label where it stands alone, and its cell. */
export interface DrillField {
  readonly header: string;
  readonly label: string;
  cell(record: DrillRecord): string;
}

const count = (value: number) => value.toLocaleString('en');

/** What every run gives alike, given the same mode and compromised app: what the docs' drift test compares. */
export const DRILL_OUTCOME: readonly DrillField[] = [
  { header: 'keys replaced', label: 'keys replaced', cell: (record) => list(record.keysReplaced) },
  { header: 'key files changed at', label: 'key files changed at', cell: (record) => list(record.keysChangedAt) },
  { header: 'audiences logged out', label: 'audiences logged out', cell: (record) => list(record.audiencesLoggedOut) },
  {
    header: 'forged tokens worked before',
    label: 'forged tokens worked before the playbook',
    cell: (record) =>
      record.forgedAcceptedBefore === 0
        ? 'no'
        : record.forgedDetected === record.forgedAcceptedBefore
          ? 'yes, all detected'
          : 'yes, NOT all detected',
  },
  {
    header: 'after',
    label: 'forged tokens worked after it',
    cell: (record) => (record.forgedAcceptedAfter > 0 ? `YES (${record.forgedAcceptedAfter})` : 'no'),
  },
  {
    header: 'harvested tokens still work',
    label: 'harvested tokens still work',
    cell: (record) => (record.harvestedValidFor > 0 ? 'yes, until they expire' : 'no'),
  },
];

/** What a run measures: counts and seconds, which vary from run to run. */
export const DRILL_FIGURES: readonly DrillField[] = [
  { header: 'forged accepted before', label: 'forged requests accepted before the playbook', cell: (r) => count(r.forgedAcceptedBefore) },
  { header: 'detected', label: '… of them detected in the logs', cell: (r) => count(r.forgedDetected) },
  { header: 'during', label: 'forged requests accepted during the playbook', cell: (r) => count(r.forgedAcceptedDuring) },
  { header: 'after', label: 'forged requests accepted after the playbook', cell: (r) => count(r.forgedAcceptedAfter) },
  { header: 'valid requests', label: 'valid requests', cell: (r) => count(r.validRequests) },
  { header: 'a second', label: 'valid requests a second', cell: (r) => r.validPerSecond.toFixed(1) },
  {
    header: 'fewest in a phase',
    label: 'fewest valid requests of one user to one service in a phase',
    cell: (r) => count(r.fewestValidInAPhase),
  },
  { header: 'refused', label: 'valid requests refused', cell: (r) => count(r.validRefused) },
  { header: 'logins again', label: 'logins again', cell: (r) => count(r.relogins) },
  { header: 'throttled', label: 'logins throttled (429 or 503)', cell: (r) => count(r.loginsThrottled) },
  { header: 'restarts', label: 'restarts', cell: (r) => count(r.restarts) },
  { header: 'contained in', label: 'contained in', cell: (r) => seconds(r.secondsToContain) },
  { header: 'playbook', label: 'playbook took', cell: (r) => seconds(r.playbookSeconds) },
  { header: 'harvested valid for', label: 'harvested tokens still valid for', cell: (r) => `${r.harvestedValidFor} s` },
];

const OUTCOME_HEADER = ['compromised', ...DRILL_OUTCOME.map((field) => field.header)];
const outcomeRow = (record: DrillRecord) => [record.compromised, ...DRILL_OUTCOME.map((field) => field.cell(record))];
const FIGURES_HEADER = ['compromised', ...DRILL_FIGURES.map((field) => field.header)];
const FIGURE_COLUMNS = DRILL_FIGURES.map((_field, i) => i + 1);
const figuresRow = (record: DrillRecord) => [record.compromised, ...DRILL_FIGURES.map((field) => field.cell(record))];

function modesIn(records: readonly DrillRecord[]): ModeName[] {
  return [...new Set(records.map((record) => record.mode))];
}

function verdictLines(records: readonly DrillRecord[]): string[] {
  const failed = records.filter((record) => record.failures.length > 0);
  if (failed.length === 0) {
    return [
      `${records.length === 1 ? 'The drill' : `All ${records.length} drills`} went as expected: the key files changed where expected and nowhere else, the expected audiences logged ` +
        `out, every accepted forged request was detected in the logs, none was accepted after the playbook, no valid request was refused ` +
        `while every user called every service before the playbook and after each of its steps, and no service restarted.`,
    ];
  }
  return [
    `${failed.length} of ${records.length} drills did NOT go as expected:`,
    ...failed.map((record) => `  ${record.mode}, ${record.compromised} compromised: ${record.failures.join('; ')}`),
  ];
}

/**
 * The drills as terminal text: per mode, what recovery changed (the outcome table) and what it cost (the figures).
 *
 * @example
 * process.stdout.write(formatDrillTerminal(await runDrills({ modes: MODE_NAMES })));
 */
export function formatDrillTerminal(records: readonly DrillRecord[]): string {
  const out: string[] = [];
  for (const mode of modesIn(records)) {
    const rows = records.filter((record) => record.mode === mode);
    out.push('', `${mode}: ${MODES[mode].summary}`, ...textTable(OUTCOME_HEADER, rows.map(outcomeRow)), '');
    out.push(...textTable(FIGURES_HEADER, rows.map(figuresRow), FIGURE_COLUMNS));
  }
  out.push('', ...verdictLines(records), '');
  return out.join('\n');
}

/** Where the docs' report of the drills begins its figures: everything above this line is the same in every run. */
export const DRILL_FIGURES_HEADING = '## Figures of this run';

/**
 * The drills as Markdown, for docs/recovery.md: what recovery changes per mode and compromised app (the same in
 * every run, compared by the tests), then the figures of the run that wrote it. `blastRadiusLink` is where the
 * blast-radius report is from the page's folder (beside it, in docs/, unless given).
 *
 * @example
 * await writeFile('docs/recovery.md', formatDrillMarkdown(records, 'npm run docs'));
 */
export function formatDrillMarkdown(records: readonly DrillRecord[], command: string, blastRadiusLink = 'blast-radius.md'): string {
  const out = [
    '# Recovery: what it costs to shut an attacker out, per mode',
    '',
    `<!-- Generated by \`${command}\` from a real run of the drills: do not edit by hand. -->`,
    '',
    `The answer to the [blast-radius matrix](${blastRadiusLink}): once an app is compromised, which keys must change, where, and ` +
      'who must log in again. Each drill runs the real stack with three users calling every service, compromises one app as the ' +
      'lab does, has an attacker forge admin tokens with what it took (some reusing the jti of a token it harvested) and replay ' +
      'the tokens it harvested, runs the detection over the logs, then the mode’s playbook live: the keys the compromised app ' +
      'held that some service trusts to sign are staged, promoted and retired, every service reloading after each step ' +
      '(`npm run reload`), and the next step taken only once every service reports the kids its key files give it. ' +
      'Reproduce with `npm run drill` (`--mode` and `--compromised` pick some).',
    '',
  ];
  for (const mode of modesIn(records)) {
    out.push(
      `### ${mode}`,
      '',
      MODES[mode].summary,
      '',
      ...markdownTable(OUTCOME_HEADER, records.filter((r) => r.mode === mode).map(outcomeRow)),
      '',
    );
  }
  out.push(...verdictLines(records), '');
  out.push(DRILL_FIGURES_HEADING, '');
  out.push(
    `Counts and seconds from the run that wrote this page; they vary from run to run. Each drill: ${DRILL_TIMING.warmupMs / 1000} s of ` +
      `load alone, ${DRILL_TIMING.attackBeforeMs / 1000} s of attack before the playbook, the attack going on while it runs, and ` +
      `${DRILL_TIMING.attackAfterMs / 1000} s after it; each user calls each audience every ${DRILL_TIMING.userIntervalMs} ms.`,
    '',
  );
  for (const mode of modesIn(records)) {
    out.push(
      `### ${mode}`,
      '',
      ...markdownTable(FIGURES_HEADER, records.filter((r) => r.mode === mode).map(figuresRow), FIGURE_COLUMNS),
      '',
    );
  }
  out.push(
    '- **forged accepted before**, **detected**: forged requests a service accepted before the playbook, and how many of them ' +
      '`npm run detect` flagged from the logs alone (they must be equal).',
    '- **during**, **after**: forged requests accepted while the playbook ran, and after it (must be 0).',
    '- **valid requests**, **a second**, **refused**: the users’ requests whose token was signed by a key current when it was sent, how many a second (a ' +
      'figure of the machine, never a verdict), and how many were refused (must be 0). **fewest in a phase**: the fewest valid requests one user sent ' +
      'one service before the playbook’s first reload or after one of its steps (must be at least 1: the drill waits for each user’s next answered ' +
      'call to every service after every reload, so that no refusal can hide in a step nobody called through). ' +
      'A token signed by a retired key is refused, and its user logs in again: **logins again**; ' +
      '**throttled** counts the answers 429 or 503 to those logins (none: the drill raises the login limits).',
    '- **restarts**: service processes restarted or gone (must be 0); **playbook**: its three steps and reloads, without the waits for every user’s next call between them.',
    '- **contained in**: from the start of the playbook until a round of every forged token was refused everywhere.',
    '- **harvested valid for**: from the end of the playbook until the last harvested token that still works expires (its `exp`, ' +
      'checked by one replay): what the attacker keeps when the compromised app held no key to replace.',
    '',
  );
  return out.join('\n');
}

/** The part of the drills' Markdown that every run gives alike: everything above the figures. */
export function deterministicPart(markdown: string): string {
  const at = markdown.indexOf(DRILL_FIGURES_HEADING);
  return at === -1 ? markdown : markdown.slice(0, at);
}
