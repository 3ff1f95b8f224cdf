import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { KeysError } from './errors';
import type { Topology } from './topology';

/**
 * A JSON Web Key Set (RFC 7517 §5). `mode`, `topology` and `rotation` are additional members of the set,
 * which RFC 7517 §5 allows and readers that do not understand them ignore: the mode and the services the keys
 * were made for (so that no command has to be told again), and for each key of the set that is being
 * rotated, the step it has reached (a key with a single version has no entry). A published JWKS has none of
 * them (see `publicJwks`).
 *
 * @example
 * const set: JsonWebKeySet = {
 *   keys: [newIssuerJwk, oldIssuerJwk],
 *   rotation: { issuer: { state: 'staged', kid: 'issuer.1a2b3c4d' } },
 * };
 */
export interface JsonWebKeySet {
  keys: JWK[];
  /** The mode the keys were made for. */
  mode?: string;
  /** The services the keys were made for; the demo's when absent. */
  topology?: Topology;
  rotation?: Record<string, KeyRotation>;
}

/**
 * What a key set records of a key being rotated: the step reached, and the kid of the new version.
 * Read from a file, it is checked against the versions the set holds before it is trusted.
 *
 * @example
 * const rotation: KeyRotation = { state: 'promoted', kid: 'issuer.1a2b3c4d' };
 */
export interface KeyRotation {
  state: 'staged' | 'promoted';
  kid: string;
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

/**
 * The version of each mode key that signs, by key name: the last of its versions in the set's order. A
 * rotation keeps that order (see `ROTATION_STEPS`), so this is the one place that says which version signs;
 * every other version is trusted and never signs.
 *
 * @example
 * signingVersions(set.keys).get('issuer')?.kid; // 'issuer.1a2b3c4d'
 */
export function signingVersions<T extends { readonly kid?: string | undefined }>(keys: readonly T[]): Map<string, T> {
  const versions = new Map<string, T>();
  for (const key of keys) versions.set(keyNameOf(key.kid ?? ''), key);
  return versions;
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
 * Each file is replaced atomically, so that an app starting meanwhile reads either the old set or
 * the new one, never a part of one: the set goes to a temporary file in the same folder, which is
 * renamed over `keys.json` once every app's set has been written.
 *
 * @example
 * await writeKeyFolders('.keys/run', material); // .keys/run/auth-service/keys.json, ...
 */
export async function writeKeyFolders(outDir: string, material: Readonly<Record<string, JsonWebKeySet>>): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  const writes: { file: string; temp: string | undefined }[] = [];
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  try {
    for (const [app, set] of Object.entries(material)) {
      const folder = join(outDir, app);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await chmod(folder, 0o700);
      folders[app] = folder;
      const file = join(folder, KEY_FILE_NAME);
      const temp = set.keys.length > 0 ? join(folder, `.${KEY_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`) : undefined;
      writes.push({ file, temp });
      if (temp !== undefined) await writePrivateFile(temp, `${JSON.stringify(set, null, 2)}\n`);
    }
    for (const { file, temp } of writes) {
      if (temp === undefined) await rm(file, { force: true });
      else await rename(temp, file);
    }
  } catch (error) {
    await Promise.all(writes.flatMap(({ temp }) => (temp === undefined ? [] : [rm(temp, { force: true })])));
    throw error;
  }
  return folders;
}

async function writePrivateFile(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    // The mode given to open() is narrowed by the umask; the file must end up 0600 whatever it is.
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
    // Flushed before the rename: after a crash, keys.json holds the old set or the new one, never nothing.
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The secret and private values of a key set, for a check that some output (a log, an answer, a page) never quotes them.
 *
 * @example
 * expect(secretValuesOf(set).filter((value) => stderr.includes(value))).toEqual([]);
 */
export function secretValuesOf(set: JsonWebKeySet): string[] {
  return set.keys.flatMap((jwk) =>
    PRIVATE_MEMBERS.flatMap((member) => {
      const value = jwk[member];
      return typeof value === 'string' ? [value] : [];
    }),
  );
}
