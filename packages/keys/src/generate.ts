import { exportJWK, generateKeyPair, generateSecret, type JWK } from 'jose';
import type { AppName } from './apps';
import { createKid, type JsonWebKeySet } from './keyset';
import { findMode, keysHeldBy, type ModeDefinition } from './modes';
import { DEMO_TOPOLOGY, type Topology } from './topology';

/** Bits of a generated HS256 secret (RFC 7518 §3.2: at least the hash output size). */
export const SECRET_BITS = 256;
/** Bits of a generated RSA modulus (RFC 7518 §3.3: 2048 at least). */
export const RSA_BITS = 2048;

/**
 * Generates a fresh key set for a mode and distributes it over the services of a topology (the demo's unless
 * given): each service gets exactly the keys its mode says it holds, and nothing else. Every set records the
 * mode and the topology, so that the commands that read it later need not be told them again.
 *
 * @example
 * const material = await generateKeySet('per-app-secret', { issuer: 'identity', apps: ['identity', 'orders-api'] });
 * material['orders-api'].keys.map((k) => k.kid); // ['orders-api.1c0ffee5']
 */
export async function generateKeySet(modeName: string): Promise<Record<AppName, JsonWebKeySet>>;
export async function generateKeySet<App extends string>(
  modeName: string,
  topology: { readonly issuer: App; readonly apps: readonly App[] },
): Promise<Record<App, JsonWebKeySet>>;
export async function generateKeySet(modeName: string, topology: Topology = DEMO_TOPOLOGY): Promise<Record<string, JsonWebKeySet>> {
  const mode = findMode(modeName, 'mode');
  const recorded: Topology = { issuer: topology.issuer, apps: [...topology.apps] };
  const byName = new Map<string, JWK>();
  for (const name of keysHeldBy(mode, topology.issuer, topology)) byName.set(name, await generateKey(name, mode.kty, mode));
  const material: Record<string, JsonWebKeySet> = {};
  for (const app of topology.apps) {
    const keys = keysHeldBy(mode, app, topology).map((name) => ({ ...byName.get(name)! }));
    material[app] = { keys, mode: mode.name, topology: recorded };
  }
  return material;
}

/**
 * Generates one new version of a mode key, with a fresh kid: a 256-bit secret or a 2048-bit RSA key pair.
 *
 * @example
 * await generateKey('dashboard-api', 'oct', getMode('per-app-secret')); // { kty: 'oct', k, kid: 'dashboard-api.…' }
 */
export async function generateKey(name: string, kty: 'oct' | 'RSA', mode: Pick<ModeDefinition, 'alg'>): Promise<JWK> {
  const common = { kid: createKid(name), alg: mode.alg, use: 'sig' };
  if (kty === 'oct') {
    const secret = await generateSecret('HS256', { extractable: true });
    return { ...(await exportJWK(secret)), ...common };
  }
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: RSA_BITS, extractable: true });
  return { ...(await exportJWK(privateKey)), ...common };
}
