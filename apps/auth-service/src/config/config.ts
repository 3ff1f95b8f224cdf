import { join } from 'node:path';
import { MAX_TOKEN_LIFETIME, readKeysSettings, type KeysSettings } from '@jwt-blast-radius/keys';
import {
  readHttpSettings,
  readIntegerSetting,
  readLogSettings,
  type Env,
  type HttpSettings,
  type LogSettings,
} from '@jwt-blast-radius/service-kit';

/** What the login route lets through: attempts per window, and password hashes computed at once. */
export interface LoginSettings {
  /** Login attempts one client address may make for one username per window (`LOGIN_ATTEMPTS_PER_USER`). */
  readonly attemptsPerUser: number;
  /** Login attempts one client address may make per window, whatever the usernames (`LOGIN_ATTEMPTS_PER_ADDRESS`). */
  readonly attemptsPerAddress: number;
  /** The window both limits count over, in seconds (`LOGIN_WINDOW_SECONDS`). */
  readonly windowSeconds: number;
  /** Password hashes computed at once, all clients together (`PASSWORD_HASHES_IN_FLIGHT`); one per client address. */
  readonly hashesInFlight: number;
}

export interface AppConfig {
  readonly http: HttpSettings;
  readonly log: LogSettings;
  readonly keys: KeysSettings;
  /** The seed file of demo users and their password hashes. */
  readonly usersFile: string;
  /** Lifetime of an access token, in seconds: 900 at most. */
  readonly tokenTtlSeconds: number;
  readonly login: LoginSettings;
}

export const DEFAULT_USERS_FILE = join(__dirname, '..', '..', 'seed', 'users.json');

export const DEFAULT_LOGIN_SETTINGS: LoginSettings = { attemptsPerUser: 5, attemptsPerAddress: 20, windowSeconds: 60, hashesInFlight: 2 };

// Each scrypt hash holds 128 MiB while it runs (N=2^17, r=8): 16 at once is already 2 GiB.
const MAX_HASHES_IN_FLIGHT = 16;

/**
 * The one place that reads the environment: `HOST`, `PORT`, `LOG_LEVEL`, the key settings, `USERS_FILE`, `TOKEN_TTL_SECONDS`,
 * and the login limits `LOGIN_ATTEMPTS_PER_USER`, `LOGIN_ATTEMPTS_PER_ADDRESS`, `LOGIN_WINDOW_SECONDS`, `PASSWORD_HASHES_IN_FLIGHT`.
 */
export function loadConfig(env: Env): AppConfig {
  const attempts = (name: string, fallback: number) =>
    readIntegerSetting(env, name, { default: fallback, min: 1, max: 100_000, what: 'a number of attempts' });
  return {
    http: readHttpSettings(env, 3000),
    log: readLogSettings(env),
    keys: readKeysSettings(env, 'auth-service'),
    usersFile: env.USERS_FILE?.trim() || DEFAULT_USERS_FILE,
    tokenTtlSeconds: readIntegerSetting(env, 'TOKEN_TTL_SECONDS', {
      default: 300,
      min: 1,
      max: MAX_TOKEN_LIFETIME,
      what: 'a number of seconds',
    }),
    login: {
      attemptsPerUser: attempts('LOGIN_ATTEMPTS_PER_USER', DEFAULT_LOGIN_SETTINGS.attemptsPerUser),
      attemptsPerAddress: attempts('LOGIN_ATTEMPTS_PER_ADDRESS', DEFAULT_LOGIN_SETTINGS.attemptsPerAddress),
      windowSeconds: readIntegerSetting(env, 'LOGIN_WINDOW_SECONDS', {
        default: DEFAULT_LOGIN_SETTINGS.windowSeconds,
        min: 1,
        max: 24 * 60 * 60,
        what: 'a number of seconds',
      }),
      hashesInFlight: readIntegerSetting(env, 'PASSWORD_HASHES_IN_FLIGHT', {
        default: DEFAULT_LOGIN_SETTINGS.hashesInFlight,
        min: 1,
        max: MAX_HASHES_IN_FLIGHT,
        what: 'a number of hashes',
      }),
    },
  };
}
