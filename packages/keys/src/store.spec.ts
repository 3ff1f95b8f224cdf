import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { readKeysSettings } from './config';
import type { KeysError } from './errors';
import { generateKeySet } from './generate';
import { KEY_FILE_NAME, writeKeyFolders } from './keyset';
import { loadKeyRing } from './ring';
import { rotateKeyFolders } from './rotate';
import { createSigner } from './sign';
import { createKeyStore } from './store';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { findSigningJwk } from './testing';
import { createVerifier } from './verify';

const mode = 'per-app-secret';
const issuer = 'http://127.0.0.1:3000';

/** The auth service's keys, loaded from real key folders in a temporary directory, removed by `await using`. */
async function issuerKeys() {
  const dir = await mkdtemp(join(tmpdir(), 'keys-store-'));
  const material = await generateKeySet(mode);
  const folders = await writeKeyFolders(dir, material);
  const keys = createKeyStore(await loadKeyRing(readKeysSettings({ AUTH_MODE: mode, KEYS_DIR: folders['auth-service']! }, 'auth-service')));
  return {
    dir,
    material,
    keys,
    file: join(folders['auth-service']!, KEY_FILE_NAME),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

describe('the key store of an app', () => {
  it('gives a verifier and a signer made from it the key file as it is after each reload, and not before', async () => {
    await using stack = await issuerKeys();
    const verifier = createVerifier(stack.keys);
    const signer = createSigner(stack.keys, { ttlSeconds: 300 });
    const signedWith = async () =>
      decodeProtectedHeader((await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'auth-service' })).token).kid;
    const accepts = (token: string) =>
      verifier.verifyAccessToken(token).then(
        () => true,
        () => false,
      );
    const old = findSigningJwk(stack.material, mode, 'auth-service');
    const oldToken = await signWithJwk(old, accessTokenClaims({ iss: issuer, aud: 'auth-service', sub: 'alice', roles: ['user'] }));

    const staged = await rotateKeyFolders(stack.dir, mode, 'stage', { key: 'auth-service' });
    const fresh = staged['auth-service']!.keys.find((jwk) => jwk.kid === staged['auth-service']!.rotation?.['auth-service']?.kid)!;
    const freshToken = await signWithJwk(fresh, accessTokenClaims({ iss: issuer, aud: 'auth-service', sub: 'alice', roles: ['user'] }));
    const beforeReload = { signs: await signedWith(), old: await accepts(oldToken), fresh: await accepts(freshToken) };
    const stagedKids = await verifier.reload();
    const afterStage = { signs: await signedWith(), old: await accepts(oldToken), fresh: await accepts(freshToken) };
    await rotateKeyFolders(stack.dir, mode, 'promote', { key: 'auth-service' });
    await verifier.reload();
    const afterPromote = { signs: await signedWith(), signingKids: signer.signingKids().includes(fresh.kid!) };
    await rotateKeyFolders(stack.dir, mode, 'retire', { key: 'auth-service' });
    const retiredKids = await verifier.reload();
    const afterRetire = { old: await accepts(oldToken), fresh: await accepts(freshToken) };

    expect({ beforeReload, stagedKids, afterStage, afterPromote, retiredKids, afterRetire }).toEqual({
      beforeReload: { signs: old.kid, old: true, fresh: false },
      stagedKids: [fresh.kid, old.kid],
      afterStage: { signs: old.kid, old: true, fresh: true },
      afterPromote: { signs: fresh.kid, signingKids: true },
      retiredKids: [fresh.kid],
      afterRetire: { old: false, fresh: true },
    });
  });

  it('keeps the ring it holds when the key file does not load, and rejects with the error start-up would stop on', async () => {
    await using stack = await issuerKeys();
    const held = stack.keys.current();
    await writeFile(stack.file, '{"keys": [');
    const error = await stack.keys.reload().catch((e: KeysError) => e);
    expect({ code: (error as KeysError).code, setting: (error as KeysError).setting, kept: stack.keys.current() === held }).toEqual({
      code: 'ERR_KEYS_INVALID',
      setting: 'KEYS_DIR',
      kept: true,
    });
  });

  it('runs reloads one after another, each reading the file as it is when its turn comes', async () => {
    await using stack = await issuerKeys();
    const first = stack.keys.reload();
    const second = stack.keys.reload();
    const [one, two] = await Promise.all([first, second]);
    expect({ distinct: one !== two, current: stack.keys.current() === two }).toEqual({ distinct: true, current: true });
  });
});
