import type { JWK } from 'jose';
import type { AppName } from '../apps';
import { DEFAULT_ISSUER, readKeysSettings } from '../config';
import { generateKeySet } from '../generate';
import { publicJwks } from '../jwks';
import { keyNameOf, type JsonWebKeySet } from '../keyset';
import { getMode } from '../modes';
import { createKeyRing, type KeyRing } from '../ring';
import { startJwksServer, type JwksServer } from './jwks-server';

export interface TestKeys extends AsyncDisposable {
  /** Every app's key set, as generated for the mode. */
  readonly material: Readonly<Record<AppName, JsonWebKeySet>>;
  /** The key ring of the app under test, made from its share of the material. */
  readonly ring: KeyRing;
  /** Stops the JWKS server, if one was started. */
  close(): Promise<void>;
}

export interface TestKeysOptions {
  readonly mode: string;
  readonly app: AppName;
  /** The `iss` the app expects; {@link DEFAULT_ISSUER} unless given. */
  readonly issuer?: string;
}

/**
 * Generates a fresh key set for a mode and makes the key ring of one app from its share, through the
 * same settings reader and checks as at start-up. An app that holds no key for its own audience
 * fetches the issuer's public JWKS, so that JWKS is then served over real HTTP on a loopback port
 * and the ring's `JWKS_URL` points there. Closed by `await using`, or by `close()`.
 *
 * @example
 * await using keys = await createTestKeys({ mode: 'rs256-jwks', app: 'dashboard-api' });
 * const module = AppModule.forRoot(keys.ring);
 */
export async function createTestKeys({ mode, app, issuer = DEFAULT_ISSUER }: TestKeysOptions): Promise<TestKeys> {
  const material = await generateKeySet(mode);
  const definition = getMode(mode, 'mode');
  const env = { AUTH_MODE: mode, ISSUER: issuer };
  let jwksServer: JwksServer | undefined;
  if (definition.publishesJwks && !definition.holdings[app].includes(definition.signingKey[app])) {
    const issuerRing = await createKeyRing(readKeysSettings(env, 'auth-service'), material['auth-service']);
    jwksServer = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
  }
  const close = async () => jwksServer?.close();
  try {
    const ring = await createKeyRing(readKeysSettings({ ...env, JWKS_URL: jwksServer?.url }, app), material[app]);
    return { material, ring, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The issuer's key that signs the tokens of an audience in a mode (a secret, or the RSA private key),
 * for a test that needs a token the auth service could have issued.
 *
 * @example
 * const jwk = findSigningJwk(material, 'per-app-secret', 'mobile-api'); // kid 'mobile-api.…'
 * await signWithJwk(jwk, accessTokenClaims({ iss, aud: 'mobile-api', sub: 'root', roles: ['admin'] }));
 */
export function findSigningJwk(material: Readonly<Record<AppName, JsonWebKeySet>>, mode: string, audience: AppName): JWK {
  const name = getMode(mode, 'mode').signingKey[audience];
  const jwk = material['auth-service'].keys.find((key) => keyNameOf(key.kid ?? '') === name);
  if (!jwk) throw new Error(`the issuer's key set holds no "${name}" key`);
  return jwk;
}
