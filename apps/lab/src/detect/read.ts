import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLogLine, type LogLine } from '@jwt-blast-radius/service-kit';
import type { ServiceLogs } from './detect';

/** Services' logs as read, with the count of lines that were not log lines. */
export interface ReadLogs {
  readonly logs: ServiceLogs;
  /** Lines that are not a JSON log line (other output, a partial last line); blank lines are not counted. */
  readonly skipped: number;
}

/**
 * Reads each service's output, one log line per line of text (a `<app>.jsonl` file, or what `stack.logs()`
 * gives): the log lines, and how many other lines there were.
 *
 * @example
 * const { logs, skipped } = parseServiceLogs({ 'auth-service': authText.split('\n'), 'dashboard-api': apiText.split('\n') });
 */
export function parseServiceLogs(output: Readonly<Record<string, readonly string[]>>): ReadLogs {
  const logs: Record<string, LogLine[]> = {};
  let skipped = 0;
  for (const [service, texts] of Object.entries(output)) {
    const lines: LogLine[] = [];
    for (const text of texts) {
      const line = parseLogLine(text);
      if (line) lines.push(line);
      else if (text.trim() !== '') skipped += 1;
    }
    logs[service] = lines;
  }
  return { logs, skipped };
}

// `docker-compose logs` starts each line with the name of the container that wrote it, padded, and `| `:
// `dashboard-api_1  | ` (Compose v1), `dashboard-api-1  | ` or `<project>-dashboard-api-1  | ` (v2, by
// version). A JSON line starts with `{`, never with such a name, so a line without the prefix is told apart.
const COMPOSE_PREFIX = /^([A-Za-z0-9][\w.-]*)\s*\| ?/;

/**
 * Reads the output of `docker-compose logs --no-color` (v1 or v2): each line goes to the service its prefix
 * names, the container's number and any project name dropped (a name that ends with one of `services` is
 * that service). A line without a prefix (as `--no-log-prefix` writes them) goes to the service its `app`
 * field names.
 *
 * @example
 * parseComposeLogs('dashboard-api_1  | {"level":"info","time":1795946555883,"app":"dashboard-api",...}\n', APP_NAMES).logs;
 * // { 'dashboard-api': [{ level: 'info', time: 1795946555883, app: 'dashboard-api', ... }] }
 */
export function parseComposeLogs(output: string, services: readonly string[]): ReadLogs {
  const byService: Record<string, string[]> = {};
  let skipped = 0;
  for (const text of output.split('\n')) {
    const prefix = COMPOSE_PREFIX.exec(text);
    const rest = prefix ? text.slice(prefix[0].length) : text;
    const service = prefix ? serviceOf(prefix[1]!, services) : parseLogLine(rest)?.app;
    if (service === undefined) {
      if (rest.trim() !== '') skipped += 1;
      continue;
    }
    (byService[service] ??= []).push(rest);
  }
  const read = parseServiceLogs(byService);
  // A container that wrote no log line (the one-shot keygen) is no service of the report.
  const logs = Object.fromEntries(Object.entries(read.logs).filter(([, lines]) => lines.length > 0));
  return { logs, skipped: read.skipped + skipped };
}

/** The service a container's name stands for: `main-dashboard-api-1` and `dashboard-api_1` are dashboard-api. */
function serviceOf(container: string, services: readonly string[]): string {
  const name = container.replace(/[-_]\d+$/, '');
  return services.find((service) => name === service || name.endsWith(`-${service}`) || name.endsWith(`_${service}`)) ?? name;
}

/** Services' logs read from a folder of `<service>.jsonl` files, and the files that were there. */
export interface ReadLogFolder extends ReadLogs {
  readonly files: readonly string[];
}

/**
 * Reads `<dir>/<service>.jsonl` for each service, as `npm start` and the lab's runs write them; a service
 * without a file is left out. Throws when the folder holds none of them.
 *
 * @example
 * const { logs, files, skipped } = await readLogFolder('.logs', APP_NAMES);
 */
export async function readLogFolder(dir: string, services: readonly string[]): Promise<ReadLogFolder> {
  const output: Record<string, string[]> = {};
  const files: string[] = [];
  for (const service of services) {
    const file = join(dir, `${service}.jsonl`);
    try {
      output[service] = (await readFile(file, 'utf8')).split('\n');
      files.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (files.length === 0) throw new Error(`${dir} holds no log (${services.map((service) => `${service}.jsonl`).join(', ')})`);
  return { ...parseServiceLogs(output), files };
}
