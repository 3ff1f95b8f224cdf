import { randomBytes } from 'node:crypto';

/** The parts of an express request and response that {@link assignRequestId} touches. */
export interface IdentifiedRequest {
  id?: unknown;
}

export interface HeaderSetter {
  setHeader(name: string, value: string): void;
}

// A random prefix per process, then a counter: unique across restarts and apps, and no random bytes
// drawn per request.
const PREFIX = randomBytes(4).toString('hex');
let issued = 0;

/**
 * Express middleware that gives every request an id, `<8 hex of the process>-<counter in base 36>`, as
 * `request.id` (where pino-http would put it) and in the `X-Request-Id` response header, so that a
 * client can quote the id its answer was logged under. An incoming `X-Request-Id` is not taken: no
 * proxy is trusted here, and a client could otherwise pick the id its requests are logged under.
 *
 * @example
 * app.use(assignRequestId);
 */
export function assignRequestId(request: IdentifiedRequest, response: HeaderSetter, next: () => void): void {
  issued += 1;
  const id = `${PREFIX}-${issued.toString(36)}`;
  request.id = id;
  response.setHeader('X-Request-Id', id);
  next();
}

/**
 * The id {@link assignRequestId} gave a request; undefined for a request it never saw.
 *
 * @example
 * logLogin({ ..., reqId: requestIdOf(request) });
 */
export function requestIdOf(request: { readonly id?: unknown }): string | undefined {
  return typeof request.id === 'string' ? request.id : undefined;
}
