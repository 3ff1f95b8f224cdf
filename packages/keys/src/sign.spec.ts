import { decodeJwt, decodeProtectedHeader } from 'jose';
import { APP_NAMES } from './apps';
import { generateKeySet } from './generate';
import { MODE_NAMES, getMode } from './modes';
import { createKeyRing } from './ring';
import { createSigner } from './sign';
import { keyNameOf } from './keyset';

const issuer = 'http://127.0.0.1:3000';

describe.each(MODE_NAMES)('the issuer signer in %s', (mode) => {
  it.each(APP_NAMES)('signs a %s token in the RFC 9068 shape with the key the mode names', async (audience) => {
    const material = await generateKeySet(mode);
    const ring = await createKeyRing(
      { app: 'auth-service', mode, keyFile: undefined, issuer, jwksUrl: '', audienceCheck: true },
      material['auth-service'],
    );
    const now = 1_800_000_000;
    const { token, ...issued } = await createSigner(ring, { ttlSeconds: 300, now: () => now }).signAccessToken({
      sub: 'alice',
      roles: ['user'],
      audience,
    });
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: getMode(mode).alg, kid: expect.any(String), typ: 'at+jwt' });
    expect(keyNameOf(header.kid!)).toBe(getMode(mode).signingKey[audience]);
    expect(decodeJwt(token)).toEqual({
      iss: issuer,
      sub: 'alice',
      aud: audience,
      iat: now,
      exp: now + 300,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      roles: ['user'],
      client_id: 'jwt-blast-radius-demo',
    });
    const { jti, exp } = decodeJwt(token);
    expect(issued).toEqual({ expiresIn: 300, jti, kid: header.kid, exp });
  });
});

describe('the signer settings', () => {
  it.each([0, 901, 1.5])('refuses a lifetime of %s seconds', async (ttlSeconds) => {
    const material = await generateKeySet('shared-hs256');
    const ring = await createKeyRing(
      { app: 'auth-service', mode: 'shared-hs256', keyFile: undefined, issuer, jwksUrl: '', audienceCheck: true },
      material['auth-service'],
    );
    expect(() => createSigner(ring, { ttlSeconds })).toThrow(
      expect.objectContaining({ code: 'ERR_KEYS_CONFIG', message: expect.stringContaining('ttlSeconds') }),
    );
  });
});
