import type { AppName, ModeName } from '@jwt-blast-radius/keys';

/** What recovering from one compromise must cost: where key material changes, and whose users log in again. */
export interface ExpectedRecovery {
  /** The apps whose own key files change (a JWKS refetch is not a change). */
  readonly keysChangedAt: readonly AppName[];
  /** The audiences whose tokens issued before the playbook stop working. */
  readonly audiencesLoggedOut: readonly AppName[];
}

const ALL: readonly AppName[] = ['auth-service', 'dashboard-api', 'mobile-api'];

/**
 * The expected cost of recovery, per mode and compromised app: the data the drill's verdict, its tests and the
 * docs read. A playbook replaces the keys the compromised app held that some service trusts to sign; every app
 * holding one of them gets new key files, and every audience one of them signs is logged out.
 */
export const EXPECTED_RECOVERY: Readonly<Record<ModeName, Readonly<Record<AppName, ExpectedRecovery>>>> = {
  // One secret everywhere: whichever app leaks it, it is replaced everywhere and everyone logs in again.
  'shared-hs256': {
    'auth-service': { keysChangedAt: ALL, audiencesLoggedOut: ALL },
    'dashboard-api': { keysChangedAt: ALL, audiencesLoggedOut: ALL },
    'mobile-api': { keysChangedAt: ALL, audiencesLoggedOut: ALL },
  },
  // A secret per audience, all of them at the issuer: an API's leak costs its own secret, the issuer's all of them.
  'per-app-secret': {
    'auth-service': { keysChangedAt: ALL, audiencesLoggedOut: ALL },
    'dashboard-api': { keysChangedAt: ['auth-service', 'dashboard-api'], audiencesLoggedOut: ['dashboard-api'] },
    'mobile-api': { keysChangedAt: ['auth-service', 'mobile-api'], audiencesLoggedOut: ['mobile-api'] },
  },
  // Only the issuer holds a private key: an API's compromise leaves nothing to replace; the issuer's, one key pair.
  'rs256-jwks': {
    'auth-service': { keysChangedAt: ['auth-service'], audiencesLoggedOut: ALL },
    'dashboard-api': { keysChangedAt: [], audiencesLoggedOut: [] },
    'mobile-api': { keysChangedAt: [], audiencesLoggedOut: [] },
  },
};
