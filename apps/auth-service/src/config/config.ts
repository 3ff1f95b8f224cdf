import { join } from 'node:path';
import { MAX_TOKEN_LIFETIME, readKeysSettings, type KeysSettings } from '@jwt-blast-radius/keys';
import { readHttpSettings, readIntegerSetting, type Env, type HttpSettings } from '@jwt-blast-radius/service-kit';

export interface AppConfig {
  readonly http: HttpSettings;
  readonly keys: KeysSettings;
  /** The seed file of demo users and their password hashes. */
  readonly usersFile: string;
  /** Lifetime of an access token, in seconds: 900 at most. */
  readonly tokenTtlSeconds: number;
}

export const DEFAULT_USERS_FILE = join(__dirname, '..', '..', 'seed', 'users.json');

/** The one place that reads the environment: `HOST`, `PORT`, the key settings, `USERS_FILE`, `TOKEN_TTL_SECONDS`. */
export function loadConfig(env: Env): AppConfig {
  return {
    http: readHttpSettings(env, 3000),
    keys: readKeysSettings(env, 'auth-service'),
    usersFile: env.USERS_FILE?.trim() || DEFAULT_USERS_FILE,
    tokenTtlSeconds: readIntegerSetting(env, 'TOKEN_TTL_SECONDS', {
      default: 300,
      min: 1,
      max: MAX_TOKEN_LIFETIME,
      what: 'a number of seconds',
    }),
  };
}
