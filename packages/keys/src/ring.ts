import { KeyObject, createSecretKey } from 'node:crypto';
import { base64url, importJWK, type CryptoKey, type JWK } from 'jose';
import { checkJwksTransport, type KeysSettings } from './config';
import { KeysError } from './errors';
import { SECRET_BITS, RSA_BITS } from './generate';
import { isPrivateJwk, keyNameOf, readKeySetFile, toPublicJwk, type JsonWebKeySet } from './keyset';
import { findMode, keysHeldBy, type ModeDefinition } from './modes';
import { DEMO_TOPOLOGY, readTopology, type Topology } from './topology';

/** One key an app holds, imported once at start-up. */
export interface HeldKey {
  readonly kid: string;
  /** The mode key it is a version of (`shared`, `dashboard-api`, `issuer`, ...). */
  readonly name: string;
  /** What signs: a secret or a private key, as jose imported it. */
  readonly signingKey: CryptoKey | Uint8Array;
  /** What verifies, as a KeyObject (the form jsonwebtoken, under passport-jwt, accepts). */
  readonly verifyingKey: KeyObject;
  /** The public JWK, for a key pair; undefined for a secret. */
  readonly publicJwk: JWK | undefined;
}

/** Everything one app holds, checked against its mode and the services its key file was made for. */
export interface KeyRing {
  readonly settings: KeysSettings;
  readonly mode: ModeDefinition;
  /** The services the key file was made for; undefined for an app that holds no key file (an API of rs256-jwks). */
  readonly topology: Topology | undefined;
  readonly keys: readonly HeldKey[];
}

/**
 * Loads the app's key file named by its settings and checks it against the mode and the services the file was
 * made for: the file is for this mode and lists this app, every key the mode gives the app is there, nothing
 * else is, and no key is weak. Every key is imported here, once. An app that holds nothing in its mode (an
 * API of rs256-jwks) needs no key file.
 *
 * @example
 * const ring = await loadKeyRing(readKeysSettings(process.env, 'orders-api'));
 */
export async function loadKeyRing(settings: KeysSettings): Promise<KeyRing> {
  const mode = findMode(settings.mode);
  const set = settings.keyFile ? await readKeySetFile(settings.keyFile.path, settings.keyFile.setting) : undefined;
  if (set === undefined && mode.apisHold !== 'nothing') {
    const setting = settings.keyFile?.setting ?? 'KEYS_DIR';
    const problem = settings.keyFile ? `has no ${settings.keyFile.setting === 'KEYS_DIR' ? 'keys.json' : 'such file'}` : 'is not set';
    throw new KeysError('ERR_KEYS_MISSING', `${problem}; every service holds a key in ${mode.name}`, setting);
  }
  return createKeyRing(settings, set);
}

/**
 * Checks and imports an in-memory JWK set as the key ring of the app its settings name; no set at all is an
 * app that holds nothing (an API of a mode whose APIs fetch the issuer's JWKS).
 *
 * @example
 * const ring = await createKeyRing(settings, material['auth-service']);
 */
export async function createKeyRing(settings: KeysSettings, set: JsonWebKeySet | undefined): Promise<KeyRing> {
  const mode = findMode(settings.mode);
  const setting = settings.keyFile?.setting ?? 'KEYS_DIR';
  // An app that holds nothing fetches the issuer's JWKS: the rule for its URL applies.
  if (set === undefined) checkJwksTransport(settings);
  const topology = set === undefined ? undefined : topologyOf(set, settings, mode, setting);
  const holds = topology === undefined ? [] : keysHeldBy(mode, settings.app, topology);
  const keys: HeldKey[] = [];
  for (const jwk of set?.keys ?? []) {
    checkHeldKey(jwk, mode, settings.app, holds, setting);
    keys.push(await importHeldKey(jwk, mode));
  }
  for (const name of holds) {
    if (!keys.some((key) => key.name === name)) {
      throw new KeysError('ERR_KEYS_MISSING', `holds no "${name}" key; ${settings.app} needs it in ${mode.name}`, setting);
    }
  }
  return { settings, mode, topology, keys };
}

