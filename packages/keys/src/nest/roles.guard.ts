import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { readBearerRequest, type HttpRequest } from './bearer-request';
import { logDecision, type LoggedRequest } from './decision-log';
import { routeAccess } from './decorators';
import type { HttpResponse } from './jwt-auth.guard';
import { VERIFIER } from './tokens';

/**
 * Runs after the token guard, on every route that needs a token, and makes the request's last access
 * decision: a valid token with every role `@Roles()` requires is accepted; one that lacks a role gets
 * a 403 with RFC 6750's `insufficient_scope`. Either way it writes the decision's log line.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(VERIFIER) private readonly verifier: Verifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest & LoggedRequest>();
    const required = routeAccess(this.reflector, context).roles;
    const principal = request.user as AccessTokenPrincipal | undefined;
    // No principal: a `@Public()` route, which the token guard let through. It cannot also require roles.
    if (!principal) {
      if (required.length === 0) return true;
      throw new ForbiddenException();
    }
    const bearer = readBearerRequest(request);
    const app = this.verifier.app;
    const missing = required.filter((role) => !principal.roles.includes(role));
    if (missing.length === 0) {
      logDecision(request, bearer, { outcome: 'accepted', principal });
      return true;
    }
    logDecision(request, bearer, { outcome: 'forbidden', reason: `missing role ${missing.join(', ')}`, principal });
    context.switchToHttp().getResponse<HttpResponse>().setHeader('WWW-Authenticate', `Bearer realm="${app}", error="insufficient_scope"`);
    throw new ForbiddenException();
  }
}
