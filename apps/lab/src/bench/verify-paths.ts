import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_ISSUER,
  ISSUER_APP,
  MAX_TOKEN_LIFETIME,
  createKeyRing,
  createSigner,
  createVerifier,
  findMode,
  generateKeySet,
  publicJwks,
  readClaims,
  readKeysSettings,
  readProtectedHeader,
  type ModeName,
  type Verifier,
} from '@jwt-blast-radius/keys';
import jwt from 'jsonwebtoken';
import { median } from './stats';

/** The two ways the project verifies a token: the apps' passport-jwt path (jsonwebtoken, keys imported once), and jose. */
export type VerificationPath = 'passport-jwt' | 'jose';
export const VERIFICATION_PATHS: readonly VerificationPath[] = ['passport-jwt', 'jose'];

export interface VerificationBenchOptions {
  readonly modes: readonly ModeName[];
  readonly rounds: number;
  /** Verifications per cell and round. */
  readonly count: number;
  readonly progress?: (line: string) => void;
}

/** One cell of the micro-bench: the median rate of one path in one mode. */
export interface VerificationFigure {
  readonly mode: ModeName;
  readonly path: VerificationPath;
  readonly verifiesPerSecond: number;
  /** Its ratio to the reference cell. */
  readonly vsReference: number;
}

export interface VerificationBench {
  readonly rounds: number;
  readonly count: number;
  /** The cell every ratio is taken to: shared-hs256 on the passport-jwt path when that mode ran. */
  readonly reference: { readonly mode: ModeName; readonly path: VerificationPath };
  readonly figures: readonly VerificationFigure[];
}

interface Subject {
  readonly mode: ModeName;
  readonly verifier: Verifier;
  readonly token: string;
}

/**
 * What verifying one valid dashboard-api token costs in each mode on both paths, with no HTTP at all: the
 * same token verified over and over, in rounds that alternate between every mode and path, each figure the
 * median of its rounds.
 *
 * @example
 * const micro = await runVerificationBench({ modes: MODE_NAMES, rounds: 7, count: 2000 });
 */
export async function runVerificationBench({
  modes,
  rounds,
  count,
  progress = () => {},
}: VerificationBenchOptions): Promise<VerificationBench> {
  const servers: Server[] = [];
  try {
    const subjects: Subject[] = [];
    for (const mode of modes) subjects.push(await prepare(mode, servers));
    for (const subject of subjects) for (const path of VERIFICATION_PATHS) await opsPerSecond(subject, path, Math.min(200, count));
    const samples = new Map<string, number[]>();
    for (let round = 1; round <= rounds; round += 1) {
      progress(`verification round ${round}/${rounds}`);
      for (const subject of subjects) {
        for (const path of VERIFICATION_PATHS) {
          const key = `${subject.mode} ${path}`;
          samples.set(key, [...(samples.get(key) ?? []), await opsPerSecond(subject, path, count)]);
        }
      }
    }
    const rate = (mode: ModeName, path: VerificationPath) => median(samples.get(`${mode} ${path}`) ?? []);
    const reference = { mode: modes.includes('shared-hs256') ? 'shared-hs256' : modes[0]!, path: 'passport-jwt' as const };
    const base = rate(reference.mode, reference.path);
    const figures = modes.flatMap((mode) =>
      VERIFICATION_PATHS.map((path) => ({ mode, path, verifiesPerSecond: rate(mode, path), vsReference: rate(mode, path) / base })),
    );
    return { rounds, count, reference, figures };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

// dashboard-api's verifier as the service makes it, and a token from the issuer's own signer; in a mode
// that publishes a JWKS, the issuer's is served on loopback for the API to fetch once.
async function prepare(mode: ModeName, servers: Server[]): Promise<Subject> {
  const material = await generateKeySet(mode);
  const settings = { AUTH_MODE: mode, ISSUER: DEFAULT_ISSUER };
  const issuerRing = await createKeyRing(readKeysSettings(settings, ISSUER_APP), material[ISSUER_APP]);
  const jwks = findMode(mode).publishesJwks ? await serveJwks(JSON.stringify(publicJwks(issuerRing)), servers) : undefined;
  const ring = await createKeyRing(readKeysSettings({ ...settings, JWKS_URL: jwks }, 'dashboard-api'), material['dashboard-api']);
  const { token } = await createSigner(issuerRing, { ttlSeconds: MAX_TOKEN_LIFETIME }).signAccessToken({
    sub: 'alice',
    roles: ['user'],
    audience: 'dashboard-api',
  });
  return { mode, verifier: createVerifier(ring), token };
}

async function serveJwks(body: string, servers: Server[]): Promise<string> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
}

async function verifyOnce({ verifier, token }: Subject, path: VerificationPath): Promise<void> {
  if (path === 'jose') {
    await verifier.verifyAccessToken(token);
    return;
  }
  const { algorithms, issuer, audience, clockToleranceSeconds: clockTolerance } = verifier.policy;
  jwt.verify(token, await verifier.resolveKey(readProtectedHeader(token)), { algorithms, issuer, audience, clockTolerance });
  verifier.checkClaims(readClaims(token));
}

async function opsPerSecond(subject: Subject, path: VerificationPath, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await verifyOnce(subject, path);
  return (count * 1000) / (performance.now() - start);
}
