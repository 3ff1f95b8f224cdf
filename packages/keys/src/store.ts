import { loadKeyRing, type KeyRing } from './ring';

/**
 * An app's keys while it runs: one {@link KeyRing} at a time, replaced whole when the key file is read
 * again. The verifier, the signer and the published JWKS made from one store read its ring once for each
 * token or answer, so each sees the old ring or the new one, never a part of each.
 */
export interface KeyStore {
  /** The ring in use now. */
  current(): KeyRing;
  /**
   * Reads the app's key file again, through the checks of start-up (`loadKeyRing`, with the settings the app
   * started with). On success the new ring replaces the old one at once, and is returned; on failure the old
   * ring stays, and it rejects with the `KeysError` start-up would have stopped on. Reloads run one after
   * another, each reading the file as it is when its turn comes.
   */
  reload(): Promise<KeyRing>;
}

/**
 * Makes the store of an app's keys, starting with the ring it loaded at start-up.
 *
 * @example
 * const keys = createKeyStore(await loadKeyRing(settings));
 * const verifier = createVerifier(keys);
 * await keys.reload(); // the verifier trusts what the key file holds now
 */
export function createKeyStore(ring: KeyRing): KeyStore {
  let current = ring;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    current: () => current,
    reload() {
      const loaded = queue.then(() => loadKeyRing(current.settings)).then((next) => (current = next));
      queue = loaded.catch(() => undefined);
      return loaded;
    },
  };
}

/** Whether a value is a {@link KeyStore} rather than a plain {@link KeyRing}. */
export function isKeyStore(keys: KeyRing | KeyStore): keys is KeyStore {
  return typeof (keys as Partial<KeyStore>).current === 'function';
}

/**
 * What a function computes from a store's ring, computed again only when a reload has replaced the ring:
 * an import or a lookup table is made once per ring, never once per token.
 *
 * @example
 * const trusted = followRing(keys, (ring) => new Map(ring.keys.map((key) => [key.kid, key])));
 * trusted().get(kid);
 */
export function followRing<T>(keys: KeyStore, compute: (ring: KeyRing) => T): () => T {
  let last: { readonly ring: KeyRing; readonly value: T } | undefined;
  return () => {
    const ring = keys.current();
    if (last?.ring !== ring) last = { ring, value: compute(ring) };
    return last.value;
  };
}
