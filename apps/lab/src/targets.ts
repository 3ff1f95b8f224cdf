import type { AppName } from '@jwt-blast-radius/keys';

/** Each app's routes as the lab probes them: one any user may call, one for admins only. */
export const ROUTES: Readonly<Record<AppName, { readonly user: string; readonly admin: string }>> = {
  'auth-service': { user: '/auth/me', admin: '/auth/users' },
  'dashboard-api': { user: '/dashboard/summary', admin: '/dashboard/admin' },
  'mobile-api': { user: '/mobile/feed', admin: '/mobile/admin' },
};

/** The demo user whose tokens the lab harvests: an ordinary user, as in the README. */
export const HARVESTED_USER = { username: 'alice', password: 'wonderland-alice' } as const;

/** Who a forged token claims to be. */
export const FORGED_IDENTITY = { sub: 'admin', roles: ['admin'] } as const;
