import { isIP } from 'node:net';
import { SettingsError } from './errors';

/** An app's environment, as `process.env` gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
  /**
   * The proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`): addresses, CIDR ranges, or
   * `loopback`, `linklocal`, `uniquelocal`. None unless set: the client is then the socket's peer, whatever a
   * request's headers claim.
   */
  readonly trustedProxies?: readonly string[];
}

/** The names `TRUSTED_PROXIES` takes for ranges of addresses, as express's `trust proxy` reads them. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Reads `HOST` (default 127.0.0.1: nothing listens beyond the machine unless asked), `PORT`, and `TRUSTED_PROXIES`
 * (a comma-separated list; none unless set).
 *
 * @example
 * readHttpSettings(process.env, 3001); // { host: '127.0.0.1', port: 3001 }
 * readHttpSettings({ TRUSTED_PROXIES: '10.0.0.0/8, loopback' }, 3000).trustedProxies; // ['10.0.0.0/8', 'loopback']
 */
export function readHttpSettings(env: Env, defaultPort: number): HttpSettings {
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = readIntegerSetting(env, 'PORT', { default: defaultPort, min: 0, max: 65535, what: 'a port number' });
  const trustedProxies = (env.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const wrong = trustedProxies.find((item) => !isProxyAddress(item));
  if (wrong !== undefined) {
    throw new SettingsError(
      'ERR_SETTINGS_INVALID',
      `lists "${wrong.slice(0, 64)}", which is not an address, a CIDR range or one of ${PROXY_RANGES.join(', ')}`,
      'TRUSTED_PROXIES',
    );
  }
  return trustedProxies.length > 0 ? { host, port, trustedProxies } : { host, port };
}

function isProxyAddress(item: string): boolean {
  if (PROXY_RANGES.includes(item)) return true;
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export interface IntegerSettingOptions {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** How the value is named in the one line of failure: 'a whole number' unless given. */
  readonly what?: string;
}

/**
 * Reads a whole-number setting, its default when unset or blank, failing with the setting's name when
 * it is not a whole number from `min` to `max`.
 *
 * @example
 * readIntegerSetting(process.env, 'LOGIN_ATTEMPTS_PER_ADDRESS', { default: 20, min: 1, max: 100_000 });
 */
export function readIntegerSetting(env: Env, name: string, options: IntegerSettingOptions): number {
  const raw = env[name]?.trim();
  if (!raw) return options.default;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
    throw new SettingsError(
      'ERR_SETTINGS_INVALID',
      `must be ${options.what ?? 'a whole number'} from ${options.min} to ${options.max}`,
      name,
    );
  }
  return value;
}

/** The levels `LOG_LEVEL` takes, pino's, from the fewest lines to the most: `silent` writes none. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  /** The lowest level written (`LOG_LEVEL`): `info` unless set, which writes every event. */
  readonly level: LogLevelName;
}

/**
 * Reads `LOG_LEVEL`: `info` when unset or blank, else one of {@link LOG_LEVELS}, failing with the
 * setting's name otherwise.
 *
 * @example
 * readLogSettings({ LOG_LEVEL: 'debug' }); // { level: 'debug' }
 * readLogSettings({ LOG_LEVEL: 'verbose' }); // throws SettingsError naming LOG_LEVEL
 */
export function readLogSettings(env: Env): LogSettings {
  const raw = env.LOG_LEVEL?.trim();
  if (!raw) return { level: 'info' };
  const level = LOG_LEVELS.find((name) => name === raw);
  if (!level) throw new SettingsError('ERR_SETTINGS_INVALID', `must be one of ${LOG_LEVELS.join(', ')}`, 'LOG_LEVEL');
  return { level };
}
