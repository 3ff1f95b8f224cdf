import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Writes files into a folder the way the kubelet updates a Secret mounted without `subPath` (its atomic writer):
 * the files go into a new timestamped folder `..<time>`; a symlink `..data_tmp` to it is renamed over `..data`,
 * at once; each file name in the folder is a symlink to `..data/<name>`, made once; the previous timestamped
 * folder is then deleted. A reader of `<dir>/<name>` sees the old files or the new ones, never a part of each.
 * Resolves with the name of the new timestamped folder.
 *
 * @example
 * await writeLikeKubelet(keysDir, { 'keys.json': JSON.stringify(set) }); // '..2026_12_07_02_30_00.416'
 */
export async function writeLikeKubelet(dir: string, files: Readonly<Record<string, string>>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const previous = await readlink(join(dir, '..data')).catch(() => undefined);
  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '');
  const folder = basename(await mkdtemp(join(dir, `..${stamp}.`)));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, folder, name), text, { mode: 0o644 });
  await symlink(folder, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    await symlink(join('..data', name), join(dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  if (previous !== undefined) await rm(join(dir, previous), { recursive: true, force: true });
  return folder;
}
