import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { accessTokenClaims, signWithJwk, tamperPayload, unsecuredToken } from './forge';
import { createAttacker } from './own-keys';

describe('forging', () => {
  it('signs with a stolen key a token its public half verifies, typed as an RFC 9068 access token', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const token = await signWithJwk({ ...(await exportJWK(privateKey)), kid: 'stolen' }, accessTokenClaims({ sub: 'admin', aud: 'x' }));
    await expect(compactVerify(token, publicKey)).resolves.toBeDefined();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'stolen', typ: 'at+jwt' });
  });

  it('tampers with the claims but keeps the signature, and writes alg none with no signature at all', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const token = await signWithJwk({ ...(await exportJWK(privateKey)), alg: 'ES256' }, { sub: 'alice' });
    const tampered = tamperPayload(token, (claims) => ({ ...claims, sub: 'admin' }));
    expect(tampered.split('.')[2]).toBe(token.split('.')[2]);
    await expect(compactVerify(tampered, publicKey)).rejects.toThrow();
    const none = unsecuredToken({ sub: 'admin' });
    expect([decodeProtectedHeader(none).alg, none.split('.')[2]]).toEqual(['none', '']);
  });
});

describe("the attacker's own keys", () => {
  it('serves only their public half for jku, and counts every fetch', async () => {
    await using attacker = await createAttacker();
    expect(attacker.fetches()).toBe(0);
    const served = (await (await fetch(attacker.jwksUrl)).json()) as { keys: JWK[] };
    expect(served.keys.map((jwk) => Object.keys(jwk).filter((member) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(member)))).toEqual([
      [],
    ]);
    const token = await signWithJwk(attacker.keys.rsa, { sub: 'admin' });
    await expect(compactVerify(token, await importJWK(served.keys[0]!, 'RS256'))).resolves.toBeDefined();
    expect(attacker.fetches()).toBe(1);
  });
});
