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
export { attackerKeyFor, createAttacker, type Attacker, type AttackerKeyName, type AttackerOptions } from './own-keys';
