import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { AccessTokenPrincipal } from '@jwt-blast-radius/keys';
import { Principal, Roles } from '@jwt-blast-radius/keys/nest';

@ApiTags('dashboard')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid access token for dashboard-api.' })
@Controller('dashboard')
export class DashboardController {
  @Get('summary')
  @ApiOkResponse({ description: 'Revenue this week: 42 widgets' })
  summary(@Principal() principal: AccessTokenPrincipal) {
    return { app: 'dashboard-api', for: principal.sub, roles: principal.roles, items: ['Revenue this week: 42 widgets'] };
  }

  @Get('admin')
  @Roles('admin')
  @ApiOkResponse({ description: 'Admin-only data.' })
  @ApiForbiddenResponse({ description: 'The token lacks the admin role.' })
  admin(@Principal() principal: AccessTokenPrincipal) {
    return { app: 'dashboard-api', admin: true, for: principal.sub };
  }
}
