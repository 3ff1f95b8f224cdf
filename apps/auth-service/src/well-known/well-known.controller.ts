import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JWKS_CACHE_CONTROL, followRing, publicJwks, type JsonWebKeySet, type KeyStore } from '@jwt-blast-radius/keys';
import { KEY_STORE, Public } from '@jwt-blast-radius/keys/nest';

@ApiTags('well-known')
@Public()
@Controller('.well-known')
export class WellKnownController {
  /** The public keys of the ring the app holds now: a reload that staged or retired a key changes them at once. */
  private readonly jwks: () => JsonWebKeySet | undefined;

  constructor(@Inject(KEY_STORE) private readonly store: KeyStore) {
    this.jwks = followRing(store, publicJwks);
  }

  @Get('jwks.json')
  @ApiOkResponse({ description: 'The public signing keys (RFC 7517).' })
  @ApiNotFoundResponse({ description: 'This mode has no public keys: its keys are secrets, never published.' })
  keys(@Res({ passthrough: true }) response: { setHeader(name: string, value: string): void }): JsonWebKeySet {
    const jwks = this.jwks();
    if (!jwks) throw new NotFoundException();
    response.setHeader('Cache-Control', JWKS_CACHE_CONTROL);
    return jwks;
  }

  @Get('oauth-authorization-server')
  @ApiOkResponse({ description: 'Authorization server metadata (RFC 8414).' })
  metadata() {
    const { settings, mode } = this.store.current();
    const issuer = settings.issuer.replace(/\/$/, '');
    return {
      issuer: settings.issuer,
      token_endpoint: `${issuer}/auth/login`,
      ...(this.jwks() ? { jwks_uri: `${issuer}/.well-known/jwks.json` } : {}),
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['token'],
      access_token_signing_alg_values_supported: [mode.alg],
    };
  }
}
