/**
 * A span of time as a reader says it: seconds under 90 s, minutes under 90 min, hours under 48 h, else days.
 *
 * @example
 * spanOf(299); // '5 min'
 */
export function spanOf(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/**
 * How a NumericDate (RFC 7519 §2, seconds since the epoch) stands to `now`, both in seconds: `in 4 min`,
 * `2 min ago`, or `now`.
 *
 * @example
 * relativeTo(1_800_000_240, 1_800_000_000); // 'in 4 min'
 */
export function relativeTo(time: number, now: number): string {
  const delta = time - now;
  if (Math.round(delta) === 0) return 'now';
  return delta > 0 ? `in ${spanOf(delta)}` : `${spanOf(delta)} ago`;
}

/**
 * A NumericDate as an ISO 8601 instant, to the second.
 *
 * @example
 * isoOf(1_800_000_000); // '2027-01-15T08:00:00Z'
 */
export function isoOf(time: number): string {
  const date = new Date(time * 1000);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
