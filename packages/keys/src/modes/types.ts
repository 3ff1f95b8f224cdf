export type SigningAlgorithm = 'HS256' | 'RS256';

/**
 * A key-sharing mode: a distribution of key material, said of roles (the issuer, each API), never of names.
 * It says which key signs the tokens of each audience and what each API holds; the issuer holds every key that
 * signs. Nothing else in the project knows the modes; apps ask for their signer or verifier and get what their
 * mode gives them. A topology of names turns a mode into a {@link ModeLayout}.
 */
export interface ModeDefinition {
  readonly name: string;
  readonly summary: string;
  readonly alg: SigningAlgorithm;
  /** The type of every key of the mode: `oct` keys are secrets, `RSA` keys are key pairs. */
  readonly kty: 'oct' | 'RSA';
  /** The name of the key that signs, and so verifies, the tokens of an audience (a service's name). */
  readonly signingKeyOf: (audience: string) => string;
  /** What each API holds: the key that signs its own audience, or nothing (it fetches the issuer's JWKS). */
  readonly apisHold: 'its signing key' | 'nothing';
  /** Whether the issuer publishes public keys at its jwks_uri, for apps that hold no key to fetch. */
  readonly publishesJwks: boolean;
}

/**
 * A mode laid out on the services of a topology: its keys by name, the key that signs each audience, and what
 * each service holds.
 */
export interface ModeLayout<App extends string = string> extends ModeDefinition {
  /** The services, the issuer among them. */
  readonly apps: readonly App[];
  readonly issuer: App;
  /** The named keys of the mode, each once. */
  readonly keys: readonly { readonly name: string; readonly kty: 'oct' | 'RSA' }[];
  /** The key that signs, and so verifies, the tokens of each audience. */
  readonly signingKey: Readonly<Record<App, string>>;
  /** The secret or private key material each service holds. */
  readonly holdings: Readonly<Record<App, readonly string[]>>;
}
