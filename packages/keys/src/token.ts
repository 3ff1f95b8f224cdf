import { isUtf8 } from 'node:buffer';
import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { KeysError } from './errors';

/** The longest `Authorization` header a service reads; a longer one is refused before it is parsed. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

/** What an `Authorization` header holds: a bearer token, or why there is none. */
export type BearerCredentials =
  | { readonly found: true; readonly token: string }
  | {
      readonly found: false;
      /** `missing`: no header, or another scheme (RFC 6750 §3.1: the challenge then has no error code). */
      readonly problem: 'missing' | 'too-large' | 'malformed';
    };

const MISSING: BearerCredentials = { found: false, problem: 'missing' };
const TOO_LARGE: BearerCredentials = { found: false, problem: 'too-large' };
const MALFORMED: BearerCredentials = { found: false, problem: 'malformed' };

/**
 * Reads the bearer token of an `Authorization` header (RFC 6750 §2.1: `Bearer 1*SP b64token`) in time linear
 * in the header's length, and refuses a header over
 * {@link MAX_AUTHORIZATION_LENGTH} before looking at it. The scheme is case-insensitive (RFC 7235 §2.1);
 * another scheme means no bearer token; a Bearer header whose credentials are not one b64token is malformed.
 *
 * @example
 * extractBearerToken('Bearer eyJhbGciOi...'); // { found: true, token: 'eyJhbGciOi...' }
 * extractBearerToken('Basic YWxpY2U6'); // { found: false, problem: 'missing' }
 */
export function extractBearerToken(authorization: string | undefined): BearerCredentials {
  if (!authorization) return MISSING;
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) return TOO_LARGE;
  let end = 0;
  while (end < authorization.length && authorization[end] !== ' ' && authorization[end] !== '\t') end += 1;
  if (authorization.slice(0, end).toLowerCase() !== 'bearer') return MISSING;
  if (authorization[end] !== ' ') return MALFORMED;
  let start = end;
  while (authorization[start] === ' ') start += 1;
  const token = authorization.slice(start);
  return B64TOKEN.test(token) ? { found: true, token } : MALFORMED;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". One character class
// and a run of "=": no nesting for a backtracking engine to explore, so linear in the token's length.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A compact JWS read once: its protected header decoded, its claims still encoded (see {@link decodeClaims}). */
export interface CompactJws {
  readonly header: JWSHeaderParameters;
  /** The claims segment, as the token spells it: decode it with {@link decodeClaims} once the signature is verified. */
  readonly claimsSegment: string;
}

/**
 * Reads a compact JWS strictly: three segments, the signature in the one base64url spelling of its bytes,
 * the header in unpadded base64url, valid UTF-8, a JSON object, and no member named twice (RFC 7515 §4: a
 * parser may reject duplicates, and one that reads the first where another reads the last is how a check
 * is bypassed). The claims are left encoded, for {@link decodeClaims} after the signature is verified.
 *
 * @example
 * const { header, claimsSegment } = readCompactJws(token); // header: { alg: 'RS256', kid: 'issuer.5e1f00d2', typ: 'at+jwt' }
 */
export function readCompactJws(token: string): CompactJws {
  const [header, claimsSegment] = segmentsOf(token);
  return { header: decodeSegment(header, 'header'), claimsSegment };
}

/**
 * Decodes the claims segment of a compact JWS with the same strict rules as the header. It does not check
 * the signature: call it for a token whose signature has been verified.
 *
 * @example
 * decodeClaims(readCompactJws(verifiedToken).claimsSegment); // { iss, sub: 'alice', aud: 'mobile-api', ... }
 */
export function decodeClaims(claimsSegment: string): JWTPayload {
  return decodeSegment(claimsSegment, 'claims');
}

/**
 * The protected header of a compact JWS, read as {@link readCompactJws} reads it.
 *
 * @example
 * readProtectedHeader(token); // { alg: 'RS256', kid: 'issuer.5e1f00d2', typ: 'at+jwt' }
 */
export function readProtectedHeader(token: string): JWSHeaderParameters {
  return readCompactJws(token).header;
}

/**
 * The claims of a compact JWS, read strictly ({@link readCompactJws}, {@link decodeClaims}). It does not check
 * the signature: call it on a token whose signature has been verified.
 *
 * @example
 * readClaims(verifiedToken); // { iss, sub: 'alice', aud: 'mobile-api', ... }
 */
export function readClaims(token: string): JWTPayload {
  return decodeClaims(segmentsOf(token)[1]);
}

function segmentsOf(token: string): [string, string, string] {
  // The bound of the Authorization header holds for a token handed to the verifier directly, too.
  if (token.length > MAX_AUTHORIZATION_LENGTH)
    throw new KeysError('ERR_TOKEN_TOO_LARGE', `longer than ${MAX_AUTHORIZATION_LENGTH} characters`);
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) {
    throw new KeysError('ERR_TOKEN_MALFORMED', 'not a compact JWS (three segments)');
  }
  const signature = token.slice(second + 1);
  if (!isCanonicalBase64url(signature)) throw new KeysError('ERR_TOKEN_MALFORMED', 'signature: not canonical base64url');
  return [token.slice(0, first), token.slice(first + 1, second), signature];
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_VALUES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url in the one spelling of its bytes. The last character of a segment whose length is not
 * a multiple of 4 carries bits that decoding drops, which must be zero: without this, one signed token has
 * several spellings, and anything keyed on the token string (a deny-list) can be walked around.
 */
function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const tail = segment.length % 4;
  if (tail === 0) return true;
  if (tail === 1) return false;
  const dropped = tail === 2 ? 0b1111 : 0b11;
  return (BASE64URL_VALUES.indexOf(segment[segment.length - 1]!) & dropped) === 0;
}

function decodeSegment(segment: string, what: 'header' | 'claims'): Record<string, unknown> {
  // RFC 7515 §2: base64url without padding; Buffer would skip any other character silently.
  if (segment === '' || !BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw new KeysError('ERR_TOKEN_MALFORMED', `${what}: not base64url`);
  }
  const bytes = Buffer.from(segment, 'base64url');
  // Buffer would replace a malformed sequence silently: two tokens, one text.
  if (!isUtf8(bytes)) throw new KeysError('ERR_TOKEN_MALFORMED', `${what}: not UTF-8`);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeysError('ERR_TOKEN_MALFORMED', `${what}: not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeysError('ERR_TOKEN_MALFORMED', `${what}: not a JSON object`);
  }
  if (countMembers(text) !== Object.keys(value).length) {
    throw new KeysError('ERR_TOKEN_MALFORMED', `${what}: a member is named twice`);
  }
  return value as Record<string, unknown>;
}

const [BACKSLASH, QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COLON] = [0x5c, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a] as const;

/** The members of the top-level object of valid JSON text: its colons outside strings, at depth one. */
function countMembers(text: string): number {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth -= 1;
    else if (code === COLON && depth === 1) members += 1;
  }
  return members;
}
