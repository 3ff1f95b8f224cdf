import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { curlWithBearer } from './curl';

// What the workshop's pages print for `curl -si`, against curl itself, on a server answering as the services do:
// headers in their own order and case, a keep-alive connection, a JSON body.
describe('a response as curl -si prints it', () => {
  let server: Server;
  let url: string;
  let curl: string | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const known = request.headers.authorization === 'Bearer a.b.c';
      response.setHeader('X-Request-Id', 'fixed-1');
      if (!known) response.setHeader('WWW-Authenticate', 'Bearer realm="test", error="invalid_token"');
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.statusCode = known ? 200 : 401;
      response.end(JSON.stringify(known ? { admin: true } : { message: 'Unauthorized', statusCode: 401 }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    curl = await promisify(execFile)('curl', ['--version']).then(
      () => 'curl',
      () => undefined,
    );
    if (!curl) process.stderr.write('curl is not installed: the comparison with curl itself is skipped\n');
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(['a.b.c', 'x.y.z'])('prints the status line, the headers as sent and the body, for the token %s', async (token) => {
    const ours = await curlWithBearer(url, token);
    expect(ours.status).toBe(token === 'a.b.c' ? 200 : 401);
    expect(ours.text).toMatch(/^HTTP\/1\.1 (200 OK|401 Unauthorized)\nX-Request-Id: fixed-1\n/);
    if (!curl) return;
    const { stdout } = await promisify(execFile)(curl, ['-si', '-H', `authorization: Bearer ${token}`, url]);
    const theirs = `${stdout.replaceAll('\r\n', '\n')}\n`.replace(/^Date: .*$/m, 'Date: -');
    expect(ours.text.replace(/^Date: .*$/m, 'Date: -')).toBe(theirs);
  });
});
