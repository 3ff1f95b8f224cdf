import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AccessTokenPrincipal, Signer } from '@jwt-blast-radius/keys';
import { Principal, Public, Roles, SIGNER } from '@jwt-blast-radius/keys/nest';
import { requestIdOf } from '@jwt-blast-radius/service-kit';
import { UsersService, type DemoUser } from '../users/users.service';
import { HashGate } from './hash-gate';
import { LoginDto, TokenResponse } from './login.dto';
import { logLogin } from './login-events';
import { clientAddress, type HeaderWriter, type LoginRequest } from './login-request';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { logTokenIssued } from './token-events';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly hashGate: HashGate,
    @Inject(SIGNER) private readonly signer: Signer,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @UseGuards(LoginThrottlerGuard)
  @ApiOkResponse({ type: TokenResponse, description: 'The token, with `Cache-Control: no-store` as every answer of this route.' })
  @ApiBadRequestResponse({ description: 'Malformed body, or an unknown audience.' })
  @ApiUnauthorizedResponse({ description: 'Incorrect username or password (the same answer for both).' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address, or for this username from it: see `Retry-After`.' })
  @ApiServiceUnavailableResponse({ description: 'Every password check is taken, or this address has one running: retry after 1 s.' })
  async login(
    @Body() { username, password, audience }: LoginDto,
    @Req() request: LoginRequest,
    @Res({ passthrough: true }) response: HeaderWriter,
  ): Promise<TokenResponse> {
    const address = clientAddress(request);
    const reqId = requestIdOf(request);
    const checked = this.hashGate.tryRun(address, () => this.users.authenticate(username, password));
    if (!checked) {
      logLogin({ username, audience, address, outcome: 'busy', reqId });
      response.setHeader('Retry-After', '1');
      throw new ServiceUnavailableException();
    }
    const user = await checked;
    if (!user) {
      logLogin({ username, audience, address, outcome: 'refused', reqId });
      throw new UnauthorizedException('incorrect username or password');
    }
    const { token, expiresIn, jti, kid, exp } = await this.signer.signAccessToken({ sub: user.username, roles: user.roles, audience });
    logLogin({ username, audience, address, outcome: 'issued', jti, reqId });
    logTokenIssued({ jti, sub: user.username, aud: audience, kid, exp, reqId });
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
