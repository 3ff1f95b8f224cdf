import { parseLogLine, type LogLine } from '@jwt-blast-radius/service-kit';

// How `npm start` shows the services' JSON lines (docs/logs.md): one readable line per event.

/** A logged value as text: strings and numbers as they are, lists joined, anything else left out. */
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : Array.isArray(value) ? value.map(text).join(', ') : '';
/** `label value`, or nothing when there is no value. */
const labelled = (label: string, value: unknown) => (text(value) ? `${label} ${text(value)}` : '');
const extras = (...parts: string[]) => {
  const shown = parts.filter(Boolean).join(', ');
  return shown ? ` (${shown})` : '';
};

/** A time in seconds since the epoch (a token's `exp`) as the time of day, UTC. */
const clock = (seconds: unknown) => (typeof seconds === 'number' ? `${new Date(seconds * 1000).toISOString().slice(11, 19)} UTC` : '');

/** How each event the services log reads: one line. Adding an event is one entry. */
const EVENT_LINES: Readonly<Record<string, (e: LogLine) => string>> = {
  access: (e) =>
    `${text(e.route)} → ${text(e.outcome)}${extras(labelled('sub', e.sub), labelled('kid', e.kid), labelled('jti', e.jti), text(e.reason))}`,
  login: (e) =>
    `login ${text(e.username)} for ${text(e.audience)} from ${text(e.address)} → ${text(e.outcome)}${extras(labelled('limit', e.limit))}`,
  'token-issued': (e) =>
    `token issued to ${text(e.sub)} for ${text(e.aud)}${extras(labelled('kid', e.kid), labelled('jti', e.jti), labelled('expires', clock(e.exp)))}`,
  'jwks-fetch': (e) =>
    `JWKS fetch (${text(e.trigger)}) → ${text(e.outcome)}${extras(text(e.kids), text(e.reason), text(e.ms) && `${text(e.ms)} ms`)}`,
  'keys-reloaded': (e) =>
    `keys reloaded → ${text(e.outcome)}: ${text(e.kids) || 'no kid'}${text(e.signing) ? `; signs with ${text(e.signing)}` : ''}${extras(text(e.reason))}`,
};

/**
 * One line of a service's log as a person reads it: an event as one line, a warning or an error as its message,
 * a line that is not the services' JSON as it is; undefined for a line not worth showing (an info line that is
 * no event, a blank line).
 *
 * @example
 * readableLogLine('{"level":"info","time":1,"app":"dashboard-api","event":"access","route":"GET /dashboard/summary","outcome":"accepted","sub":"alice"}');
 * // 'GET /dashboard/summary → accepted (sub alice)'
 */
export function readableLogLine(line: string): string | undefined {
  const entry = parseLogLine(line);
  if (!entry) return line.trim() ? line : undefined;
  const format = entry.event === undefined ? undefined : EVENT_LINES[entry.event];
  if (format) return format(entry);
  if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') return `${entry.level}: ${messageOf(entry)}`;
  return undefined;
}

/** What a line says besides its envelope: its message, its error's message, or its fields as JSON. */
function messageOf(entry: LogLine): string {
  if (typeof entry.msg === 'string') return entry.msg;
  const error = entry.err as { message?: unknown } | undefined;
  if (typeof error?.message === 'string') return error.message;
  return JSON.stringify({ ...entry, level: undefined, time: undefined, app: undefined, context: undefined });
}
