import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findFreePorts, isHealthy, isPortFree } from './index';

describe('ports and health on loopback', () => {
  it('finds different free ports, and tells a port in use from a free one', async () => {
    const [a, b] = await findFreePorts(2);
    expect(a).not.toBe(b);
    const server = createServer((_req, res) => res.writeHead(200).end('{}'));
    await new Promise<void>((resolve) => server.listen(a, '127.0.0.1', resolve));
    try {
      expect({ used: await isPortFree(a!), free: await isPortFree(b!) }).toEqual({ used: false, free: true });
      expect(await isHealthy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isHealthy(`http://127.0.0.1:${a}`)).toBe(false);
  });

  it('gives up on a server that accepts a request and never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      expect(await isHealthy(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`)).toBe(false);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
