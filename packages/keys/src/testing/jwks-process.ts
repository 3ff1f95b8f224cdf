import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { JsonWebKeySet } from '../keyset';

/** An issuer's JWKS served by a process of its own, which a test can kill and start again on the same port. */
export interface JwksProcess extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The requests served since the first start, restarts included; every request answered so far is counted. */
  served(): Promise<number>;
  /** Kills the process with SIGKILL (the issuer stops without a goodbye) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts the process again on the same port, serving `body` if given, else what it served before. */
  restart(body?: JsonWebKeySet | string): Promise<void>;
}

export interface JwksProcessOptions {
  /** The loopback port to listen on; a free one unless given. */
  readonly port?: number;
}

// The body comes as the first line on stdin (a JSON string, so of any size). Each request is written to stdout
// before it is answered; any later line on stdin is answered with "pong" after every request line written so
// far, which is how the parent knows its count is complete.
const SERVER_SCRIPT = `
let body;
const server = require('node:http').createServer((req, res) => {
  process.stdout.write('served ' + req.method + '\\n');
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
server.on('error', (error) => {
  process.stderr.write(String(error.code) + '\\n');
  process.exit(1);
});
require('node:readline')
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (body !== undefined) return void process.stdout.write('pong\\n');
    body = JSON.parse(line);
    server.listen(Number(process.env.JWKS_PORT), '127.0.0.1', () => process.stdout.write('listening ' + server.address().port + '\\n'));
  })
  .on('close', () => process.exit(0));
`;

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pongs: (() => void)[];
  readonly closed: Promise<unknown>;
}

/**
 * Serves a JWK set (or any body, given as a string) over real HTTP from a separate Node process on a
 * loopback port. Every request it serves is reported on its stdout, and counted. Killed by `await using`,
 * or by `kill()`.
 *
 * @example
 * await using issuer = await startJwksProcess({ keys: [publicJwk] });
 * await issuer.kill(); // the issuer is down
 * await issuer.restart(); // and back, on the same port
 * await issuer.served(); // 2, if a fetch came before and after
 */
export async function startJwksProcess(jwks: JsonWebKeySet | string, { port = 0 }: JwksProcessOptions = {}): Promise<JwksProcess> {
  let body = typeof jwks === 'string' ? jwks : JSON.stringify(jwks);
  let served = 0;
  let running: Running | undefined;

  async function launch(listenPort: number): Promise<number> {
    const child = spawn(process.execPath, ['-e', SERVER_SCRIPT], {
      env: { JWKS_PORT: String(listenPort) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const current: Running = { child, pongs: [], closed: once(child, 'close') };
    running = current;
    // A ping written as the process dies fails with EPIPE; its count is then final anyway.
    child.stdin.on('error', () => undefined);
    child.stdin.write(`${JSON.stringify(body)}\n`);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('served ')) served += 1;
        else if (line === 'pong') current.pongs.shift()?.();
        else if (line.startsWith('listening ')) resolve(Number(line.slice('listening '.length)));
      });
      void current.closed.then(() => {
        for (const pong of current.pongs.splice(0)) pong();
        if (running === current) running = undefined;
        reject(new Error(`the JWKS process stopped before it listened (${stderr.trim() || 'no reason given'})`));
      });
    });
  }

  async function kill(): Promise<void> {
    const current = running;
    if (!current) return;
    current.child.kill('SIGKILL');
    await current.closed;
  }

  const listening = await launch(port);
  return {
    url: `http://127.0.0.1:${listening}/.well-known/jwks.json`,
    port: listening,
    async served() {
      const current = running;
      if (current) {
        const pong = new Promise<void>((resolve) => current.pongs.push(resolve));
        current.child.stdin.write('ping\n');
        await pong;
      }
      return served;
    },
    kill,
    async restart(next) {
      await kill();
      if (next !== undefined) body = typeof next === 'string' ? next : JSON.stringify(next);
      await launch(listening);
    },
    [Symbol.asyncDispose]: kill,
  };
}
