import type { AppName, JsonWebKeySet, ModeName, SigningAlgorithm } from '@jwt-blast-radius/keys';
import type { JWK, JWTPayload } from 'jose';
import type { Loot } from '@jwt-blast-radius/stack';
import type { Attacker } from '@jwt-blast-radius/attacker';

/**
 * What a service answers to one attack:
 * - `accepted`: 200;
 * - `refused`: 401, `WWW-Authenticate: Bearer realm="<app>", error="invalid_token"` and the bare body
 *   `{"message":"Unauthorized","statusCode":401}`;
 * - `no-token`: the same 401 with a challenge that has no error code (RFC 6750 §3.1);
 * - `too-large`: Node's own 431, for a header block over its 16 KB limit;
 * - `n/a`: not sent, because the mode makes the attack meaningless (it publishes no key to confuse, say).
 */
export const OUTCOMES = ['accepted', 'refused', 'no-token', 'too-large', 'n/a'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome in one mode: the same for every target, or one per target. */
export type ModeExpectation = Outcome | Readonly<Record<AppName, Outcome>>;

/** The expected outcome of an attack: a default, and overrides for the modes where it differs. */
export interface Expectation {
  readonly default: ModeExpectation;
  readonly modes?: Readonly<Partial<Record<ModeName, ModeExpectation>>>;
}

/** The sections the catalogue is grouped in, in the order the reports show them. */
export const ATTACK_GROUPS = {
  control: 'Controls, which must be accepted',
  algorithm: 'The algorithm',
  key: 'The key',
  kid: 'The key id',
  header: 'Other header members',
  claims: 'The claims',
  encoding: 'Encoding and structure',
  transport: 'Where and how the token travels',
} as const;
export type AttackGroup = keyof typeof ATTACK_GROUPS;

/** One HTTP request to the target: the headers it carries, and its path when not the target's user route. */
export interface AttackRequest {
  /** Path and query string; the target's user route when left out. */
  readonly path?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Why an attack cannot be built in this run (for instance a key the driver cannot provide): the row is skipped. */
export interface Unavailable {
  readonly unavailable: string;
}

/**
 * Everything an attack may use against one target in one mode: what a client sees, what the lab's
 * compromises took, and the attacker's own keys and server.
 */
export interface AttackContext {
  readonly mode: ModeName;
  readonly target: AppName;
  /** The algorithm the mode pins. */
  readonly alg: SigningAlgorithm;
  /** The issuer the target expects, as the compromised auth service's settings name it. */
  readonly issuer: string;
  /** The target's route that any user may call (the lab's ROUTES). */
  readonly route: string;
  /** alice's token for each audience, issued by the real auth service. */
  readonly issued: Readonly<Record<AppName, string>>;
  /** The loot of every app, compromised as the lab does it. */
  readonly loot: Readonly<Record<AppName, Loot>>;
  /**
   * The key the target trusts for its audience, taken from the auth service's loot (which holds every
   * signing key in every mode): a tampered token signed with it tests only the property it names.
   */
  readonly trusted: JWK;
  /** Another API than the target, whose loot is used for "another app's key". */
  readonly otherApp: AppName;
  /** The first signing key in the other app's loot, if it holds any. */
  readonly otherAppKey: JWK | undefined;
  /** The issuer's published JWKS, where the mode publishes one. */
  readonly published: JsonWebKeySet | undefined;
  /** The retired version of the trusted key, from the backup of the keys before their rotation. */
  readonly retired: JWK | undefined;
  readonly attacker: Attacker;
  /** Seconds since the epoch, when the context was made. */
  readonly now: number;
  /** Claims the target accepts (alice, her user role, issued now for five minutes), with changes. */
  claims(changes?: Readonly<Record<string, unknown>>): JWTPayload;
}

/**
 * One attack of the catalogue: the runner, the reports, the expected data and the tests all read it.
 * Adding an attack is adding one of these to {@link CATALOGUE}.
 */
export interface Attack {
  /** Stable, kebab-case. */
  readonly id: string;
  readonly group: AttackGroup;
  readonly title: string;
  /** What it tries, in one sentence. */
  readonly tries: string;
  readonly expected: Expectation;
  request(context: AttackContext): AttackRequest | Unavailable | Promise<AttackRequest | Unavailable>;
}
