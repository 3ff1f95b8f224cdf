import { describeStartupError as describeKeysStartupError } from '@jwt-blast-radius/keys';

/** The closed set of codes a {@link SettingsError} carries. */
export type SettingsErrorCode = 'ERR_SETTINGS_INVALID' | 'ERR_SETTINGS_UNREADABLE' | 'ERR_SETTINGS_LISTEN';

/**
 * A setting of an app that is not about keys (`PORT`, `USERS_FILE`, a limit) is missing, malformed or
 * unusable. It has the same one-line shape as the keys package's `KeysError`: `setting` names the
 * variable at fault.
 *
 * @example
 * throw new SettingsError('ERR_SETTINGS_INVALID', 'must be a port number from 0 to 65535', 'PORT');
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';

  constructor(
    readonly code: SettingsErrorCode,
    message: string,
    readonly setting: string,
  ) {
    super(message);
  }
}

/**
 * Formats a start-up failure as the single line an app prints before it exits with status 1: a
 * {@link SettingsError} or a `KeysError` names its setting and code; anything else only its class.
 *
 * @example
 * describeStartupError('auth-service', err); // 'auth-service: PORT: must be a port number from 0 to 65535 (ERR_SETTINGS_INVALID)'
 */
export function describeStartupError(app: string, error: unknown): string {
  if (error instanceof SettingsError) return `${app}: ${error.setting}: ${error.message} (${error.code})`;
  return describeKeysStartupError(app, error);
}
