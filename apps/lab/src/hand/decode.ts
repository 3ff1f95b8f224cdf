import { HandError } from './errors';
import { isoOf, relativeTo, spanOf } from './times';

/** A token read without its key: header and claims as it carries them, and the signature's length only. */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The characters of the signature segment: the signature itself is never kept. */
  readonly signatureLength: number;
}

/**
 * Reads the header and claims of a compact JWS (RFC 7515 §7.1) without checking anything: no key, no signature,
 * no time. Accepts the token alone or as `Bearer <token>`, spaces around it ignored. Fails with one line (exit 2)
 * saying what is wrong, never quoting the input.
 *
 * @example
 * decodeToken(token).claims.aud; // 'mobile-api'
 */
export function decodeToken(input: string): DecodedToken {
  const token = input.trim().replace(/^bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length === 5) {
    throw malformed('five parts: an encrypted token (JWE), whose claims cannot be read without its key');
  }
  if (parts.length !== 3) throw malformed(`${parts.length} part${parts.length === 1 ? '' : 's'} where a JWS has three, separated by dots`);
  const [header, claims, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]*$/.test(signature)) throw malformed('the signature is not base64url');
  return { header: segmentObject(header, 'header'), claims: segmentObject(claims, 'claims'), signatureLength: signature.length };
}

/**
 * A decoded token for a reader: header and claims as pretty JSON, the times (iat, nbf, exp) as ISO instants and
 * relative to `now` (seconds), and a plain statement that decoding verified nothing. The signature is never shown.
 *
 * @example
 * process.stdout.write(formatDecoded(decodeToken(token)));
 */
export function formatDecoded({ header, claims, signatureLength }: DecodedToken, now = Math.floor(Date.now() / 1000)): string {
  const lines = ['header', JSON.stringify(header, null, 2), '', 'claims', JSON.stringify(claims, null, 2), '', 'times'];
  const times = [
    ['iat', (time: number) => `issued ${relativeTo(time, now)}`],
    ['nbf', (time: number) => (time > now ? `not valid before then, ${relativeTo(time, now)}` : `valid since ${relativeTo(time, now)}`)],
    ['exp', (time: number) => (time > now ? `expires ${relativeTo(time, now)}` : `expired ${relativeTo(time, now)}`)],
  ] as const;
  for (const [claim, say] of times) {
    const value = claims[claim];
    if (value === undefined) lines.push(`  ${claim}  none`);
    else if (typeof value !== 'number' || !Number.isFinite(value)) lines.push(`  ${claim}  not a number`);
    else lines.push(`  ${claim}  ${isoOf(value)}  (${say(value)})`);
  }
  const { iat, exp } = claims;
  if (typeof iat === 'number' && typeof exp === 'number') lines.push(`  lifetime ${spanOf(exp - iat)} (${exp - iat} s)`);
  lines.push(
    '',
    `signature: ${signatureLength === 0 ? 'none' : `${signatureLength} characters, not shown`}`,
    'decoding verifies nothing: anyone can write these claims; only a service holding the key can tell whether the token is genuine',
  );
  return `${lines.join('\n')}\n`;
}

function segmentObject(segment: string, name: 'header' | 'claims'): Record<string, unknown> {
  if (segment === '' || !/^[A-Za-z0-9_-]+$/.test(segment)) throw malformed(`the ${name} segment is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`the ${name} segment is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`the ${name} segment is not a JSON object`);
  return value as Record<string, unknown>;
}

function malformed(why: string): HandError {
  return new HandError('ERR_HAND_MALFORMED_TOKEN', `not a JWT: ${why}`);
}
