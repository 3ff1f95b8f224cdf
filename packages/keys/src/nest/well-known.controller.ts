import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { JWKS_CACHE_CONTROL, publicJwks } from '../jwks';
import type { JsonWebKeySet } from '../keyset';
import { followRing, type KeyStore } from '../store';
import { Public } from './decorators';
import { KEY_STORE, WELL_KNOWN_OPTIONS } from './tokens';

/** What an issuer's metadata says beyond its keys. */
export interface WellKnownOptions {
  /**
   * Where clients get tokens (RFC 8414 §2 `token_endpoint`): a path on the issuer (`/auth/login`), or an
   * absolute `https:` URL elsewhere.
   */
  readonly tokenEndpoint: string;
}

/**
 * The issuer's public endpoints: its JWKS (RFC 7517), where the mode publishes keys, and its authorization
 * server metadata (RFC 8414). Both read the ring the issuer holds now, so a reload that staged or retired a
 * key changes them at once. `KeysModule.forRoot({ wellKnown })` registers it.
 */
@Public()
@Controller('.well-known')
export class WellKnownController {
  private readonly jwks: () => JsonWebKeySet | undefined;

  constructor(
    @Inject(KEY_STORE) private readonly store: KeyStore,
    @Inject(WELL_KNOWN_OPTIONS) private readonly options: WellKnownOptions,
  ) {
    this.jwks = followRing(store, publicJwks);
  }

  /** The public signing keys; 404 in a mode whose keys are secrets, never published. */
  @Get('jwks.json')
  keys(@Res({ passthrough: true }) response: { setHeader(name: string, value: string): void }): JsonWebKeySet {
    const jwks = this.jwks();
    if (!jwks) throw new NotFoundException();
    response.setHeader('Cache-Control', JWKS_CACHE_CONTROL);
    return jwks;
  }

  /** Authorization server metadata (RFC 8414 §2). */
  @Get('oauth-authorization-server')
  metadata() {
    const { settings, mode } = this.store.current();
    const issuer = settings.issuer.replace(/\/$/, '');
    const { tokenEndpoint } = this.options;
    return {
      issuer: settings.issuer,
      token_endpoint: tokenEndpoint.startsWith('/') ? `${issuer}${tokenEndpoint}` : tokenEndpoint,
      ...(this.jwks() ? { jwks_uri: `${issuer}/.well-known/jwks.json` } : {}),
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['token'],
      access_token_signing_alg_values_supported: [mode.alg],
    };
  }
}
