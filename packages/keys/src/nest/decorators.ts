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

/** The roles `@Roles()` requires of the route being handled: none when it has no `@Roles()`. */
export function requiredRoles(reflector: Reflector, context: ExecutionContext): string[] {
  return reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]) ?? [];
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
