// The timings of a remote key set apart from the key set itself: the settings (config.ts) read them
// without the remote key set, which needs the key ring, which reads the settings.

/** The timings of a remote key set, in milliseconds. */
export interface JwksTimings {
  /** How long a fetched key set is fresh. Past it, held keys still serve while one refetch runs in the background. */
  readonly cacheMaxAgeMs: number;
  /**
   * The least time between the end of one fetch and the start of the next, `reload()` aside: an unknown kid
   * or an expired set fetches at most once per cooldown, and a failed fetch is remembered this long.
   */
  readonly cooldownMs: number;
  /** How long one fetch may take, body included, before it counts as failed. */
  readonly timeoutMs: number;
  /** How long past `cacheMaxAgeMs` the last good keys keep serving while no refetch succeeds. */
  readonly staleMs: number;
}

/**
 * The timings of a remote key set unless told otherwise; the `JWKS_*` settings default to them. All times are
 * counted from `t`, the end of the last successful fetch:
 *
 * | from | until | the held keys | a fetch |
 * |---|---|---|---|
 * | t | t + 5 min (`cacheMaxAgeMs`) | serve | only for an unknown kid, at most once per 30 s (`cooldownMs`) |
 * | t + 5 min | t + 15 min (+ `staleMs`, 10 min) | serve, stale | in the background, at most once per 30 s, whether it fails or not |
 * | t + 15 min | a fetch succeeds | are not trusted: every kid gets `ERR_JWKS_UNAVAILABLE` | waited for, at most once per 30 s |
 *
 * So stale keys serve for at most 10 minutes past their max age, however long the outage, and a key the
 * issuer withdrew is trusted at most 15 minutes after the verifier last reached the issuer. A fetch gives up
 * after 2 s (`timeoutMs`).
 *
 * @example
 * createRemoteKeySet(url, { ...JWKS_DEFAULTS, timeoutMs: 500 });
 */
export const JWKS_DEFAULTS: JwksTimings = Object.freeze({
  cacheMaxAgeMs: 5 * 60_000,
  cooldownMs: 30_000,
  timeoutMs: 2_000,
  staleMs: 10 * 60_000,
});
