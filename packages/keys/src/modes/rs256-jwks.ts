import type { ModeDefinition } from './types';

/** One RSA key pair: only the issuer holds the private key; the APIs fetch its public JWKS. */
export const rs256Jwks: ModeDefinition = {
  name: 'rs256-jwks',
  summary: 'only the issuer holds a private key; the APIs fetch its JWKS',
  alg: 'RS256',
  kty: 'RSA',
  signingKeyOf: () => 'issuer',
  apisHold: 'nothing',
  publishesJwks: true,
};
