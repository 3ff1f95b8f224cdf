import type { KeyObject } from 'node:crypto';
import type { ReadableStream } from 'node:stream/web';
import { importJWK, type JWK } from 'jose';
import { KeysError } from './errors';
import { RSA_BITS } from './generate';
import { isPrivateJwk, type JsonWebKeySet } from './keyset';
import { toKeyObject, type KeyRing } from './ring';
import { JWKS_DEFAULTS, type JwksTimings } from './jwks-timings';

/** The largest JWKS response body read, in bytes; a longer one is a failed fetch. */
export const MAX_JWKS_BYTES = 128 * 1024;

/**
 * The Cache-Control a JWKS response carries, for caches on the way: the max age a verifier keeps it.
 *
 * @example
 * response.setHeader('Cache-Control', JWKS_CACHE_CONTROL); // 'public, max-age=300'
 */
export const JWKS_CACHE_CONTROL = `public, max-age=${JWKS_DEFAULTS.cacheMaxAgeMs / 1000}`;

export interface RemoteKeySetOptions extends Partial<JwksTimings> {
  /** The current time in milliseconds (`Date.now` unless given), for tests that move it by hand. */
  readonly now?: () => number;
  /** Told of every fetch once it ends, for logs and metrics. */
  readonly onFetch?: (event: JwksFetchEvent) => void;
}

/** One fetch of the issuer's JWKS, as reported to `onFetch`. Carries no body and no key material. */
export interface JwksFetchEvent {
  readonly trigger: 'first-use' | 'expired' | 'unknown-kid' | 'reload';
  readonly outcome: 'ok' | 'failed';
  /** For a fetch that succeeded: the kids now trusted. */
  readonly kids?: readonly string[];
  /** For a failed fetch: an error code (`ECONNREFUSED`, `TIMEOUT`, `HTTP_503`, `ERR_JWKS_INVALID`, ...). */
  readonly reason?: string;
  /** How long the fetch took, in milliseconds. */
  readonly ms: number;
}

/** The RS256 public keys of an issuer, fetched from its JWKS and kept through its outages. */
export interface RemoteKeySet {
  /**
   * The key a token header's `kid` names, imported once. Throws a `KeysError`: `ERR_TOKEN_UNKNOWN_KID` for a
   * kid the issuer does not publish (or no kid), `ERR_TOKEN_HEADER` for an `alg` other than RS256 (a service
   * answers 401 to both), `ERR_JWKS_UNAVAILABLE` with `retryAfterSeconds` when it holds no usable keys and
   * cannot fetch them (503).
   */
  getKey(header: { readonly kid?: unknown; readonly alg?: unknown }): Promise<KeyObject>;
  /**
   * Fetches now, cooldown or not (after any fetch already running), and resolves with the kids then trusted.
   * On failure keeps the keys it held and rejects with `ERR_JWKS_UNAVAILABLE`.
   */
  reload(): Promise<readonly string[]>;
  /** The kids it trusts now; none once its keys are past the stale window. */
  kids(): readonly string[];
}

interface RemoteKey {
  /** The public members the key was imported from, to import a key again only when they change. */
  readonly material: string;
  readonly key: KeyObject;
}

/**
 * Fetches an issuer's RS256 public keys from its JWKS, keeps them as KeyObjects, and keeps them serving
 * through an outage of the issuer for as long as {@link JWKS_DEFAULTS} says. Takes from the set only RSA keys
 * for RS256 (`alg` absent or RS256, `use` absent or `sig`, a string `kid`, a modulus of {@link RSA_BITS} bits
 * at least, no private member) and skips anything else; a response that is not a JWK set is a failed fetch.
 * One fetch at a time: concurrent callers share it.
 *
 * @example
 * const keys = createRemoteKeySet('http://127.0.0.1:3000/.well-known/jwks.json', settings.jwks);
 * const key = await keys.getKey(readProtectedHeader(token)); // a KeyObject, for jsonwebtoken or jose
 */
