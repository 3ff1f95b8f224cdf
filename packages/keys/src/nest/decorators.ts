import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { AccessTokenPrincipal } from '../verify';

export const IS_PUBLIC = 'keys:public';
export const REQUIRED_ROLES = 'keys:roles';

/**
 * Opts a route out of the global token guard.
 *
 * @example
 * @Public() @Get('health') health() { ... }
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Requires every listed role; a token without one is a 403.
 *
 * @example
 * @Roles('admin') @Get('admin') admin() { ... }
 */
export const Roles = (...roles: string[]) => SetMetadata(REQUIRED_ROLES, roles);

/** What a route's decorators say of its access: `@Public()`, and the roles `@Roles()` requires (none without it). */
export interface RouteAccess {
  readonly isPublic: boolean;
  readonly roles: readonly string[];
}

// Decorators write their metadata once, when a class is defined: read per handler and class, once.
const accessOf = new WeakMap<object, WeakMap<object, RouteAccess>>();

/**
 * The access rules of the route being handled, read from its handler and its class (the handler's decorator
 * wins), once per handler and class: no metadata lookup per request.
 *
 * @example
 * if (routeAccess(this.reflector, context).isPublic) return true;
 */
export function routeAccess(reflector: Reflector, context: ExecutionContext): RouteAccess {
  const handler = context.getHandler();
  const type = context.getClass();
  let byClass = accessOf.get(handler);
  if (!byClass) accessOf.set(handler, (byClass = new WeakMap()));
  let access = byClass.get(type);
  if (!access) {
    const targets = [handler, type];
    access = Object.freeze({
      isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true,
      roles: Object.freeze([...(reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets) ?? [])]),
    });
    byClass.set(type, access);
  }
  return access;
}

/**
 * The verified principal of the request.
 *
 * @example
 * @Get('me') me(@Principal() principal: AccessTokenPrincipal) { ... }
 */
export const Principal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessTokenPrincipal =>
    context.switchToHttp().getRequest<{ user: AccessTokenPrincipal }>().user,
);
