import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { KeysSettings } from './config';
import { DEFAULT_VERIFIER_POLICY, readVerifierPolicy, type VerifierPolicy } from './policy';
import { createKeyRing } from './ring';
import { startJwksServer, type JwksServer } from './testing';
import { createVerifier } from './verify';

// Access tokens shaped as an existing OpenID provider (Keycloak, say) issues them: header typ JWT, an hour's
// lifetime, an audience array, the roles under realm_access. Made with jose, verified through a JWKS over HTTP.
const PROVIDER_POLICY: VerifierPolicy = {
  tokenTypes: ['JWT'],
  maxLifetimeSeconds: 3600,
  clockToleranceSeconds: 5,
  audienceRule: 'among',
  rolesClaim: 'realm_access.roles',
};
const issuer = 'http://127.0.0.1:8080/realms/shop';

describe('a verifier whose policy takes the access tokens of an existing OpenID provider', () => {
  let privateKey: CryptoKey;
  let jwks: JwksServer;
  const kid = 'provider-key-2026';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    jwks = await startJwksServer({ keys: [publicJwk] });
  });
  afterAll(() => jwks.close());

  const verifierWith = async (policy: VerifierPolicy | undefined) => {
    const settings: KeysSettings = {
      app: 'orders-api',
      mode: 'rs256-jwks',
      keyFile: undefined,
      issuer,
      jwksUrl: jwks.url,
      audienceCheck: true,
      ...(policy ? { policy } : {}),
    };
    return createVerifier(await createKeyRing(settings, undefined));
  };

  interface TokenShape {
    readonly typ?: string;
    readonly lifetime?: number;
    readonly audience?: string[];
    readonly claims?: JWTPayload;
  }
  const providerToken = async ({ typ = 'JWT', lifetime = 3600, audience = ['orders-api', 'account'], claims = {} }: TokenShape = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ realm_access: { roles: ['admin', 'offline_access'] }, azp: 'shop-web', scope: 'openid profile', ...claims })
      .setProtectedHeader({ alg: 'RS256', typ, kid })
      .setIssuer(issuer)
      .setSubject('f3c1e2d0-5b8a-4c1e-9d7f-2a6b3c4d5e6f')
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(privateKey);
  };

  it('accepts its token, with the roles read from the nested claim', async () => {
    const verifier = await verifierWith(PROVIDER_POLICY);
    const principal = await verifier.verifyAccessToken(await providerToken());
    expect(principal).toMatchObject({ roles: ['admin', 'offline_access'], audience: ['orders-api', 'account'] });
  });

  it.each([
    ['an audience array that does not name this service', { audience: ['billing-api', 'account'] }],
    ['no roles under the nested claim', { claims: { realm_access: { groups: ['admins'] } } }],
    ['roles that are not a list of strings', { claims: { realm_access: { roles: 'admin' } } }],
    ['a lifetime over the policy’s hour', { lifetime: 7200 }],
    ['a typ the policy does not list', { typ: 'at+jwt' }],
  ])('refuses a token with %s', async (_name, shape) => {
    const verifier = await verifierWith(PROVIDER_POLICY);
    await expect(verifier.verifyAccessToken(await providerToken(shape))).rejects.toBeInstanceOf(Error);
  });

  it('refuses the same token under the strict default policy: its typ, its lifetime and its audience array', async () => {
    const strict = await verifierWith(undefined);
    expect(strict.policy).toMatchObject(DEFAULT_VERIFIER_POLICY);
    await expect(strict.verifyAccessToken(await providerToken())).rejects.toMatchObject({ code: 'ERR_TOKEN_HEADER' });
    const lenientType = await verifierWith({ ...DEFAULT_VERIFIER_POLICY, tokenTypes: ['JWT'] });
    await expect(lenientType.verifyAccessToken(await providerToken({ lifetime: 900 }))).rejects.toMatchObject({
      code: 'ERR_TOKEN_CLAIMS',
      message: 'aud is not this service alone',
    });
  });
});

describe('the policy read from the environment', () => {
  it('is the strict default when nothing is set', () => {
    expect(readVerifierPolicy({})).toEqual(DEFAULT_VERIFIER_POLICY);
  });

  it('reads each member from its setting', () => {
    expect(
      readVerifierPolicy({
        TOKEN_TYPES: 'JWT, at+jwt',
        TOKEN_MAX_LIFETIME_SECONDS: '3600',
        CLOCK_TOLERANCE_SECONDS: '30',
        AUDIENCE_RULE: 'among',
        ROLES_CLAIM: 'realm_access.roles',
      }),
    ).toEqual({
      tokenTypes: ['JWT', 'at+jwt'],
      maxLifetimeSeconds: 3600,
      clockToleranceSeconds: 30,
      audienceRule: 'among',
      rolesClaim: 'realm_access.roles',
    });
  });

  it.each([
    ['TOKEN_TYPES', ' , '],
    ['TOKEN_TYPES', 'at jwt'],
    ['TOKEN_MAX_LIFETIME_SECONDS', '59'],
    ['TOKEN_MAX_LIFETIME_SECONDS', '86401'],
    ['TOKEN_MAX_LIFETIME_SECONDS', 'an hour'],
    ['CLOCK_TOLERANCE_SECONDS', '301'],
    ['CLOCK_TOLERANCE_SECONDS', '-1'],
    ['AUDIENCE_RULE', 'any'],
    ['ROLES_CLAIM', 'realm_access..roles'],
    ['ROLES_CLAIM', '$.roles'],
  ])('refuses %s=%j at start-up, naming the setting', (name, value) => {
    expect(() => readVerifierPolicy({ [name]: value })).toThrow(expect.objectContaining({ code: 'ERR_KEYS_CONFIG', setting: name }));
  });
});