/** The services a key set was made for, checked against the app's settings: this mode, and this app among them. */
function topologyOf(set: JsonWebKeySet, settings: KeysSettings, mode: ModeDefinition, setting: string): Topology {
  const recordedMode: unknown = set.mode;
  if (recordedMode !== undefined && recordedMode !== mode.name) {
    const shown = typeof recordedMode === 'string' ? recordedMode.slice(0, 40) : 'no mode';
    throw new KeysError('ERR_KEYS_CONFIG', `is ${mode.name}, but the key file was made for ${shown}`, 'AUTH_MODE');
  }
  const topology = readTopology(set.topology, setting) ?? DEMO_TOPOLOGY;
  if (!topology.apps.includes(settings.app)) {
    throw new KeysError(
      'ERR_KEYS_CONFIG',
      `the key file was made for ${topology.apps.join(', ')}, and ${settings.app} is not one of them`,
      setting,
    );
  }
  return topology;
}

function checkHeldKey(jwk: JWK, mode: ModeDefinition, app: string, holds: readonly string[], setting: string): void {
  const kid = jwk.kid ?? '';
  const name = keyNameOf(kid);
  if (holds.length === 0 && isPrivateJwk(jwk)) {
    throw new KeysError(
      'ERR_KEYS_PRIVATE_KEY_FORBIDDEN',
      `holds private key material ("${kid}"); ${app} verifies only, in ${mode.name}`,
      setting,
    );
  }
  if (!holds.includes(name)) {
    throw new KeysError('ERR_KEYS_UNEXPECTED_KEY', `holds "${kid}", which ${app} must not hold in ${mode.name}`, setting);
  }
  if (jwk.kty !== mode.kty || (jwk.alg !== undefined && jwk.alg !== mode.alg)) {
    throw new KeysError('ERR_KEYS_INVALID', `key "${kid}" is not a ${mode.kty} key for ${mode.alg}`, setting);
  }
  if (mode.kty === 'oct') {
    const bits = typeof jwk.k === 'string' ? base64url.decode(jwk.k).length * 8 : 0;
    if (bits < SECRET_BITS) {
      throw new KeysError('ERR_KEYS_WEAK_SECRET', `secret "${kid}" has ${bits} bits; ${SECRET_BITS} at least`, setting);
    }
    return;
  }
  const bits = typeof jwk.n === 'string' ? base64url.decode(jwk.n).length * 8 : 0;
  if (bits < RSA_BITS) {
    throw new KeysError('ERR_KEYS_WEAK_KEY', `RSA key "${kid}" has ${bits} bits; ${RSA_BITS} at least`, setting);
  }
  if (!isPrivateJwk(jwk)) {
    throw new KeysError('ERR_KEYS_INVALID', `key "${kid}" is public; ${app} holds the private key in ${mode.name}`, setting);
  }
}

async function importHeldKey(jwk: JWK, mode: ModeDefinition): Promise<HeldKey> {
  const kid = jwk.kid!;
  const signingKey = await importJWK({ ...jwk, alg: mode.alg }, mode.alg);
  if (jwk.kty === 'oct') {
    return { kid, name: keyNameOf(kid), signingKey, verifyingKey: toKeyObject(signingKey), publicJwk: undefined };
  }
  const publicJwk = { ...toPublicJwk(jwk), alg: mode.alg, use: 'sig' };
  const verifyingKey = toKeyObject(await importJWK(publicJwk, mode.alg));
  return { kid, name: keyNameOf(kid), signingKey, verifyingKey, publicJwk };
}

/** A jose-imported key as the KeyObject that jsonwebtoken accepts (it refuses a WebCrypto CryptoKey). */
export function toKeyObject(key: CryptoKey | Uint8Array): KeyObject {
  return key instanceof Uint8Array ? createSecretKey(key) : KeyObject.from(key);
}
