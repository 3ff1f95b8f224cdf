import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, type CryptoKey, type JWSHeaderParameters } from 'jose';
import type { JsonWebKeySet } from './keyset';
import { toKeyObject, type KeyRing } from './ring';

/**
 * The Cache-Control a JWKS response carries, for caches on the way. jose's `createRemoteJWKSet` keeps
 * its own cache (10 minutes) and refetches on an unknown kid at most once per cooldown (30 s).
 */
export const JWKS_CACHE_CONTROL = 'public, max-age=300';

/**
 * The public JWK set the app publishes at its jwks_uri, or undefined when its mode has no public keys
 * (the HS modes: a secret is never published).
 *
 * @example
 * publicJwks(ring); // { keys: [{ kty: 'RSA', kid: 'issuer.5e1f00d2', n, e, alg: 'RS256', use: 'sig' }] }
 */
export function publicJwks(ring: KeyRing): JsonWebKeySet | undefined {
  if (!ring.mode.publishesJwks) return undefined;
  const keys = ring.keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
  return keys.length > 0 ? { keys } : undefined;
}

/**
 * Resolves a token's key by `kid` from a remote JWKS with jose's `createRemoteJWKSet` (its cache,
 * cooldown and timeout), handing out each key as one KeyObject for as long as jose keeps it.
 *
 * @example
 * const resolve = createRemoteKeyResolver('http://127.0.0.1:3000/.well-known/jwks.json');
 * const key = await resolve({ alg: 'RS256', kid: 'issuer.5e1f00d2' });
 */
export function createRemoteKeyResolver(url: string): (header: JWSHeaderParameters) => Promise<KeyObject> {
  const jwks = createRemoteJWKSet(new URL(url));
  const converted = new WeakMap<CryptoKey, KeyObject>();
  return async (header) => {
    const cryptoKey = await jwks(header);
    let keyObject = converted.get(cryptoKey);
    if (!keyObject) {
      keyObject = toKeyObject(cryptoKey);
      converted.set(cryptoKey, keyObject);
    }
    return keyObject;
  };
}
