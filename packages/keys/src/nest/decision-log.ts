import { Logger } from '@nestjs/common';
import type { BearerRequest } from './bearer-request';

export interface Decision {
  readonly app: string;
  readonly outcome: 'accepted' | 'refused' | 'forbidden' | 'unavailable';
  readonly reason?: string;
  readonly sub?: string;
}

const logger = new Logger('auth');

/**
 * Writes one structured line per access decision: app, route, outcome, reason, kid and sub where
 * known. Route and kid come from the request's one parse; the token itself is never written.
 */
export function logDecision({ route, kid }: BearerRequest, decision: Decision): void {
  const entry = { event: 'access', app: decision.app, route, outcome: decision.outcome, reason: decision.reason, kid, sub: decision.sub };
  if (decision.outcome === 'accepted') logger.log(entry);
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
