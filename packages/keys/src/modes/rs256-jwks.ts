import type { ModeDefinition } from './types';

/** One RSA key pair: only the auth service holds the private key; the APIs fetch the public JWKS. */
export const rs256Jwks = {
  name: 'rs256-jwks',
  summary: 'only the auth service holds a private key; the APIs fetch its JWKS',
  alg: 'RS256',
  keys: [{ name: 'issuer', kty: 'RSA' }],
  signingKey: { 'auth-service': 'issuer', 'dashboard-api': 'issuer', 'mobile-api': 'issuer' },
  holdings: { 'auth-service': ['issuer'], 'dashboard-api': [], 'mobile-api': [] },
  publishesJwks: true,
} as const satisfies ModeDefinition;
