import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public, SIGNER, VERIFIER } from '@jwt-blast-radius/keys/nest';
import type { Signer, Verifier } from '@jwt-blast-radius/keys';

/** What `GET /health` answers: the app, the kids it trusts now, and for the issuer, the kids it signs with now. */
export interface HealthAnswer {
  readonly status: 'ok';
  readonly app: string;
  readonly kids: readonly string[];
  readonly signing?: readonly string[];
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(VERIFIER) private readonly verifier: Verifier,
    @Optional() @Inject(SIGNER) private readonly signer?: Signer,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'The app is up; the kids of the keys it trusts now, and for the issuer, of the keys it signs with.' })
  health(): HealthAnswer {
    const answer = { status: 'ok' as const, app: this.verifier.app, kids: this.verifier.trustedKids() };
    return this.signer ? { ...answer, signing: this.signer.signingKids() } : answer;
  }
}
