#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { APP_NAMES, ISSUER_APP } from '@jwt-blast-radius/keys';
import { detectForgedTokens, FINDINGS } from '../detect/detect';
import { parseComposeLogs, readLogFolder, type ReadLogs } from '../detect/read';
import { FLAGGED_COLUMNS, formatDetectionTerminal } from '../detect/report';
import { REPO_ROOT, composeCommand } from '@jwt-blast-radius/stack';
import { readCommandOptions, runCommand, usageError } from './command';

// `npm run detect`: the requests the services accepted with a token the issuer never issued, read from their logs.

const DEFAULT_LOGS = join(REPO_ROOT, '.logs');

const USAGE = `usage: npm run detect -- [--logs <dir> | --compose] [--json <file>]
  --logs     the folder of the services' logs, <dir>/<app>.jsonl (default: .logs, as npm start writes them)
  --compose  read \`docker-compose logs --no-color\` of the stack started from the repository's folder
  --json     also write the flagged requests and the counts per service as JSON to <file>

Checks every request a service accepted, or refused for a missing role (its token verified), against the
tokens ${ISSUER_APP} logged as issued (token-issued events), and flags each one where:
${Object.entries(FINDINGS)
  .map(([finding, what]) => `  ${finding.padEnd(13)} ${what}`)
  .join('\n')}
The logs must reach back to when the tokens were issued: npm start empties .logs at each start.
Prints the verified requests per service and a table of the flagged ones:
${FLAGGED_COLUMNS.map(([column, what]) => `  ${column.padEnd(11)} ${what.replaceAll('`', '')}`).join('\n')}
exit status: 0 when nothing is flagged, 1 when a request is flagged,
             2 for a usage error or logs that cannot be read`;

async function main(): Promise<number> {
  const values = readCommandOptions('detect', USAGE, {
    logs: { type: 'string' },
    compose: { type: 'boolean' },
    json: { type: 'string' },
  });
  if (!values) return 0;
  if (values.compose && values.logs !== undefined) usageError('detect', '--logs and --compose name two sources: give one', USAGE);

  let read: ReadLogs;
  let from: string;
  try {
    if (values.compose) {
      const [command, ...prefix] = await composeCommand();
      const { stdout } = await promisify(execFile)(command, [...prefix, 'logs', '--no-color'], {
        cwd: REPO_ROOT,
        maxBuffer: 1024 * 1024 * 1024,
      });
      read = parseComposeLogs(stdout, APP_NAMES);
      from = `${[command, ...prefix].join(' ')} logs --no-color`;
      if (!(ISSUER_APP in read.logs)) throw new Error(`no line from ${ISSUER_APP}: is the stack up, or was it taken down?`);
    } else {
      const dir = values.logs ?? DEFAULT_LOGS;
      const folder = await readLogFolder(dir, APP_NAMES);
      if (!(ISSUER_APP in folder.logs)) throw new Error(`${join(dir, `${ISSUER_APP}.jsonl`)}: not there, and the issuer's log is needed`);
      read = folder;
      from = folder.files.map(shortPath).join(', ');
    }
  } catch (error) {
    process.stderr.write(`detect: cannot read the logs: ${describeError(error)}\n`);
    return 2;
  }

  const detection = detectForgedTokens(read.logs, { issuer: ISSUER_APP });
  process.stdout.write(formatDetectionTerminal(detection, { from, skipped: read.skipped }));
  if (values.json) {
    try {
      await writeFile(values.json, `${JSON.stringify({ ...detection, skippedLines: read.skipped }, null, 2)}\n`);
    } catch (error) {
      process.stderr.write(`detect: cannot write ${values.json}: ${describeError(error)}\n`);
      return 2;
    }
  }
  return detection.flagged.length === 0 ? 0 : 1;
}

/** A path as a reader would type it: relative to the current folder when it lies within it. */
function shortPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** An error's message, or the last line of what a failed command printed on stderr. */
function describeError(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  if (typeof stderr === 'string' && stderr.trim() !== '') return stderr.trim().split('\n').at(-1)!;
  return error instanceof Error ? error.message : String(error);
}

runCommand('detect', main);
