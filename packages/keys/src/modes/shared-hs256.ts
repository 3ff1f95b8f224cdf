import type { ModeDefinition } from './types';

/** One HS256 secret, held by every app: any app can mint a token any other app accepts. */
export const sharedHs256 = {
  name: 'shared-hs256',
  summary: 'one HS256 secret, held by every app',
  alg: 'HS256',
  keys: [{ name: 'shared', kty: 'oct' }],
  signingKey: { 'auth-service': 'shared', 'dashboard-api': 'shared', 'mobile-api': 'shared' },
  holdings: { 'auth-service': ['shared'], 'dashboard-api': ['shared'], 'mobile-api': ['shared'] },
  publishesJwks: false,
} as const satisfies ModeDefinition;
