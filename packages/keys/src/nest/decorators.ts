import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
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

/**
 * The verified principal of the request.
 *
 * @example
 * @Get('me') me(@Principal() principal: AccessTokenPrincipal) { ... }
 */
export const Principal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessTokenPrincipal => context.switchToHttp().getRequest<{ user: AccessTokenPrincipal }>().user,
);
