import { randomBytes } from 'node:crypto';
import { base64url } from 'jose';
import type { AppName } from '../apps';
import type { KeysErrorCode } from '../errors';
import { SECRET_BITS, generateKeySet } from '../generate';
import { secretValuesOf, writeKeyFolders, type JsonWebKeySet } from '../keyset';
import { MODE_NAMES, getMode } from '../modes';

/** One row of the start-up table: settings an app must refuse to start with. */
export interface StartupFailureCase {
  readonly name: string;
  /** The settings under test, to add to an otherwise bare environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The setting the app's one line of failure names, and the code that line ends with. */
  readonly setting: string;
  readonly code: KeysErrorCode;
  /** The secret and private values of the keys written for the case: the app's output quotes none. */
  readonly secrets: readonly string[];
}

/**
 * The table of key settings every app refuses to start with, built from the mode table: an unknown
 * mode; the workshop's audience switch without its acknowledgement; `KEYS_WATCH` not a flag, or with no key file; a verifier policy out of range; for an app that fetches the JWKS, a plain-http JWKS URL on another host; each mode in which the app holds keys, without KEYS_DIR; a secret under {@link SECRET_BITS}
 * bits; and, in each mode in which the app only verifies, the issuer's private key set. The key
 * folders of the cases are written under `dir`, which the caller creates and removes.
 *
 * @example
 * for (const c of await buildStartupFailureCases('mobile-api', dir)) { ... }
 */
export async function buildStartupFailureCases(app: AppName, dir: string): Promise<StartupFailureCase[]> {
  const modes = MODE_NAMES.map((name) => getMode(name));
  const cases: StartupFailureCase[] = [
    { name: 'an unknown AUTH_MODE', env: { AUTH_MODE: 'none' }, setting: 'AUTH_MODE', code: 'ERR_KEYS_UNKNOWN_MODE', secrets: [] },
    {
      name: 'the audience switch without its acknowledgement',
      env: { INSECURE_SKIP_AUDIENCE_CHECK: 'true' },
      setting: 'INSECURE_SKIP_AUDIENCE_CHECK',
      code: 'ERR_KEYS_CONFIG',
      secrets: [],
    },
    { name: 'KEYS_WATCH that is not a flag', env: { KEYS_WATCH: 'yes' }, setting: 'KEYS_WATCH', code: 'ERR_KEYS_CONFIG', secrets: [] },
    {
      name: 'KEYS_WATCH with no key file to watch',
      env: { AUTH_MODE: 'rs256-jwks', KEYS_WATCH: 'true' },
      setting: 'KEYS_WATCH',
      code: 'ERR_KEYS_CONFIG',
      secrets: [],
    },
    {
      name: 'an audience rule out of range',
      env: { AUDIENCE_RULE: 'any' },
      setting: 'AUDIENCE_RULE',
      code: 'ERR_KEYS_CONFIG',
      secrets: [],
    },
  ];
  for (const mode of modes) {
    if (mode.holdings[app].length > 0) {
      cases.push({
        name: `${mode.name} without KEYS_DIR`,
        env: { AUTH_MODE: mode.name },
        setting: 'KEYS_DIR',
        code: 'ERR_KEYS_MISSING',
        secrets: [],
      });
      continue;
    }
    const issuerKeys = (await generateKeySet(mode.name))['auth-service'];
    cases.push({
      name: `${mode.name} with its JWKS fetched in plain http from another host`,
      env: { AUTH_MODE: mode.name, JWKS_URL: 'http://issuer.example:3000/.well-known/jwks.json' },
      setting: 'JWKS_URL',
      code: 'ERR_KEYS_CONFIG',
      secrets: [],
    });
    cases.push(
      await withKeyFolder(dir, `${mode.name}-issuer-keys`, issuerKeys, {
        name: `${mode.name} with the issuer's private key`,
        env: { AUTH_MODE: mode.name },
        setting: 'KEYS_DIR',
        code: 'ERR_KEYS_PRIVATE_KEY_FORBIDDEN',
      }),
    );
  }
  const secretHeld = modes.flatMap((mode) =>
    mode.holdings[app].filter((name) => mode.keys.some((key) => key.name === name && key.kty === 'oct')).map((name) => ({ mode, name })),
  )[0];
  if (secretHeld) {
    const bits = SECRET_BITS / 2;
    const { mode, name } = secretHeld;
    const shortSecret = { kty: 'oct', kid: `${name}.00000001`, alg: mode.alg, use: 'sig', k: base64url.encode(randomBytes(bits / 8)) };
    cases.push(
      await withKeyFolder(
        dir,
        'short-secret',
        { keys: [shortSecret] },
        {
          name: `a ${bits}-bit secret in ${mode.name}`,
          env: { AUTH_MODE: mode.name },
          setting: 'KEYS_DIR',
          code: 'ERR_KEYS_WEAK_SECRET',
        },
      ),
    );
  }
  return cases;
}

async function withKeyFolder(
  dir: string,
  folderName: string,
  set: JsonWebKeySet,
  row: Omit<StartupFailureCase, 'secrets'>,
): Promise<StartupFailureCase> {
  const folders = await writeKeyFolders(dir, { [folderName]: set });
  return { ...row, env: { ...row.env, KEYS_DIR: folders[folderName]! }, secrets: secretValuesOf(set) };
}
