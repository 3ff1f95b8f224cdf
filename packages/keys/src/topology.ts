import { APP_NAMES, ISSUER_APP, type AppName } from './apps';
import { KeysError } from './errors';

/**
 * The services of a system that shares access tokens: one issuer and one or more APIs. Each service's name is
 * also the audience its tokens carry (RFC 9068 §3: `aud` names the resource server).
 *
 * @example
 * const topology: Topology = { issuer: 'identity', apps: ['identity', 'orders-api', 'billing-api'] };
 */
export interface Topology {
  /** The service that signs every token (and publishes the JWKS where the mode has one). */
  readonly issuer: string;
  /** Every service, the issuer included, each named once. */
  readonly apps: readonly string[];
}

/** The demo's three services: the default of every command of this project. */
export const DEMO_TOPOLOGY: Topology & { readonly issuer: AppName; readonly apps: readonly AppName[] } = Object.freeze({
  issuer: ISSUER_APP,
  apps: APP_NAMES,
});

// RFC 1123 §2.1 label, as a Kubernetes Service name takes it: lowercase letters, digits and hyphens, starting
// with a letter, ending with a letter or digit, 63 characters at most.
const SERVICE_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks a service's name: an RFC 1123 label that starts with a letter, as a Kubernetes Service name must be.
 * Throws `ERR_KEYS_CONFIG` naming `setting` otherwise.
 *
 * @example
 * checkServiceName('orders-api', '--apps'); // 'orders-api'
 * checkServiceName('Orders_API', '--apps'); // throws: --apps: "Orders_API" is not a service name ...
 */
export function checkServiceName(name: string, setting: string): string {
  if (!SERVICE_NAME.test(name)) {
    const shown = JSON.stringify(name.length > 70 ? `${name.slice(0, 64)}…` : name);
    throw new KeysError(
      'ERR_KEYS_CONFIG',
      `${shown} is not a service name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters)`,
      setting,
    );
  }
  return name;
}

/**
 * Makes a topology from an issuer's name and every service's name (the issuer among them), checking each name,
 * that none is given twice, and that there is at least one API. Throws `ERR_KEYS_CONFIG` naming `setting`.
 *
 * @example
 * createTopology('identity', ['identity', 'orders-api', 'billing-api']);
 */
export function createTopology(issuer: string, apps: readonly string[], setting = '--apps'): Topology {
  checkServiceName(issuer, setting === '--apps' ? '--issuer' : setting);
  for (const app of apps) checkServiceName(app, setting);
  const twice = apps.find((app, i) => apps.indexOf(app) !== i);
  if (twice !== undefined) throw new KeysError('ERR_KEYS_CONFIG', `names "${twice}" twice`, setting);
  if (!apps.includes(issuer)) throw new KeysError('ERR_KEYS_CONFIG', `does not list the issuer "${issuer}"`, setting);
  if (apps.length < 2) throw new KeysError('ERR_KEYS_CONFIG', `lists no API beside the issuer "${issuer}"`, setting);
  return Object.freeze({ issuer, apps: Object.freeze([...apps]) });
}

/**
 * Reads a topology recorded in a key file: undefined when the file records none (the demo's then), a
 * `KeysError` naming `setting` when what it records is not one.
 *
 * @example
 * readTopology(JSON.parse(text).topology, 'KEYS_DIR'); // { issuer: 'identity', apps: [...] }
 */
export function readTopology(value: unknown, setting: string): Topology | undefined {
  if (value === undefined) return undefined;
  const { issuer, apps } = (typeof value === 'object' && value !== null ? value : {}) as { issuer?: unknown; apps?: unknown };
  if (typeof issuer !== 'string' || !Array.isArray(apps) || !apps.every((app) => typeof app === 'string')) {
    throw new KeysError('ERR_KEYS_INVALID', 'the key file\'s "topology" is not {"issuer": <name>, "apps": [<names>]}', setting);
  }
  try {
    return createTopology(issuer, apps, setting);
  } catch (error) {
    if (!(error instanceof KeysError)) throw error;
    throw new KeysError('ERR_KEYS_INVALID', `the key file's "topology" ${error.message}`, setting);
  }
}
