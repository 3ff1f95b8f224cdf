import { join } from 'node:path';
import type { AppName } from './apps';
import { KeysError } from './errors';
import { JWKS_DEFAULTS, type JwksTimings } from './jwks';
import { KEY_FILE_NAME } from './keyset';
import { DEFAULT_MODE, getMode, type ModeName } from './modes';

/** What an app needs to know to get its signer or verifier. */
export interface KeysSettings {
  readonly app: AppName;
  readonly mode: ModeName;
  /** The app's JWK set file, and the setting it came from; undefined when none is configured. */
  readonly keyFile: { readonly path: string; readonly setting: 'KEYS_FILE' | 'KEYS_DIR' } | undefined;
  /** The `iss` of every token: the auth service's public URL. */
  readonly issuer: string;
  /** Where the auth service publishes its public keys (used only by apps that hold no key). */
  readonly jwksUrl: string;
  /** Off only in the workshop's insecure variant: a token for any audience is then accepted. */
  readonly audienceCheck: boolean;
  /** How the JWKS at `jwksUrl` is cached, refetched and kept through an outage; {@link JWKS_DEFAULTS} when absent. */
  readonly jwks?: JwksTimings;
}

export const DEFAULT_ISSUER = 'http://127.0.0.1:3000';

/**
 * The JWKS settings: each a whole number of its unit between its bounds, defaulting to {@link JWKS_DEFAULTS}.
 *
 * @example
 * JWKS_SETTINGS.find((s) => s.option === 'cooldownMs'); // { name: 'JWKS_COOLDOWN_SECONDS', unitMs: 1000, ... }
 */
export const JWKS_SETTINGS = [
  { name: 'JWKS_CACHE_MAX_AGE_SECONDS', option: 'cacheMaxAgeMs', unitMs: 1000, min: 1, max: 86_400 },
  { name: 'JWKS_COOLDOWN_SECONDS', option: 'cooldownMs', unitMs: 1000, min: 1, max: 3_600 },
  { name: 'JWKS_TIMEOUT_MS', option: 'timeoutMs', unitMs: 1, min: 100, max: 30_000 },
  { name: 'JWKS_STALE_SECONDS', option: 'staleMs', unitMs: 1000, min: 0, max: 86_400 },
] as const satisfies readonly { name: string; option: keyof JwksTimings; unitMs: number; min: number; max: number }[];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the key settings of one app from its environment:
 * `AUTH_MODE`, `KEYS_FILE` or `KEYS_DIR`, `ISSUER`, `JWKS_URL`, `INSECURE_SKIP_AUDIENCE_CHECK`, and the
 * {@link JWKS_SETTINGS}.
 *
 * @example
 * const settings = readKeysSettings(process.env, 'dashboard-api');
 */
export function readKeysSettings(env: Env, app: AppName): KeysSettings {
  const mode = getMode(nonEmpty(env, 'AUTH_MODE') ?? DEFAULT_MODE).name as ModeName;
  const keysFile = nonEmpty(env, 'KEYS_FILE');
  const keysDir = nonEmpty(env, 'KEYS_DIR');
  const keyFile = keysFile
    ? { path: keysFile, setting: 'KEYS_FILE' as const }
    : keysDir
      ? { path: join(keysDir, KEY_FILE_NAME), setting: 'KEYS_DIR' as const }
      : undefined;
  const issuer = readUrl(env, 'ISSUER') ?? DEFAULT_ISSUER;
  const jwksUrl = readUrl(env, 'JWKS_URL') ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  const audienceCheck = !readFlag(env, 'INSECURE_SKIP_AUDIENCE_CHECK');
  return { app, mode, keyFile, issuer, jwksUrl, audienceCheck, jwks: readJwksTimings(env) };
}

function readJwksTimings(env: Env): JwksTimings {
  const timings: Record<keyof JwksTimings, number> = { ...JWKS_DEFAULTS };
  for (const { name, option, unitMs, min, max } of JWKS_SETTINGS) {
    const value = readWholeNumber(env, name, min, max);
    if (value !== undefined) timings[option] = value * unitMs;
  }
  return timings;
}

function readWholeNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) throw new KeysError('ERR_KEYS_CONFIG', `must be a whole number from ${min} to ${max}`, name);
  return number;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function readUrl(env: Env, name: string): string | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KeysError('ERR_KEYS_CONFIG', 'is not a URL', name);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KeysError('ERR_KEYS_CONFIG', 'must be an http or https URL', name);
  }
  return value;
}

function readFlag(env: Env, name: string): boolean {
  const value = nonEmpty(env, name);
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new KeysError('ERR_KEYS_CONFIG', 'must be true or false (or 1 or 0)', name);
}
