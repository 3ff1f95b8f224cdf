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
  @ApiOkResponse({ description: 'The app is up.' })
  health(): { status: 'ok'; app: string } {
    return { status: 'ok', app: this.verifier.app };
  }
}
