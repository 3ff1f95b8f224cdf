import { KeysError } from '../errors';
import { perAppSecret } from './per-app-secret';
import { rs256Jwks } from './rs256-jwks';
import { sharedHs256 } from './shared-hs256';
import type { ModeDefinition } from './types';

export type { ModeDefinition, SigningAlgorithm } from './types';

/** The mode table: the one place that knows every key-sharing mode. */
export const MODES = {
  'shared-hs256': sharedHs256,
  'per-app-secret': perAppSecret,
  'rs256-jwks': rs256Jwks,
} as const satisfies Record<string, ModeDefinition>;

export type ModeName = keyof typeof MODES;

export const MODE_NAMES = Object.keys(MODES) as ModeName[];

export const DEFAULT_MODE: ModeName = 'rs256-jwks';

/**
 * Looks a mode up by name, failing with the setting's name when there is no such mode.
 *
 * @example
 * getMode('per-app-secret').holdings['dashboard-api']; // ['dashboard-api']
 */
export function getMode(name: string, setting = 'AUTH_MODE'): ModeDefinition {
  if (!Object.hasOwn(MODES, name)) {
    throw new KeysError('ERR_KEYS_UNKNOWN_MODE', `unknown mode "${name}"; expected one of ${MODE_NAMES.join(', ')}`, setting);
  }
  return MODES[name as ModeName];
}
