import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { logDecision } from './decision-log';
import { requiredRoles } from './decorators';
import { describeRequest } from './jwt-auth.guard';
import { VERIFIER } from './tokens';

/** Refuses, with a 403 and RFC 6750's `insufficient_scope`, a valid token that lacks a required role. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(VERIFIER) private readonly verifier: Verifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required = requiredRoles(this.reflector, context);
    if (required.length === 0) return true;
    const { request, response, route, token } = describeRequest(context);
    const principal = (request as { user?: AccessTokenPrincipal }).user;
    const missing = required.filter((role) => !principal?.roles.includes(role));
    const app = this.verifier.app;
    if (missing.length === 0) {
      logDecision({ app, route, outcome: 'accepted', token, sub: principal?.sub });
      return true;
    }
    logDecision({ app, route, outcome: 'forbidden', reason: `missing role ${missing.join(', ')}`, token, sub: principal?.sub });
    response.setHeader('WWW-Authenticate', `Bearer realm="${app}", error="insufficient_scope"`);
    throw new ForbiddenException();
  }
}
