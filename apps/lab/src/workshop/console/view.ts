import { APP_NAMES, getMode, keyNameOf, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import type { JWK } from 'jose';
import { formatCatalogueVerdict } from '../../attacks/report';
import { labelOf, type CatalogueRun, type Cell } from '../../attacks/run';
import { ATTACK_GROUPS, type Outcome } from '../../attacks/types';
import { DRILL_FIGURES, DRILL_OUTCOME } from '../../drill/report';
import type { DrillRecord } from '../../drill/run';
import type { Variant } from '../../demo/expected';
import type { Probe } from '../../demo/run';
import { signingKeysIn, type Loot } from '@jwt-blast-radius/stack';

/** One cell of a matrix on the page: sent and waiting for its answer, or answered. */
export interface CellView {
  readonly state: 'probing' | 'answered';
  readonly expected: boolean;
  readonly accepted?: boolean;
  readonly status?: number;
  /** The key or trick that got the token accepted, or the first one tried. */
  readonly via?: string;
}

/** Rows: the compromised app; columns: the target. A cell not there has not been probed yet. */
export type MatrixView = Record<AppName, Partial<Record<AppName, CellView>>>;

/** A key the loot can sign with, its secret members masked. */
export interface SigningKeyView {
  readonly kid: string;
  /** The mode key it is a version of. */
  readonly key: string;
  readonly kind: string;
  /** The audiences whose tokens it signs (and so can forge). */
  readonly signsFor: readonly AppName[];
  /** The secret members and their length: the values themselves only come by {@link revealSecrets}. */
  readonly masked: readonly { readonly member: string; readonly length: number }[];
}

/** What the compromise of one app took, as the page shows it before any "reveal". */
export interface LootView {
  readonly app: AppName;
  readonly source: string;
  /** The app's environment (PATH left out), as NAME and value. */
  readonly env: readonly (readonly [string, string])[];
  readonly files: readonly string[];
  readonly signing: readonly SigningKeyView[];
}

/** The secret members of each signing key of a loot: what "reveal" shows. */
export interface RevealedSecrets {
  readonly app: AppName;
  readonly keys: readonly { readonly kid: string; readonly members: readonly (readonly [string, string])[] }[];
}

/** One attack of the catalogue against the three services. */
export interface CatalogueRowView {
  readonly id: string;
  readonly title: string;
  readonly tries: string;
  readonly expected: string;
  readonly got: Readonly<Record<AppName, { readonly label: string; readonly wrong: boolean }>>;
  readonly verdict: 'match' | 'mismatch' | 'skipped';
}

export interface CatalogueView {
  readonly groups: readonly { readonly title: string; readonly rows: readonly CatalogueRowView[] }[];
  /** What was checked after the attacks: services alive, the attacker never fetched, nothing secret in the logs. */
  readonly checks: readonly string[];
  readonly verdict: string;
  readonly failures: number;
}

export interface DrillView {
  readonly rows: readonly (readonly [string, string])[];
  readonly failures: readonly string[];
  readonly verdict: string;
}

/** A long operation of the page (the catalogue, the drill): its progress, then its result or its error. */
export interface OperationView<Result> {
  readonly state: 'running' | 'done' | 'failed';
  readonly mode: ModeName;
  readonly insecure: boolean;
  readonly compromised?: AppName;
  readonly lines: readonly string[];
  readonly result?: Result;
  readonly error?: string;
}

/** Everything the page shows, sent whole at each change. */
export interface WorkshopView {
  /** Grows with every change: an answer to a POST names the version from which its work shows. */
  readonly version: number;
  readonly modes: readonly { readonly name: ModeName; readonly summary: string }[];
  readonly apps: readonly AppName[];
  readonly mode: ModeName;
  readonly insecure: boolean;
  readonly variant: Variant;
  /** The mode's services and keys, as inline SVG. */
  readonly picture: string;
  readonly stack: {
    readonly state: 'starting' | 'running' | 'failed' | 'stopped';
    /** Grows with every start: the loot of an older stack is gone. */
    readonly generation: number;
    readonly urls?: Readonly<Record<AppName, string>>;
    readonly error?: string;
  };
  /** The long operation under way, in a few words; none when idle. */
  readonly busy?: string;
  /** The latest progress lines, oldest first. */
  readonly progress: readonly string[];
  readonly matrices: Readonly<Record<Probe['attack'], MatrixView>>;
  readonly loot: Partial<Record<AppName, LootView>>;
  readonly catalogue?: OperationView<CatalogueView>;
  readonly drill?: OperationView<DrillView>;
}

/**
 * An empty matrix: a row per compromised app, no cell probed yet.
 *
 * @example
 * const forge = emptyMatrix();
 */
export function emptyMatrix(): MatrixView {
  return Object.fromEntries(APP_NAMES.map((app) => [app, {}])) as MatrixView;
}

/**
 * A probe's answer as a cell of the page.
 *
 * @example
 * cellOf(probe); // { state: 'answered', accepted: false, status: 401, expected: false, via: 'key mobile-api.1c0ffee5' }
 */
export function cellOf(probe: Probe): CellView {
  return {
    state: 'answered',
    expected: probe.expected,
    accepted: probe.accepted,
    status: probe.status,
    ...(probe.via === undefined ? {} : { via: probe.via }),
  };
}

/** The members that hold secret material: an oct key's value (RFC 7518 §6.4.1), an RSA private key's (§6.3.2). */
const SECRET_MEMBERS = ['k', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function secretMembersOf(jwk: JWK): [string, string][] {
  const record = jwk as Record<string, unknown>;
  return SECRET_MEMBERS.flatMap((member) => (typeof record[member] === 'string' ? [[member, record[member]]] : []));
}

/**
 * The loot of a compromise as the page shows it: the environment (but PATH), the key files, and each key that can
 * sign with the audiences it signs for in the mode, its secret members masked.
 *
 * @example
 * viewLoot(await stack.compromise('dashboard-api'), 'per-app-secret').signing[0].signsFor; // ['dashboard-api']
 */
export function viewLoot(loot: Loot, mode: ModeName): LootView {
  const definition = getMode(mode);
  return {
    app: loot.app,
    source: loot.source,
    env: Object.entries(loot.env).filter(([name]) => name !== 'PATH'),
    files: loot.files.map((file) => file.path),
    signing: signingKeysIn(loot).map((jwk) => {
      const kid = jwk.kid ?? '(no kid)';
      const key = keyNameOf(kid);
      return {
        kid,
        key,
        kind: jwk.kty === 'oct' ? `${jwk.alg ?? definition.alg} secret` : `${jwk.kty ?? ''} private key`.trim(),
        signsFor: APP_NAMES.filter((app) => definition.signingKey[app] === key),
        masked: secretMembersOf(jwk).map(([member, value]) => ({ member, length: value.length })),
      };
    }),
  };
}

/**
 * The secret members of every key of a loot that can sign: what the page's "reveal" shows.
 *
 * @example
 * revealSecrets(loot).keys[0].members; // [['k', 'q3J...']]
 */
export function revealSecrets(loot: Loot): RevealedSecrets {
  return { app: loot.app, keys: signingKeysIn(loot).map((jwk) => ({ kid: jwk.kid ?? '(no kid)', members: secretMembersOf(jwk) })) };
}

const outcomeLabel = (outcome: Outcome) => outcome.replace('-', ' ');

function expectedText(expected: Readonly<Record<AppName, Outcome>>): string {
  const outcomes = APP_NAMES.map((app) => expected[app]);
  if (outcomes.every((outcome) => outcome === outcomes[0])) return outcomeLabel(outcomes[0]!);
  return APP_NAMES.map((app) => `${app}: ${outcomeLabel(expected[app])}`).join('\n');
}

function cellLabel(cell: Cell): string {
  return labelOf(cell).replace('ACCEPTED', 'accepted');
}

/**
 * A run of the catalogue as the page shows it: the attacks in their groups, each service's answer (marked where it
 * is not the expected one), what was checked after the run, and the verdict.
 *
 * @example
 * viewCatalogue(await runCatalogue({ modes: ['rs256-jwks'], driver: localDriver })).verdict;
 */
export function viewCatalogue(run: CatalogueRun): CatalogueView {
  const groups = new Map<string, CatalogueRowView[]>();
  for (const row of run.rows) {
    const title = ATTACK_GROUPS[row.group];
    const got = Object.fromEntries(
      APP_NAMES.map((app) => {
        const cell = row.got[app];
        return [app, { label: cellLabel(cell), wrong: cell.outcome !== 'skipped' && cell.outcome !== row.expected[app] }];
      }),
    ) as CatalogueRowView['got'];
    const rows = groups.get(title) ?? [];
    rows.push({ id: row.id, title: row.title, tries: row.tries, expected: expectedText(row.expected), got, verdict: row.verdict });
    groups.set(title, rows);
  }
  const checks = run.checks.map((check) => {
    const dead = APP_NAMES.filter((app) => !check.alive[app]);
    const leaks = check.leaks.map((leak) => `${leak.app}'s output quotes ${leak.what}`);
    return [
      dead.length === 0 ? 'every service still answers /health' : `${dead.join(', ')} no longer answer /health`,
      `the attacker's server was fetched ${check.attackerFetches} time${check.attackerFetches === 1 ? '' : 's'}`,
      !check.logsRead
        ? "the services' output was not read"
        : leaks.length === 0
          ? `no key material, token or password in ${check.logLines} log lines`
          : leaks.join('; '),
    ].join('; ');
  });
  return {
    groups: [...groups].map(([title, rows]) => ({ title, rows })),
    checks,
    verdict: formatCatalogueVerdict(run),
    failures: run.rows.filter((row) => row.verdict === 'mismatch').length,
  };
}

/**
 * A drill's record as the page shows it: what recovery changed, then what it cost, with the fields and wording of
 * the drill's own report.
 *
 * @example
 * viewDrill(record).rows[0]; // ['keys replaced', 'dashboard-api']
 */
export function viewDrill(record: DrillRecord): DrillView {
  const rows = [...DRILL_OUTCOME, ...DRILL_FIGURES].map((field): [string, string] => [field.label, field.cell(record)]);
  return {
    rows,
    failures: record.failures,
    verdict: record.failures.length === 0 ? 'The drill went as expected.' : 'The drill did NOT go as expected.',
  };
}
