#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  DEFAULT_ISSUER,
  MODE_NAMES,
  createVerifier,
  readClaims,
  readProtectedHeader,
  type ModeName,
  type Verifier,
} from '@jwt-blast-radius/keys';
import { accessTokenClaims, createTestKeys, findSigningJwk, signWithJwk, type TestKeys } from '@jwt-blast-radius/keys/testing';
import jwt from 'jsonwebtoken';

// `npm run bench`: what verifying one access token costs a resource server in each mode, on both
// paths the project has (the apps' passport-jwt path, and jose), measured side by side in one run:
// rounds alternate between every mode and path, and each figure is the median of its rounds.

type Path = 'passport-jwt' | 'jose';
const PATHS: readonly Path[] = ['passport-jwt', 'jose'];

interface Subject {
  readonly mode: ModeName;
  readonly verifier: Verifier;
  readonly token: string;
}

async function prepare(mode: ModeName, keySets: TestKeys[]): Promise<Subject> {
  const keys = await createTestKeys({ mode, app: 'dashboard-api' });
  keySets.push(keys);
  const claims = accessTokenClaims({ iss: DEFAULT_ISSUER, aud: 'dashboard-api', sub: 'alice', roles: ['user'] });
  const token = await signWithJwk(findSigningJwk(keys.material, mode, 'dashboard-api'), claims);
  return { mode, verifier: createVerifier(keys.ring), token };
}

async function verifyOnce({ verifier, token }: Subject, path: Path): Promise<void> {
  if (path === 'jose') {
    await verifier.verifyAccessToken(token);
    return;
  }
  const { algorithms, issuer, audience, clockTolerance } = verifier.policy;
  jwt.verify(token, await verifier.resolveKey(readProtectedHeader(token)), { algorithms, issuer, audience, clockTolerance });
  verifier.checkClaims(readClaims(token));
}

async function opsPerSecond(subject: Subject, path: Path, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await verifyOnce(subject, path);
  return (count * 1000) / (performance.now() - start);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, count: { type: 'string', default: '2000' } } });
  const rounds = Number(values.rounds);
  const count = Number(values.count);
  const keySets: TestKeys[] = [];
  try {
    const subjects = await Promise.all(MODE_NAMES.map((mode) => prepare(mode, keySets)));
    for (const subject of subjects) for (const path of PATHS) await opsPerSecond(subject, path, 200);
    const samples = new Map<string, number[]>();
    for (let round = 1; round <= rounds; round += 1) {
      process.stderr.write(`round ${round}/${rounds}\n`);
      for (const subject of subjects) {
        for (const path of PATHS) {
          const key = `${subject.mode} ${path}`;
          samples.set(key, [...(samples.get(key) ?? []), await opsPerSecond(subject, path, count)]);
        }
      }
    }
    const figure = (mode: ModeName, path: Path) => median(samples.get(`${mode} ${path}`)!);
    const base = figure('shared-hs256', 'passport-jwt');
    const rows = MODE_NAMES.flatMap((mode) =>
      PATHS.map((path) => [mode, path, Math.round(figure(mode, path)).toLocaleString('en'), `${(figure(mode, path) / base).toFixed(2)}x`]),
    );
    const header = ['mode', 'verification path', 'verifies/s (median)', 'vs shared-hs256 passport-jwt'];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
    process.stdout.write(`\n${rounds} rounds of ${count} verifications per cell, one valid dashboard-api token, keys imported once.\n`);
  } finally {
    await Promise.all(keySets.map((keys) => keys.close()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
