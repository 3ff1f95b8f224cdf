export { buildVerificationCases, type VerificationCase, type VerificationCaseContext } from './cases';
export { accessTokenClaims, signWithJwk, signWithPublicKeyAsSecret, tamperPayload, unsecuredToken, type ForgedHeader } from './forge';
export { startJwksServer, type JwksServer } from './jwks-server';
export { createTestKeys, findSigningJwk, secretValuesOf, type TestKeys, type TestKeysOptions } from './keys';
export { buildStartupFailureCases, type StartupFailureCase } from './startup-cases';
