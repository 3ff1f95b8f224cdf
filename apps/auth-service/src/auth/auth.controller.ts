import { Body, Controller, Get, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AccessTokenPrincipal, Signer } from '@jwt-blast-radius/keys';
import { Principal, Public, Roles } from '@jwt-blast-radius/keys/nest';
import { UsersService, type DemoUser } from '../users/users.service';
import { LoginDto, TokenResponse } from './login.dto';

export const SIGNER = Symbol('SIGNER');

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    @Inject(SIGNER) private readonly signer: Signer,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiBadRequestResponse({ description: 'Malformed body, or an unknown audience.' })
  @ApiUnauthorizedResponse({ description: 'Incorrect username or password (the same answer for both).' })
  async login(@Body() { username, password, audience }: LoginDto): Promise<TokenResponse> {
    const user = await this.users.authenticate(username, password);
    if (!user) throw new UnauthorizedException('incorrect username or password');
    const { token, expiresIn } = await this.signer.signAccessToken({ sub: user.username, roles: user.roles, audience });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'Who the token is for.' })
  @ApiUnauthorizedResponse({ description: 'No valid access token for auth-service.' })
  me(@Principal() principal: AccessTokenPrincipal) {
    return { sub: principal.sub, roles: principal.roles, aud: principal.audience };
  }

  @Get('users')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'The demo users, without their password hashes.' })
  @ApiUnauthorizedResponse({ description: 'No valid access token for auth-service.' })
  @ApiForbiddenResponse({ description: 'The token lacks the admin role.' })
  list(): DemoUser[] {
    return this.users.list();
  }
}
