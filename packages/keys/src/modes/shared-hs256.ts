import type { ModeDefinition } from './types';

/** One HS256 secret, held by every service: any of them can mint a token any other accepts. */
export const sharedHs256: ModeDefinition = {
  name: 'shared-hs256',
  summary: 'one HS256 secret, held by every app',
  alg: 'HS256',
  kty: 'oct',
  signingKeyOf: () => 'shared',
  apisHold: 'its signing key',
  publishesJwks: false,
};
