import { KeysError } from '@jwt-blast-radius/keys';

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
}

/**
 * Reads `HOST` (default 127.0.0.1: nothing listens beyond the machine unless asked) and `PORT`.
 *
 * @example
 * readHttpSettings(process.env, 3001); // { host: '127.0.0.1', port: 3001 }
 */
export function readHttpSettings(env: Readonly<Record<string, string | undefined>>, defaultPort: number): HttpSettings {
  const host = env.HOST?.trim() || '127.0.0.1';
  const rawPort = env.PORT?.trim();
  const port = rawPort ? Number(rawPort) : defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KeysError('ERR_KEYS_CONFIG', 'must be a port number from 0 to 65535', 'PORT');
  }
  return { host, port };
}
