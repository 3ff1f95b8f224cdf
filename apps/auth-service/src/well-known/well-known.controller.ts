import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JWKS_CACHE_CONTROL, publicJwks, type JsonWebKeySet, type KeyRing } from '@jwt-blast-radius/keys';
import { KEY_RING, Public } from '@jwt-blast-radius/keys/nest';

@ApiTags('well-known')
@Public()
@Controller('.well-known')
export class WellKnownController {
  private readonly jwks: JsonWebKeySet | undefined;

  constructor(@Inject(KEY_RING) private readonly ring: KeyRing) {
    this.jwks = publicJwks(ring);
  }

  @Get('jwks.json')
  @ApiOkResponse({ description: 'The public signing keys (RFC 7517).' })
  @ApiNotFoundResponse({ description: 'This mode has no public keys: its keys are secrets, never published.' })
  keys(@Res({ passthrough: true }) response: { setHeader(name: string, value: string): void }): JsonWebKeySet {
    if (!this.jwks) throw new NotFoundException();
    response.setHeader('Cache-Control', JWKS_CACHE_CONTROL);
    return this.jwks;
  }

  @Get('oauth-authorization-server')
  @ApiOkResponse({ description: 'Authorization server metadata (RFC 8414).' })
  metadata() {
    const { issuer } = this.ring.settings;
    return {
      issuer,
      token_endpoint: `${issuer.replace(/\/$/, '')}/auth/login`,
      ...(this.jwks ? { jwks_uri: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json` } : {}),
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['token'],
      access_token_signing_alg_values_supported: [this.ring.mode.alg],
    };
  }
}
