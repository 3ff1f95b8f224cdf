import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Running built apps as child processes, as the stack, the lab and the apps' tests do: spawning, waiting for
// health, free ports. No Nest code here, and no workspace import: processes and HTTP only.

/**
 * fetch with a deadline that keeps the process alive while it waits. (`AbortSignal.timeout` does
 * not: a request that a proxy accepts and never answers, as docker-proxy does for a container that is
 * not listening yet, would otherwise let the process exit in the middle of a run.)
 *
 * @example
 * const response = await fetchWithin(5000, 'http://127.0.0.1:3001/health');
 */
export async function fetchWithin(ms: number, url: string, init: RequestInit = {}): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer from ${url} within ${ms} ms`)), ms);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    await response.clone().arrayBuffer();
    return response;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the service at `url` answers its /health with a 2xx. */
export async function isHealthy(url: string): Promise<boolean> {
  try {
    return (await fetchWithin(2_000, `${url}/health`)).ok;
  } catch {
    return false;
  }
}

/**
 * Ports that are free on a loopback address now, all different: each is held until all are found.
 *
 * @example
 * const [authPort, dashboardPort] = await findFreePorts(2);
 */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** Whether nothing listens on a loopback port now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The whole environment of a spawned app: `PATH`, `HOST=127.0.0.1`, `PORT=0` and the settings, nothing inherited. */
function bareEnv(settings: Readonly<Record<string, string>>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...settings };
}

/** A built app running as a child process. Stopped by `await using`, or by `stop()`. */
export interface SpawnedService extends AsyncDisposable {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Each line the app prints, as it prints it (stderr only, with `logFile`). */
  readonly onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * A file the app's standard output (its log) is appended to, by the app itself: this process never
   * handles the lines, so that a load generator in it is not slowed by the log it causes.
   */
  readonly logFile?: string;
  readonly timeoutMs?: number;
}

/**
 * Starts a built app (`node <app>/dist/main.js`) with a bare environment and the given `PORT`, and
 * waits until its `/health` answers 200. If it exits first, or stays unhealthy for `timeoutMs`, it is
 * stopped and the error quotes the last line it printed on stderr (an app's start-up error is one line).
 *
 * @example
 * const [port] = await findFreePorts(1);
 * await using auth = await spawnService(main, { PORT: String(port), AUTH_MODE: 'rs256-jwks', KEYS_DIR: dir });
 */
export async function spawnService(
  main: string,
  settings: Readonly<Record<string, string>> & { readonly PORT: string },
  { onOutput, logFile, timeoutMs = 30_000 }: SpawnOptions = {},
): Promise<SpawnedService> {
  const env = bareEnv(settings);
  const url = `http://${env.HOST}:${env.PORT}`;
  const log = logFile === undefined ? undefined : await open(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [main], { env, cwd: dirname(dirname(main)), stdio: ['ignore', log?.fd ?? 'pipe', 'pipe'] });
  } finally {
    // The child holds its own copy of the descriptor.
    await log?.close();
  }
  let lastError = '';
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (stream === 'stderr' && line.trim()) lastError = line;
        onOutput?.(line, stream);
      }
    });
  }
  let ended = false;
  const end = once(child, 'close').then(
    () => void (ended = true),
    () => void (ended = true),
  );
  const stop = async () => {
    if (ended) return;
    child.kill('SIGTERM');
    // Only for a service that ignores SIGTERM: a busy machine may take seconds to write a service's log out.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await end;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await isHealthy(url))) {
    if (ended || Date.now() > deadline) {
      await stop();
      throw new Error(ended && lastError ? lastError : `${main} did not become healthy at ${url} (${ended ? 'it exited' : 'timed out'})`);
    }
    await sleep(100);
  }
  return { url, child, stop, [Symbol.asyncDispose]: stop };
}

/** How a built app ended. `status` is null when it had to be killed. */
export interface ExitedService {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a built app (`node <app>/dist/main.js`) until it exits, with a bare environment: `PATH`,
 * `HOST=127.0.0.1`, `PORT=0` and the given settings, nothing inherited. For start-up failures: an
 * app still running after `timeoutMs` is killed.
 *
 * @example
 * const { status, stderr } = await runServiceToExit(main, { AUTH_MODE: 'none' });
 */
export async function runServiceToExit(
  main: string,
  settings: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
): Promise<ExitedService> {
  const child = spawn(process.execPath, [main], { env: bareEnv(settings), cwd: dirname(dirname(main)), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