export function createRemoteKeySet(url: string | URL, options: RemoteKeySetOptions = {}): RemoteKeySet {
  const target = checkJwksUrl(url);
  const { cacheMaxAgeMs, cooldownMs, timeoutMs, staleMs } = checkTimings(options);
  const now = options.now ?? Date.now;
  const onFetch = options.onFetch;

  let held = new Map<string, RemoteKey>();
  /** The end of the last fetch that succeeded, and of the last fetch whatever its outcome. */
  let fetchedAt: number | undefined;
  let attemptedAt: number | undefined;
  let failure: string | undefined;
  let pending: Promise<boolean> | undefined;

  const isUsable = (t: number) => fetchedAt !== undefined && t < fetchedAt + cacheMaxAgeMs + staleMs;
  const isFresh = (t: number) => fetchedAt !== undefined && t < fetchedAt + cacheMaxAgeMs;
  const isCoolingDown = (t: number) => attemptedAt !== undefined && t < attemptedAt + cooldownMs;

  function fetchOnce(trigger: JwksFetchEvent['trigger']): Promise<boolean> {
    pending ??= refresh(trigger);
    return pending;
  }

  async function refresh(trigger: JwksFetchEvent['trigger']): Promise<boolean> {
    const started = performance.now();
    let event: Omit<JwksFetchEvent, 'ms'>;
    try {
      held = await importRemoteKeys(await downloadJwks(target, timeoutMs), held);
      fetchedAt = attemptedAt = now();
      failure = undefined;
      event = { trigger, outcome: 'ok', kids: [...held.keys()] };
    } catch (error) {
      attemptedAt = now();
      failure = reasonOf(error);
      event = { trigger, outcome: 'failed', reason: failure };
    }
    // Cleared with the state settled and before anyone hears of it, so that no caller joins a finished fetch.
    pending = undefined;
    try {
      onFetch?.({ ...event, ms: Math.round(performance.now() - started) });
    } catch {
      // An observer that fails must not change which keys are trusted.
    }
    return event.outcome === 'ok';
  }

  function unavailable(): KeysError {
    const wait = attemptedAt === undefined ? cooldownMs : attemptedAt + cooldownMs - now();
    return new KeysError('ERR_JWKS_UNAVAILABLE', `cannot fetch the issuer JWKS (${failure ?? 'keys expired'})`, undefined, {
      retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)),
    });
  }

  const unknownKid = () => new KeysError('ERR_TOKEN_UNKNOWN_KID', 'kid not in the issuer JWKS');

  return {
    async getKey(header) {
      if (header.alg !== undefined && header.alg !== 'RS256') throw new KeysError('ERR_TOKEN_HEADER', 'algorithm not accepted');
      const kid = header.kid;
      if (typeof kid !== 'string' || kid === '') throw new KeysError('ERR_TOKEN_UNKNOWN_KID', 'no kid');
      const t = now();
      if (isUsable(t)) {
        const found = held.get(kid);
        if (found) {
          if (!isFresh(t) && !isCoolingDown(t)) void fetchOnce('expired');
          return found.key;
        }
        // While the held keys serve, they answer for every kid: an unknown one during an outage is refused as
        // unknown, so that a flood of random kids neither fetches more than once per cooldown nor reads as a 503.
        if (!pending && isCoolingDown(t)) throw unknownKid();
        await (pending ?? fetchOnce('unknown-kid'));
      } else {
        if (!pending && isCoolingDown(t)) throw unavailable();
        await (pending ?? fetchOnce(fetchedAt === undefined ? 'first-use' : 'expired'));
      }
      if (!isUsable(now())) throw unavailable();
      const found = held.get(kid);
      if (!found) throw unknownKid();
      return found.key;
    },

    async reload() {
      if (pending) await pending;
      if (!(await fetchOnce('reload'))) throw unavailable();
      return [...held.keys()];
    },

    kids() {
      return isUsable(now()) ? [...held.keys()] : [];
    },
  };
}

