/**
 * One line of a service's log as pino writes it: the envelope every line has, then the fields of its
 * event (docs/logs.md lists them). Nest's own lines carry `context` and `msg` instead of an event.
 */
export interface LogLine {
  readonly level: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly app: string;
  /** What happened: `access`, `login`, `token-issued`, `jwks-fetch`, `keys-reloaded`, `listening`, `stopped`. */
  readonly event?: string;
  readonly [field: string]: unknown;
}

/**
 * Reads one line of a service's log; undefined for a line that is not a JSON object with a level,
 * a time and an app (something else the process printed, or a partial line).
 *
 * @example
 * parseLogLine('{"level":"info","time":1795946059000,"app":"mobile-api","event":"listening","url":"http://127.0.0.1:3002"}');
 * // { level: 'info', time: 1795946059000, app: 'mobile-api', event: 'listening', url: 'http://127.0.0.1:3002' }
 */
export function parseLogLine(line: string): LogLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { level, time, app } = value as Record<string, unknown>;
  return typeof level === 'string' && typeof time === 'number' && typeof app === 'string' ? (value as LogLine) : undefined;
}
