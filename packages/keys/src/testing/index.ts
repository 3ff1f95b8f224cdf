export { buildVerificationCases, type VerificationCase, type VerificationCaseContext } from './cases';
export {
  accessTokenClaims,
  encodeSegment,
  jsonWithDuplicate,
  signRawJws,
  signSigningInput,
  signWithJwk,
  signWithPublicKeyAsSecret,
  tamperPayload,
  unsecuredToken,
  type ForgedHeader,
  type RawJwsOptions,
  type RawSegment,
  type RawSigningKey,
} from './forge';
export { startJwksProcess, type JwksProcess, type JwksProcessOptions } from './jwks-process';
export { startJwksServer, type JwksServer } from './jwks-server';
export { createTestKeys, findSigningJwk, secretValuesOf, type TestKeys, type TestKeysOptions } from './keys';
export { startSilentListener, type SilentListener, type SilentListenerOptions } from './silent-listener';
export { buildStartupFailureCases, type StartupFailureCase } from './startup-cases';
