export { APP_NAMES, ISSUER_APP, isAppName, type AppName } from './apps';
export {
  DEFAULT_ISSUER,
  INSECURE_ACKNOWLEDGEMENT,
  INSECURE_SWITCHES,
  JWKS_SETTINGS,
  checkJwksTransport,
  readKeysSettings,
  type KeysSettings,
} from './config';
export { KeysError, describeKeysError, describeStartupError, type KeysErrorCode } from './errors';
export { findKeyFolderProblem, readFolderKids, readKeyFolders, resolveFolderMode, type FolderKids, type KeyFolders } from './folders';
export { RSA_BITS, SECRET_BITS, generateKey, generateKeySet } from './generate';
export { JWKS_DEFAULTS, type JwksTimings } from './jwks-timings';
export {
  JWKS_CACHE_CONTROL,
  MAX_JWKS_BYTES,
  createRemoteKeySet,
  publicJwks,
  type JwksFetchEvent,
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
  secretValuesOf,
  signingVersions,
  toPublicJwk,
  writeKeyFolders,
  type JsonWebKeySet,
  type KeyRotation,
} from './keyset';
export {
  DEFAULT_MODE,
  MODES,
  MODE_NAMES,
  findMode,
  getMode,
  keysHeldBy,
  layOutMode,
  type ModeDefinition,
  type ModeLayout,
  type ModeName,
  type SigningAlgorithm,
} from './modes';
export { DEFAULT_VERIFIER_POLICY, POLICY_SETTINGS, checkVerifierPolicy, claimAt, readVerifierPolicy, type VerifierPolicy } from './policy';
export { DEMO_TOPOLOGY, checkServiceName, createTopology, readTopology, type Topology } from './topology';
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
export { KUBERNETES_KEYS_DIR, KUBERNETES_NAMESPACE, kubernetesLabels, secretManifests, secretNameOf } from './k8s-secrets';
export {
  kidsDiffer,
  kidsOf,
  waitForReplicas,
  type HealthKids,
  type Replica,
  type ReplicaState,
  type WaitForReplicasOptions,
} from './replicas';
export { KEY_WATCH_DEBOUNCE_MS, watchKeyFile, type KeyFileWatch, type KeyFileWatchOptions } from './watch';
export { CLOCK_TOLERANCE, createVerifier, trustedKeysOf, type AccessTokenPrincipal, type Verifier } from './verify';
