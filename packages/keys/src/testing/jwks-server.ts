import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKeySet } from '../keyset';

export interface JwksServer extends AsyncDisposable {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a JWK set over real HTTP on a free loopback port, for tests of a verifier that fetches
 * its keys. Closed by `await using`, or by `close()`.
 *
 * @example
 * await using server = await startJwksServer({ keys: [publicJwk] });
 */
export async function startJwksServer(jwks: JsonWebKeySet): Promise<JwksServer> {
  const body = JSON.stringify(jwks);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, close, [Symbol.asyncDispose]: close };
}
