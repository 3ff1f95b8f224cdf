import type { ModeDefinition } from './types';

/** One HS256 secret per audience: each API holds its own, the auth service holds all three to sign. */
export const perAppSecret = {
  name: 'per-app-secret',
  summary: 'one HS256 secret per app; the auth service holds them all',
  alg: 'HS256',
  keys: [
    { name: 'auth-service', kty: 'oct' },
    { name: 'dashboard-api', kty: 'oct' },
    { name: 'mobile-api', kty: 'oct' },
  ],
  signingKey: {
    'auth-service': 'auth-service',
    'dashboard-api': 'dashboard-api',
    'mobile-api': 'mobile-api',
  },
  holdings: {
    'auth-service': ['auth-service', 'dashboard-api', 'mobile-api'],
    'dashboard-api': ['dashboard-api'],
    'mobile-api': ['mobile-api'],
  },
  publishesJwks: false,
} as const satisfies ModeDefinition;