/** A fetch that failed for a reason of its own (a status, a body that is no JWK set), named by a code. */
class JwksFetchFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function downloadJwks(url: URL, timeoutMs: number): Promise<JsonWebKeySet> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new JwksFetchFailure(`HTTP_${response.status}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readBody(response));
  } catch (error) {
    if (error instanceof JwksFetchFailure || !(error instanceof SyntaxError)) throw error;
    throw new JwksFetchFailure('ERR_JWKS_INVALID');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray(keys)) throw new JwksFetchFailure('ERR_JWKS_INVALID');
  return parsed as JsonWebKeySet;
}

async function readBody(response: Response): Promise<string> {
  if (Number(response.headers.get('content-length')) > MAX_JWKS_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new JwksFetchFailure('ERR_JWKS_TOO_LARGE');
  }
  if (!response.body) throw new JwksFetchFailure('ERR_JWKS_INVALID');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new JwksFetchFailure('ERR_JWKS_TOO_LARGE');
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function importRemoteKeys(set: JsonWebKeySet, previous: ReadonlyMap<string, RemoteKey>): Promise<Map<string, RemoteKey>> {
  const candidates = set.keys.filter(isRs256VerifyingJwk);
  const seen = new Map<string, number>();
  for (const { kid } of candidates) seen.set(kid, (seen.get(kid) ?? 0) + 1);
  const keys = new Map<string, RemoteKey>();
  for (const jwk of candidates) {
    // Two keys under one kid: which one the issuer signs with cannot be told, so neither is trusted.
    if (seen.get(jwk.kid) !== 1) continue;
    const material = `${jwk.n}.${jwk.e}`;
    const known = previous.get(jwk.kid);
    if (known?.material === material) {
      keys.set(jwk.kid, known);
      continue;
    }
    try {
      const key = toKeyObject(await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256'));
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= RSA_BITS) keys.set(jwk.kid, { material, key });
    } catch {
      // A key that does not import is skipped like any other key this verifier cannot use.
    }
  }
  return keys;
}

type Rs256Jwk = JWK & { readonly kid: string; readonly n: string; readonly e: string };

function isRs256VerifyingJwk(jwk: unknown): jwk is Rs256Jwk {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const { kty, kid, alg, use, key_ops: ops, n, e } = jwk as JWK;
  return (
    kty === 'RSA' &&
    typeof kid === 'string' &&
    kid !== '' &&
    (alg === undefined || alg === 'RS256') &&
    (use === undefined || use === 'sig') &&
    (ops === undefined || (Array.isArray(ops) && ops.includes('verify'))) &&
    typeof n === 'string' &&
    typeof e === 'string' &&
    // A published private key signs for anyone: the issuer leaked it.
    !isPrivateJwk(jwk)
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof JwksFetchFailure) return error.reason;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code) ? code : 'FETCH_FAILED';
}

function checkJwksUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeysError('ERR_KEYS_CONFIG', 'is not a URL', 'url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KeysError('ERR_KEYS_CONFIG', 'must be an http or https URL', 'url');
  }
  return parsed;
}

function checkTimings(options: RemoteKeySetOptions): JwksTimings {
  const timings: Record<keyof JwksTimings, number> = { ...JWKS_DEFAULTS };
  for (const name of Object.keys(JWKS_DEFAULTS) as (keyof JwksTimings)[]) {
    const value = options[name] ?? JWKS_DEFAULTS[name];
    const least = name === 'staleMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new KeysError('ERR_KEYS_CONFIG', `must be a whole number of milliseconds, ${least} at least`, name);
    }
    timings[name] = value;
  }
  return timings;
}

/**
 * The public JWK set the app publishes at its jwks_uri, or undefined when its mode has no public keys
 * (the HS modes: a secret is never published).
 *
 * @example
 * publicJwks(ring); // { keys: [{ kty: 'RSA', kid: 'issuer.5e1f00d2', n, e, alg: 'RS256', use: 'sig' }] }
 */
export function publicJwks(ring: KeyRing): JsonWebKeySet | undefined {
  if (!ring.mode.publishesJwks) return undefined;
  const keys = ring.keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
  return keys.length > 0 ? { keys } : undefined;
}
