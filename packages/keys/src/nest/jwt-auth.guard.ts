import { Inject, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { logDecision, describeFailure } from './decision-log';
import { IS_PUBLIC, requiredRoles } from './decorators';
import { VERIFIER } from './tokens';

export interface HttpExchange {
  readonly request: { method: string; originalUrl?: string; url: string; headers: Record<string, string | string[] | undefined> };
  readonly response: { setHeader(name: string, value: string): void };
}

/** The route and the raw bearer token of a request, for logging. */
export function describeRequest(context: ExecutionContext): HttpExchange & { route: string; token: string | undefined } {
  const http = context.switchToHttp();
  const request = http.getRequest<HttpExchange['request']>();
  const authorization = request.headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  const path = (request.originalUrl ?? request.url).split('?')[0];
  return { request, response: http.getResponse(), route: `${request.method} ${path}`, token: match?.[1] };
}

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`. Every failure,
 * whatever its reason, is the same bare 401 with an RFC 6750 challenge; the reason goes to the log.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    @Inject(VERIFIER) private readonly verifier: Verifier,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = AccessTokenPrincipal>(
    error: unknown,
    principal: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    const { response, route, token } = describeRequest(context);
    const app = this.verifier.app;
    if (!error && principal) {
      // A route that requires roles has one more decision to make: the roles guard logs it.
      if (requiredRoles(this.reflector, context).length === 0) {
        logDecision({ app, route, outcome: 'accepted', token, sub: (principal as AccessTokenPrincipal).sub });
      }
      return principal as TUser;
    }
    logDecision({ app, route, outcome: 'refused', reason: token ? describeFailure(error ?? info) : 'no bearer token', token });
    // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
    response.setHeader('WWW-Authenticate', token ? `Bearer realm="${app}", error="invalid_token"` : `Bearer realm="${app}"`);
    throw new UnauthorizedException();
  }
}
