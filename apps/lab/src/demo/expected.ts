import type { AppName, ModeName } from '@jwt-blast-radius/keys';

/** Does the target accept it? One row per compromised app, one column per target. */
export type Matrix = Readonly<Record<AppName, Readonly<Partial<Record<AppName, boolean>>>>>;

export interface ExpectedTables {
  /** A forged admin token, minted with whatever the compromised app holds. */
  readonly forge: Matrix;
  /** The compromised app's harvested token, replayed at every other service. */
  readonly replay: Matrix;
}

export const VARIANTS = ['secure', 'no-audience-check'] as const;
export type Variant = (typeof VARIANTS)[number];

const all = { 'auth-service': true, 'dashboard-api': true, 'mobile-api': true } as const;
const none = { 'auth-service': false, 'dashboard-api': false, 'mobile-api': false } as const;

const forge = {
  'shared-hs256': { 'auth-service': all, 'dashboard-api': all, 'mobile-api': all },
  'per-app-secret': {
    'auth-service': all,
    'dashboard-api': { 'auth-service': false, 'dashboard-api': true, 'mobile-api': false },
    'mobile-api': { 'auth-service': false, 'dashboard-api': false, 'mobile-api': true },
  },
  'rs256-jwks': { 'auth-service': all, 'dashboard-api': none, 'mobile-api': none },
} as const satisfies Record<ModeName, Matrix>;

const replayEverywhere = (accepted: boolean): Matrix => ({
  'auth-service': { 'dashboard-api': accepted, 'mobile-api': accepted },
  'dashboard-api': { 'auth-service': accepted, 'mobile-api': accepted },
  'mobile-api': { 'auth-service': accepted, 'dashboard-api': accepted },
});

/**
 * The expected blast radius of every mode: the data the lab's verdict, its tests, its report and the
 * docs all read. With the audience check off, a replayed token is accepted wherever the target trusts
 * the key that signed it: everywhere in shared-hs256 and rs256-jwks, nowhere in per-app-secret, where
 * each audience has its own key.
 */
export const EXPECTED: Readonly<Record<Variant, Readonly<Record<ModeName, ExpectedTables>>>> = {
  secure: {
    'shared-hs256': { forge: forge['shared-hs256'], replay: replayEverywhere(false) },
    'per-app-secret': { forge: forge['per-app-secret'], replay: replayEverywhere(false) },
    'rs256-jwks': { forge: forge['rs256-jwks'], replay: replayEverywhere(false) },
  },
  'no-audience-check': {
    'shared-hs256': { forge: forge['shared-hs256'], replay: replayEverywhere(true) },
    'per-app-secret': { forge: forge['per-app-secret'], replay: replayEverywhere(false) },
    'rs256-jwks': { forge: forge['rs256-jwks'], replay: replayEverywhere(true) },
  },
};
