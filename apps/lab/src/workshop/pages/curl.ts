import { Agent, request } from 'node:http';

/** A response as `curl -si` prints it, and its status. */
export interface CurlResponse {
  readonly status: number;
  /** The status line, each header as the server sent it, a blank line and the body, lines ending in `\n`. */
  readonly text: string;
}

const TIMEOUT_MS = 10_000;

/**
 * Sends a bearer token to a URL and answers what `curl -si -H "authorization: Bearer $TOKEN" <url>` prints: the
 * status line and the headers exactly as the server sent them (names, case, order), then the body. The generator
 * prints responses with it so that the pages do not depend on curl being installed where they are generated; a test
 * compares it with curl itself where curl is.
 *
 * @example
 * const { status, text } = await curlWithBearer('http://127.0.0.1:3001/dashboard/admin', token);
 */
export function curlWithBearer(url: string, token: string): Promise<CurlResponse> {
  // A keep-alive connection, as curl's HTTP/1.1 has by default: the server then answers the same Connection headers.
  const agent = new Agent({ keepAlive: true });
  return new Promise<CurlResponse>((resolve, reject) => {
    const sent = request(url, { agent, headers: { authorization: `Bearer ${token}`, accept: '*/*' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const headers: string[] = [];
        for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
          headers.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
        const status = response.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        const lines = [`HTTP/${response.httpVersion} ${status} ${response.statusMessage ?? ''}`.trimEnd(), ...headers, '', body];
        resolve({ status, text: `${lines.join('\n')}${body.endsWith('\n') ? '' : '\n'}` });
      });
    });
    sent.setTimeout(TIMEOUT_MS, () => sent.destroy(new Error(`no answer from ${url} within ${TIMEOUT_MS / 1000} s`)));
    sent.on('error', reject);
    sent.end();
  }).finally(() => agent.destroy());
}
