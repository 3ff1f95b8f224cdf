import { open, readFile, rename, rm } from 'node:fs/promises';
import { isAppName } from '@jwt-blast-radius/keys';
import type { Loot } from '@jwt-blast-radius/stack';
import { HandError } from './errors';

/**
 * What a loot file is, in the words the commands print; the one definition the usage texts, the checks and the
 * code share. It is the JSON of a {@link Loot} ({@link isLoot} checks its shape), nothing added, nothing masked.
 */
export const LOOT_FILE_DESCRIPTION =
  'A loot file is the JSON npm run lab -- loot --out <file> writes: the app, where it was taken (source), its\n' +
  'environment (env) and every key file it reads, whole and unmasked (files); mode 0600, readable by its owner alone.';

const LOOT_FILE_SHAPE = 'expected the JSON npm run lab -- loot --out <file> writes (app, source, env, files)';

/**
 * Writes a loot file: the {@link Loot} as JSON, secrets whole, readable by its owner alone (mode 0600). The file
 * is written under a temporary name first and renamed, so an existing file is replaced whole and never keeps a
 * looser mode.
 *
 * @example
 * await writeLootFile('dashboard-api.loot.json', loot);
 */
export async function writeLootFile(path: string, loot: Loot): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(loot, null, 2)}\n`);
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new HandError('ERR_HAND_IO', `cannot write the loot file ${path}: ${describeFileError(error)}`, {
      cause: error,
    });
  }
}

/**
 * Reads a loot file, checking that it is one: a usage error (exit 2) naming the file when it cannot be read or is
 * not a loot file. The message never quotes the file's content.
 *
 * @example
 * const loot = await readLootFile('dashboard-api.loot.json');
 */
export async function readLootFile(path: string): Promise<Loot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HandError('ERR_HAND_LOOT_FILE', `cannot read the loot file ${path}: ${describeFileError(error)}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HandError('ERR_HAND_LOOT_FILE', `${path} is not a loot file: not JSON; ${LOOT_FILE_SHAPE}`);
  }
  if (!isLoot(parsed)) {
    throw new HandError('ERR_HAND_LOOT_FILE', `${path} is not a loot file: ${LOOT_FILE_SHAPE}`);
  }
  return parsed;
}

/**
 * Whether a value has the shape of a {@link Loot}: an app's name, a source, an environment of strings and a list
 * of files, each a path and a text.
 *
 * @example
 * isLoot(JSON.parse(text)); // true for what writeLootFile wrote
 */
export function isLoot(value: unknown): value is Loot {
  if (typeof value !== 'object' || value === null) return false;
  const { app, source, env, files } = value as Partial<Record<keyof Loot, unknown>>;
  return (
    typeof app === 'string' &&
    isAppName(app) &&
    typeof source === 'string' &&
    typeof env === 'object' &&
    env !== null &&
    !Array.isArray(env) &&
    Object.values(env).every((entry) => typeof entry === 'string') &&
    Array.isArray(files) &&
    files.every((file: unknown) => {
      const { path, text } = (file ?? {}) as { path?: unknown; text?: unknown };
      return typeof path === 'string' && typeof text === 'string';
    })
  );
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a folder on its path is a file',
  EEXIST: 'a temporary file of the same name is in the way',
};

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? 'error' : `${FILE_ERRORS[code] ?? code}`;
}
