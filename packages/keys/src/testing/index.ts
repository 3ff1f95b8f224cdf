export { buildVerificationCases, type VerificationCase, type VerificationCaseContext } from './cases';
export { startJwksProcess, type JwksProcess, type JwksProcessOptions } from './jwks-process';
export { startJwksServer, type JwksServer } from './jwks-server';
export { createTestKeys, findSigningJwk, type TestKeys, type TestKeysOptions } from './keys';
export { writeLikeKubelet } from './kubelet-volume';
export { secretValuesOf } from '../keyset';
export { startSilentListener, type SilentListener, type SilentListenerOptions } from './silent-listener';
export { buildStartupFailureCases, type StartupFailureCase } from './startup-cases';
