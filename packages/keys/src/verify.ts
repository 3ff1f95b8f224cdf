import type { KeyObject } from 'node:crypto';
import { jwtVerify, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { KeysError } from './errors';
import { createRemoteKeySet, type JwksFetchEvent } from './jwks';
import type { SigningAlgorithm } from './modes';
import { DEFAULT_VERIFIER_POLICY, checkVerifierPolicy, claimAt, type VerifierPolicy } from './policy';
import type { HeldKey, KeyRing } from './ring';
import { createKeyStore, followRing, isKeyStore, type KeyStore } from './store';
import { readClaims, readProtectedHeader } from './token';

/** Who a verified token speaks for. */
export interface AccessTokenPrincipal {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly audience: string | readonly string[] | undefined;
  readonly jti: string;
}

/** Seconds of clock difference a verifier forgives on `exp`, `nbf` and `iat`, unless its policy says otherwise. */
export const CLOCK_TOLERANCE = DEFAULT_VERIFIER_POLICY.clockToleranceSeconds;

/**
 * Verifies the access tokens of one audience. `resolveKey`, `policy` and `checkClaims` are the parts a
 * framework plugs into its own JWT library (passport-jwt, say); `verifyAccessToken` does it all with jose.
 */
export interface Verifier {
  readonly app: string;
  /** What it accepts: its {@link VerifierPolicy}, with the algorithm, issuer and audience its settings give. */
  readonly policy: VerifierPolicy & {
    readonly algorithms: [SigningAlgorithm];
    readonly issuer: string;
    /** Undefined only when the workshop's switch turned the audience check off. */
    readonly audience: string | undefined;
  };
  /**
   * Checks a token's protected header (`alg`, `typ`, `crit`, `kid`), decoded by `readProtectedHeader`,
   * and returns the key its `kid` names. Throws a `KeysError`: `ERR_JWKS_UNAVAILABLE` when the keys
   * cannot be had at all (a service answers 503), any other code for a token to refuse (401).
   */
  resolveKey(header: JWSHeaderParameters): Promise<KeyObject>;
  /**
   * Checks the claims of a token whose signature is verified, decoded by `readClaims`: issuer, audience
   * (this service, alone unless the policy says `among`), `exp`, `nbf`, `iat` (not ahead of now), the
   * lifetime, the roles claim, and the required claims.
   */
  checkClaims(payload: JWTPayload): AccessTokenPrincipal;
  verifyAccessToken(token: string): Promise<AccessTokenPrincipal>;
  /** The kids it trusts now: the keys it holds, or those of the issuer's JWKS that still serve. */
  trustedKids(): readonly string[];
  /**
   * Reads its keys again and resolves with the kids then trusted: the app's key file, through the checks of
   * start-up (see `KeyStore.reload`: a signer made from the same store signs with the new ring too), and for a
   * verifier that fetches the issuer's JWKS, the JWKS at once, cooldown or not. Rejects with a `KeysError`
   * on failure, still trusting the keys it trusted before.
   */
  reload(): Promise<readonly string[]>;
}

export interface VerifierOptions {
  /** The current time in seconds, for tests that freeze it. */
  readonly now?: () => number;
  /** Told of every fetch of the issuer's JWKS, for the log. */
  readonly onJwksFetch?: (event: JwksFetchEvent) => void;
}

/**
 * Makes the verifier of an app: it trusts only the key that signs its own audience, every version of it,
 * which it either holds (HS modes, and the issuer itself) or fetches from the issuer's JWKS (rs256-jwks).
 * Made from a {@link KeyStore}, it trusts the ring the store holds when each token comes, so a reload
 * changes what it trusts at once. What it accepts beyond the signature is the settings' {@link VerifierPolicy}
 * (`DEFAULT_VERIFIER_POLICY` unless they give one).
 *
 * @example
 * const verifier = createVerifier(ring);
 * const principal = await verifier.verifyAccessToken(token); // throws on any failure
 */
export function createVerifier(keys: KeyRing | KeyStore, { now = () => Date.now() / 1000, onJwksFetch }: VerifierOptions = {}): Verifier {
  const store = isKeyStore(keys) ? keys : createKeyStore(keys);
  const { mode, settings } = store.current();
  const trustedName = mode.signingKeyOf(settings.app);
  const held = followRing(store, (ring) => new Map(trustedKeysOf(ring).map((key) => [key.kid, key.verifyingKey])));
  const remote =
    held().size === 0 && mode.publishesJwks
      ? createRemoteKeySet(settings.jwksUrl, { ...settings.jwks, now: () => now() * 1000, onFetch: onJwksFetch })
      : undefined;
  if (held().size === 0 && !remote) {
    throw new KeysError('ERR_KEYS_MISSING', `holds no "${trustedName}" key to verify with`, settings.keyFile?.setting ?? 'KEYS_DIR');
  }
  const accepts = checkVerifierPolicy(settings.policy ?? DEFAULT_VERIFIER_POLICY);
  const policy = {
    ...accepts,
    algorithms: [mode.alg] as [SigningAlgorithm],
    issuer: settings.issuer,
    audience: settings.audienceCheck ? settings.app : undefined,
  };
  const tolerance = policy.clockToleranceSeconds;
  const tokenTypes = new Set(policy.tokenTypes.map(mediaType));

  async function resolveKey(header: JWSHeaderParameters): Promise<KeyObject> {
    if (header.alg !== mode.alg) throw new KeysError('ERR_TOKEN_HEADER', 'algorithm not accepted');
    // RFC 9068 §4: a resource server rejects a JWT access token whose typ is not at+jwt (by default; the
    // policy may accept another type, for tokens of an existing provider).
    if (typeof header.typ !== 'string' || !tokenTypes.has(mediaType(header.typ))) {
      throw new KeysError('ERR_TOKEN_HEADER', 'typ not accepted');
    }
    // RFC 7515 §4.1.11: no extension this verifier understands, so any crit header is refused.
    if (header.crit !== undefined) throw new KeysError('ERR_TOKEN_HEADER', 'crit is not supported');
    if (typeof header.kid !== 'string') throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'no kid');
    if (remote) return remote.getKey(header);
    const key = held().get(header.kid);
    if (!key) throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'kid not trusted');
    return key;
  }

  const checkClaims = (payload: JWTPayload) => checkAccessClaims(payload, policy, now());

  return {
    app: settings.app,
    policy,
    resolveKey,
    checkClaims,
    trustedKids: () => (remote ? remote.kids() : [...held().keys()]),
    async reload() {
      await store.reload();
      return remote ? remote.reload() : [...held().keys()];
    },
    async verifyAccessToken(token) {
      const key = await resolveKey(readProtectedHeader(token));
      await jwtVerify(token, key, {
        algorithms: policy.algorithms,
        issuer: policy.issuer,
        ...(policy.audience ? { audience: policy.audience } : {}),
        clockTolerance: tolerance,
        currentDate: new Date(now() * 1000),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
      });
      return checkClaims(readClaims(token));
    },
  };
}

