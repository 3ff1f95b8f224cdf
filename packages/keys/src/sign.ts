import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { APP_NAMES, type AppName } from './apps';
import { KeysError } from './errors';
import type { HeldKey, KeyRing } from './ring';

/** RFC 9068 §2.1: the media type of a JWT access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The longest lifetime a token may have, in seconds. */
export const MAX_TOKEN_LIFETIME = 15 * 60;

export interface AccessTokenRequest {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly audience: AppName;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
  /** What the issuer may log of the token (never the token itself): its id, key id and expiry. */
  readonly jti: string;
  readonly kid: string;
  /** `exp`, in seconds since the epoch. */
  readonly exp: number;
}

/** Mints access tokens with the keys the mode gives the issuer. */
export interface Signer {
  signAccessToken(request: AccessTokenRequest): Promise<IssuedToken>;
}

export interface SignerOptions {
  /** Seconds a token lives; {@link MAX_TOKEN_LIFETIME} at most. */
  readonly ttlSeconds: number;
  /** The current time in seconds, for tests that freeze it. */
  readonly now?: () => number;
}

/**
 * Makes the signer of an app whose key ring holds a signing key for every audience (the auth
 * service's, in every mode). Each audience is signed with the newest version of its mode key.
 *
 * @example
 * const signer = createSigner(ring, { ttlSeconds: 300 });
 * const { token } = await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'mobile-api' });
 */
export function createSigner(ring: KeyRing, options: SignerOptions): Signer {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1 || options.ttlSeconds > MAX_TOKEN_LIFETIME) {
    throw new KeysError('ERR_KEYS_CONFIG', `ttlSeconds must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME}`);
  }
  const keyFor = new Map<AppName, HeldKey>();
  for (const audience of APP_NAMES) {
    const name = ring.mode.signingKey[audience];
    const versions = ring.keys.filter((key) => key.name === name);
    const newest = versions[versions.length - 1];
    if (!newest) {
      throw new KeysError(
        'ERR_KEYS_MISSING',
        `holds no "${name}" key to sign for ${audience}`,
        ring.settings.keyFile?.setting ?? 'KEYS_DIR',
      );
    }
    keyFor.set(audience, newest);
  }
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    async signAccessToken({ sub, roles, audience }) {
      const key = keyFor.get(audience);
      if (!key) throw new KeysError('ERR_KEYS_CONFIG', `unknown audience "${String(audience)}"`);
      const iat = now();
      const jti = randomUUID();
      const token = await new SignJWT({ roles: [...roles], client_id: 'jwt-blast-radius-demo' })
        .setProtectedHeader({ alg: ring.mode.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(ring.settings.issuer)
        .setSubject(sub)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + options.ttlSeconds)
        .setJti(jti)
        .sign(key.signingKey);
      return { token, expiresIn: options.ttlSeconds, jti, kid: key.kid, exp: iat + options.ttlSeconds };
    },
  };
}
