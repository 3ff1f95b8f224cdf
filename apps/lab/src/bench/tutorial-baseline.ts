import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toPublicJwk } from '@jwt-blast-radius/keys';
import { spawnService, type SpawnedService } from '@jwt-blast-radius/process';
import type { JWK } from 'jose';

/** The compiled tutorial baseline app, in the lab's dist. */
export function tutorialBaselineEntryPoint(): string {
  return join(dirname(require.resolve('@jwt-blast-radius/lab/package.json')), 'dist', 'vulnerable', 'tutorial-baseline-app.js');
}

export interface TutorialBaselineOptions {
  /** The loopback port it listens on. */
  readonly port: number;
  /** The issuer's key that signs dashboard-api's tokens: an RSA private key (its public half is used) or a secret. */
  readonly signingJwk: JWK;
  /** A folder for its key file. */
  readonly dir: string;
  /** The file its output goes to. */
  readonly logFile: string;
}

/**
 * Starts the tutorial baseline (`vulnerable/tutorial-baseline-app.ts`) as a process of its own, given the key the way
 * tutorials give it: the issuer's public key as a PEM string, or the raw secret. Resolves once its
 * `/health` answers.
 *
 * @example
 * const baseline = await startTutorialBaseline({ port, signingJwk, dir, logFile });
 * await fetch(`${baseline.url}/dashboard/summary`, { headers: { authorization: `Bearer ${token}` } });
 * await baseline.stop();
 */
export async function startTutorialBaseline({ port, signingJwk, dir, logFile }: TutorialBaselineOptions): Promise<SpawnedService> {
  const main = tutorialBaselineEntryPoint();
  try {
    await access(main);
  } catch {
    throw new Error(`${main} is missing: build the lab first (npm run build)`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const settings = await writeKeyFile(signingJwk, dir);
  return spawnService(main, { PORT: String(port), ...settings }, { logFile });
}

async function writeKeyFile(jwk: JWK, dir: string): Promise<Record<string, string>> {
  if (jwk.kty === 'RSA') {
    const file = join(dir, 'public.pem');
    const pem = createPublicKey({ key: toPublicJwk(jwk) as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    await writeFile(file, pem, { mode: 0o600 });
    return { JWT_PUBLIC_KEY_FILE: file };
  }
  if (jwk.kty === 'oct' && typeof jwk.k === 'string') {
    const file = join(dir, 'secret');
    await writeFile(file, Buffer.from(jwk.k, 'base64url'), { mode: 0o600 });
    return { JWT_SECRET_FILE: file };
  }
  throw new Error(`the tutorial baseline takes an RSA key or a secret, not a "${jwk.kty ?? '?'}" key`);
}
