import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseLogLine } from '@jwt-blast-radius/service-kit';

/** A pass-through in front of the issuer's JWKS endpoint that counts the requests it forwards. */
export interface JwksTap extends AsyncDisposable {
  /** The URL to give an API as its `JWKS_URL`. */
  readonly url: string;
  /** The requests forwarded to the issuer's endpoint so far. */
  served(): number;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port and forwards every request, as it is, to the issuer's JWKS endpoint,
 * answering with what the issuer answered: an API given the tap's URL as its `JWKS_URL` fetches the
 * issuer's real JWKS, and each fetch is counted where it is served rather than where it is logged.
 *
 * @example
 * await using tap = await startJwksTap(`${issuer}/.well-known/jwks.json`);
 * // start the API with JWKS_URL=tap.url, load it, then:
 * tap.served(); // how many times the API fetched the JWKS
 */
export async function startJwksTap(upstream: string): Promise<JwksTap> {
  const target = new URL(upstream);
  let served = 0;
  const server = createServer((incoming, answer) => {
    served += 1;
    const forwarded = httpRequest(target, { method: incoming.method, headers: { ...incoming.headers, host: target.host } }, (response) => {
      answer.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(answer);
    });
    forwarded.on('error', () => {
      if (answer.headersSent) answer.destroy();
      else answer.writeHead(502).end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}${target.pathname}`, served: () => served, close, [Symbol.asyncDispose]: close };
}

/** The JWKS fetches a service's log records so far: its lines whose event is `jwks-fetch` (docs/logs.md). */
export async function countLoggedJwksFetches(logFile: string): Promise<number> {
  const text = await readFile(logFile, 'utf8');
  return text.split('\n').filter((line) => line.includes('jwks-fetch') && parseLogLine(line)?.event === 'jwks-fetch').length;
}
