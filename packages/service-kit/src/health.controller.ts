import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public, VERIFIER } from '@jwt-blast-radius/keys/nest';
import type { Verifier } from '@jwt-blast-radius/keys';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(VERIFIER) private readonly verifier: Verifier) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'The app is up, and the kids of the keys it trusts now.' })
  health(): { status: 'ok'; app: string; kids: readonly string[] } {
    return { status: 'ok', app: this.verifier.app, kids: this.verifier.trustedKids() };
  }
}
