import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { KeysError } from '../errors';
import type { Verifier } from '../verify';
import { readBearerRequest, type BearerRequest, type HttpRequest } from './bearer-request';
import { describeFailure, logDecision, type LoggedRequest } from './decision-log';
import { routeAccess } from './decorators';
import { JwtStrategy } from './jwt.strategy';
import { runStrategy } from './run-strategy';
import { VERIFIER } from './tokens';

/** The part of an express response the guards write to. */
export interface HttpResponse {
  setHeader(name: string, value: string): void;
}

type GuardedRequest = HttpRequest & LoggedRequest;

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`. The token is
 * verified by the passport-jwt strategy ({@link JwtStrategy}), which the guard runs itself
 * (`runStrategy`) rather than through passport's middleware. Every failure, whatever its reason, is the
 * same bare 401 with an RFC 6750 challenge, and the reason goes to the log; a request without a usable
 * token is refused before the strategy runs. The one exception is a verifier that cannot get the
 * issuer's keys at all: that is the service's fault, not the token's, so it answers 503 with
 * `Retry-After` rather than sending the client to log in again.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(VERIFIER) private readonly verifier: Verifier,
    private readonly strategy: JwtStrategy,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (routeAccess(this.reflector, context).isPublic) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const bearer = readBearerRequest(request);
    if (bearer.problem) this.refuse(context, request, bearer, bearer.problem === 'missing' ? 'no bearer token' : bearer.problem);
    // A token that passes is logged by the roles guard, which makes the request's last decision.
    return runStrategy(this.strategy, request).then(
      (principal) => {
        request.user = principal;
        return true;
      },
      (failure: unknown) => this.refuseFailure(context, request, bearer, failure),
    );
  }

  private refuseFailure(context: ExecutionContext, request: GuardedRequest, bearer: BearerRequest, failure: unknown): never {
    if (failure instanceof KeysError && failure.code === 'ERR_JWKS_UNAVAILABLE') {
      // Why the keys cannot be had (refused, timed out, ...) is in the JWKS fetch event the verifier logged.
      logDecision(request, bearer, { outcome: 'unavailable', reason: failure.code });
      context
        .switchToHttp()
        .getResponse<HttpResponse>()
        .setHeader('Retry-After', String(failure.retryAfterSeconds ?? 1));
      throw new ServiceUnavailableException();
    }
    return this.refuse(context, request, bearer, describeFailure(failure));
  }

  private refuse(context: ExecutionContext, request: GuardedRequest, bearer: BearerRequest, reason: string): never {
    const app = this.verifier.app;
    logDecision(request, bearer, { outcome: 'refused', reason });
    // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
    const challenge = bearer.problem === 'missing' ? `Bearer realm="${app}"` : `Bearer realm="${app}", error="invalid_token"`;
    context.switchToHttp().getResponse<HttpResponse>().setHeader('WWW-Authenticate', challenge);
    throw new UnauthorizedException();
  }
}
