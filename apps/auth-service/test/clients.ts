import { request, type IncomingHttpHeaders } from 'node:http';

/** An answer as one client saw it. */
export interface ClientAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or `{}` when it is not JSON. */
  readonly body: Record<string, unknown>;
}

/**
 * POSTs a JSON body from a socket bound to `from`: every address of 127.0.0.0/8 reaches a service
 * listening on 127.0.0.1, which sees each one as a client of its own.
 *
 * @example
 * await postJsonFrom('127.0.0.2', `${url}/auth/login`, { username: 'alice', password: 'guess', audience: 'mobile-api' });
 */
export function postJsonFrom(from: string, url: string, body: unknown): Promise<ClientAnswer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      localAddress: from,
      // A socket of its own for every request: a shared keep-alive socket would serialise them.
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parseObject(text) }));
    });
    outgoing.end(payload);
  });
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The client addresses `127.0.0.<first>` onward, `count` of them. */
export function loopbackAddresses(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `127.0.0.${first + index}`);
}
