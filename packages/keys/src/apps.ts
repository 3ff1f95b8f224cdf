/** The three applications of the stack. Each is also the audience its tokens carry. */
export const APP_NAMES = ['auth-service', 'dashboard-api', 'mobile-api'] as const;

export type AppName = (typeof APP_NAMES)[number];

/** The app that signs every token (and publishes the JWKS where the mode has one). */
export const ISSUER_APP: AppName = 'auth-service';

/**
 * Tells whether a string names one of the stack's applications.
 *
 * @example
 * isAppName('mobile-api'); // true
 */
export function isAppName(value: unknown): value is AppName {
  return typeof value === 'string' && (APP_NAMES as readonly string[]).includes(value);
}
