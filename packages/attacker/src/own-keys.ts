import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, generateSecret, type CryptoKey, type JWK } from 'jose';

/** The algorithms the attacker holds a key for, by the key family that signs them. */
export type AttackerKeyName = 'secret' | 'rsa' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/**
 * The attacker's own material: a key of every family, a self-signed certificate of the RSA key, and a
 * server on loopback that serves a JWKS (for `jku`) and the certificate (for `x5u`), counting every
 * request it gets. A verifier that never fetches what a token points to leaves the count at 0.
 */
export interface Attacker extends AsyncDisposable {
  /** Private JWKs (the secret is an `oct` JWK), each with a kid of its own (`attacker-…`). */
  readonly keys: Readonly<Record<AttackerKeyName, JWK>>;
  /** The RSA key's self-signed X.509 certificate, base64 DER as `x5c` carries it. */
  readonly certificate: string;
  readonly jwksUrl: string;
  readonly x5uUrl: string;
  /** Requests the server has answered, of any path. */
  fetches(): number;
  /** Sets the JWK set the server answers with. */
  publish(jwks: { readonly keys: readonly JWK[] }): void;
  close(): Promise<void>;
}

/**
 * The attacker key that signs an algorithm, by its family.
 *
 * @example
 * attackerKeyFor(attacker, 'PS256'); // the attacker's RSA key
 */
export function attackerKeyFor(attacker: Attacker, alg: string): JWK {
  if (alg.startsWith('HS')) return attacker.keys.secret;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return attacker.keys.rsa;
  if (alg === 'ES256' || alg === 'ES384' || alg === 'ES512') return attacker.keys[alg];
  if (alg === 'EdDSA') return attacker.keys.EdDSA;
  throw new Error(`the attacker holds no key for ${alg}`);
}

export interface AttackerOptions {
  /** The address its server listens on and its URLs name: loopback unless given (a container's own address, say). */
  readonly host?: string;
}

/**
 * Makes the attacker's keys and certificate, and starts its server on a free port of `host` (loopback).
 * Closed by `await using`, or by `close()`.
 *
 * @example
 * await using attacker = await createAttacker();
 * header.jku = attacker.jwksUrl; // ...later: expect(attacker.fetches()).toBe(0)
 */
export async function createAttacker({ host = '127.0.0.1' }: AttackerOptions = {}): Promise<Attacker> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = async (pair: { privateKey: CryptoKey }, kid: string, alg: string) => ({
    ...(await exportJWK(pair.privateKey)),
    kid,
    alg,
  });
  const keys: Record<AttackerKeyName, JWK> = {
    secret: { ...(await exportJWK(await generateSecret('HS256', { extractable: true }))), kid: 'attacker-secret', alg: 'HS256' },
    rsa: await privateJwk(rsa, 'attacker-rsa', 'RS256'),
    ES256: await privateJwk(await generateKeyPair('ES256', { extractable: true }), 'attacker-es256', 'ES256'),
    ES384: await privateJwk(await generateKeyPair('ES384', { extractable: true }), 'attacker-es384', 'ES384'),
    ES512: await privateJwk(await generateKeyPair('ES512', { extractable: true }), 'attacker-es512', 'ES512'),
    EdDSA: await privateJwk(await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true }), 'attacker-ed25519', 'EdDSA'),
  };
  const der = await selfSignedCertificate(rsa);
  const certificate = Buffer.from(der).toString('base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

  let jwks = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: keys.rsa.kid, alg: 'RS256' }] });
  let fetches = 0;
  const server = createServer((request, response) => {
    fetches += 1;
    if (request.url?.startsWith('/cert.pem')) response.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(pem);
    else response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    keys,
    certificate,
    jwksUrl: `${base}/.well-known/jwks.json`,
    x5uUrl: `${base}/cert.pem`,
    fetches: () => fetches,
    publish: (set) => void (jwks = JSON.stringify(set)),
    close,
    [Symbol.asyncDispose]: close,
  };
}

// @peculiar/x509 is loaded only here, when an attacker is made: nothing else needs it.
async function selfSignedCertificate(keys: { publicKey: CryptoKey; privateKey: CryptoKey }): Promise<ArrayBuffer> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=attacker.invalid',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    keys,
  });
  return certificate.rawData;
}
