import { Logger } from '@nestjs/common';
import { keptOf } from './login-request';

/** What became of a login attempt. */
export type LoginOutcome = 'issued' | 'refused' | 'throttled' | 'busy';

export interface LoginEvent {
  /** As the client gave it: cut to 64 characters. */
  readonly username: unknown;
  readonly audience: unknown;
  readonly address: string;
  readonly outcome: LoginOutcome;
  /** The id of the token issued (`issued` only). */
  readonly jti?: string;
  /** The name of the limit that refused the attempt (`throttled` only): `per-user` or `per-address`. */
  readonly limit?: string;
  /** The request's id (see the service kit's `assignRequestId`). */
  readonly reqId?: string | undefined;
}

const logger = new Logger('auth');

/**
 * Writes one structured line per login attempt: username, audience, client address, outcome, the
 * token's `jti` or the limit that refused it, and the request's id. Never the password, never the token.
 *
 * @example
 * logLogin({ username: 'alice', audience: 'mobile-api', address: '127.0.0.1', outcome: 'refused', reqId });
 */
export function logLogin({ username, audience, address, outcome, jti, limit, reqId }: LoginEvent): void {
  const entry = { event: 'login', username: keptOf(username), audience: keptOf(audience), address, outcome, jti, limit, reqId };
  if (outcome === 'issued') logger.log(entry);
  else logger.warn(entry);
}
