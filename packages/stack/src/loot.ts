import { readFile, readdir } from 'node:fs/promises';
import { DEFAULT_ISSUER, isPrivateJwk, type AppName, type JsonWebKeySet } from '@jwt-blast-radius/keys';
import type { JWK } from 'jose';

/** What an attacker takes from a compromised app: its environment and the key files it was given. */
export interface Loot {
  readonly app: AppName;
  /** Where it was taken from: a pid, a container name. */
  readonly source: string;
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly { readonly path: string; readonly text: string }[];
}

/** How a driver reads the compromised app's file system (the host's, or a container's). */
export interface FileReader {
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<string>;
}

/** This machine's (or this container's) own file system. */
export const hostFiles: FileReader = { list: (dir) => readdir(dir), read: (path) => readFile(path, 'utf8') };

/**
 * Follows the app's own settings to its key files: `KEYS_FILE`, or every file in `KEYS_DIR`.
 *
 * @example
 * const files = await collectKeyFiles(env, hostFileReader);
 */
export async function collectKeyFiles(env: Readonly<Record<string, string>>, reader: FileReader): Promise<Loot['files']> {
  const paths: string[] = [];
  if (env.KEYS_FILE) paths.push(env.KEYS_FILE);
  if (env.KEYS_DIR) {
    const dir = env.KEYS_DIR.replace(/\/$/, '');
    for (const name of await reader.list(dir).catch(() => [])) paths.push(`${dir}/${name}`);
  }
  const files = [];
  for (const path of paths) {
    const text = await reader.read(path).catch(() => undefined);
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}

/** Parses `NAME=value\0...` (the form of /proc/<pid>/environ). */
export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * The secret and private JWKs among the loot's files: what can sign.
 *
 * @example
 * signingKeysIn(loot).map((jwk) => jwk.kid); // ['dashboard-api.1c0ffee5']
 */
export function signingKeysIn(loot: Loot): JWK[] {
  return loot.files.flatMap(({ text }) => {
    try {
      const set = JSON.parse(text) as Partial<JsonWebKeySet>;
      return Array.isArray(set.keys) ? set.keys.filter((jwk) => typeof jwk === 'object' && isPrivateJwk(jwk)) : [];
    } catch {
      return [];
    }
  });
}

/**
 * The issuer a forger writes into its tokens: the looted app's own `ISSUER`, as its process holds it, else the
 * default every app falls back to.
 *
 * @example
 * issuerIn(loot); // 'http://127.0.0.1:3000'
 */
export function issuerIn(loot: Loot): string {
  return loot.env.ISSUER ?? DEFAULT_ISSUER;
}
