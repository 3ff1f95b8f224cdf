import type { ModeDefinition } from './types';

/** One HS256 secret per audience: each API holds its own, the issuer holds them all to sign. */
export const perAppSecret: ModeDefinition = {
  name: 'per-app-secret',
  summary: 'one HS256 secret per app; the issuer holds them all',
  alg: 'HS256',
  kty: 'oct',
  signingKeyOf: (audience) => audience,
  apisHold: 'its signing key',
  publishesJwks: false,
};
