import { exportJWK, generateKeyPair, generateSecret, type JWK } from 'jose';
import { APP_NAMES, type AppName } from './apps';
import { createKid, type JsonWebKeySet } from './keyset';
import { getMode, type ModeDefinition } from './modes';

/** Bits of a generated HS256 secret (RFC 7518 §3.2: at least the hash output size). */
export const SECRET_BITS = 256;
/** Bits of a generated RSA modulus (RFC 7518 §3.3: 2048 at least). */
export const RSA_BITS = 2048;

/**
 * Generates a fresh key set for a mode and distributes it: each app gets exactly the keys its mode
 * says it holds, and nothing else.
 *
 * @example
 * const material = await generateKeySet('per-app-secret');
 * material['dashboard-api'].keys.map((k) => k.kid); // ['dashboard-api.1c0ffee5']
 */
export async function generateKeySet(modeName: string): Promise<Record<AppName, JsonWebKeySet>> {
  const mode = getMode(modeName, 'mode');
  const byName = new Map<string, JWK>();
  for (const key of mode.keys) {
    byName.set(key.name, await generateKey(key.name, key.kty, mode));
  }
  const material = {} as Record<AppName, JsonWebKeySet>;
  for (const app of APP_NAMES) {
    material[app] = { keys: mode.holdings[app].map((name) => ({ ...byName.get(name)! })) };
  }
  return material;
}

/**
 * Generates one new version of a mode key, with a fresh kid: a 256-bit secret or a 2048-bit RSA key pair.
 *
 * @example
 * await generateKey('dashboard-api', 'oct', getMode('per-app-secret')); // { kty: 'oct', k, kid: 'dashboard-api.…' }
 */
export async function generateKey(name: string, kty: 'oct' | 'RSA', mode: ModeDefinition): Promise<JWK> {
  const common = { kid: createKid(name), alg: mode.alg, use: 'sig' };
  if (kty === 'oct') {
    const secret = await generateSecret('HS256', { extractable: true });
    return { ...(await exportJWK(secret)), ...common };
  }
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: RSA_BITS, extractable: true });
  return { ...(await exportJWK(privateKey)), ...common };
}
