import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { AppName } from '@jwt-blast-radius/keys';

/** The compiled entry point of an app of the workspace. */
export function appEntryPoint(app: AppName): string {
  return join(dirname(require.resolve(`${app}/package.json`)), 'dist', 'main.js');
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  readonly app: AppName;
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts an app as its own process with exactly the environment given (plus PATH), and waits until
 * its /health answers. If it exits first, the error carries the one line it printed.
 *
 * @example
 * const service = await startService('mobile-api', { PORT: '3002', AUTH_MODE: 'rs256-jwks' });
 */
export async function startService(
  app: AppName,
  env: Record<string, string>,
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [appEntryPoint(app)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastError = '';
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (stream === 'stderr' && line.trim()) lastError = line;
        onOutput?.(line, stream);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://${env.HOST ?? '127.0.0.1'}:${env.PORT}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const outcome = await Promise.race([exited.then(() => 'exited' as const), healthy(url)]);
    if (outcome === 'exited') throw new Error(lastError || `${app} exited with status ${child.exitCode}`);
    if (outcome) return { app, child, url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${app} did not become healthy at ${url}/health within 30 s`);
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}
