import { createPrivateKey, randomBytes, type JsonWebKey } from 'node:crypto';
import { keyNameOf } from '@jwt-blast-radius/keys';
import { accessTokenClaims, signRawJws } from '@jwt-blast-radius/attacker';
import type { JWK } from 'jose';
import { sendRequests, type LoadFigures } from './load';

export interface RandomKidTokensOptions {
  /** The issuer's real signing key (an RSA private key), as its key folder holds it. */
  readonly signingJwk: JWK;
  readonly count: number;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * Tokens that are valid in every way but one: each is signed with the issuer's real key under a kid of its
 * own that the issuer never published (the key's name and random hex, as a real kid is written). A verifier
 * that fetches its keys by kid is tempted to fetch the JWKS once for each.
 *
 * @example
 * const tokens = signRandomKidTokens({ signingJwk, count: 10_000, issuer, audience: 'dashboard-api' });
 */
export function signRandomKidTokens({ signingJwk, count, issuer, audience }: RandomKidTokensOptions): string[] {
  if (signingJwk.kty !== 'RSA' || typeof signingJwk.kid !== 'string') throw new Error('a random-kid flood needs the issuer’s RSA key');
  const key = createPrivateKey({ key: signingJwk as JsonWebKey, format: 'jwk' });
  const name = keyNameOf(signingJwk.kid);
  const claims = accessTokenClaims({ iss: issuer, aud: audience, sub: 'alice', roles: ['user'] });
  return Array.from({ length: count }, () =>
    signRawJws(key, 'RS256', { alg: 'RS256', typ: 'at+jwt', kid: `${name}.${randomBytes(8).toString('hex')}` }, claims),
  );
}

/**
 * Sends each token once to a guarded route, over keep-alive connections, and reads what came back.
 *
 * @example
 * const flood = await floodWithTokens({ url: `${api}/dashboard/summary`, tokens, connections: 50 });
 * flood.statuses; // { '401': 10000 }
 */
export function floodWithTokens({
  url,
  tokens,
  connections,
}: {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly connections: number;
}): Promise<LoadFigures> {
  return sendRequests({ url, connections, count: tokens.length, headersFor: (i) => ({ authorization: `Bearer ${tokens[i]!}` }) });
}
