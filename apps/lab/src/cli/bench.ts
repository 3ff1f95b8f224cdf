#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { formatBenchMarkdown, formatBenchTerminal } from '../bench/report';
import { BENCH_DEFAULTS, benchFailures, runBench } from '../bench/run';
import { readCommandOptions, readModes, readWholeNumberOption, runCommand } from './command';

// `npm run bench`: what guarding a route costs dashboard-api under load, as `npm start` runs it, against its
// public route and the tutorial pattern, in every mode; the JWKS fetches at steady state and under a flood of
// random kids; and the micro-bench of verification alone.

const USAGE = `usage: npm run bench -- [--mode <mode>]... [--rounds <n>] [--duration <seconds>] [--connections <n>]
                       [--flood <requests>] [--json <file>] [--markdown <file>]
  --mode         a mode to bench (repeatable); every mode unless given
  --rounds       rounds per route (default ${BENCH_DEFAULTS.rounds})
  --duration     seconds each route is loaded in a round (default ${BENCH_DEFAULTS.durationSeconds})
  --connections  autocannon's concurrent connections (default ${BENCH_DEFAULTS.connections})
  --flood        requests in the flood of random kids, where the API fetches the JWKS (default ${BENCH_DEFAULTS.floodRequests})
  --json         also write the whole run as JSON to <file>
  --markdown     also write the report as Markdown to <file>
exit status: 0 when every round is sound (goals met or not), 1 when the run failed or a round was not all 200s, 2 for a usage error`;

async function main(): Promise<number> {
  const values = readCommandOptions('bench', USAGE, {
    mode: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    flood: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
  });
  if (!values) return 0;
  const modes = readModes('bench', USAGE, values.mode);
  const rounds = readWholeNumberOption('bench', USAGE, '--rounds', values.rounds, { fallback: BENCH_DEFAULTS.rounds, min: 1, max: 100 });
  const durationSeconds = readWholeNumberOption('bench', USAGE, '--duration', values.duration, {
    fallback: BENCH_DEFAULTS.durationSeconds,
    min: 1,
    max: 600,
  });
  const connections = readWholeNumberOption('bench', USAGE, '--connections', values.connections, {
    fallback: BENCH_DEFAULTS.connections,
    min: 1,
    max: 1000,
  });
  const floodRequests = readWholeNumberOption('bench', USAGE, '--flood', values.flood, {
    fallback: BENCH_DEFAULTS.floodRequests,
    min: 1,
    max: 1_000_000,
  });
  process.stderr.write(
    `bench: ${modes.join(', ')}; ${rounds} round${rounds === 1 ? '' : 's'} of ${durationSeconds} s per route, ${connections} connections, ` +
      `after ${BENCH_DEFAULTS.warmupSeconds} s of warm-up per route\n`,
  );
  const run = await runBench({
    modes,
    rounds,
    durationSeconds,
    connections,
    floodRequests,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(formatBenchTerminal(run));
  if (values.json) await writeFile(values.json, `${JSON.stringify(run, null, 2)}\n`);
  const args = process.argv.slice(2);
  if (values.markdown)
    await writeFile(values.markdown, formatBenchMarkdown(run, `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`));
  return benchFailures(run).length > 0 ? 1 : 0;
}

runCommand('bench', main);
