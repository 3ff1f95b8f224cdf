import { APP_NAMES, MODES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { failuresOf, labelOf, type AttackRow, type CatalogueRun, type ModeCheck } from './run';
import { ATTACK_GROUPS, type AttackGroup, type Outcome } from './types';

const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  accepted: 'accepted',
  refused: 'refused',
  'no-token': 'no token',
  'too-large': 'too large',
  'n/a': 'n/a',
};

const VERDICT_LABELS: Readonly<Record<AttackRow['verdict'], string>> = { match: 'ok', mismatch: 'DIFFERS', skipped: 'skipped' };

const HEADER = ['attack', 'what it tries', 'expected', ...APP_NAMES, 'verdict'];

function modesIn(run: CatalogueRun): ModeName[] {
  return [...new Set(run.rows.map((row) => row.mode))];
}

function groupsIn(rows: readonly AttackRow[]): AttackGroup[] {
  return [...new Set(rows.map((row) => row.group))];
}

/** The expected column: one outcome, or one per target where they differ. */
function expectedLines(row: AttackRow): string[] {
  const outcomes = APP_NAMES.map((app) => row.expected[app]);
  if (outcomes.every((outcome) => outcome === outcomes[0])) return [OUTCOME_LABELS[outcomes[0]!]];
  return APP_NAMES.map((app) => `${app}: ${OUTCOME_LABELS[row.expected[app]]}`);
}

function cellText(row: AttackRow, app: AppName): string {
  const cell = row.got[app];
  const wrong = cell.outcome !== 'skipped' && cell.outcome !== row.expected[app];
  return wrong ? `${labelOf(cell)} ✗` : labelOf(cell);
}

function checkSentence(check: ModeCheck): string {
  const dead = APP_NAMES.filter((app) => !check.alive[app]);
  const alive = dead.length === 0 ? 'every service still answers /health' : `${dead.join(', ')} no longer answer /health`;
  const fetches = `the attacker's server was fetched ${check.attackerFetches} time${check.attackerFetches === 1 ? '' : 's'}`;
  if (!check.logsRead) return `${alive}; ${fetches}; the services' output was not read from here (docker compose logs shows it)`;
  const leaks =
    check.leaks.length === 0
      ? 'no service’s output quotes key material, a token or a demo password'
      : check.leaks.map((leak) => `${leak.app}'s output quotes ${leak.what}`).join('; ');
  return `${alive}; ${fetches}; ${leaks}`;
}

function countSentence(rows: readonly AttackRow[]): string {
  const differ = rows.filter((row) => row.verdict === 'mismatch').length;
  const skipped = rows.filter((row) => row.verdict === 'skipped').length;
  const parts = [differ === 0 ? `all ${rows.length - skipped} rows match` : `${differ} of ${rows.length} rows differ`];
  if (skipped > 0)
    parts.push(
      `${skipped} skipped (${rows
        .filter((row) => row.verdict === 'skipped')
        .map((row) => row.id)
        .join(', ')})`,
    );
  return parts.join(', ');
}

/** Breaks text into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    for (let rest = word; rest.length > 0;) {
      const room = line ? width - line.length - 1 : width;
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line && rest.length <= width) {
        lines.push(line);
        line = '';
      } else {
        lines.push(line ? `${line} ${rest.slice(0, room)}` : rest.slice(0, room));
        line = '';
        rest = rest.slice(room);
      }
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

const TITLE_WIDTH = 30;
const TRIES_WIDTH = 44;

/**
 * The catalogue run as text for a terminal: per mode, one table (attack, what it tries, expected, the
 * answer of each service, verdict, time), sections by group, and what was checked after the run.
 */
export function formatCatalogueTerminal(run: CatalogueRun): string {
  const out: string[] = [];
  for (const mode of modesIn(run)) {
    const rows = run.rows.filter((row) => row.mode === mode);
    const header = [...HEADER, 'ms'];
    const body: (string[][] | string)[] = [];
    for (const group of groupsIn(rows)) {
      body.push(ATTACK_GROUPS[group]);
      for (const row of rows.filter((candidate) => candidate.group === group)) {
        body.push([
          wrap(row.title, TITLE_WIDTH),
          wrap(row.tries, TRIES_WIDTH),
          expectedLines(row),
          ...APP_NAMES.map((app) => [cellText(row, app)]),
          [VERDICT_LABELS[row.verdict]],
          [String(row.ms)],
        ]);
      }
    }
    out.push(`\n${mode}: ${MODES[mode].summary}\n`, ...textTable(header, body).map((line) => `  ${line}`));
    const check = run.checks.find((candidate) => candidate.mode === mode);
    out.push(`\n  ${countSentence(rows)}.`);
    if (check) out.push(`  After the run: ${checkSentence(check)}${check.logsRead ? `; ${check.logLines} log lines scanned` : ''}.`);
  }
  return `${out.join('\n')}\n`;
}

