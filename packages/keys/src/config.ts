import { join } from 'node:path';
import { KeysError } from './errors';
import { JWKS_DEFAULTS, type JwksTimings } from './jwks-timings';
import { KEY_FILE_NAME } from './keyset';
import { DEFAULT_MODE, findMode, type ModeName } from './modes';
import { readVerifierPolicy, type VerifierPolicy } from './policy';
import { checkServiceName } from './topology';

/** What an app needs to know to get its signer or verifier. */
export interface KeysSettings {
  /** The service's name, from its code: also the audience of its tokens. */
  readonly app: string;
  readonly mode: ModeName;
  /** The app's JWK set file, and the setting it came from; undefined when none is configured. */
  readonly keyFile: { readonly path: string; readonly setting: 'KEYS_FILE' | 'KEYS_DIR' } | undefined;
  /** The `iss` of every token: the auth service's public URL. */
  readonly issuer: string;
  /** Where the auth service publishes its public keys (used only by apps that hold no key). */
  readonly jwksUrl: string;
  /** Off only in the workshop's insecure variant (see {@link INSECURE_SWITCHES}): a token for any audience is then accepted. */
  readonly audienceCheck: boolean;
  /** What the verifier accepts beyond signature, issuer and algorithm; `DEFAULT_VERIFIER_POLICY` when absent. */
  readonly policy?: VerifierPolicy;
  /** How the JWKS at `jwksUrl` is cached, refetched and kept through an outage; {@link JWKS_DEFAULTS} when absent. */
  readonly jwks?: JwksTimings;
  /** Reload whenever the key file changes (`KEYS_WATCH`), as on the reload signal: for a mounted Kubernetes Secret. */
  readonly watch?: boolean;
  /**
   * A plain-http `jwksUrl` on another host is protected by something else: a private network, a mesh's mutual TLS
   * (`TLS_ENDS_ELSEWHERE`). Without it such a URL stops an app that fetches the JWKS at start-up.
   */
  readonly tlsEndsElsewhere?: boolean;
}

export const DEFAULT_ISSUER = 'http://127.0.0.1:3000';

/** The workshop's switches, each weakening a service; each takes effect only when {@link INSECURE_ACKNOWLEDGEMENT} lists it too. */
export const INSECURE_SWITCHES = ['INSECURE_SKIP_AUDIENCE_CHECK'] as const;

/**
 * The setting that acknowledges the workshop's switches: a comma-separated list of the switches turned on on
 * purpose. The workshop's own runs (the lab, the console, compose's workshop variant) set it; a deployment
 * never should, so that one variable alone can never weaken a service.
 */
export const INSECURE_ACKNOWLEDGEMENT = 'ACKNOWLEDGE_INSECURE';

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
 * `AUTH_MODE`, `KEYS_FILE` or `KEYS_DIR`, `KEYS_WATCH`, `ISSUER`, `JWKS_URL`, `TLS_ENDS_ELSEWHERE`, the {@link JWKS_SETTINGS}, the verifier's policy
 * (`POLICY_SETTINGS`), and the workshop's {@link INSECURE_SWITCHES} with their {@link INSECURE_ACKNOWLEDGEMENT}.
 * The app's name comes from its code, and must be a service name (`checkServiceName`).
 *
 * @example
 * const settings = readKeysSettings(process.env, 'orders-api');
 */
export function readKeysSettings(env: Env, app: string): KeysSettings {
  checkServiceName(app, 'the app name');
  const mode = findMode(nonEmpty(env, 'AUTH_MODE') ?? DEFAULT_MODE).name as ModeName;
  const keysFile = nonEmpty(env, 'KEYS_FILE');
  const keysDir = nonEmpty(env, 'KEYS_DIR');
  const keyFile = keysFile
    ? { path: keysFile, setting: 'KEYS_FILE' as const }
    : keysDir
      ? { path: join(keysDir, KEY_FILE_NAME), setting: 'KEYS_DIR' as const }
      : undefined;
  const issuer = readUrl(env, 'ISSUER') ?? DEFAULT_ISSUER;
  const jwksUrl = readUrl(env, 'JWKS_URL') ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  const audienceCheck = !readInsecureSwitch(env, 'INSECURE_SKIP_AUDIENCE_CHECK');
  const watch = readFlag(env, 'KEYS_WATCH');
  if (watch && keyFile === undefined) {
    throw new KeysError(
      'ERR_KEYS_CONFIG',
      'is on, but there is no key file to watch: set KEYS_DIR or KEYS_FILE, or leave it off',
      'KEYS_WATCH',
    );
  }
  const tlsEndsElsewhere = readFlag(env, 'TLS_ENDS_ELSEWHERE');
  return {
    app,
    mode,
    keyFile,
    issuer,
    jwksUrl,
    audienceCheck,
    jwks: readJwksTimings(env),
    policy: readVerifierPolicy(env),
    watch,
    tlsEndsElsewhere,
  };
}

/** A workshop switch: on only when its acknowledgement lists it too; on alone, a start-up failure saying what is missing. */
function readInsecureSwitch(env: Env, name: (typeof INSECURE_SWITCHES)[number]): boolean {
  const acknowledged = (nonEmpty(env, INSECURE_ACKNOWLEDGEMENT) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = acknowledged.find((item) => !(INSECURE_SWITCHES as readonly string[]).includes(item));
  if (unknown !== undefined) {
    throw new KeysError(
      'ERR_KEYS_CONFIG',
      `lists "${unknown}", which is not one of ${INSECURE_SWITCHES.join(', ')}`,
      INSECURE_ACKNOWLEDGEMENT,
    );
  }
  if (!readFlag(env, name)) return false;
  if (!acknowledged.includes(name)) {
    throw new KeysError(
      'ERR_KEYS_CONFIG',
      `is on, but takes effect only with ${INSECURE_ACKNOWLEDGEMENT}=${name} as well, which the workshop's own runs set; never in a deployment`,
      name,
    );
  }
  return true;
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

/**
 * Refuses a JWKS URL that an app would fetch in plain http from another host, unless `TLS_ENDS_ELSEWHERE` says
 * the traffic is protected otherwise: whoever can answer for that URL can sign for every app that fetches it.
 * Loopback (`localhost`, `127.0.0.0/8`, `::1`) is accepted, as is https.
 *
 * @example
 * checkJwksTransport(settings); // throws for http://auth-service:3000/... without TLS_ENDS_ELSEWHERE=true
 */
export function checkJwksTransport({ jwksUrl, tlsEndsElsewhere = false }: Pick<KeysSettings, 'jwksUrl' | 'tlsEndsElsewhere'>): void {
  const url = new URL(jwksUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
  if (url.protocol === 'https:' || loopback || tlsEndsElsewhere) return;
  throw new KeysError(
    'ERR_KEYS_CONFIG',
    `is plain http to ${url.host}: whoever answers there can sign for this service; use https, or set TLS_ENDS_ELSEWHERE=true where a private network or a mesh's mutual TLS protects it`,
    'JWKS_URL',
  );
}
