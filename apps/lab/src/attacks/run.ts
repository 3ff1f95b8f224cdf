import { performance } from 'node:perf_hooks';
import { APP_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { isHealthy } from '@jwt-blast-radius/process';
import type { StackDriver } from '@jwt-blast-radius/stack';
import { createAttacker } from '@jwt-blast-radius/attacker';
import { CATALOGUE } from './catalogue';
import { attackContext, attackerJwks, setUpMode } from './context';
import { sendAttack, type Answer } from './http';
import { credentialsIn, scanLogs, secretsOfRun, type Leak } from './scan';
import type { Attack, AttackGroup, ModeExpectation, Outcome } from './types';

/** What one target did with one attack. */
export type Cell =
  (Answer & { readonly sent: true }) | { readonly sent: false; readonly outcome: 'n/a' | 'skipped'; readonly note?: string };

/** One row of the report: one attack in one mode, against every service. */
export interface AttackRow {
  readonly mode: ModeName;
  readonly id: string;
  readonly group: AttackGroup;
  readonly title: string;
  readonly tries: string;
  readonly expected: Readonly<Record<AppName, Outcome>>;
  readonly got: Readonly<Record<AppName, Cell>>;
  /** `skipped`: the run could not build the attack for some target (and every other target matched). */
  readonly verdict: 'match' | 'mismatch' | 'skipped';
  /** Wall time of the row: building every request and waiting for every answer. */
  readonly ms: number;
}

/** What is checked of a mode once every attack is sent. */
export interface ModeCheck {
  readonly mode: ModeName;
  /** Whether each service still answers /health. */
  readonly alive: Readonly<Record<AppName, boolean>>;
  /** Requests the attacker's server got (jku, x5u): 0 when no service follows a URL from a token. */
  readonly attackerFetches: number;
  /** Whether the services' output could be read (not from the lab's container): when not, no leak is looked for. */
  readonly logsRead: boolean;
  /** Key material, tokens and passwords found in the services' output. */
  readonly leaks: readonly Leak[];
  readonly logLines: number;
}

export interface CatalogueRun {
  readonly driver: string;
  readonly rows: readonly AttackRow[];
  readonly checks: readonly ModeCheck[];
}

export interface CatalogueOptions {
  readonly modes: readonly ModeName[];
  readonly driver: StackDriver;
  /** The attacks to send; the whole {@link CATALOGUE} unless given. */
  readonly attacks?: readonly Attack[];
  /** Starts the services with the audience check off (to see the runner report what differs). */
  readonly insecure?: boolean;
  readonly progress?: (line: string) => void;
}

/**
 * The outcome an attack expects of a target in a mode: the mode's override, else the default.
 *
 * @example
 * expectedOutcome(attack, 'rs256-jwks', 'mobile-api'); // 'refused'
 */
export function expectedOutcome(attack: Attack, mode: ModeName, target: AppName): Outcome {
  return outcomeFor(attack.expected.modes?.[mode] ?? attack.expected.default, target);
}

/**
 * The outcome one expectation (a default or a mode's override) gives a target.
 *
 * @example
 * outcomeFor(attack.expected.default, 'mobile-api'); // 'refused'
 */
export function outcomeFor(expectation: ModeExpectation, target: AppName): Outcome {
  return typeof expectation === 'string' ? expectation : expectation[target];
}

/**
 * Runs the catalogue: for each mode, starts the stack (its keys rotated once, so that a retired key
 * exists), logs alice in for each audience, compromises every app, sends every attack to every
 * service, then checks that every service is alive, that the attacker's server was never fetched, and
 * that no service's output quotes key material, a token or a password.
 *
 * @example
 * const run = await runCatalogue({ modes: MODE_NAMES, driver: localDriver });
 * failuresOf(run); // [] when every row matches and every check passes
 */
export async function runCatalogue({
  modes,
  driver,
  attacks = CATALOGUE,
  insecure = false,
  progress = () => {},
}: CatalogueOptions): Promise<CatalogueRun> {
  const rows: AttackRow[] = [];
  const checks: ModeCheck[] = [];
  await using attacker = await createAttacker(driver.labHost ? { host: driver.labHost() } : {});
  for (const mode of modes) {
    const say = (line: string) => progress(`[${mode}] ${line}`);
    const stack = await driver.start(mode, { insecure, progress: say, rotateKeys: true });
    try {
      const setup = await setUpMode(stack, mode, say);
      attacker.publish(attackerJwks(setup, attacker));
      const fetchesBefore = attacker.fetches();
      const tokens = new Map<string, string>(APP_NAMES.map((app) => [setup.issued[app], `alice's token for ${app}`]));
      const contexts = Object.fromEntries(APP_NAMES.map((target) => [target, attackContext(setup, target, attacker)])) as Record<
        AppName,
        ReturnType<typeof attackContext>
      >;
      say(`sending ${attacks.length} attacks to ${APP_NAMES.join(', ')}`);
      for (const attack of attacks) {
        const started = performance.now();
        const expected = {} as Record<AppName, Outcome>;
        const got = {} as Record<AppName, Cell>;
        for (const target of APP_NAMES) {
          expected[target] = expectedOutcome(attack, mode, target);
          got[target] = await attackTarget(attack, expected[target], contexts[target], stack.urls[target], tokens);
        }
        const row: AttackRow = { mode, ...describe(attack), expected, got, verdict: 'match', ms: 0 };
        const verdict = verdictOf(row);
        rows.push({ ...row, verdict, ms: Math.round(performance.now() - started) });
        if (verdict === 'mismatch') say(`${attack.id} differs: ${APP_NAMES.map((app) => `${app} ${labelOf(got[app])}`).join(', ')}`);
      }
      say('checking that every service is alive, the attacker was never fetched, and the logs');
      const alive = Object.fromEntries(
        await Promise.all(APP_NAMES.map(async (app) => [app, await isHealthy(stack.urls[app])] as const)),
      ) as Record<AppName, boolean>;
      const logs = await stack.logs?.();
      checks.push({
        mode,
        alive,
        attackerFetches: attacker.fetches() - fetchesBefore,
        logsRead: logs !== undefined,
        leaks: logs === undefined ? [] : scanLogs(logs, secretsOfRun(setup.loot, setup.backup, tokens)),
        logLines: logs === undefined ? 0 : APP_NAMES.reduce((sum, app) => sum + logs[app].length, 0),
      });
    } finally {
      say(stack.keepsRunning ? 'done; the stack keeps running' : 'stopping the stack');
      await stack.stop();
    }
  }
  return { driver: driver.name, rows, checks };
}

function describe({ id, group, title, tries }: Attack) {
  return { id, group, title, tries };
}

async function attackTarget(
  attack: Attack,
  expected: Outcome,
  context: ReturnType<typeof attackContext>,
  url: string,
  tokens: Map<string, string>,
): Promise<Cell> {
  if (expected === 'n/a') return { sent: false, outcome: 'n/a' };
  const request = await attack.request(context);
  if ('unavailable' in request) return { sent: false, outcome: 'skipped', note: request.unavailable };
  for (const credential of credentialsIn(request.path, request.headers)) {
    if (!tokens.has(credential)) tokens.set(credential, `a credential sent by ${attack.id}`);
  }
  return { ...(await sendAttack(url, context.route, context.target, request)), sent: true };
}

function verdictOf(row: AttackRow): AttackRow['verdict'] {
  let skipped = false;
  for (const app of APP_NAMES) {
    const cell = row.got[app];
    if (cell.outcome === 'skipped') skipped = true;
    else if (cell.outcome !== row.expected[app]) return 'mismatch';
  }
  return skipped ? 'skipped' : 'match';
}

/**
 * A cell as the reports show it: the outcome and status, `✗` where it is not the expected one.
 *
 * @example
 * labelOf(row.got['mobile-api']); // 'refused 401'
 */
export function labelOf(cell: Cell): string {
  if (!cell.sent) return cell.outcome;
  switch (cell.outcome) {
    case 'accepted':
      return `ACCEPTED ${cell.status}`;
    case 'refused':
      return `refused ${cell.status}`;
    case 'no-token':
      return `no token ${cell.status}`;
    case 'too-large':
      return `too large ${cell.status}`;
    default:
      return cell.status === 0 ? 'no answer' : `${cell.status} other`;
  }
}

/**
 * Every way a run failed: each row that differs from its expectation, each service that died, each
 * fetch of the attacker's server and each leak. Empty when the run passed.
 *
 * @example
 * const failures = failuresOf(run); // ['[rs256-jwks] alg-none: mobile-api ACCEPTED 200, expected refused']
 */
export function failuresOf(run: CatalogueRun): string[] {
  const failures: string[] = [];
  for (const row of run.rows.filter((candidate) => candidate.verdict === 'mismatch')) {
    const cells = APP_NAMES.filter((app) => row.got[app].outcome !== row.expected[app]).map((app) => {
      const cell = row.got[app];
      const note = cell.note ? ` (${cell.note})` : '';
      return `${app} ${labelOf(cell)}${note}, expected ${row.expected[app]}`;
    });
    failures.push(`[${row.mode}] ${row.id}: ${cells.join('; ')}`);
  }
  for (const check of run.checks) {
    for (const app of APP_NAMES) if (!check.alive[app]) failures.push(`[${check.mode}] ${app} no longer answers /health`);
    if (check.attackerFetches > 0) failures.push(`[${check.mode}] the attacker's server was fetched ${check.attackerFetches} time(s)`);
    for (const leak of check.leaks) failures.push(`[${check.mode}] ${leak.app}'s output quotes ${leak.what}`);
  }
  return failures;
}
