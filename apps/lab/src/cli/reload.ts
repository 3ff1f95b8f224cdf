#!/usr/bin/env node
import { relative } from 'node:path';
import { formatReload, reloadStack, readStackRecord, stackFileOf } from '@jwt-blast-radius/stack';
import { readCommandOptions, readWholeNumberOption, runCommand } from './command';

// `npm run reload`: every service of the running `npm start` stack reads its keys again, and the command waits
// until each one reports the kids its key files give it.

const DEFAULT_TIMEOUT_SECONDS = 10;

const USAGE = `usage: npm run reload -- [--timeout <seconds>]
  --timeout  how long every service together may take to reload (default ${DEFAULT_TIMEOUT_SECONDS})

Sends SIGHUP to each service of the stack npm start runs (the APIs that hold their keys, then the auth
service, then the APIs that fetch its JWKS), waits until each one's /health reports the kids its key files
give it now, and prints them. Exit status: 0 when every service trusts (and the auth service signs with)
what the key files say; 1 when one does not, when a key file does not load (no service is then signalled),
when no stack runs, or when the time runs out; 2 for a usage error.`;

async function main(): Promise<number> {
  const values = readCommandOptions('reload', USAGE, { timeout: { type: 'string' } });
  if (!values) return 0;
  const timeoutSeconds = readWholeNumberOption('reload', USAGE, '--timeout', values.timeout, {
    fallback: DEFAULT_TIMEOUT_SECONDS,
    min: 1,
    max: 600,
  });
  const stackFile = stackFileOf(process.env);
  const record = await readStackRecord(stackFile);
  if (!record) throw new Error(`no stack is running (no ${relative(process.cwd(), stackFile)}); start one with npm start`);
  const reloaded = await reloadStack(record, { timeoutMs: timeoutSeconds * 1000 });
  process.stdout.write(formatReload(record, reloaded));
  return 0;
}

runCommand('reload', main);
