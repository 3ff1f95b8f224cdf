import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What one autocannon run measured. Latencies are in milliseconds, as autocannon records them (whole ms). */
export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses received. */
  readonly requests: number;
  /** Responses other than 2xx. */
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Responses by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly durationSeconds: number;
}

/**
 * Loads one URL with autocannon (its Node API) for a while, with keep-alive connections, and reads
 * what it measured.
 *
 * @example
 * const figures = await applyLoad({ url: `${url}/health`, connections: 50, durationSeconds: 6 });
 */
export async function applyLoad({ url, connections, durationSeconds, headers = {} }: LoadOptions): Promise<LoadFigures> {
  return figuresOf(await autocannon({ url, connections, duration: durationSeconds, headers: { ...headers } }));
}

/**
 * Sends an exact number of requests, each with the headers `headersFor` gives it (a fresh token each, say),
 * over keep-alive connections.
 *
 * @example
 * await sendRequests({ url, connections: 50, count: tokens.length, headersFor: (i) => ({ authorization: `Bearer ${tokens[i]}` }) });
 */
export async function sendRequests({
  url,
  connections,
  count,
  headersFor,
}: {
  readonly url: string;
  readonly connections: number;
  readonly count: number;
  readonly headersFor: (index: number) => Readonly<Record<string, string>>;
}): Promise<LoadFigures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: Math.min(connections, count),
    amount: count,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const headers = headersFor(next % count);
          next += 1;
          return { ...request, headers: { ...request.headers, ...headers } };
        },
      },
    ],
  });
  return figuresOf(result);
}

function figuresOf(result: autocannon.Result): LoadFigures {
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count = 0 }]) => [code, count]));
  return {
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
    durationSeconds: result.duration,
  };
}
