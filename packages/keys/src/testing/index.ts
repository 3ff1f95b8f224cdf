export { buildVerificationCases, type VerificationCase, type VerificationCaseContext } from './cases';
export {
  accessTokenClaims,
  signWithJwk,
  signWithPublicKeyAsSecret,
  tamperPayload,
  unsecuredToken,
  type ForgedHeader,
} from './forge';
export { startJwksServer, type JwksServer } from './jwks-server';
