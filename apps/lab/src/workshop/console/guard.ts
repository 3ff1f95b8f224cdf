import type { IncomingHttpHeaders } from 'node:http';

/**
 * The headers of every answer: never cached (the page shows secrets), never sniffed, scripts and styles from the
 * console itself only, no framing, no referrer, nothing loadable by another origin.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The `Host` values the console answers to: its own address, by number or as localhost. */
export function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Why a request must be refused, or undefined when it may be answered. The console shows secrets, so it answers
 * only requests from its own page: a `Host` other than its own address is refused (DNS rebinding), as is an
 * `Origin` other than its own, a fetch the browser marks as from another site (`Sec-Fetch-Site`), and a POST
 * without an `Origin` (a state change must show it comes from the page).
 *
 * @example
 * refusalOf('GET', { host: 'evil.example:3080' }, 3080); // 'foreign Host'
 */
export function refusalOf(method: string | undefined, headers: IncomingHttpHeaders, port: number): string | undefined {
  const host = headers.host;
  if (host === undefined || !ownHosts(port).includes(host)) return 'foreign Host';
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return 'foreign Origin';
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${String(site)} request`;
  if (method === 'POST' && origin === undefined) return 'a POST without Origin';
  return undefined;
}
