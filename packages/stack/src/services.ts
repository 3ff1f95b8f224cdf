import { dirname, join } from 'node:path';
import { INSECURE_ACKNOWLEDGEMENT, type AppName } from '@jwt-blast-radius/keys';

/** The compiled entry point of an app of the workspace. */
export function appEntryPoint(app: AppName): string {
  return join(dirname(require.resolve(`${app}/package.json`)), 'dist', 'main.js');
}

/**
 * The whole environment the lab and `npm start` give an app: its address, its mode, the issuer, its
 * own key folder and nothing else (plus the workshop switch, when asked for).
 *
 * @example
 * serviceSettings({ mode: 'rs256-jwks', port: 3001, issuer: 'http://127.0.0.1:3000', keysDir, insecure: false });
 */
export function serviceSettings(options: { mode: string; port: number; issuer: string; keysDir: string; insecure: boolean }) {
  return {
    HOST: '127.0.0.1',
    PORT: String(options.port),
    AUTH_MODE: options.mode,
    ISSUER: options.issuer,
    KEYS_DIR: options.keysDir,
    // The workshop's switch takes effect only with its acknowledgement: the lab's own runs set both.
    ...(options.insecure ? { INSECURE_SKIP_AUDIENCE_CHECK: 'true', [INSECURE_ACKNOWLEDGEMENT]: 'INSECURE_SKIP_AUDIENCE_CHECK' } : {}),
  };
}