function textTable(header: string[], body: readonly (string[][] | string)[]): string[] {
  const rows = body.filter((row): row is string[][] => typeof row !== 'string');
  const widths = header.map((title, i) => Math.max(title.length, ...rows.flatMap((row) => row[i]!.map((line) => line.length))));
  const numeric = header.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (i === numeric ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join(' │ ')
      .trimEnd();
  const lines = [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (const row of body) {
    if (typeof row === 'string') {
      lines.push(row);
      continue;
    }
    const height = Math.max(...row.map((cell) => cell.length));
    for (let i = 0; i < height; i += 1) lines.push(line(row.map((cell) => cell[i] ?? '')));
  }
  return lines;
}

/**
 * The verdict of a run in one line.
 *
 * @example
 * formatCatalogueVerdict(run); // 'All 282 rows match the catalogue, and every check after each mode passed.'
 */
export function formatCatalogueVerdict(run: CatalogueRun): string {
  const differ = run.rows.filter((row) => row.verdict === 'mismatch').length;
  const skipped = run.rows.filter((row) => row.verdict === 'skipped').length;
  const failedChecks = failuresOf(run).length - differ;
  const rows =
    differ === 0
      ? `All ${run.rows.length - skipped} rows match the catalogue${skipped ? ` (${skipped} skipped)` : ''}`
      : `${differ} of ${run.rows.length} rows differ from the catalogue`;
  return `${rows}, and ${failedChecks === 0 ? 'every check after each mode passed' : `${failedChecks} check(s) after the run failed`}.`;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * The catalogue run as Markdown: the same tables as the terminal's. `timings` adds the time of each row
 * (left out of docs/, which must not change from one run to the next).
 */
export function formatCatalogueMarkdown(run: CatalogueRun, command: string, { timings = true }: { timings?: boolean } = {}): string {
  const attacks = new Set(run.rows.map((row) => row.id)).size;
  const out = [
    '# Attack catalogue',
    '',
    `<!-- Generated by \`${command}\`: every cell is a real request. Do not edit by hand. -->`,
    '',
    `${attacks} kinds of attack on JWT access tokens, each sent to every service in every mode over real HTTP, with the`,
    'keys rotated once before the services start (so that a retired key exists). Expected: **accepted** is a 200; refused',
    'is a 401 with `WWW-Authenticate: Bearer realm="<app>", error="invalid_token"` and the bare body',
    '`{"message":"Unauthorized","statusCode":401}`; no token is the same 401 with a challenge without an error code;',
    "too large is Node's own 431 for a header block over 16 KB; n/a: the mode makes the attack meaningless, so it is not sent.",
    'A tampered token is signed with a key the target trusts wherever the loot of a compromise allows, so that each row',
    'tests the property it names. The catalogue is one table: `apps/lab/src/attacks/catalogue.ts`.',
  ];
  const header = [...HEADER, ...(timings ? ['ms'] : [])];
  for (const mode of modesIn(run)) {
    const rows = run.rows.filter((row) => row.mode === mode);
    out.push('', `## ${mode}`, '', `${capitalize(MODES[mode].summary)}.`, '');
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---|').join('')}`);
    for (const group of groupsIn(rows)) {
      out.push(
        `| **${ATTACK_GROUPS[group]}** |${header
          .slice(1)
          .map(() => ' |')
          .join('')}`,
      );
      for (const row of rows.filter((candidate) => candidate.group === group)) {
        const cells = [
          row.title,
          row.tries,
          expectedLines(row).join('<br>'),
          ...APP_NAMES.map((app) => cellText(row, app).replace('ACCEPTED', '**accepted**')),
          VERDICT_LABELS[row.verdict],
          ...(timings ? [String(row.ms)] : []),
        ];
        out.push(`| ${cells.map(escapeCell).join(' | ')} |`);
      }
    }
    const check = run.checks.find((candidate) => candidate.mode === mode);
    out.push('', `${capitalize(countSentence(rows))}.${check ? ` After the run, ${checkSentence(check)}.` : ''}`);
  }
  out.push('', formatCatalogueVerdict(run));
  return `${out.join('\n')}\n`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
