import { Logger } from '@nestjs/common';
import type { AccessTokenPrincipal } from '../verify';
import type { BearerRequest } from './bearer-request';

export interface Decision {
  readonly outcome: 'accepted' | 'refused' | 'forbidden' | 'unavailable';
  readonly reason?: string;
  /** The verified token's principal: an accepted or forbidden request has one. */
  readonly principal?: AccessTokenPrincipal;
}

/** What the log reads of a request beyond its bearer record (an express request has both). */
export interface LoggedRequest {
  /** The request's id, where the app gives it one (`request.id`, as the service kit and pino-http set it). */
  readonly id?: unknown;
  readonly socket?: { readonly remoteAddress?: string | undefined };
}

const logger = new Logger('auth');
const MAX_LOGGED = 128;

/**
 * Writes one structured line per access decision: route, outcome, reason, kid; for a verified token
 * its `sub`, `aud` and `jti`, so that an accepted token the issuer never issued can be found; the
 * client's address (the socket's peer: no forwarding header is trusted) and the request's id. Route
 * and kid come from the request's one parse; the token itself is never written. Accepted decisions
 * are logged at the default level, the others as warnings. The logger's own fields (time, level, the
 * app) come from the app's logger, whichever it is: Nest's default one or the service kit's pino.
 */
export function logDecision(request: LoggedRequest, { route, kid }: BearerRequest, { outcome, reason, principal }: Decision): void {
  const entry = {
    event: 'access',
    route,
    outcome,
    reason,
    kid,
    sub: principal && bounded(principal.sub),
    aud: principal && audienceOf(principal.audience),
    jti: principal && bounded(principal.jti),
    address: addressOf(request),
    reqId: typeof request.id === 'string' ? request.id : undefined,
  };
  if (outcome === 'accepted') logger.log(entry);
  else logger.warn(entry);
}

/** Names a verification failure without echoing anything from the token. */
export function describeFailure(failure: unknown): string {
  if (!failure) return 'unknown';
  if (failure instanceof Error) {
    const code = (failure as { code?: unknown }).code;
    return typeof code === 'string' ? code : `${failure.name}: ${failure.message}`.slice(0, 160);
  }
  return typeof failure === 'string' ? failure.slice(0, 160) : typeof failure;
}

function bounded(value: string): string {
  return value.length > MAX_LOGGED ? value.slice(0, MAX_LOGGED) : value;
}

// A verified token has one audience unless the insecure switch turned the audience check off.
function audienceOf(audience: AccessTokenPrincipal['audience']): string | string[] | undefined {
  if (typeof audience === 'string') return bounded(audience);
  return audience?.slice(0, 4).map(bounded);
}

function addressOf({ socket }: LoggedRequest): string | undefined {
  const address = socket?.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
