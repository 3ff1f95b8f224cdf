import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MODE_NAMES, isAppName, type ModeName } from '@jwt-blast-radius/keys';
import type { StackDriver } from '@jwt-blast-radius/stack';
import { SECURITY_HEADERS, refusalOf } from './guard';
import { WorkshopSession, type Refusal, type Taken } from './session';

/** The port the console listens on unless told. */
export const DEFAULT_WORKSHOP_PORT = 3080;

/** The mode the console starts in unless told. */
export const DEFAULT_WORKSHOP_MODE: ModeName = 'shared-hs256';

/** The page's files, served as they are (no build step): the folder is copied next to the compiled code. */
const ASSETS = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
} as const;

/** The largest POST body read: the page's requests are a few bytes of JSON. */
const MAX_BODY_BYTES = 4096;

const KEEP_ALIVE_MS = 15_000;

export interface WorkshopOptions {
  /** 0 for a free one; {@link DEFAULT_WORKSHOP_PORT} unless given. */
  readonly port?: number;
  readonly mode?: ModeName;
  readonly insecure?: boolean;
  /** How the stack runs; the lab's local driver unless given. */
  readonly driver?: StackDriver;
  /** Every progress line, as it comes. */
  readonly log?: (line: string) => void;
}

/** The console, listening on loopback, its stack starting. */
export interface Workshop extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly session: WorkshopSession;
  /** Stops listening, ends every page's event stream, waits for the operation under way and stops the stack. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the workshop console on 127.0.0.1: the page, its event stream (`/api/events`, Server-Sent Events of the
 * whole view at each change) and its operations (POST `/api/stack`, `/api/compromise`, `/api/reveal`,
 * `/api/catalogue`, `/api/drill`), and starts the stack in `mode`. Every request not from its own page is refused
 * with a 403 (see {@link refusalOf}); a second long operation while one runs, with a 409.
 *
 * @example
 * await using workshop = await startWorkshop({ port: 0, mode: 'per-app-secret' });
 * console.log(workshop.url); // http://127.0.0.1:41235/
 */
export async function startWorkshop({
  port = DEFAULT_WORKSHOP_PORT,
  mode = DEFAULT_WORKSHOP_MODE,
  insecure = false,
  driver,
  log,
}: WorkshopOptions = {}): Promise<Workshop> {
  const assets = await loadAssets();
  const session = new WorkshopSession({ mode, insecure, ...(driver ? { driver } : {}), ...(log ? { log } : {}) });
  const streams = new Set<ServerResponse>();
  let listening = 0;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const text = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) send(response, status, 'text/plain; charset=utf-8', `${text}\n`);
      else response.end();
    });
  });

  const operations = operationsOf(session);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = refusalOf(request.method, request.headers, listening);
    if (refusal !== undefined) return send(response, 403, 'text/plain; charset=utf-8', `Forbidden: ${refusal}\n`);
    const path = (request.url ?? '/').split('?')[0]!;
    const method = request.method ?? 'GET';
    const asset = Object.hasOwn(ASSETS, path) ? ASSETS[path as keyof typeof ASSETS] : undefined;
    if (path === '/api/events')
      return method === 'GET' ? streamViews(session, streams, request, response) : methodNotAllowed(response, 'GET');
    if (asset || path === '/api/state' || path === '/favicon.ico') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
      if (asset) return send(response, 200, asset.type, assets[asset.file]);
      if (path === '/api/state') return sendJson(response, 200, session.view());
      return send(response, 204, 'text/plain', '');
    }
    const operation = operations[path];
    if (!operation) return send(response, 404, 'text/plain; charset=utf-8', 'Not found\n');
    if (method !== 'POST') return methodNotAllowed(response, 'POST');
    const body = await readJson(request);
    const outcome = operation(body);
    if ('refused' in outcome)
      return send(response, outcome.refused === 'closing' ? 503 : 409, 'text/plain; charset=utf-8', `${outcome.message}\n`);
    if ('secrets' in outcome) return sendJson(response, 200, outcome.secrets);
    return sendJson(response, 202, outcome);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(describeListenError(error, port)));
    server.listen(port, '127.0.0.1', resolve);
  });
  listening = (server.address() as AddressInfo).port;
  session.restart(mode, insecure);

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of streams) response.end();
      server.closeAllConnections();
      await stopped;
      await session.close();
    })());
  return { url: `http://127.0.0.1:${listening}/`, port: listening, session, close, [Symbol.asyncDispose]: close };
}

type Outcome = Taken | Refusal | { readonly secrets: unknown };

/** The console's operations, by path: each reads its body and starts or answers at once. */
function operationsOf(session: WorkshopSession): Readonly<Record<string, (body: Record<string, unknown>) => Outcome>> {
  return {
    '/api/stack': (body) => session.restart(readMode(body.mode), readBoolean(body.insecure, 'insecure')),
    '/api/compromise': (body) => session.compromise(readApp(body.app)),
    '/api/reveal': (body) => {
      const secrets = session.reveal(readApp(body.app));
      if (!secrets) throw new HttpError(404, 'that app is not compromised in the running stack');
      return { secrets };
    },
    '/api/catalogue': () => session.runCatalogue(),
    '/api/drill': (body) => session.runDrill(readApp(body.app)),
  };
}

/** Sends the whole view at once, then again at each change, until the page goes away. */
function streamViews(session: WorkshopSession, streams: Set<ServerResponse>, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
  const write = (view: unknown) => response.write(`event: state\ndata: ${JSON.stringify(view)}\n\n`);
  response.write('retry: 1000\n\n');
  write(session.view());
  streams.add(response);
  const stop = session.onChange(write);
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  request.on('close', () => {
    clearInterval(keepAlive);
    stop();
    streams.delete(response);
  });
}

type AssetFile = (typeof ASSETS)[keyof typeof ASSETS]['file'];

async function loadAssets(): Promise<Record<AssetFile, string>> {
  const files = Object.values(ASSETS).map((asset) => asset.file);
  const texts = await Promise.all(files.map((file) => readFile(join(__dirname, 'public', file), 'utf8')));
  return Object.fromEntries(files.map((file, i) => [file, texts[i]!])) as Record<AssetFile, string>;
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  response.setHeader('allow', allow);
  send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/.test(type)) throw new HttpError(415, 'send application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function readMode(value: unknown): ModeName {
  if (typeof value === 'string' && (MODE_NAMES as readonly string[]).includes(value)) return value as ModeName;
  throw new HttpError(400, `mode must be one of ${MODE_NAMES.join(', ')}`);
}

function readApp(value: unknown) {
  if (isAppName(value)) return value;
  throw new HttpError(400, 'app must name one of the three apps');
}

function readBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new HttpError(400, `${name} must be true or false`);
}

function describeListenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} is in use: pick another with --port <n>, or --port 0 for a free one`);
  return error instanceof Error ? error : new Error(String(error));
}
