import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { KeysError } from './errors';
import { DEFAULT_VERIFIER_POLICY } from './policy';
import { signingVersions } from './keyset';
import type { HeldKey, KeyRing } from './ring';
import { createKeyStore, followRing, isKeyStore, type KeyStore } from './store';

/** RFC 9068 §2.1: the media type of a JWT access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The longest lifetime a token this signer issues may have, in seconds: what verifiers accept by default. */
export const MAX_TOKEN_LIFETIME = DEFAULT_VERIFIER_POLICY.maxLifetimeSeconds;

export interface AccessTokenRequest {
  readonly sub: string;
  readonly roles: readonly string[];
  /** The service the token is for: one of the services its key file was made for. */
  readonly audience: string;
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
  /** The kids it signs with now: for each key that signs an audience, the version that signs (see `signingVersions`). */
  signingKids(): readonly string[];
  /** The audiences it signs for: every service its key file was made for. */
  audiences(): readonly string[];
}

export interface SignerOptions {
  /** Seconds a token lives; {@link MAX_TOKEN_LIFETIME} at most. */
  readonly ttlSeconds: number;
  /** The current time in seconds, for tests that freeze it. */
  readonly now?: () => number;
}

/**
 * Makes the signer of an app whose key ring holds a signing key for every audience of its topology (the
 * issuer's, in every mode). Each audience is signed with the version of its mode key that signs: the
 * last in the key file (see `signingVersions`). Made from a {@link KeyStore}, it signs with the ring
 * the store holds when each token is signed, so a reload that promoted a version makes it sign at once.
 *
 * @example
 * const signer = createSigner(ring, { ttlSeconds: 300 });
 * const { token } = await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'mobile-api' });
 */
export function createSigner(keys: KeyRing | KeyStore, options: SignerOptions): Signer {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1 || options.ttlSeconds > MAX_TOKEN_LIFETIME) {
    throw new KeysError('ERR_KEYS_CONFIG', `ttlSeconds must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME}`);
  }
  const signingKeys = followRing(isKeyStore(keys) ? keys : createKeyStore(keys), signingKeysOf);
  const { alg } = signingKeys().ring.mode;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    async signAccessToken({ sub, roles, audience }) {
      const { ring, keyFor } = signingKeys();
      const key = keyFor.get(audience);
      if (!key) throw new KeysError('ERR_KEYS_CONFIG', `"${String(audience).slice(0, 63)}" is not a service of the key file`);
      const iat = now();
      const jti = randomUUID();
      const token = await new SignJWT({ roles: [...roles], client_id: 'jwt-blast-radius-demo' })
        .setProtectedHeader({ alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(ring.settings.issuer)
        .setSubject(sub)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + options.ttlSeconds)
        .setJti(jti)
        .sign(key.signingKey);
      return { token, expiresIn: options.ttlSeconds, jti, kid: key.kid, exp: iat + options.ttlSeconds };
    },
    signingKids: () => signingKeys().kids,
    audiences: () => [...signingKeys().keyFor.keys()],
  };
}

/**
 * The kids a ring signs with, when it holds a signing key for every audience: the issuer's, for the log and
 * its `/health`. Throws `ERR_KEYS_MISSING` for a ring that lacks one.
 *
 * @example
 * signingKidsOf(issuerRing); // ['issuer.1a2b3c4d']
 */
export function signingKidsOf(ring: KeyRing): string[] {
  return [...signingKeysOf(ring).kids];
}

interface SigningKeys {
  readonly ring: KeyRing;
  readonly keyFor: ReadonlyMap<string, HeldKey>;
  readonly kids: readonly string[];
}

function signingKeysOf(ring: KeyRing): SigningKeys {
  const versions = signingVersions(ring.keys);
  const keyFor = new Map<string, HeldKey>();
  const setting = ring.settings.keyFile?.setting ?? 'KEYS_DIR';
  if (ring.topology === undefined)
    throw new KeysError('ERR_KEYS_MISSING', 'gives no key file; the issuer signs with the keys its key file holds', setting);
  for (const audience of ring.topology.apps) {
    const name = ring.mode.signingKeyOf(audience);
    const key = versions.get(name);
    if (!key) {
      throw new KeysError('ERR_KEYS_MISSING', `holds no "${name}" key to sign for ${audience}`, setting);
    }
    keyFor.set(audience, key);
  }
  return { ring, keyFor, kids: [...new Set([...keyFor.values()].map((key) => key.kid))] };
}
