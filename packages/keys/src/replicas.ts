import { setTimeout as sleep } from 'node:timers/promises';
import type { FolderKids } from './folders';

/** One running copy of a service (a pod, a process), by the URL its `/health` answers at. */
export interface Replica {
  readonly app: string;
  readonly url: string;
}

/** The part of a service's `/health` answer that says which keys it holds now. */
export interface HealthKids {
  readonly kids?: unknown;
  readonly signing?: unknown;
}

/**
 * Why a service's `/health` answer is not what its key folder gives it (`keys kids`): the kids it trusts, and for
 * the issuer those it signs with; undefined when it is.
 *
 * @example
 * kidsDiffer('mobile-api', await (await fetch(`${url}/health`)).json(), expected['mobile-api']);
 * // 'mobile-api trusts mobile-api.1c0ffee5; its key files say mobile-api.1c0ffee5, mobile-api.7e57ab1e'
 */
export function kidsDiffer(app: string, health: HealthKids, expected: FolderKids): string | undefined {
  const trusted = kidsOf(health.kids);
  const signing = health.signing === undefined ? undefined : kidsOf(health.signing);
  const want = { trusted: [...expected.trusted].sort(), signing: expected.signing.length > 0 ? [...expected.signing].sort() : undefined };
  if (!sameKids(trusted, want.trusted)) return `${app} trusts ${describeKids(trusted)}; its key files say ${describeKids(want.trusted)}`;
  if (!sameKids(signing, want.signing))
    return `${app} signs with ${describeKids(signing)}; its key file says ${describeKids(want.signing)}`;
  return undefined;
}

/** The kids of a `/health` field (`kids`, `signing`), sorted; none where it holds no list. */
export function kidsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((kid): kid is string => typeof kid === 'string').sort() : [];
}

function sameKids(got: readonly string[] | undefined, want: readonly string[] | undefined): boolean {
  return JSON.stringify(got && [...got].sort()) === JSON.stringify(want);
}

function describeKids(kids: readonly string[] | undefined): string {
  return kids === undefined ? 'nothing' : kids.length === 0 ? 'no kid' : kids.join(', ');
}

/** What one replica reported in one round: undefined `problem` when it holds what its key folder gives it. */
export interface ReplicaState {
  readonly replica: Replica;
  readonly problem: string | undefined;
}

export interface WaitForReplicasOptions {
  /** How long to wait for every replica, in all. */
  readonly timeoutMs: number;
  /** The pause between two rounds of `/health` reads. */
  readonly intervalMs?: number;
  /** Told after each round what each replica reported. */
  readonly onRound?: (states: readonly ReplicaState[]) => void;
}

/**
 * Waits until every replica reports on `/health` what the key folder gives its service (`readFolderKids`): for a
 * rotation across replicas that no one signals (pods following a mounted Secret with `KEYS_WATCH`, each on its own
 * schedule), the wait between two steps. A step is safe once this resolves for every replica of every service the
 * step concerns. Give it the replicas of services that hold their keys: one that fetches the issuer's JWKS reports
 * a kid only once a token has made it fetch. Rejects at the timeout with one line naming each replica still behind,
 * and why.
 *
 * @example
 * await waitForReplicas(replicas, await readFolderKids('keys-out', 'per-app-secret'), { timeoutMs: 180_000 });
 */
export async function waitForReplicas(
  replicas: readonly Replica[],
  expected: Readonly<Record<string, FolderKids>>,
  { timeoutMs, intervalMs = 1_000, onRound }: WaitForReplicasOptions,
): Promise<ReplicaState[]> {
  const deadline = Date.now() + timeoutMs;
  for (const { app } of replicas) {
    if (!Object.hasOwn(expected, app))
      throw new Error(`${app} is not one of the services of the key folder: ${Object.keys(expected).join(', ')}`);
  }
  for (;;) {
    const states = await Promise.all(
      replicas.map(async (replica) => ({ replica, problem: await replicaProblem(replica, expected[replica.app]!) })),
    );
    onRound?.(states);
    const behind = states.filter((state) => state.problem !== undefined);
    if (behind.length === 0) return states;
    if (Date.now() > deadline) {
      throw new Error(
        `${behind.length} of ${replicas.length} replicas still behind: ${behind.map((state) => `${state.replica.url}: ${state.problem}`).join('; ')}`,
      );
    }
    await sleep(intervalMs);
  }
}

async function replicaProblem({ app, url }: Replica, expected: FolderKids): Promise<string | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const response = await fetch(`${url}/health`, { signal: controller.signal });
    if (!response.ok) return `${app} answered ${response.status} at /health`;
    const health = (await response.json()) as HealthKids & { app?: unknown };
    if (health.app !== app) return `${url} answers as ${String(health.app)}, not ${app}`;
    return kidsDiffer(app, health, expected);
  } catch {
    return `${app} does not answer at ${url}/health`;
  } finally {
    clearTimeout(timer);
  }
}
