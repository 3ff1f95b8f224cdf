import type { AppName } from '../apps';

export type SigningAlgorithm = 'HS256' | 'RS256';

/**
 * A key-sharing mode: a distribution of key material. It says which named keys exist, which one
 * signs the tokens of each audience, and which app holds which keys. Nothing else in the project
 * knows the modes; apps ask for their signer or verifier and get what their mode gives them.
 */
export interface ModeDefinition {
  readonly name: string;
  readonly summary: string;
  readonly alg: SigningAlgorithm;
  /** The named keys of the mode. `oct` keys are secrets; `RSA` keys are key pairs. */
  readonly keys: readonly { readonly name: string; readonly kty: 'oct' | 'RSA' }[];
  /** The key that signs, and so verifies, the tokens of each audience. */
  readonly signingKey: Readonly<Record<AppName, string>>;
  /** The secret or private key material each app holds. */
  readonly holdings: Readonly<Record<AppName, readonly string[]>>;
  /** Whether the issuer publishes public keys at its jwks_uri, for apps that hold no key to fetch. */
  readonly publishesJwks: boolean;
}
