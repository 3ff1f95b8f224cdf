import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWSHeaderParameters } from 'jose';
import type { AppName } from './apps';
import { KeysError } from './errors';
import { createRemoteKeyResolver } from './jwks';
import type { SigningAlgorithm } from './modes';
import type { KeyRing } from './ring';
import { ACCESS_TOKEN_TYPE, MAX_TOKEN_LIFETIME } from './sign';

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
  /** Checks the protected header (alg, typ, crit, kid) and returns the key its kid names. */
  resolveKey(token: string): Promise<KeyObject>;
  /** Checks the claims a signature check leaves out: required claims, lifetime, roles. */
  checkClaims(payload: JWTPayload): AccessTokenPrincipal;
  verifyAccessToken(token: string): Promise<AccessTokenPrincipal>;
}

/**
 * Makes the verifier of an app: it trusts only the key that signs its own audience, which it either
 * holds (HS modes, and the issuer itself) or fetches from the issuer's JWKS (rs256-jwks).
 *
 * @example
 * const verifier = createVerifier(ring);
 * const principal = await verifier.verifyAccessToken(token); // throws on any failure
 */
export function createVerifier(ring: KeyRing): Verifier {
  const { mode, settings } = ring;
  const trustedName = mode.signingKey[settings.app];
  const held = new Map(ring.keys.filter((key) => key.name === trustedName).map((key) => [key.kid, key.verifyingKey]));
  const fetchKey = held.size === 0 && mode.publishesJwks ? createRemoteKeyResolver(settings.jwksUrl) : undefined;
  if (held.size === 0 && !fetchKey) {
    throw new KeysError('ERR_KEYS_MISSING', `holds no "${trustedName}" key to verify with`, settings.keyFile?.setting ?? 'KEYS_DIR');
  }
  const policy = {
    algorithms: [mode.alg] as [SigningAlgorithm],
    issuer: settings.issuer,
    audience: settings.audienceCheck ? settings.app : undefined,
    clockTolerance: CLOCK_TOLERANCE,
  };

  async function keyForHeader(header: JWSHeaderParameters): Promise<KeyObject> {
    if (header.alg !== mode.alg) throw new KeysError('ERR_TOKEN_HEADER', 'algorithm not accepted');
    // RFC 9068 §4: a resource server rejects a JWT access token whose typ is not at+jwt (RFC 7515
    // §4.1.9 lets the "application/" prefix be written or left out).
    if (header.typ?.toLowerCase().replace(/^application\//, '') !== ACCESS_TOKEN_TYPE)
      throw new KeysError('ERR_TOKEN_HEADER', 'typ is not at+jwt');
    // RFC 7515 §4.1.11: no extension this verifier understands, so any crit header is refused.
    if (header.crit !== undefined) throw new KeysError('ERR_TOKEN_HEADER', 'crit is not supported');
    if (typeof header.kid !== 'string') throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'no kid');
    if (fetchKey) {
      try {
        return await fetchKey(header);
      } catch (error) {
        // An operator needs to tell a kid the issuer never published from an issuer it cannot reach.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
          throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'kid not in the issuer JWKS');
        }
        throw new KeysError('ERR_JWKS_UNAVAILABLE', `cannot fetch the issuer JWKS (${(error as { code?: string }).code ?? 'error'})`);
      }
    }
    const key = held.get(header.kid);
    if (!key) throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'kid not trusted');
    return key;
  }

  function checkClaims(payload: JWTPayload): AccessTokenPrincipal {
    const { sub, jti, iat, exp } = payload;
    const roles = (payload as { roles?: unknown }).roles;
    const hasAudience = typeof payload.aud === 'string' || (Array.isArray(payload.aud) && payload.aud.length > 0);
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
    if (exp - iat > MAX_TOKEN_LIFETIME) throw new KeysError('ERR_TOKEN_CLAIMS', 'lifetime too long');
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
      throw new KeysError('ERR_TOKEN_CLAIMS', 'roles is not a list of strings');
    }
    return { sub, roles, audience: payload.aud, jti };
  }

  return {
    app: settings.app,
    policy,
    async resolveKey(token) {
      let header: JWSHeaderParameters;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new KeysError('ERR_TOKEN_MALFORMED', 'not a JWS');
      }
      return keyForHeader(header);
    },
    checkClaims,
    async verifyAccessToken(token) {
      const { payload } = await jwtVerify(token, keyForHeader, {
        algorithms: policy.algorithms,
        issuer: policy.issuer,
        ...(policy.audience ? { audience: policy.audience } : {}),
        clockTolerance: policy.clockTolerance,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
      });
      return checkClaims(payload);
    },
  };
}