/** The claims check of a verifier (see `Verifier.checkClaims`), at the time `at` in seconds. */
function checkAccessClaims(payload: JWTPayload, policy: Verifier['policy'], at: number): AccessTokenPrincipal {
  const { iss, sub, aud, jti, iat, exp, nbf } = payload;
  const tolerance = policy.clockToleranceSeconds;
  const roles = claimAt(payload, policy.rolesClaim);
  const hasAudience = typeof aud === 'string' || (Array.isArray(aud) && aud.length > 0);
  if (
    typeof sub !== 'string' ||
    sub === '' ||
    typeof jti !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    !hasAudience
  ) {
    throw new KeysError('ERR_TOKEN_CLAIMS', 'a required claim is missing');
  }
  if (iss !== policy.issuer) throw new KeysError('ERR_TOKEN_CLAIMS', 'iss is not the issuer');
  // One audience per token by default: an array that also names another service would let that service
  // replay it here. `among` accepts such arrays, as existing providers issue them.
  if (policy.audience && !namesAudience(aud, policy.audience, policy.audienceRule)) {
    throw new KeysError(
      'ERR_TOKEN_CLAIMS',
      policy.audienceRule === 'alone' ? 'aud is not this service alone' : 'aud does not name this service',
    );
  }
  if (exp <= at - tolerance) throw new KeysError('ERR_TOKEN_CLAIMS', 'expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > at + tolerance)) throw new KeysError('ERR_TOKEN_CLAIMS', 'not yet valid');
  // A key holder can write any iat. Refusing one ahead of now, with the cap on exp - iat, keeps every
  // token within the cap from now: exp <= now + tolerance + maxLifetimeSeconds.
  if (iat > at + tolerance) throw new KeysError('ERR_TOKEN_CLAIMS', 'iat is in the future');
  if (exp - iat > policy.maxLifetimeSeconds) throw new KeysError('ERR_TOKEN_CLAIMS', 'lifetime too long');
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw new KeysError('ERR_TOKEN_CLAIMS', 'roles is not a list of strings');
  }
  return { sub, roles, audience: aud, jti };
}

/**
 * The keys of a ring that verify its app's tokens: every version it holds of the key that signs its own
 * audience. None for an app that fetches them from the issuer's JWKS.
 *
 * @example
 * trustedKeysOf(dashboardRing).map((key) => key.kid); // ['dashboard-api.9f2c41ab', 'dashboard-api.1a2b3c4d']
 */
export function trustedKeysOf(ring: KeyRing): HeldKey[] {
  const name = ring.mode.signingKeyOf(ring.settings.app);
  return ring.keys.filter((key) => key.name === name);
}

/** A `typ` as compared: without case, and without the `application/` prefix RFC 7515 §4.1.9 lets it carry. */
function mediaType(typ: string): string {
  return typ.toLowerCase().replace(/^application\//, '');
}

function namesAudience(aud: unknown, audience: string, rule: VerifierPolicy['audienceRule']): boolean {
  if (aud === audience) return true;
  if (!Array.isArray(aud)) return false;
  return rule === 'alone' ? aud.length === 1 && aud[0] === audience : aud.includes(audience);
}
