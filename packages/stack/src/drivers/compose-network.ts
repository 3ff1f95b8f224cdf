import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  APP_NAMES,
  DEFAULT_ISSUER,
  ISSUER_APP,
  KEY_FILE_NAME,
  findMode,
  readKeyFolders,
  readKeySetFile,
  type AppName,
  type ModeName,
} from '@jwt-blast-radius/keys';
import { collectKeyFiles, hostFiles } from '../loot';
import { COMPOSE_PORTS, containerKeysDir, servicesNotAnswering } from './compose';
import type { LiveKeys, RunningStack, StackDriver } from './types';

/** Where the services answer inside the compose network: by their compose names. */
export const COMPOSE_NETWORK_URLS = Object.fromEntries(APP_NAMES.map((app) => [app, `http://${app}:${COMPOSE_PORTS[app]}`])) as Readonly<
  Record<AppName, string>
>;

/**
 * The settings docker-compose.yml gives an app that a compromise follows: where its keys are (`KEYS_DIR`, the path
 * its volume is mounted at, in its container and in the lab's alike), the issuer its tokens name, its mode, and for
 * an API where it fetches the issuer's JWKS. A test compares them with what the running containers hold.
 *
 * @example
 * composeSettingsOf('mobile-api', 'per-app-secret', 'http://localhost:3000').KEYS_DIR; // '/keys/mobile-api'
 */
export function composeSettingsOf(app: AppName, mode: ModeName, issuer: string): Record<string, string> {
  return {
    APP: app,
    PORT: String(COMPOSE_PORTS[app]),
    AUTH_MODE: mode,
    ISSUER: issuer,
    KEYS_DIR: containerKeysDir(app),
    ...(app === ISSUER_APP ? {} : { JWKS_URL: `${COMPOSE_NETWORK_URLS[ISSUER_APP]}/.well-known/jwks.json`, TLS_ENDS_ELSEWHERE: 'true' }),
  };
}

export interface ComposeNetworkOptions {
  /** Where every key volume is mounted, one folder per app: `/keys`, as the lab's service in docker-compose.yml has it. */
  readonly keysRoot?: string;
  /** Where the services answer: their compose names unless given. */
  readonly urls?: Readonly<Record<AppName, string>>;
  /** The issuer the apps were given (`ISSUER`): the lab's own `ISSUER`, which docker-compose.yml sets to the same. */
  readonly issuer?: string;
  /** How long to wait for every service to answer /health. */
  readonly waitMs?: number;
}

const cannot = (what: string) =>
  Promise.reject(
    new Error(
      `the compose-network driver cannot ${what}: the lab's container mounts the keys read-only and has no Docker engine ` +
        '(run it from a host with Node: --driver compose)',
    ),
  );

/**
 * The lab inside the compose network, beside a stack already up (`docker compose run --rm lab`): it starts nothing
 * and stops nothing. The mode is the one the key files in the mounted volumes record, never a setting. A compromise
 * of an app reads that app's volume alone, followed from the settings docker-compose.yml gives the app
 * ({@link composeSettingsOf}); the services are reached by their compose names. It cannot rotate keys, signal the
 * services or read their output.
 *
 * @example
 * const probes = await runDemo({ modes: await driver.modes!(), driver: createComposeNetworkDriver(), variant: 'secure' });
 */
export function createComposeNetworkDriver({
  keysRoot = '/keygen',
  urls = COMPOSE_NETWORK_URLS,
  issuer = process.env.ISSUER ?? DEFAULT_ISSUER,
  waitMs = 60_000,
}: ComposeNetworkOptions = {}): StackDriver {
  const recordedMode = async (): Promise<ModeName> => {
    const { mode } = await readKeyFolders(keysRoot, `the key volumes under ${keysRoot}`);
    if (mode === undefined) {
      throw new Error(`no key files under ${keysRoot}: start the stack first (docker compose up -d), then run the lab`);
    }
    return findMode(mode, `the key volumes under ${keysRoot}`).name as ModeName;
  };
  return {
    name: 'compose-network',
    modes: async () => [await recordedMode()],
    labHost: () => ownAddress(),
    async start(mode, { rotateKeys, progress }) {
      const recorded = await recordedMode();
      if (mode !== recorded) {
        throw new Error(
          `the stack's keys were made for ${recorded}, not ${mode}: run the lab without --mode, or restart the stack ` +
            `in ${mode} (docker compose down -v; AUTH_MODE=${mode} docker compose up -d)`,
        );
      }
      if (rotateKeys) progress('the compose-network driver does not rotate keys: rows that need a retired key are skipped');
      progress(`waiting until ${APP_NAMES.map((app) => urls[app]).join(', ')} answer /health`);
      const missing = await servicesNotAnswering(urls, waitMs);
      if (missing.length > 0) {
        throw new Error(
          `${missing.map((app) => `${app} (${urls[app]})`).join(', ')} did not answer /health within ${waitMs / 1000} s: ` +
            'is the stack up? (docker compose up -d)',
        );
      }
      return networkStack(mode, { keysRoot, urls, issuer });
    },
  };
}

function networkStack(
  mode: ModeName,
  { keysRoot, urls, issuer }: Required<Pick<ComposeNetworkOptions, 'keysRoot' | 'urls' | 'issuer'>>,
): RunningStack {
  // The settings name the app's folder in its container; here every volume is under keysRoot.
  const local = (dir: string) => join(keysRoot, dir.slice(dir.lastIndexOf('/') + 1));
  const keys: LiveKeys = {
    async held() {
      const held = {} as Record<AppName, string[]>;
      for (const app of APP_NAMES) {
        const set = await readKeySetFile(join(keysRoot, app, KEY_FILE_NAME), 'KEYS_DIR').catch(() => undefined);
        held[app] = (set?.keys ?? []).map((jwk) => jwk.kid ?? '').sort();
      }
      return held;
    },
    rotate: () => cannot('rotate keys'),
    reload: () => cannot('have the services reload'),
  };
  const stop = async () => {};
  return {
    urls,
    keepsRunning: true,
    async compromise(app) {
      const env = composeSettingsOf(app, mode, issuer);
      const files = await collectKeyFiles({ ...env, KEYS_DIR: local(env.KEYS_DIR!) }, hostFiles);
      return { app, source: `the ${app} key volume, read-only at ${local(env.KEYS_DIR!)}`, env, files };
    },
    keys,
    processes: () => cannot("see the services' processes"),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** This container's own address on its network (its first non-loopback IPv4 address), where the services reach it. */
function ownAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal);
  return found?.address ?? '127.0.0.1';
}
