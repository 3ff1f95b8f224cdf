import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { KeysError } from './errors';

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** The file, inside an app's key folder, that holds the app's JWK set. */
export const KEY_FILE_NAME = 'keys.json';

/** The JWK members that carry secret or private material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Makes a key id that names the key it belongs to, so that a reader of a token header sees which
 * of the mode's keys signed it: `<key name>.<8 random hex digits>`.
 *
 * @example
 * createKid('dashboard-api'); // 'dashboard-api.9f2c41ab'
 */
export function createKid(keyName: string): string {
  return `${keyName}.${randomBytes(4).toString('hex')}`;
}

/**
 * The name of the mode key a kid belongs to.
 *
 * @example
 * keyNameOf('dashboard-api.9f2c41ab'); // 'dashboard-api'
 */
export function keyNameOf(kid: string): string {
  const dot = kid.lastIndexOf('.');
  return dot > 0 ? kid.slice(0, dot) : kid;
}

/** Whether a JWK carries secret or private material (an `oct` key, or an RSA or EC private key). */
export function isPrivateJwk(jwk: JWK): boolean {
  return PRIVATE_MEMBERS.some((member) => member in jwk);
}

/**
 * The public half of a private JWK: the same key without its private members.
 *
 * @example
 * toPublicJwk(rsaPrivateJwk); // { kty: 'RSA', n, e, kid, alg, use }
 */
export function toPublicJwk(jwk: JWK): JWK {
  if (jwk.kty === 'oct') {
    throw new KeysError('ERR_KEYS_INVALID', `key "${jwk.kid ?? '?'}" is a secret and has no public half`);
  }
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  delete copy.key_ops;
  return copy;
}

/**
 * Reads a JWK set from a file, checking only its shape (the mode checks what it may hold).
 *
 * @example
 * const set = await readKeySetFile('.keys/run/dashboard-api/keys.json', 'KEYS_DIR');
 */
export async function readKeySetFile(path: string, setting: string): Promise<JsonWebKeySet | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeysError('ERR_KEYS_MISSING', `cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, setting);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeysError('ERR_KEYS_INVALID', 'the key file is not JSON', setting);
  }
  if (!isKeySet(parsed)) {
    throw new KeysError('ERR_KEYS_INVALID', 'the key file is not a JWK set ({"keys": [...]})', setting);
  }
  for (const jwk of parsed.keys) {
    if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) {
      throw new KeysError('ERR_KEYS_INVALID', 'every key in the key file needs a "kid"', setting);
    }
  }
  return parsed;
}

function isKeySet(value: unknown): value is JsonWebKeySet {
  if (typeof value !== 'object' || value === null) return false;
  const keys = (value as { keys?: unknown }).keys;
  return (
    Array.isArray(keys) &&
    keys.every((key: unknown) => typeof key === 'object' && key !== null && typeof (key as { kty?: unknown }).kty === 'string')
  );
}

/**
 * Writes each app's key set into its own folder, readable by the owner only. An app that holds
 * nothing gets an empty folder: the place where its keys would be, with nothing in it.
 *
 * @example
 * await writeKeyFolders('.keys/run', material); // .keys/run/auth-service/keys.json, ...
 */
export async function writeKeyFolders(outDir: string, material: Readonly<Record<string, JsonWebKeySet>>): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  for (const [app, set] of Object.entries(material)) {
    const folder = join(outDir, app);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
    const file = join(folder, KEY_FILE_NAME);
    if (set.keys.length > 0) {
      await writeFile(file, `${JSON.stringify(set, null, 2)}\n`, { mode: 0o600 });
      await chmod(file, 0o600);
    } else {
      await rm(file, { force: true });
    }
    folders[app] = folder;
  }
  return folders;
}
