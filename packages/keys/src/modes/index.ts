import type { AppName } from '../apps';
import { KeysError } from '../errors';
import { DEMO_TOPOLOGY, type Topology } from '../topology';
import { perAppSecret } from './per-app-secret';
import { rs256Jwks } from './rs256-jwks';
import { sharedHs256 } from './shared-hs256';
import type { ModeDefinition, ModeLayout } from './types';

export type { ModeDefinition, ModeLayout, SigningAlgorithm } from './types';

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
 * findMode('per-app-secret').apisHold; // 'its signing key'
 */
export function findMode(name: string, setting = 'AUTH_MODE'): ModeDefinition {
  if (!Object.hasOwn(MODES, name)) {
    throw new KeysError('ERR_KEYS_UNKNOWN_MODE', `unknown mode "${name}"; expected one of ${MODE_NAMES.join(', ')}`, setting);
  }
  return MODES[name as ModeName];
}

/**
 * What one service of a mode holds: every signing key for the issuer, the key of its own audience or nothing
 * for an API.
 *
 * @example
 * keysHeldBy(findMode('per-app-secret'), 'orders-api', topology); // ['orders-api']
 */
export function keysHeldBy(mode: ModeDefinition, app: string, topology: Topology): string[] {
  if (app === topology.issuer) return [...new Set(topology.apps.map((audience) => mode.signingKeyOf(audience)))];
  return mode.apisHold === 'nothing' ? [] : [mode.signingKeyOf(app)];
}

/**
 * Lays a mode out on the services of a topology: its keys, the key that signs each audience, what each holds.
 *
 * @example
 * layOutMode('per-app-secret', { issuer: 'identity', apps: ['identity', 'orders-api'] }).holdings['identity'];
 * // ['identity', 'orders-api']
 */
export function layOutMode<App extends string>(
  name: string,
  topology: { readonly issuer: App; readonly apps: readonly App[] },
  setting = 'AUTH_MODE',
): ModeLayout<App> {
  const mode = findMode(name, setting);
  const byApp = <T>(value: (app: App) => T) => Object.fromEntries(topology.apps.map((app) => [app, value(app)])) as Record<App, T>;
  const signingKey = byApp((audience) => mode.signingKeyOf(audience));
  const holdings = byApp((app) => keysHeldBy(mode, app, topology));
  const keys = holdings[topology.issuer].map((keyName) => ({ name: keyName, kty: mode.kty }));
  return { ...mode, apps: topology.apps, issuer: topology.issuer, keys, signingKey, holdings };
}

const demoLayouts = new Map<string, ModeLayout<AppName>>();

/**
 * Looks a mode up by name, laid out on the demo's three services, failing with the setting's name when there is
 * no such mode.
 *
 * @example
 * getMode('per-app-secret').holdings['dashboard-api']; // ['dashboard-api']
 */
export function getMode(name: string, setting = 'AUTH_MODE'): ModeLayout<AppName> {
  let layout = demoLayouts.get(name);
  if (!layout) {
    layout = layOutMode(name, DEMO_TOPOLOGY, setting);
    demoLayouts.set(name, layout);
  }
  return layout;
}
