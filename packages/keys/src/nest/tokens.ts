/** Injection token of the app's {@link KeyRing}. */
export const KEY_RING = Symbol('KEY_RING');
/** Injection token of the app's {@link Verifier}. */
export const VERIFIER = Symbol('VERIFIER');
