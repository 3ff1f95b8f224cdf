/** The demo's three services: the default topology of every command. Each is also the audience its tokens carry. */
export const APP_NAMES = ['auth-service', 'dashboard-api', 'mobile-api'] as const;

/** A service of the demo. The keys package takes any service name (see `Topology`); the demo's are these. */
export type AppName = (typeof APP_NAMES)[number];

/** The demo's issuer: the app that signs every token (and publishes the JWKS where the mode has one). */
export const ISSUER_APP: AppName = 'auth-service';

/**
 * Tells whether a string names one of the demo's services.
 *
 * @example
 * isAppName('mobile-api'); // true
 */
export function isAppName(value: unknown): value is AppName {
  return typeof value === 'string' && (APP_NAMES as readonly string[]).includes(value);
}
