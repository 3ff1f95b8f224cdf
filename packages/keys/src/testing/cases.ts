import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { APP_NAMES, type AppName } from '../apps';
import { toPublicJwk, type JsonWebKeySet } from '../keyset';
import { getMode } from '../modes';
import { accessTokenClaims, signWithJwk, signWithPublicKeyAsSecret, tamperPayload, unsecuredToken } from '@jwt-blast-radius/attacker';
import { findSigningJwk } from './keys';

/** One row of the verification table: a token, and whether the audience's verifier must accept it. */
export interface VerificationCase {
  readonly name: string;
  readonly token: string;
  readonly expected: 'accept' | 'refuse';
}

export interface VerificationCaseContext {
  readonly mode: string;
  /** Every app's key set, as generated for the mode. */
  readonly material: Readonly<Record<AppName, JsonWebKeySet>>;
  /** The app whose verifier is under test; its name is the audience of the valid token. */
  readonly audience: AppName;
  readonly issuer: string;
  readonly sub?: string;
  readonly roles?: readonly string[];
  readonly now?: number;
}

/**
 * The table of tokens every verifier is tested with, in every mode: valid, expired, not yet valid,
 * wrong iss, wrong aud, alg none, the algorithm-confusion token, an unpinned algorithm, a tampered
 * payload, an unknown kid, another app's key, typ missing, crit present, too long a lifetime, an iat
 * ahead of now (beyond the clock tolerance, and within it), aud as an array (of the audience alone, and
 * with a foreign one) and a token that is not a JWT. The expectation for "another app's key" comes from the mode table: it is
 * accepted exactly when that other app holds the audience's signing key.
 *
 * @example
 * for (const c of await buildVerificationCases({ mode, material, audience: 'mobile-api', issuer })) { ... }
 */
export async function buildVerificationCases(context: VerificationCaseContext): Promise<VerificationCase[]> {
  const { audience, issuer } = context;
  const mode = getMode(context.mode, 'mode');
  const now = context.now ?? Math.floor(Date.now() / 1000);
  const signingName = mode.signingKey[audience];
  const signingKey = findSigningJwk(context.material, context.mode, audience);
  const base = { iss: issuer, aud: audience, sub: context.sub ?? 'alice', roles: [...(context.roles ?? ['user'])] };
  const claims = (extra: Record<string, unknown> = {}) => accessTokenClaims({ ...base, ...extra }, now);
  const sign = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    signWithJwk(signingKey, claims(extra), header);

  const otherApp = APP_NAMES.find((app) => app !== audience && app !== 'auth-service')!;
  const otherKey = context.material[otherApp].keys[0] ?? { ...(await attackerRsaKey()), kid: signingKey.kid };
  const otherHolds = mode.holdings[otherApp].includes(signingName);
  const publicKey = signingKey.kty === 'RSA' ? toPublicJwk(signingKey) : { ...toPublicJwk(await attackerRsaKey()), kid: signingKey.kid };
  const unpinned = mode.alg === 'HS256' ? 'HS384' : 'RS384';
  const valid = await sign();

  return [
    { name: 'valid', token: valid, expected: 'accept' },
    { name: 'expired', token: await sign({ iat: now - 600, exp: now - 60 }), expected: 'refuse' },
    { name: 'not yet valid', token: await sign({ nbf: now + 300 }), expected: 'refuse' },
    { name: 'wrong iss', token: await sign({ iss: 'https://issuer.invalid' }), expected: 'refuse' },
    { name: 'wrong aud', token: await sign({ aud: otherApp }), expected: 'refuse' },
    { name: 'alg none', token: unsecuredToken(claims(), { kid: signingKey.kid }), expected: 'refuse' },
    { name: 'HS256 signed with the RS256 public key', token: await signWithPublicKeyAsSecret(publicKey, claims()), expected: 'refuse' },
    { name: `unpinned algorithm ${unpinned}`, token: await sign({}, { alg: unpinned }), expected: 'refuse' },
    { name: 'tampered payload', token: tamperPayload(valid, (c) => ({ ...c, roles: ['admin'] })), expected: 'refuse' },
    { name: 'unknown kid', token: await sign({}, { kid: `${signingName}.00000000` }), expected: 'refuse' },
    {
      name: `signed with ${otherApp}'s key`,
      token: await signWithJwk(otherKey, claims(), { alg: mode.alg }),
      expected: otherHolds ? 'accept' : 'refuse',
    },
    { name: 'typ missing', token: await sign({}, { typ: null }), expected: 'refuse' },
    { name: 'crit present', token: await sign({}, { crit: ['urn:example:policy'], 'urn:example:policy': true }), expected: 'refuse' },
    { name: 'lifetime over 15 minutes', token: await sign({ exp: now + 3600 }), expected: 'refuse' },
    { name: 'iat 2 s ahead (clock skew)', token: await sign({ iat: now + 2, exp: now + 302 }), expected: 'accept' },
    { name: 'iat 1 hour ahead', token: await sign({ iat: now + 3600, exp: now + 3900 }), expected: 'refuse' },
    { name: 'iat 1 year ahead', token: await sign({ iat: now + YEAR, exp: now + YEAR + 300 }), expected: 'refuse' },
    { name: 'aud an array of itself alone', token: await sign({ aud: [audience] }), expected: 'accept' },
    { name: 'aud an array with a foreign audience', token: await sign({ aud: [audience, otherApp] }), expected: 'refuse' },
    { name: 'not a JWT', token: 'not.a.jwt', expected: 'refuse' },
  ];
}

const YEAR = 365 * 24 * 3600;

async function attackerRsaKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), alg: 'RS256' };
}
