import { KeysError } from './errors';

/**
 * What a verifier accepts beyond the signature, the issuer and the algorithm: one object, each member a
 * setting. The defaults ({@link DEFAULT_VERIFIER_POLICY}) are strict, for tokens this package's signer issues;
 * tokens from an existing OpenID provider usually need another `typ`, a longer lifetime, an audience among
 * others, and roles under a nested claim.
 *
 * @example
 * // Access tokens as an OpenID provider such as Keycloak issues them:
 * const policy: VerifierPolicy = {
 *   tokenTypes: ['JWT'],
 *   maxLifetimeSeconds: 3600,
 *   clockToleranceSeconds: 5,
 *   audienceRule: 'among',
 *   rolesClaim: 'realm_access.roles',
 * };
 */
export interface VerifierPolicy {
  /**
   * The `typ` header values accepted, compared without case and with the `application/` prefix optional
   * (RFC 7515 §4.1.9). RFC 9068 §4 has a resource server accept only `at+jwt`, which keeps an ID token or
   * any other JWT signed by the same key from being taken for an access token. Setting `TOKEN_TYPES`.
   */
  readonly tokenTypes: readonly string[];
  /** The longest lifetime accepted (`exp` − `iat`), in seconds. Setting `TOKEN_MAX_LIFETIME_SECONDS`. */
  readonly maxLifetimeSeconds: number;
  /** Seconds of clock difference forgiven on `exp`, `nbf` and `iat`. Setting `CLOCK_TOLERANCE_SECONDS`. */
  readonly clockToleranceSeconds: number;
  /**
   * `alone`: `aud` names this service and nothing else (a string, or an array of one), so that no other
   * service can replay the token here. `among`: an array naming this service among others is accepted too,
   * as existing providers issue them; any service it names can then replay it here. Setting `AUDIENCE_RULE`.
   */
  readonly audienceRule: 'alone' | 'among';
  /**
   * The claim that holds the roles `@Roles()` checks, as a dotted path into the claims (`roles`,
   * `realm_access.roles`); it must hold an array of strings, or the token is refused. Setting `ROLES_CLAIM`.
   */
  readonly rolesClaim: string;
}

/** The strict defaults: RFC 9068 access tokens of at most 15 minutes, for this service alone, roles in `roles`. */
export const DEFAULT_VERIFIER_POLICY: VerifierPolicy = Object.freeze({
  tokenTypes: Object.freeze(['at+jwt']),
  maxLifetimeSeconds: 15 * 60,
  clockToleranceSeconds: 5,
  audienceRule: 'alone',
  rolesClaim: 'roles',
});

/** The environment variable of each member of the policy, and the range it must be in. */
export const POLICY_SETTINGS = {
  tokenTypes: { name: 'TOKEN_TYPES', rule: 'a comma-separated list of media types such as at+jwt or JWT' },
  maxLifetimeSeconds: { name: 'TOKEN_MAX_LIFETIME_SECONDS', rule: 'a whole number of seconds from 60 to 86400', min: 60, max: 86_400 },
  clockToleranceSeconds: { name: 'CLOCK_TOLERANCE_SECONDS', rule: 'a whole number of seconds from 0 to 300', min: 0, max: 300 },
  audienceRule: { name: 'AUDIENCE_RULE', rule: 'alone or among' },
  rolesClaim: { name: 'ROLES_CLAIM', rule: 'a claim name or a dotted path of them, such as realm_access.roles' },
} as const satisfies Record<keyof VerifierPolicy, { name: string; rule: string; min?: number; max?: number }>;

// RFC 6838 §4.2 restricted-name characters, for a media type's subtype such as at+jwt.
const MEDIA_TYPE = /^(?:application\/)?[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const CLAIM_PATH = /^[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,4}$/;

/**
 * Checks a verifier policy, member by member: a `KeysError` (`ERR_KEYS_CONFIG`) naming the setting of the first
 * member out of range, or the policy.
 *
 * @example
 * checkVerifierPolicy({ ...DEFAULT_VERIFIER_POLICY, audienceRule: 'among' });
 */
export function checkVerifierPolicy(policy: VerifierPolicy): VerifierPolicy {
  const fail = (member: keyof VerifierPolicy) => {
    throw new KeysError('ERR_KEYS_CONFIG', `must be ${POLICY_SETTINGS[member].rule}`, POLICY_SETTINGS[member].name);
  };
  if (policy.tokenTypes.length === 0 || !policy.tokenTypes.every((type) => MEDIA_TYPE.test(type))) fail('tokenTypes');
  for (const member of ['maxLifetimeSeconds', 'clockToleranceSeconds'] as const) {
    const { min, max } = POLICY_SETTINGS[member];
    if (!Number.isInteger(policy[member]) || policy[member] < min || policy[member] > max) fail(member);
  }
  if (policy.audienceRule !== 'alone' && policy.audienceRule !== 'among') fail('audienceRule');
  if (!CLAIM_PATH.test(policy.rolesClaim)) fail('rolesClaim');
  return policy;
}

/**
 * Reads a verifier policy from the environment, each setting defaulting to {@link DEFAULT_VERIFIER_POLICY}.
 *
 * @example
 * readVerifierPolicy({ AUDIENCE_RULE: 'among', ROLES_CLAIM: 'realm_access.roles' }); // the other members: the defaults
 */
export function readVerifierPolicy(env: Readonly<Record<string, string | undefined>>): VerifierPolicy {
  const read = (member: keyof VerifierPolicy) => env[POLICY_SETTINGS[member].name]?.trim() || undefined;
  const wholeNumber = (member: 'maxLifetimeSeconds' | 'clockToleranceSeconds') => {
    const value = read(member);
    if (value === undefined) return DEFAULT_VERIFIER_POLICY[member];
    return /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  };
  const types = read('tokenTypes');
  return checkVerifierPolicy({
    tokenTypes: types === undefined ? DEFAULT_VERIFIER_POLICY.tokenTypes : types.split(',').map((type) => type.trim()),
    maxLifetimeSeconds: wholeNumber('maxLifetimeSeconds'),
    clockToleranceSeconds: wholeNumber('clockToleranceSeconds'),
    audienceRule: (read('audienceRule') ?? DEFAULT_VERIFIER_POLICY.audienceRule) as VerifierPolicy['audienceRule'],
    rolesClaim: read('rolesClaim') ?? DEFAULT_VERIFIER_POLICY.rolesClaim,
  });
}

/**
 * The value at a dotted path of a claims object (`realm_access.roles`), or undefined.
 *
 * @example
 * claimAt({ realm_access: { roles: ['admin'] } }, 'realm_access.roles'); // ['admin']
 */
export function claimAt(claims: object, path: string): unknown {
  let value: unknown = claims;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}
