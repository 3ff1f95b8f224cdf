import { Logger } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';

export interface Decision {
  readonly app: string;
  readonly route: string;
  readonly outcome: 'accepted' | 'refused' | 'forbidden';
  readonly reason?: string;
  readonly token?: string;
  readonly sub?: string;
}

const logger = new Logger('auth');

/**
 * Writes one structured line per access decision: app, route, outcome, reason, kid and sub where
 * known. The token itself is read for its kid and never written.
 */
export function logDecision({ token, ...decision }: Decision): void {
  const entry = { event: 'access', ...decision, kid: kidOf(token) };
  if (decision.outcome === 'accepted') logger.log(entry);
  else logger.warn(entry);
}

function kidOf(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
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
