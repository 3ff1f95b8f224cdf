import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import type { AppName } from './apps';
import { generateKeySet } from './generate';
import { publicJwks } from './jwks';
import { keyNameOf, writeKeyFolders, type JsonWebKeySet } from './keyset';
import { MODE_NAMES, getMode } from './modes';
import { createKeyRing } from './ring';
import { rotateKeyFolders, rotateKeySet } from './rotate';
import { createSigner } from './sign';
import { startJwksServer } from './testing';
import { createVerifier } from './verify';

const issuer = 'http://127.0.0.1:3000';

/** The stack after a restart on these key sets: the issuer's signer, and the dashboard's verifier. */
async function restart(mode: string, material: Record<AppName, JsonWebKeySet>) {
  const settings = { mode: mode as 'rs256-jwks', keyFile: undefined, issuer, audienceCheck: true };
  const issuerRing = await createKeyRing({ ...settings, app: 'auth-service', jwksUrl: '' }, material['auth-service']);
  const jwks = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
  const verifier = createVerifier(await createKeyRing({ ...settings, app: 'dashboard-api', jwksUrl: jwks.url }, material['dashboard-api']));
  const signer = createSigner(issuerRing, { ttlSeconds: 300 });
  const sign = async () => (await signer.signAccessToken({ sub: 'alice', roles: ['user'], audience: 'dashboard-api' })).token;
  const accepts = (token: string) =>
    verifier.verifyAccessToken(token).then(
      () => true,
      () => false,
    );
  return { sign, accepts, close: () => jwks.close() };
}

describe.each(MODE_NAMES)('rotating the keys of %s', (mode) => {
  it('stages a key everywhere before it signs, promotes it, then retires the old one', async () => {
    const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
    const initial = await generateKeySet(mode);
    const before = await restart(mode, initial);
    const oldToken = await before.sign();
    await before.close();

    const staged = await rotateKeySet(initial, mode, 'stage');
    const afterStage = await restart(mode, staged);
    const stillOld = await afterStage.sign();

    const promoted = await rotateKeySet(staged, mode, 'promote');
    const afterPromote = await restart(mode, promoted);
    const newToken = await afterPromote.sign();

    const retired = await rotateKeySet(promoted, mode, 'retire');
    const afterRetire = await restart(mode, retired);

    const observed = {
      'staged: the issuer still signs with the old key': kidOf(stillOld) === kidOf(oldToken),
      'staged: verifiers accept old tokens': await afterStage.accepts(oldToken),
      'promoted: the issuer signs with a new version of the same mode key':
        kidOf(newToken) !== kidOf(oldToken) && keyNameOf(kidOf(newToken)) === keyNameOf(kidOf(oldToken)),
      'promoted: verifiers accept old and new tokens': (await afterPromote.accepts(oldToken)) && (await afterPromote.accepts(newToken)),
      'retired: verifiers refuse old tokens': !(await afterRetire.accepts(oldToken)),
      'retired: verifiers accept new tokens': await afterRetire.accepts(newToken),
    };
    await Promise.all([afterStage, afterPromote, afterRetire].map((stack) => stack.close()));
    expect(observed).toEqual(Object.fromEntries(Object.keys(observed).map((claim) => [claim, true])));
  });

  it('gives every holder of a key the same two versions, and nothing to an app that holds nothing', async () => {
    const staged = await rotateKeySet(await generateKeySet(mode), mode, 'stage');
    const { keys, holdings } = getMode(mode);
    const versions = (app: AppName, name: string) => staged[app].keys.filter((jwk) => keyNameOf(jwk.kid!) === name).map((jwk) => jwk.kid);
    for (const { name } of keys) {
      const held = (Object.keys(holdings) as AppName[]).map((app) => (holdings[app].includes(name) ? versions(app, name) : []));
      const holders = held.filter((kids) => kids.length > 0);
      expect(holders.every((kids) => kids.length === 2 && kids.join() === holders[0]!.join())).toBe(true);
    }
    for (const app of Object.keys(holdings) as AppName[]) {
      if (holdings[app].length === 0) expect(staged[app].keys).toEqual([]);
    }
  });
});

describe('a rotation out of order', () => {
  it.each([
    ['promote', 'before anything is staged'],
    ['stage', 'twice'],
  ] as const)('refuses to %s %s', async (step, when) => {
    const material = await generateKeySet('per-app-secret');
    const start = when === 'twice' ? await rotateKeySet(material, 'per-app-secret', 'stage') : material;
    await expect(rotateKeySet(start, 'per-app-secret', step)).rejects.toMatchObject({ code: 'ERR_KEYS_CONFIG', setting: '--step' });
  });

  it('refuses key folders that do not serve the mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keys-rotate-'));
    try {
      await writeKeyFolders(dir, await generateKeySet('shared-hs256'));
      await expect(rotateKeyFolders(dir, 'per-app-secret', 'stage')).rejects.toMatchObject({ code: 'ERR_KEYS_INVALID', setting: '--dir' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
