import { Inject, Injectable, ServiceUnavailableException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { KeysError } from '../errors';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { readBearerRequest, type BearerRequest, type HttpRequest } from './bearer-request';
import { describeFailure, logDecision, type LoggedRequest } from './decision-log';
import { IS_PUBLIC } from './decorators';
import { VERIFIER } from './tokens';

/** The part of an express response the guards write to. */
export interface HttpResponse {
  setHeader(name: string, value: string): void;
}

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`. Every failure,
 * whatever its reason, is the same bare 401 with an RFC 6750 challenge, and the reason goes to the log;
 * a request without a usable token is refused before passport runs. The one exception is a verifier
 * that cannot get the issuer's keys at all: that is the service's fault, not the token's, so it
 * answers 503 with `Retry-After` rather than sending the client to log in again.
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
    const bearer = readBearerRequest(context.switchToHttp().getRequest<HttpRequest>());
    if (bearer.problem) this.refuse(context, bearer, bearer.problem === 'missing' ? 'no bearer token' : bearer.problem);
    return super.canActivate(context);
  }

  override handleRequest<TUser = AccessTokenPrincipal>(
    error: unknown,
    principal: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    // A token that passes is logged by the roles guard, which makes the request's last decision.
    if (!error && principal) return principal as TUser;
    const request = context.switchToHttp().getRequest<HttpRequest & LoggedRequest>();
    const bearer = readBearerRequest(request);
    const failure = error ?? info;
    if (failure instanceof KeysError && failure.code === 'ERR_JWKS_UNAVAILABLE') {
      // Why the keys cannot be had (refused, timed out, ...) is in the JWKS fetch event the verifier logged.
      logDecision(request, bearer, { outcome: 'unavailable', reason: failure.code });
      context
        .switchToHttp()
        .getResponse<HttpResponse>()
        .setHeader('Retry-After', String(failure.retryAfterSeconds ?? 1));
      throw new ServiceUnavailableException();
    }
    return this.refuse(context, bearer, describeFailure(failure));
  }

  private refuse(context: ExecutionContext, bearer: BearerRequest, reason: string): never {
    const app = this.verifier.app;
    logDecision(context.switchToHttp().getRequest<LoggedRequest>(), bearer, { outcome: 'refused', reason });
    // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
    const challenge = bearer.problem === 'missing' ? `Bearer realm="${app}"` : `Bearer realm="${app}", error="invalid_token"`;
    context.switchToHttp().getResponse<HttpResponse>().setHeader('WWW-Authenticate', challenge);
    throw new UnauthorizedException();
  }
}
