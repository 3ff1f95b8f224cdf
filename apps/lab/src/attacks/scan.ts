import { APP_NAMES, secretValuesOf, type AppName, type JsonWebKeySet } from '@jwt-blast-radius/keys';
import { signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { HARVESTED_USER } from '../targets';

/** The passwords of the demo users, as the README gives them: none may ever reach a log. */
export const DEMO_PASSWORDS: readonly string[] = [HARVESTED_USER.password, 'builder-bob', 'admin-demo-only'];

/** Shorter strings than this are not searched for as tokens: they could occur in a log by chance. */
export const MIN_TOKEN_LENGTH = 20;

/** A string that must never appear in a service's output, and what it is (never the string itself). */
export interface Needle {
  readonly text: string;
  readonly what: string;
}

/** A needle found in a service's output. */
export interface Leak {
  readonly app: AppName;
  readonly what: string;
}

/**
 * Everything secret a run handled: every secret or private JWK member value in every app's loot and in
 * the backup of retired keys, every token the run sent or received, and the demo passwords.
 *
 * @example
 * const needles = secretsOfRun(loot, backup, tokens);
 */
export function secretsOfRun(
  loot: Readonly<Record<AppName, Loot>>,
  backup: Readonly<Record<AppName, JsonWebKeySet>> | undefined,
  tokens: ReadonlyMap<string, string>,
): Needle[] {
  const keys = new Map<string, { kid: string; holders: string[] }>();
  const holdings: [string, JsonWebKeySet][] = [
    ...APP_NAMES.map((app): [string, JsonWebKeySet] => [`${app}'s loot`, { keys: signingKeysIn(loot[app]) }]),
    ...(backup
      ? [['the backup of retired keys', { keys: Object.values(backup).flatMap((set) => set.keys) }] as [string, JsonWebKeySet]]
      : []),
  ];
  for (const [holder, set] of holdings) {
    for (const jwk of set.keys) {
      for (const text of secretValuesOf({ keys: [jwk] })) {
        const entry = keys.get(text) ?? { kid: jwk.kid ?? '?', holders: [] };
        if (!entry.holders.includes(holder)) entry.holders.push(holder);
        keys.set(text, entry);
      }
    }
  }
  const needles: Needle[] = [...keys].map(([text, { kid, holders }]) => ({ text, what: `key material of ${kid} (${holders.join(', ')})` }));
  for (const [text, what] of tokens) if (text.length > MIN_TOKEN_LENGTH) needles.push({ text, what });
  for (const text of DEMO_PASSWORDS) needles.push({ text, what: 'a demo password' });
  return needles;
}

/**
 * The needles each service's output quotes.
 *
 * @example
 * scanLogs(await stack.logs(), needles); // [] when nothing secret was logged
 */
export function scanLogs(logs: Readonly<Record<AppName, readonly string[]>>, needles: readonly Needle[]): Leak[] {
  const leaks: Leak[] = [];
  for (const app of APP_NAMES) {
    const output = logs[app].join('\n');
    const found = new Set<string>();
    for (const { text, what } of needles) if (output.includes(text)) found.add(what);
    for (const what of found) leaks.push({ app, what });
  }
  return leaks;
}

/**
 * The credentials a request carries, wherever it puts them: the Authorization header whole and after its
 * scheme, every query parameter and every cookie value.
 *
 * @example
 * credentialsIn({ path: '/x?access_token=eyJ...', headers: {} }); // ['eyJ...']
 */
export function credentialsIn(path: string | undefined, headers: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    found.push(authorization);
    const space = authorization.search(/[ \t]/);
    if (space >= 0) found.push(authorization.slice(space).trim());
  }
  if (path?.includes('?')) for (const value of new URLSearchParams(path.slice(path.indexOf('?') + 1)).values()) found.push(value);
  for (const cookie of headers.cookie?.split(';') ?? []) found.push(cookie.slice(cookie.indexOf('=') + 1).trim());
  return found.filter((text) => text.length > 0);
}
