import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A loopback listener that accepts every connection and never answers. */
export interface SilentListener extends AsyncDisposable {
  readonly url: string;
  /** The connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export interface SilentListenerOptions {
  /** The loopback port to listen on (say, that of an issuer just killed); a free one unless given. */
  readonly port?: number;
}

/**
 * Listens on a loopback port, accepts connections and never writes a byte: an issuer that hangs, for a
 * test of a fetch timeout. Closed, with every connection it holds, by `await using` or `close()`.
 *
 * @example
 * await using hanging = await startSilentListener();
 * createRemoteKeySet(hanging.url, { timeoutMs: 200 });
 */
export async function startSilentListener({ port: listenPort = 0 }: SilentListenerOptions = {}): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get connections() {
      return connections;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
