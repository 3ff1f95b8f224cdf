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
  return error instanceof KeysError ? `${app}: ${describeKeysError(error)}` : `${app}: failed to start (${describeKeysError(error)})`;
}

/**
 * Names a failure in one line with no key material: a {@link KeysError} as its setting, message and code,
 * anything else by its class only (an unexpected message might quote what it failed on).
 *
 * @example
 * describeKeysError(err); // 'KEYS_DIR: secret "shared.1a2b3c4d" has 128 bits; 256 at least (ERR_KEYS_WEAK_SECRET)'
 */
export function describeKeysError(error: unknown): string {
  if (error instanceof KeysError) return `${error.setting ? `${error.setting}: ` : ''}${error.message} (${error.code})`;
  return error instanceof Error ? error.name : typeof error;
}
