/** Injection token of the app's {@link KeyStore}: its keys as they are now, replaced whole by a reload. */
export const KEY_STORE = Symbol('KEY_STORE');
/** Injection token of the app's {@link Verifier}. */
export const VERIFIER = Symbol('VERIFIER');
/** Injection token of the app's {@link Signer}, for an app given `signer` options (the issuer). */
export const SIGNER = Symbol('SIGNER');
/** Injection token of the signal that reloads the app's keys (see `KeysModuleOptions.reloadSignal`). */
export const RELOAD_SIGNAL = Symbol('RELOAD_SIGNAL');
/** Injection token of the issuer's {@link WellKnownOptions} (see `KeysModuleOptions.wellKnown`). */
export const WELL_KNOWN_OPTIONS = Symbol('WELL_KNOWN_OPTIONS');
