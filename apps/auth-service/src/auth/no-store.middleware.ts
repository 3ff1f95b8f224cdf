import type { HeaderWriter } from './login-request';

/**
 * RFC 6749 §5.1: a token response is not to be stored by any cache. Set before the guards run, so
 * that every answer of the login route carries it, a 429 or a 503 as well as the token.
 */
export function noStore(_request: unknown, response: HeaderWriter, next: () => void): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
  next();
}
