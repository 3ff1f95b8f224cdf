import {
  DEFAULT_MODE,
  JWKS_SETTINGS,
  MODE_NAMES,
  PRIVATE_MEMBERS,
  isPrivateJwk,
  type JsonWebKeySet,
  type ModeName,
} from '@jwt-blast-radius/keys';
import type { JWK } from 'jose';
import { EXPECTED } from '../demo/expected';
import { signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { textTable } from '../tables';

/** The settings of an app's environment a reader of its loot wants to see, in the order they are shown. */
export const SHOWN_SETTINGS = [
  'APP',
  'AUTH_MODE',
  'ISSUER',
  'JWKS_URL',
  'KEYS_DIR',
  'KEYS_FILE',
  'INSECURE_SKIP_AUDIENCE_CHECK',
  'ACKNOWLEDGE_INSECURE',
  'HOST',
  'PORT',
  'TOKEN_TTL_SECONDS',
  'USERS_FILE',
  ...JWKS_SETTINGS.map((setting) => setting.name),
] as const;

// Any other entry named like a credential is shown too, masked: a secret put in the environment is loot as well.
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|TOKEN|(^|_)KEY(S)?($|_)/i;

export interface DescribeLootOptions {
  /** Prints secret and private values whole instead of masked. */
  readonly reveal?: boolean;
}

/**
 * Masks a secret value: its first 4 characters and its length (a value under 16 characters shows none of them).
 *
 * @example
 * maskSecret('c2VjcmV0LXZhbHVlLW9mLTQzLWNoYXJhY3RlcnMtLS0'); // 'c2Vj…(43 chars)'
 */
export function maskSecret(value: string): string {
  return `${value.length >= 16 ? value.slice(0, 4) : ''}…(${value.length} chars)`;
}

/**
 * What a loot holds, for a reader: where it was taken, the settings that matter, each key file with each JWK's
 * kid, type and algorithm and whether it signs or only verifies, its secret values masked (unless `reveal`),
 * and what the lab's expected matrix says a token forged with it opens.
 *
 * @example
 * process.stdout.write(describeLoot(loot, { reveal: false }));
 */
export function describeLoot(loot: Loot, { reveal = false }: DescribeLootOptions = {}): string {
  const show = (value: string) => (reveal ? value : maskSecret(value));
  const lines = [`${loot.app}, taken as the lab compromises it: ${loot.source}`, '', 'environment'];
  const names = Object.keys(loot.env);
  const settings = (SHOWN_SETTINGS as readonly string[]).filter((name) => name in loot.env);
  const secrets = names.filter((name) => !settings.includes(name) && SECRET_NAME.test(name)).sort();
  const entries = [...settings.map((name) => [name, loot.env[name]!]), ...secrets.map((name) => [name, show(loot.env[name]!)])];
  const width = Math.max(0, ...entries.map(([name]) => name!.length));
  lines.push(...entries.map(([name, value]) => `  ${name!.padEnd(width)}  ${value}`));
  const others = names.filter((name) => !settings.includes(name) && !secrets.includes(name)).sort();
  if (others.length > 0) lines.push(`  (${others.length} more not shown: ${others.join(', ')})`);

  lines.push('', 'key files');
  if (loot.files.length === 0) lines.push(`  none: ${noFilesReason(loot.env)}`);
  for (const file of loot.files) lines.push(`  ${file.path}`, ...describeKeyFile(file.text, show).map((line) => `    ${line}`));

  const signing = signingKeysIn(loot);
  const mode = modeOf(loot);
  lines.push('');
  if (signing.length === 0) {
    lines.push(`holds nothing that signs${mode ? ` in ${mode}` : ''}: no token can be forged with this loot`);
  } else {
    const kids = [...new Set(signing.map((jwk) => jwk.kid ?? '(no kid)'))];
    lines.push(
      `holds ${kids.length} ${kids.length === 1 ? 'key' : 'keys'} that ${kids.length === 1 ? 'signs' : 'sign'}: ${kids.join(', ')}`,
    );
  }
  if (mode) {
    const variant = loot.env.INSECURE_SKIP_AUDIENCE_CHECK === 'true' ? 'no-audience-check' : 'secure';
    const row = EXPECTED[variant][mode].forge[loot.app];
    const targets = (accepted: boolean) => Object.keys(row).filter((target) => row[target as keyof typeof row] === accepted);
    const [opens, shut] = [targets(true), targets(false)];
    lines.push(
      `the lab's expected matrix (${mode}): an admin token forged from ${loot.app}'s loot is ` +
        [opens.length > 0 ? `accepted by ${opens.join(', ')}` : '', shut.length > 0 ? `refused by ${shut.join(', ')}` : '']
          .filter(Boolean)
          .join('; '),
    );
  }
  if (!reveal && (signing.length > 0 || secrets.length > 0)) {
    lines.push('secret values are masked (their first 4 characters and length): --reveal prints them whole');
  }
  return `${lines.join('\n')}\n`;
}

function describeKeyFile(text: string, show: (value: string) => string): string[] {
  let set: Partial<JsonWebKeySet>;
  try {
    set = JSON.parse(text) as Partial<JsonWebKeySet>;
  } catch {
    return [`not JSON (${text.length} characters)`];
  }
  if (typeof set !== 'object' || set === null || !Array.isArray(set.keys)) return [`not a JWK set (${text.length} characters)`];
  const keys = set.keys.filter((jwk): jwk is JWK => typeof jwk === 'object' && jwk !== null);
  if (keys.length === 0) return ['a JWK set with no key'];
  const table = textTable(
    ['kid', 'kty', 'alg', 'can'],
    keys.map((jwk) => [jwk.kid ?? '(no kid)', jwk.kty ?? '?', jwk.alg ?? '-', capabilityOf(jwk)]),
  );
  const lines = table.slice(0, 2);
  keys.forEach((jwk, i) => {
    lines.push(table[i + 2]!);
    for (const member of PRIVATE_MEMBERS) {
      const value: unknown = jwk[member];
      if (typeof value === 'string') lines.push(`  ${member.padEnd(2)} = ${show(value)}`);
      else if (Array.isArray(value)) lines.push(`  ${member} = ${value.length} more primes${showOther(value, show)}`);
    }
  });
  return lines;
}

function showOther(value: readonly unknown[], show: (value: string) => string): string {
  return `: ${value.map((prime) => show(JSON.stringify(prime))).join(', ')}`;
}

function capabilityOf(jwk: JWK): string {
  if (!isPrivateJwk(jwk)) return 'verify only (a public key)';
  return jwk.kty === 'oct' ? 'sign and verify (a secret)' : 'sign (a private key)';
}

function noFilesReason(env: Readonly<Record<string, string>>): string {
  if (env.KEYS_FILE) return `KEYS_FILE names ${env.KEYS_FILE}, which cannot be read`;
  if (env.KEYS_DIR) return `KEYS_DIR ${env.KEYS_DIR} holds no file that can be read`;
  return 'neither KEYS_DIR nor KEYS_FILE is set';
}

/**
 * The loot's mode, as the app reads it: its AUTH_MODE ({@link DEFAULT_MODE} when unset), when that names a mode.
 *
 * @example
 * modeOf(loot); // 'per-app-secret'
 */
export function modeOf(loot: Loot): ModeName | undefined {
  const mode = loot.env.AUTH_MODE?.trim() || DEFAULT_MODE;
  return (MODE_NAMES as readonly string[]).includes(mode) ? (mode as ModeName) : undefined;
}
