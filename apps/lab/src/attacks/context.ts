import { APP_NAMES, getMode, signingVersions, toPublicJwk, type AppName, type JsonWebKeySet, type ModeName } from '@jwt-blast-radius/keys';
import { accessTokenClaims, attackerKeyFor, type Attacker } from '@jwt-blast-radius/attacker';
import { issuerIn, signingKeysIn, type Loot, type RunningStack } from '@jwt-blast-radius/stack';
import type { JWK } from 'jose';
import { fetchPublishedJwks, harvestToken } from '../demo/probes';
import { HARVESTED_USER, ROUTES } from '../targets';
import type { AttackContext } from './types';

/** What the runner learns of a running stack before it attacks: the same for every target. */
export interface ModeSetup {
  readonly mode: ModeName;
  readonly issued: Readonly<Record<AppName, string>>;
  readonly loot: Readonly<Record<AppName, Loot>>;
  readonly published: JsonWebKeySet | undefined;
  /** The key sets from before the rotation, where the driver rotated the keys. */
  readonly backup: Readonly<Record<AppName, JsonWebKeySet>> | undefined;
}

/**
 * Logs alice in once per audience (one login at a time, as one client would: the login door limits
 * a client's attempts and hashes one password per client at once), fetches the published JWKS and
 * compromises every app, as the lab does.
 *
 * @example
 * const setup = await setUpMode(stack, 'rs256-jwks', say);
 */
export async function setUpMode(stack: RunningStack, mode: ModeName, say: (line: string) => void): Promise<ModeSetup> {
  const authUrl = stack.urls['auth-service'];
  say('logging alice in for each audience, one at a time');
  const issued = {} as Record<AppName, string>;
  for (const app of APP_NAMES) issued[app] = await harvestToken(authUrl, app, say);
  const published = await fetchPublishedJwks(authUrl);
  const loot = {} as Record<AppName, Loot>;
  for (const app of APP_NAMES) loot[app] = await stack.compromise(app);
  say(
    `compromised every app: signing keys ${APP_NAMES.map((app) => `${app} ${signingKeysIn(loot[app]).length}`).join(', ')}` +
      (stack.backup ? '; a backup from before the rotation' : ''),
  );
  return { mode, issued, loot, published, backup: stack.backup };
}

/** The version of a named key that signs, in a key set or loot. */
function newestVersion(keys: readonly JWK[], name: string): JWK | undefined {
  return signingVersions(keys).get(name);
}

/**
 * The context of every attack on one target: the key it trusts and the other app's key, both from the
 * loot, the retired key from the backup, alice's tokens, and correct claims for it.
 *
 * @example
 * const context = attackContext(setup, 'mobile-api', attacker);
 */
export function attackContext(setup: ModeSetup, target: AppName, attacker: Attacker): AttackContext {
  const mode = getMode(setup.mode, 'mode');
  const trustedName = mode.signingKey[target];
  const trusted = newestVersion(signingKeysIn(setup.loot['auth-service']), trustedName);
  if (!trusted) throw new Error(`the auth service's loot holds no "${trustedName}" key in ${setup.mode}`);
  const otherApp = APP_NAMES.find((app) => app !== target && app !== 'auth-service')!;
  const issuer = issuerIn(setup.loot['auth-service']);
  const now = Math.floor(Date.now() / 1000);
  return {
    mode: setup.mode,
    target,
    alg: mode.alg,
    issuer,
    route: ROUTES[target].user,
    issued: setup.issued,
    loot: setup.loot,
    trusted,
    otherApp,
    otherAppKey: signingKeysIn(setup.loot[otherApp])[0],
    published: setup.published,
    retired: setup.backup ? newestVersion(setup.backup['auth-service'].keys, trustedName) : undefined,
    attacker,
    now,
    claims(changes = {}) {
      const claims = accessTokenClaims({ iss: issuer, aud: target, sub: HARVESTED_USER.username, roles: ['user'], ...changes }, now);
      return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    },
  };
}

/**
 * The JWKS the attacker's server answers in a mode: its own key of the mode's algorithm under every kid
 * a target trusts, so that a verifier that followed `jku` would find a key that checks out.
 */
export function attackerJwks(setup: ModeSetup, attacker: Attacker): JsonWebKeySet {
  const own = attackerKeyFor(attacker, getMode(setup.mode, 'mode').alg);
  const served = own.kty === 'oct' ? own : toPublicJwk(own);
  const kids = new Set(APP_NAMES.map((target) => attackContext(setup, target, attacker).trusted.kid));
  return { keys: [served, ...[...kids].map((kid) => ({ ...served, kid }))] };
}
