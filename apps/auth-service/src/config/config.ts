import { join } from 'node:path';
import { readKeysSettings, type KeysSettings } from '@jwt-blast-radius/keys';
import { readHttpSettings, type HttpSettings } from '@jwt-blast-radius/service-kit';

export interface AppConfig {
  readonly http: HttpSettings;
  readonly keys: KeysSettings;
  /** The seed file of demo users and their password hashes. */
  readonly usersFile: string;
  /** Lifetime of an access token, in seconds (checked by the signer: 900 at most). */
  readonly tokenTtlSeconds: number;
}

export const DEFAULT_USERS_FILE = join(__dirname, '..', '..', 'seed', 'users.json');

/** The one place that reads the environment: `HOST`, `PORT`, the key settings, `USERS_FILE`, `TOKEN_TTL_SECONDS`. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  return {
    http: readHttpSettings(env, 3000),
    keys: readKeysSettings(env, 'auth-service'),
    usersFile: env.USERS_FILE?.trim() || DEFAULT_USERS_FILE,
    tokenTtlSeconds: env.TOKEN_TTL_SECONDS?.trim() ? Number(env.TOKEN_TTL_SECONDS) : 300,
  };
}
