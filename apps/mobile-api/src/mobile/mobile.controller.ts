import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { AccessTokenPrincipal } from '@jwt-blast-radius/keys';
import { Principal, Roles } from '@jwt-blast-radius/keys/nest';

@ApiTags('mobile')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid access token for mobile-api.' })
@Controller('mobile')
export class MobileController {
  @Get('feed')
  @ApiOkResponse({ description: 'Your feed: 3 new posts' })
  feed(@Principal() principal: AccessTokenPrincipal) {
    return { app: 'mobile-api', for: principal.sub, roles: principal.roles, items: ['Your feed: 3 new posts'] };
  }

  @Get('admin')
  @Roles('admin')
  @ApiOkResponse({ description: 'Admin-only data.' })
  @ApiForbiddenResponse({ description: 'The token lacks the admin role.' })
  admin(@Principal() principal: AccessTokenPrincipal) {
    return { app: 'mobile-api', admin: true, for: principal.sub };
  }
}
