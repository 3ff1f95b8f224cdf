import type { JWSHeaderParameters } from 'jose';
import { KeysError } from '../errors';
import { extractBearerToken, readCompactJws, type CompactJws } from '../token';

/** The parts of an express request the guards read. */
export interface HttpRequest {
  readonly method: string;
  readonly originalUrl?: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly route?: { readonly path?: unknown };
  user?: unknown;
}

/**
 * What the guards need to know of a request, read in one pass and carried with it: its route, its bearer
 * token, the token's protected header, decoded once, and its claims segment, decoded once the signature
 * is verified. Neither the strategy nor a guard parses again.
 */
export interface BearerRequest {
  /** `<method> <route>`: the route's pattern where the router matched one, else the path (bounded). */
  readonly route: string;
  /** The bearer token, when the request carries a well-formed one. Never logged. */
  readonly token: string | undefined;
  /** Its protected header, decoded once. */
  readonly header: JWSHeaderParameters | undefined;
  /** Its claims segment, still encoded: `decodeClaims` reads it once the signature is verified. */
  readonly claimsSegment: string | undefined;
  /** The header's kid, bounded, for the log. */
  readonly kid: string | undefined;
  /**
   * Why there is no token to verify: `missing` (no Authorization header, or another scheme) or the code
   * of the problem; undefined when the token goes on to verification.
   */
  readonly problem: 'missing' | 'ERR_TOKEN_TOO_LARGE' | 'ERR_TOKEN_MALFORMED' | undefined;
}

const BEARER = Symbol('keys:bearer-request');
const MAX_LOGGED = 64;

/**
 * Reads a request's {@link BearerRequest}, once: a second call returns the same record.
 *
 * @example
 * const { token, header, problem } = readBearerRequest(context.switchToHttp().getRequest());
 */
export function readBearerRequest(request: HttpRequest): BearerRequest {
  const carried = request as HttpRequest & { [BEARER]?: BearerRequest };
  return (carried[BEARER] ??= describe(request));
}

function describe(request: HttpRequest): BearerRequest {
  const pattern = request.route?.path;
  const path = typeof pattern === 'string' ? pattern : (request.originalUrl ?? request.url).split('?')[0]!.slice(0, 256);
  const route = `${request.method} ${path}`;
  const authorization = request.headers.authorization;
  const credentials = extractBearerToken(typeof authorization === 'string' ? authorization : undefined);
  if (!credentials.found) {
    const problem =
      credentials.problem === 'missing' ? 'missing' : credentials.problem === 'too-large' ? 'ERR_TOKEN_TOO_LARGE' : 'ERR_TOKEN_MALFORMED';
    return refused(route, problem);
  }
  let jws: CompactJws;
  try {
    jws = readCompactJws(credentials.token);
  } catch (error) {
    if (!(error instanceof KeysError)) throw error;
    return refused(route, 'ERR_TOKEN_MALFORMED');
  }
  const { header, claimsSegment } = jws;
  const kid = typeof header.kid === 'string' ? header.kid.slice(0, MAX_LOGGED) : undefined;
  return { route, token: credentials.token, header, claimsSegment, kid, problem: undefined };
}

function refused(route: string, problem: NonNullable<BearerRequest['problem']>): BearerRequest {
  return { route, token: undefined, header: undefined, claimsSegment: undefined, kid: undefined, problem };
}
