import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { APP_NAMES, ISSUER_APP, ROTATION_STEPS, getMode, keyNameOf, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { fetchWithin } from '@jwt-blast-radius/process';
import { detectForgedTokens } from '../detect/detect';
import { parseServiceLogs } from '../detect/read';
import { localDriver, type RunningStack, type StackDriver } from '@jwt-blast-radius/stack';
import { ROUTES } from '../targets';
import { armAttacker, attackRound, type AttackAttempt, type AttackToken } from './attacker';
import { EXPECTED_RECOVERY, type ExpectedRecovery } from './expected';
import { DRILL_USERS, UserLoad, keyOf, type LoadRequest } from './users';

/** One drill: one mode, one compromised app, recovered from on the running stack. */
export interface DrillRecord {
  readonly mode: ModeName;
  readonly compromised: AppName;
  /** The mode keys the playbook replaced: those the compromised app held that some service trusts to sign. */
  readonly keysReplaced: readonly string[];
  /** The apps whose own key files changed (a JWKS refetch is not a change). */
  readonly keysChangedAt: readonly AppName[];
  /** The audiences whose tokens issued before the playbook stopped working. */
  readonly audiencesLoggedOut: readonly AppName[];
  /** Forged requests accepted before the playbook started. */
  readonly forgedAcceptedBefore: number;
  /** How many of those the detection flagged, from the logs alone. */
  readonly forgedDetected: number;
  /** Forged requests accepted while the playbook ran. */
  readonly forgedAcceptedDuring: number;
  /** Forged requests accepted after the playbook ended: must be 0. */
  readonly forgedAcceptedAfter: number;
  /** The load's requests whose token was signed by a key current when it was sent. */
  readonly validRequests: number;
  /** Those refused: must be 0. */
  readonly validRefused: number;
  /** The load's valid requests per second over the drill: a figure of the machine, never a verdict. */
  readonly validPerSecond: number;
  /** The phases the load's requests are counted in: before the playbook's first reload, then after each step's reload. */
  readonly phases: number;
  /**
   * The fewest valid requests one user sent one service in one phase: at least 1, so that "none refused" speaks
   * for every user at every service through every step of the playbook (the drill waits for them).
   */
  readonly fewestValidInAPhase: number;
  /** Logins after a refused token: users sent back to the login page. */
  readonly relogins: number;
  /** 429 or 503 answers to the load's logins. */
  readonly loginsThrottled: number;
  /** Service processes restarted (or gone): must be 0. */
  readonly restarts: number;
  /** Seconds from the start of the playbook until a round of every forged token was refused everywhere; 0 when none was ever accepted. */
  readonly secondsToContain: number;
  /** The playbook's own duration, in seconds: its steps and reloads, without the waits for the users' calls between them. */
  readonly playbookSeconds: number;
  /** Seconds from the end of the playbook until the last harvested token that still works expires; 0 when none works. */
  readonly harvestedValidFor: number;
  /** Why the drill did not go as expected, one line each; empty when it did. */
  readonly failures: readonly string[];
}

/** How long each phase of a drill lasts, and how often its parts send. */
export const DRILL_TIMING = Object.freeze({
  /** The load alone, before the compromise. */
  warmupMs: 1000,
  /** The attack before the playbook. */
  attackBeforeMs: 1000,
  /** The attack after the playbook. */
  attackAfterMs: 1000,
  /** Milliseconds between two calls of one user to one audience (3 users × 3 audiences: up to 90 requests a second). */
  userIntervalMs: 100,
  /** Milliseconds between two rounds of the attack. */
  attackIntervalMs: 200,
  /** The longest a reload of the whole stack may take: it only stops a reload that hangs. */
  reloadTimeoutMs: 120_000,
  /** The longest the drill waits for every user's next answered call to every service after a reload (it hangs otherwise). */
  callsTimeoutMs: 120_000,
  /** The longest the detection waits for the accepted forged requests to reach the logs (it returns once they are in). */
  logWaitMs: 60_000,
});

/**
 * The stack's settings for a drill: limits that the load's own logins never reach (three users, each logging
 * in once per audience and again when sent back), as the hardening's login door allows a test to set.
 */
const LOAD_SETTINGS = { LOGIN_ATTEMPTS_PER_USER: '100000', LOGIN_ATTEMPTS_PER_ADDRESS: '100000' } as const;

export interface DrillOptions {
  readonly modes: readonly ModeName[];
  /** The apps to compromise, one drill each; every app unless given. */
  readonly compromised?: readonly AppName[];
  /** How the stack runs: local processes unless given, or containers. */
  readonly driver?: StackDriver;
  readonly progress?: (line: string) => void;
}

/**
 * The keys a playbook replaces after an app's compromise: those the app held that some service trusts to sign
 * (a key only the compromised app held, and no service trusted, would not need to change: none exists here).
 *
 * @example
 * keysToReplace('per-app-secret', 'dashboard-api'); // ['dashboard-api']
 */
export function keysToReplace(mode: ModeName, compromised: AppName): string[] {
  const definition = getMode(mode);
  const signing = new Set<string>(Object.values(definition.signingKey));
  return definition.holdings[compromised].filter((name) => signing.has(name));
}

/**
 * Runs the recovery drills: for each mode and compromised app, a fresh stack, a steady load of valid users, the
 * app compromised as the lab does it, an attacker forging and replaying, detection over the logs, then the mode's
 * playbook live (stage, promote, retire, each followed by a reload of every service, and the next step only once
 * every service reports the kids its key files give it), and what it cost.
 *
 * @example
 * const records = await runDrills({ modes: ['per-app-secret'], compromised: ['dashboard-api'] });
 */
export async function runDrills({
  modes,
  compromised = APP_NAMES,
  driver = localDriver,
  progress = () => {},
}: DrillOptions): Promise<DrillRecord[]> {
  const records: DrillRecord[] = [];
  for (const mode of modes) {
    for (const app of compromised) {
      records.push(await runDrill(mode, app, driver, (line) => progress(`[${mode}, ${app} compromised] ${line}`)));
    }
  }
  return records;
}

async function runDrill(mode: ModeName, compromised: AppName, driver: StackDriver, say: (line: string) => void): Promise<DrillRecord> {
  let stack: RunningStack | undefined;
  let load: UserLoad | undefined;
  try {
    say(`starting the stack (${driver.name})`);
    stack = await driver.start(mode, { insecure: false, progress: say, settings: LOAD_SETTINGS });
    const processes = await stack.processes();
    say(`logging ${DRILL_USERS.length} users in for every audience, then keeping up their calls`);
    load = await UserLoad.start({ urls: stack.urls, intervalMs: DRILL_TIMING.userIntervalMs });
    await sleep(DRILL_TIMING.warmupMs);

    const loot = await stack.compromise(compromised);
    const harvested = DRILL_USERS.map((user) => load!.tokens().get(keyOf(user, compromised))!);
    const arsenal = await armAttacker(loot, harvested, stack.urls);
    say(
      `compromised ${compromised}: ${arsenal.filter((token) => token.kind !== 'replayed').length} forged tokens, ${harvested.length} harvested`,
    );
    const before = await attackFor(arsenal, DRILL_TIMING.attackBeforeMs);
    const acceptedBefore = before.filter((request) => isForged(request) && request.status === 200);
    const flagged = await detectInLogs(stack, acceptedBefore);
    const forgedDetected = acceptedBefore.filter((request) => request.reqId !== undefined && flagged.has(request.reqId)).length;
    say(`${acceptedBefore.length} forged requests accepted, ${forgedDetected} flagged by the detection`);

    const names = keysToReplace(mode, compromised);
    const heldBefore = await stack.keys.held();
    const tokensBefore = load.tokens();
    const replacedKids = new Set(heldBefore[ISSUER_APP].filter((kid) => names.includes(keyNameOf(kid))));
    say(names.length > 0 ? `playbook: replacing ${names.join(', ')} (${ROTATION_STEPS.join(', ')})` : 'playbook: no key to replace');
    await awaitCalls(load, load.startedAt, PHASE_BEFORE, say);
    const during = keepAttacking(arsenal);
    const playbook = await runPlaybook(stack, load, names, say);
    const duringRounds = await during.stop();
    const after = await attackFor(arsenal, DRILL_TIMING.attackAfterMs);

    const keysChangedAt = changedApps(heldBefore, await stack.keys.held());
    const audiencesLoggedOut = await loggedOutAudiences(stack.urls, tokensBefore);
    const harvestedValidFor = await stillValidFor(`${stack.urls[compromised]}${ROUTES[compromised].user}`, harvested, playbook.end);
    const loadRecord = await load.stop();
    load = undefined;
    // A token of a retired key answered after the retire began may be refused, however early it was sent; one
    // answered before (in the same millisecond at the latest) was answered before any key file changed.
    const valid = loadRecord.requests.filter((request) => !(replacedKids.has(request.kid) && request.answeredAt > playbook.retiredAt));
    const processesAfter = await stack.processes();
    const restarts = APP_NAMES.filter((app) => processesAfter[app] !== processes[app]).length;
    const acceptedDuring = duringRounds.flat().filter((request) => isForged(request) && request.status === 200).length;
    const everAccepted = acceptedBefore.length + acceptedDuring > 0;
    const containedAt = containedSince(duringRounds, after);
    const result = {
      mode,
      compromised,
      keysReplaced: names,
      keysChangedAt,
      audiencesLoggedOut,
      forgedAcceptedBefore: acceptedBefore.length,
      forgedDetected,
      forgedAcceptedDuring: acceptedDuring,
      forgedAcceptedAfter: after.filter((request) => isForged(request) && request.status === 200).length,
      validRequests: valid.length,
      validRefused: valid.filter((request) => request.status !== 200).length,
      validPerSecond: valid.length / loadRecord.seconds,
      phases: playbook.phaseStarts.length,
      fewestValidInAPhase: fewestInAPhase(valid, playbook.phaseStarts),
      relogins: loadRecord.relogins,
      loginsThrottled: loadRecord.loginsThrottled,
      restarts,
      secondsToContain: everAccepted ? Math.max(0, ((containedAt ?? Date.now()) - playbook.start) / 1000) : 0,
      playbookSeconds: playbook.stepsMs / 1000,
      harvestedValidFor,
    };
    const gaps = phaseGaps(valid, playbook.phaseStarts, playbook.phaseNames);
    if (gaps.length > 0) say(`no valid request from ${gaps.join('; ')}`);
    const failures = judgeDrill(result, EXPECTED_RECOVERY[mode][compromised]);
    say(failures.length === 0 ? 'as expected' : `NOT as expected: ${failures.join('; ')}`);
    return { ...result, failures };
  } finally {
    if (load) await load.stop().catch(() => undefined);
    await stack?.stop();
  }
}

const PHASE_BEFORE = 'before the playbook';

/** What a playbook did: when it began and ended, its own time, when the retire began, and the load's phases. */
interface PlaybookRun {
  readonly start: number;
  /** When the last step's reload was done. */
  readonly end: number;
  /** Its steps and their reloads, without the waits for the users between them. */
  readonly stepsMs: number;
  /** When the retire step began; Infinity when there was none. */
  readonly retiredAt: number;
  /** Where each phase of the load begins: the load's start, then each step's reload. */
  readonly phaseStarts: readonly number[];
  readonly phaseNames: readonly string[];
}

/**
 * Runs the playbook on a running stack: each step on every key to replace, then a reload of every service, then
 * a wait for every user's next answered call to every service, which begins the load's next phase.
 */
async function runPlaybook(
  stack: RunningStack,
  load: UserLoad,
  names: readonly string[],
  say: (line: string) => void,
): Promise<PlaybookRun> {
  const start = Date.now();
  const run = { start, end: start, stepsMs: 0, retiredAt: Infinity, phaseStarts: [load.startedAt], phaseNames: [PHASE_BEFORE] };
  for (const step of names.length > 0 ? ROTATION_STEPS : []) {
    const stepStart = Date.now();
    if (step === 'retire') run.retiredAt = stepStart;
    for (const name of names) await stack.keys.rotate(step, name);
    await stack.keys.reload({ timeoutMs: DRILL_TIMING.reloadTimeoutMs });
    say(`${step}: every service reloaded`);
    run.end = Date.now();
    run.stepsMs += run.end - stepStart;
    run.phaseStarts.push(run.end);
    run.phaseNames.push(`after ${step}`);
    await awaitCalls(load, run.end, `after ${step}`, say);
  }
  return run;
}

/** Why a drill's record is not what it must be: its expected data, and the rules every drill holds to. */
export function judgeDrill(record: Omit<DrillRecord, 'failures'>, expected: ExpectedRecovery): string[] {
  const failures: string[] = [];
  const same = (got: readonly string[], want: readonly string[]) => [...got].sort().join(',') === [...want].sort().join(',');
  const list = (apps: readonly string[]) => (apps.length > 0 ? apps.join(', ') : 'none');
  if (!same(record.keysChangedAt, expected.keysChangedAt)) {
    failures.push(`keys changed at ${list(record.keysChangedAt)}, expected ${list(expected.keysChangedAt)}`);
  }
  if (!same(record.audiencesLoggedOut, expected.audiencesLoggedOut)) {
    failures.push(`audiences logged out: ${list(record.audiencesLoggedOut)}, expected ${list(expected.audiencesLoggedOut)}`);
  }
  if (record.forgedDetected !== record.forgedAcceptedBefore) {
    failures.push(`${record.forgedDetected} of ${record.forgedAcceptedBefore} accepted forged requests detected`);
  }
  if (record.forgedAcceptedAfter > 0) failures.push(`${record.forgedAcceptedAfter} forged requests accepted after the playbook`);
  if (record.validRefused > 0) failures.push(`${record.validRefused} of ${record.validRequests} valid requests refused`);
  if (record.fewestValidInAPhase < 1) {
    failures.push(`a user sent a service no valid request in one of the ${record.phases} phases of the playbook`);
  }
  if (record.restarts > 0) failures.push(`${record.restarts} services restarted`);
  return failures;
}

/** Waits for every user's next answered call to every service since `since`, and says who was still waiting. */
async function awaitCalls(load: UserLoad, since: number, phase: string, say: (line: string) => void): Promise<void> {
  const waiting = await load.waitForCallsSince(since, DRILL_TIMING.callsTimeoutMs);
  if (waiting.length > 0) say(`${phase}: no answered call within ${DRILL_TIMING.callsTimeoutMs / 1000} s for ${waiting.join(', ')}`);
}

/** How many requests each user sent each audience in each phase, a phase running from its start to the next one's. */
function countPerPhase(requests: readonly LoadRequest[], phaseStarts: readonly number[]): { phase: number; pair: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const phase = phaseStarts.findLastIndex((start) => start <= request.time);
    const key = `${phase} ${keyOf({ username: request.user }, request.audience)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return phaseStarts.flatMap((_start, phase) =>
    DRILL_USERS.flatMap((user) =>
      APP_NAMES.map((audience) => ({ phase, pair: keyOf(user, audience), count: counts.get(`${phase} ${keyOf(user, audience)}`) ?? 0 })),
    ),
  );
}

/** The fewest requests one user sent one audience in one phase, a phase running from its start to the next one's. */
export function fewestInAPhase(requests: readonly LoadRequest[], phaseStarts: readonly number[]): number {
  return Math.min(...countPerPhase(requests, phaseStarts).map((cell) => cell.count));
}

/** The users and audiences with no request in a phase, named with the phase: what a failed drill says. */
function phaseGaps(requests: readonly LoadRequest[], phaseStarts: readonly number[], names: readonly string[]): string[] {
  return countPerPhase(requests, phaseStarts).flatMap(({ phase, pair, count }) => (count > 0 ? [] : [`${pair} ${names[phase] ?? phase}`]));
}

function isForged(request: AttackAttempt): boolean {
  return request.kind !== 'replayed';
}

async function attackFor(arsenal: readonly AttackToken[], ms: number): Promise<AttackAttempt[]> {
  const requests: AttackAttempt[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    requests.push(...(await attackRound(arsenal)));
    await sleep(DRILL_TIMING.attackIntervalMs);
  }
  return requests;
}

/** Attack rounds one after the other until stopped: each round's answers, in order. */
function keepAttacking(arsenal: readonly AttackToken[]): { stop(): Promise<AttackAttempt[][]> } {
  const rounds: AttackAttempt[][] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      rounds.push(await attackRound(arsenal));
      await sleep(DRILL_TIMING.attackIntervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return rounds;
    },
  };
}

/** When the forged tokens stopped working: the start of the first round after which no forged request was accepted. */
function containedSince(rounds: readonly (readonly AttackAttempt[])[], after: readonly AttackAttempt[]): number | undefined {
  const all = [...rounds, after];
  let since: number | undefined;
  for (const round of all) {
    const forged = round.filter(isForged);
    if (forged.some((request) => request.status === 200)) since = undefined;
    else since ??= Math.min(...forged.map((request) => request.time));
  }
  return since;
}

/** Waits until every accepted forged request is in the logs, then runs the detection: the request ids it flagged. */
async function detectInLogs(stack: RunningStack, accepted: readonly AttackAttempt[]): Promise<Set<string>> {
  if (!stack.logs) throw new Error("the drill reads the services' output, which this driver cannot");
  const deadline = Date.now() + DRILL_TIMING.logWaitMs;
  for (;;) {
    const { logs } = parseServiceLogs(await stack.logs());
    const logged = new Set(
      Object.values(logs)
        .flat()
        .flatMap((line) => (line.event === 'access' && typeof line.reqId === 'string' ? [line.reqId] : [])),
    );
    if (accepted.every((request) => request.reqId !== undefined && logged.has(request.reqId)) || Date.now() > deadline) {
      return new Set(detectForgedTokens(logs).flagged.flatMap((flag) => (flag.reqId === undefined ? [] : [flag.reqId])));
    }
    await sleep(50);
  }
}

function changedApps(before: Record<AppName, string[]>, after: Record<AppName, string[]>): AppName[] {
  return APP_NAMES.filter((app) => before[app].join(',') !== after[app].join(','));
}

/** The audiences whose every token held before the playbook is now refused at its own service. */
async function loggedOutAudiences(urls: Readonly<Record<AppName, string>>, tokens: ReadonlyMap<string, string>): Promise<AppName[]> {
  const out: AppName[] = [];
  for (const audience of APP_NAMES) {
    const held = DRILL_USERS.map((user) => tokens.get(keyOf(user, audience))!);
    const statuses = await Promise.all(held.map((token) => statusOf(`${urls[audience]}${ROUTES[audience].user}`, token)));
    if (statuses.every((status) => status === 401)) out.push(audience);
  }
  return out;
}

/** Seconds from `from` until the last harvested token that still works at `url` expires; 0 when none works. */
async function stillValidFor(url: string, harvested: readonly string[], from: number): Promise<number> {
  let last = 0;
  for (const token of harvested) {
    if ((await statusOf(url, token)) !== 200) continue;
    last = Math.max(last, Number(decodeJwt(token).exp ?? 0) - from / 1000);
  }
  return Math.max(0, Math.round(last));
}

async function statusOf(url: string, token: string): Promise<number> {
  const response = await fetchWithin(10_000, url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}
