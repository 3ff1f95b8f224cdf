import { Injectable, type ExecutionContext } from '@nestjs/common';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import { requestIdOf } from '@jwt-blast-radius/service-kit';
import type { LoginSettings } from '../config/config';
import { logLogin } from './login-events';
import { bodyField, clientAddress, type HeaderWriter, type LoginRequest } from './login-request';

/**
 * The two limits of the login route, over the same window: attempts from one client address, and
 * attempts from it for one username. Every attempt counts, a successful one too.
 *
 * @example
 * ThrottlerModule.forRoot(loginThrottlerOptions({ attemptsPerUser: 5, attemptsPerAddress: 20, windowSeconds: 60, hashesInFlight: 2 }));
 */
export function loginThrottlerOptions({ attemptsPerUser, attemptsPerAddress, windowSeconds }: LoginSettings): ThrottlerModuleOptions {
  const ttl = windowSeconds * 1000;
  return {
    // The guard below sends the one standard `Retry-After`; the throttler would send `Retry-After-<name>`
    // and `X-RateLimit-*-<name>` headers for each named limit.
    setHeaders: false,
    errorMessage: 'too many login attempts',
    // The per-address limit comes first (the throttler keeps this order for equal windows) and stops at
    // the first limit reached: an attempt the per-user limit refuses still counts against the address.
    throttlers: [
      { name: 'per-address', ttl, limit: attemptsPerAddress, getTracker: (request: LoginRequest) => clientAddress(request) },
      {
        name: 'per-user',
        ttl,
        limit: attemptsPerUser,
        // JSON keeps a username apart from the address, and every non-string username in one bucket (`null`).
        getTracker: (request: LoginRequest) => `${clientAddress(request)} ${JSON.stringify(bodyField(request, 'username') ?? null)}`,
      },
    ],
  };
}

/**
 * The throttler of the login route, bound to it alone with `@UseGuards`: it runs before the handler,
 * so a refused attempt never reaches a password hash. It answers 429 with a plain `Retry-After`
 * (RFC 9110 §10.2.3) and logs the attempt as `throttled`, naming the limit.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof ThrottlerException) {
        const http = request.context.switchToHttp().getRequest<LoginRequest>();
        logLogin({
          username: bodyField(http, 'username'),
          audience: bodyField(http, 'audience'),
          address: clientAddress(http),
          outcome: 'throttled',
          limit: request.throttler.name,
          reqId: requestIdOf(http),
        });
      }
      throw error;
    }
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<HeaderWriter>().setHeader('Retry-After', String(seconds));
    return super.throwThrottlingException(context, detail);
  }
}
