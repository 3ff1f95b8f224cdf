import { Logger } from '@nestjs/common';

/** A token the service has just signed, as the signer describes it: never the token itself. */
export interface IssuedTokenEvent {
  readonly jti: string;
  readonly sub: string;
  readonly aud: string;
  readonly kid: string;
  /** Its `exp` claim, in seconds since the epoch. */
  readonly exp: number;
  /** The id of the request it was issued in answer to (see the service kit's `assignRequestId`). */
  readonly reqId?: string | undefined;
}

const logger = new Logger('auth');

/**
 * Writes one structured line per token issued: its `jti`, `sub`, `aud`, `kid` and `exp`. It is the
 * issuer's record of the tokens that exist: a resource server's accepted `jti` that is not in it
 * belongs to a token the issuer never signed (forged with a stolen key).
 *
 * @example
 * logTokenIssued({ jti, sub: 'alice', aud: 'mobile-api', kid, exp, reqId });
 */
export function logTokenIssued({ jti, sub, aud, kid, exp, reqId }: IssuedTokenEvent): void {
  logger.log({ event: 'token-issued', jti, sub, aud, kid, exp, reqId });
}
