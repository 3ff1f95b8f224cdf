/** The closed set of codes a {@link KeysError} carries. */
export type KeysErrorCode =
  | 'ERR_KEYS_CONFIG'
  | 'ERR_KEYS_UNKNOWN_MODE'
  | 'ERR_KEYS_MISSING'
  | 'ERR_KEYS_INVALID'
  | 'ERR_KEYS_WEAK_SECRET'
  | 'ERR_KEYS_WEAK_KEY'
  | 'ERR_KEYS_PRIVATE_KEY_FORBIDDEN'
  | 'ERR_KEYS_UNEXPECTED_KEY'
  | 'ERR_KEYS_ROTATION_STATE'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_HEADER'
  | 'ERR_TOKEN_UNKNOWN_KID'
  | 'ERR_JWKS_UNAVAILABLE'
  | 'ERR_TOKEN_CLAIMS';

/**
 * The one error this package throws. `setting` names the configuration variable at fault, so that an
 * app can stop at start-up with one line that tells the operator what to fix.
 *
 * @example
 * throw new KeysError('ERR_KEYS_WEAK_SECRET', 'holds a secret of 128 bits; 256 at least', 'KEYS_DIR');
 */
export class KeysError extends Error {
  override readonly name = 'KeysError';
  /** For `ERR_JWKS_UNAVAILABLE`: seconds until the keys may be fetched again (an HTTP `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: KeysErrorCode,
    message: string,
    readonly setting?: string,
    details: { readonly retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * Formats a start-up failure as the single line an app prints before it exits with status 1.
 * Anything that is not a {@link KeysError} is reported by its class only, so that no unexpected
 * message (which might quote key material) reaches the log.
 *
 * @example
 * describeStartupError('dashboard-api', err); // 'dashboard-api: KEYS_DIR: ... (ERR_KEYS_MISSING)'
 */
export function describeStartupError(app: string, error: unknown): string {
  if (error instanceof KeysError) {
    const where = error.setting ? `${error.setting}: ` : '';
    return `${app}: ${where}${error.message} (${error.code})`;
  }
  const kind = error instanceof Error ? error.name : typeof error;
  return `${app}: failed to start (${kind})`;
}
