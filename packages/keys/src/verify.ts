import type { KeyObject } from 'node:crypto';
import { jwtVerify, type JWSHeaderParameters, type JWTPayload } from 'jose';
import type { AppName } from './apps';
import { KeysError } from './errors';
import { createRemoteKeySet, type JwksFetchEvent } from './jwks';
import type { SigningAlgorithm } from './modes';
import type { HeldKey, KeyRing } from './ring';
import { ACCESS_TOKEN_TYPE, MAX_TOKEN_LIFETIME } from './sign';
import { createKeyStore, followRing, isKeyStore, type KeyStore } from './store';
import { readClaims, readProtectedHeader } from './token';

/** Who a verified token speaks for. */
export interface AccessTokenPrincipal {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly audience: string | readonly string[] | undefined;
  readonly jti: string;
}

/** Seconds of clock difference a verifier forgives on `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE = 5;

/**
 * Verifies the access tokens of one audience. `resolveKey`, `policy` and `checkClaims` are the parts a
 * framework plugs into its own JWT library (passport-jwt, say); `verifyAccessToken` does it all with jose.
 */
export interface Verifier {
  readonly app: AppName;
  readonly policy: {
    readonly algorithms: [SigningAlgorithm];
    readonly issuer: string;
    /** Undefined only when the insecure switch turned the audience check off. */
    readonly audience: AppName | undefined;
    readonly clockTolerance: number;
  };
  /**
   * Checks a token's protected header (`alg`, `typ`, `crit`, `kid`), decoded by `readProtectedHeader`,
   * and returns the key its `kid` names. Throws a `KeysError`: `ERR_JWKS_UNAVAILABLE` when the keys
   * cannot be had at all (a service answers 503), any other code for a token to refuse (401).
   */
  resolveKey(header: JWSHeaderParameters): Promise<KeyObject>;
  /**
   * Checks the claims of a token whose signature is verified, decoded by `readClaims`: issuer, audience
   * (this service alone), `exp`, `nbf`, `iat` (not ahead of now), the lifetime, and the required claims.
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
 * changes what it trusts at once.
 *
 * @example
 * const verifier = createVerifier(ring);
 * const principal = await verifier.verifyAccessToken(token); // throws on any failure
 */
export function createVerifier(keys: KeyRing | KeyStore, { now = () => Date.now() / 1000, onJwksFetch }: VerifierOptions = {}): Verifier {
  const store = isKeyStore(keys) ? keys : createKeyStore(keys);
  const { mode, settings } = store.current();
  const trustedName = mode.signingKey[settings.app];
  const held = followRing(store, (ring) => new Map(trustedKeysOf(ring).map((key) => [key.kid, key.verifyingKey])));
  const remote =
    held().size === 0 && mode.publishesJwks
      ? createRemoteKeySet(settings.jwksUrl, { ...settings.jwks, now: () => now() * 1000, onFetch: onJwksFetch })
      : undefined;
  if (held().size === 0 && !remote) {
    throw new KeysError('ERR_KEYS_MISSING', `holds no "${trustedName}" key to verify with`, settings.keyFile?.setting ?? 'KEYS_DIR');
  }
  const policy = {
    algorithms: [mode.alg] as [SigningAlgorithm],
    issuer: settings.issuer,
    audience: settings.audienceCheck ? settings.app : undefined,
    clockTolerance: CLOCK_TOLERANCE,
  };
  const tolerance = policy.clockTolerance;

  async function resolveKey(header: JWSHeaderParameters): Promise<KeyObject> {
    if (header.alg !== mode.alg) throw new KeysError('ERR_TOKEN_HEADER', 'algorithm not accepted');
    // RFC 9068 §4: a resource server rejects a JWT access token whose typ is not at+jwt (RFC 7515
    // §4.1.9 lets the "application/" prefix be written or left out).
    if (typeof header.typ !== 'string' || header.typ.toLowerCase().replace(/^application\//, '') !== ACCESS_TOKEN_TYPE) {
      throw new KeysError('ERR_TOKEN_HEADER', 'typ is not at+jwt');
    }
    // RFC 7515 §4.1.11: no extension this verifier understands, so any crit header is refused.
    if (header.crit !== undefined) throw new KeysError('ERR_TOKEN_HEADER', 'crit is not supported');
    if (typeof header.kid !== 'string') throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'no kid');
    if (remote) return remote.getKey(header);
    const key = held().get(header.kid);
    if (!key) throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'kid not trusted');
    return key;
  }

  function checkClaims(payload: JWTPayload): AccessTokenPrincipal {
    const { iss, sub, aud, jti, iat, exp, nbf } = payload;
    const roles = (payload as { roles?: unknown }).roles;
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
    // One audience per token: an array that also names another service would let that service replay it here.
    if (policy.audience && aud !== policy.audience && !(Array.isArray(aud) && aud.length === 1 && aud[0] === policy.audience)) {
      throw new KeysError('ERR_TOKEN_CLAIMS', 'aud is not this service alone');
    }
    const at = now();
    if (exp <= at - tolerance) throw new KeysError('ERR_TOKEN_CLAIMS', 'expired');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > at + tolerance)) throw new KeysError('ERR_TOKEN_CLAIMS', 'not yet valid');
    // A key holder can write any iat. Refusing one ahead of now, with the cap on exp - iat, keeps every
    // token within the cap from now: exp <= now + tolerance + MAX_TOKEN_LIFETIME.
    if (iat > at + tolerance) throw new KeysError('ERR_TOKEN_CLAIMS', 'iat is in the future');
    if (exp - iat > MAX_TOKEN_LIFETIME) throw new KeysError('ERR_TOKEN_CLAIMS', 'lifetime too long');
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
      throw new KeysError('ERR_TOKEN_CLAIMS', 'roles is not a list of strings');
    }
    return { sub, roles, audience: aud, jti };
  }

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

/**
 * The keys of a ring that verify its app's tokens: every version it holds of the key that signs its own
 * audience. None for an app that fetches them from the issuer's JWKS.
 *
 * @example
 * trustedKeysOf(dashboardRing).map((key) => key.kid); // ['dashboard-api.9f2c41ab', 'dashboard-api.1a2b3c4d']
 */
export function trustedKeysOf(ring: KeyRing): HeldKey[] {
  const name = ring.mode.signingKey[ring.settings.app];
  return ring.keys.filter((key) => key.name === name);
}
