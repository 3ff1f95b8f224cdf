export { APP_NAMES, ISSUER_APP, isAppName, type AppName } from './apps';
export { DEFAULT_ISSUER, JWKS_SETTINGS, readKeysSettings, type KeysSettings } from './config';
export { KeysError, describeKeysError, describeStartupError, type KeysErrorCode } from './errors';
export { findKeyFolderProblem, readFolderKids, type FolderKids } from './folders';
export { RSA_BITS, SECRET_BITS, generateKey, generateKeySet } from './generate';
export {
  JWKS_CACHE_CONTROL,
  JWKS_DEFAULTS,
  MAX_JWKS_BYTES,
  createRemoteKeySet,
  publicJwks,
  type JwksFetchEvent,
  type JwksTimings,
  type RemoteKeySet,
  type RemoteKeySetOptions,
} from './jwks';
export {
  KEY_FILE_NAME,
  PRIVATE_MEMBERS,
  createKid,
  isPrivateJwk,
  keyNameOf,
  readKeySetFile,
  signingVersions,
  toPublicJwk,
  writeKeyFolders,
  type JsonWebKeySet,
  type KeyRotation,
} from './keyset';
export { DEFAULT_MODE, MODES, MODE_NAMES, getMode, type ModeDefinition, type ModeName, type SigningAlgorithm } from './modes';
export { ROTATION_STEPS, rotateKeyFolders, rotateKeySet, type RotationStep } from './rotate';
export { describeRotationState, readRotationState, type RotateOptions, type RotationState } from './rotate';
export { createKeyRing, loadKeyRing, toKeyObject, type HeldKey, type KeyRing } from './ring';
export {
  ACCESS_TOKEN_TYPE,
  MAX_TOKEN_LIFETIME,
  createSigner,
  signingKidsOf,
  type AccessTokenRequest,
  type IssuedToken,
  type Signer,
  type SignerOptions,
} from './sign';
export {
  MAX_AUTHORIZATION_LENGTH,
  decodeClaims,
  extractBearerToken,
  readClaims,
  readCompactJws,
  readProtectedHeader,
  type BearerCredentials,
  type CompactJws,
} from './token';
export { createKeyStore, followRing, isKeyStore, type KeyStore } from './store';
export { CLOCK_TOLERANCE, createVerifier, trustedKeysOf, type AccessTokenPrincipal, type Verifier } from './verify';
