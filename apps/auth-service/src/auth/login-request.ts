import { normalizeIp } from '@nestjs/throttler';

/** The parts of an express request the login route reads before its body is validated. */
export interface LoginRequest {
  readonly ip?: string;
  readonly body?: unknown;
  /** Its id, given by the service kit's `assignRequestId`. */
  readonly id?: unknown;
}

/** The part of an express response the login route writes to. */
export interface HeaderWriter {
  setHeader(name: string, value: string): void;
}

/** How much of a username or audience the limits and the log keep: the login body allows no more. */
const KEPT_LENGTH = 64;

/**
 * The client's address as express gives it (`request.ip`, with no proxy trusted), an IPv4-mapped
 * address written as IPv4 and an IPv6 address cut to its /64, which one host commonly holds whole.
 *
 * @example
 * clientAddress({ ip: '::ffff:127.0.0.2' }); // '127.0.0.2'
 */
export function clientAddress(request: LoginRequest): string {
  return normalizeIp(request.ip ?? '') || 'unknown';
}

/**
 * A field of the login body as the client sent it, cut to 64 characters; undefined when it is not a
 * string, so that every such value shares one bucket of the limits.
 *
 * @example
 * bodyField({ body: { username: 'x'.repeat(100) } }, 'username'); // 'xxx...' (64 characters)
 */
export function bodyField(request: LoginRequest, name: 'username' | 'audience'): string | undefined {
  const value = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>)[name] : undefined;
  return keptOf(value);
}

/** A value as the limits and the log keep it: a string cut to 64 characters, or undefined. */
export function keptOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, KEPT_LENGTH) : undefined;
}
