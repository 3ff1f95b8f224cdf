import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES } from './apps';
import type { KeysError } from './errors';
import { readFolderKids } from './folders';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, keyNameOf, writeKeyFolders } from './keyset';
import { MODE_NAMES, getMode } from './modes';
import { rotateKeyFolders } from './rotate';

describe.each(MODE_NAMES)('what the key folders of %s give each app to trust and sign with', (mode) => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-folders-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('after a stage: every version of the key of its audience, its own or published; the issuer signs with the current one', async () => {
    const material = await generateKeySet(mode);
    await writeKeyFolders(dir, material);
    const staged = await rotateKeyFolders(dir, mode, 'stage');
    const { signingKey, holdings } = getMode(mode);
    const versionsOf = (name: string) => staged['auth-service']!.keys.map((jwk) => jwk.kid!).filter((kid) => keyNameOf(kid) === name);

    const kids = await readFolderKids(dir, mode);

    expect(Object.fromEntries(APP_NAMES.map((app) => [app, { ...kids[app], signing: [...kids[app]!.signing].sort() }]))).toEqual(
      Object.fromEntries(
        APP_NAMES.map((app) => [
          app,
          {
            trusted: versionsOf(signingKey[app]),
            signing: app === 'auth-service' ? material['auth-service'].keys.map((jwk) => jwk.kid!).sort() : [],
            fromJwks: !holdings[app].includes(signingKey[app]),
          },
        ]),
      ),
    );
  });

  it('names the app whose folder does not load, with the code its start-up would stop on', async () => {
    const folders = await writeKeyFolders(dir, await generateKeySet(mode));
    await writeFile(join(folders['mobile-api']!, KEY_FILE_NAME), 'not a key set');
    const error = (await readFolderKids(dir, mode).catch((e: unknown) => e)) as KeysError;
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'ERR_KEYS_INVALID',
      message: 'mobile-api: KEYS_DIR: the key file is not JSON',
    });
  });
});
