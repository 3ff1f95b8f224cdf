import { randomUUID } from 'node:crypto';
import { SignJWT, base64url, exportSPKI, importJWK, type JWK, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_TYPE } from '../sign';

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
