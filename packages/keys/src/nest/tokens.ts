/** Injection token of the app's {@link KeyRing}. */
export const KEY_RING = Symbol('KEY_RING');
/** Injection token of the app's {@link Verifier}. */
export const VERIFIER = Symbol('VERIFIER');
/** Injection token of the signal that reloads the app's trusted keys (see `KeysModuleOptions.reloadSignal`). */
export const RELOAD_SIGNAL = Symbol('RELOAD_SIGNAL');
