#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  MODE_NAMES,
  createKeyRing,
  createSigner,
  createVerifier,
  generateKeySet,
  publicJwks,
  type ModeName,
  type Verifier,
} from '@jwt-blast-radius/keys';
import { startJwksServer, type JwksServer } from '@jwt-blast-radius/keys/testing';
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

async function prepare(mode: ModeName, servers: JwksServer[]): Promise<Subject> {
  const issuer = 'http://127.0.0.1:3000';
  const material = await generateKeySet(mode);
  const settings = { mode, keyFile: undefined, issuer, audienceCheck: true } as const;
  const issuerRing = await createKeyRing({ ...settings, app: 'auth-service', jwksUrl: '' }, material['auth-service']);
  const server = await startJwksServer(publicJwks(issuerRing) ?? { keys: [] });
  servers.push(server);
  const ring = await createKeyRing({ ...settings, app: 'dashboard-api', jwksUrl: server.url }, material['dashboard-api']);
  const { token } = await createSigner(issuerRing, { ttlSeconds: 300 }).signAccessToken({ sub: 'alice', roles: ['user'], audience: 'dashboard-api' });
  return { mode, verifier: createVerifier(ring), token };
}

async function verifyOnce({ verifier, token }: Subject, path: Path): Promise<void> {
  if (path === 'jose') {
    await verifier.verifyAccessToken(token);
    return;
  }
  const { algorithms, issuer, audience, clockTolerance } = verifier.policy;
  const payload = jwt.verify(token, await verifier.resolveKey(token), { algorithms, issuer, audience, clockTolerance });
  verifier.checkClaims(payload as jwt.JwtPayload);
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
  const servers: JwksServer[] = [];
  try {
    const subjects = await Promise.all(MODE_NAMES.map((mode) => prepare(mode, servers)));
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
    await Promise.all(servers.map((server) => server.close()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
