import { Writable } from 'node:stream';
import type { DynamicModule } from '@nestjs/common';
import { isAppName, type AppName, type JsonWebKeySet, type KeyRing } from '@jwt-blast-radius/keys';
import { createTestKeys } from '@jwt-blast-radius/keys/testing';
import { createServiceLog } from '../log';
import { createServiceApp, type ServiceDescription } from '../service';

/** An app listening on a loopback port. Closed by `await using`, or by `close()`. */
export interface RunningService extends AsyncDisposable {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts an app's module in this process, wired as `runService` wires it (its pino logger at level
 * `silent`), on a free loopback port. A test that reads the log runs the built app as a child process
 * (`spawnService` with a `logFile`): nestjs-pino keeps the first logger of a process.
 *
 * @example
 * await using service = await startService(AppModule.forRoot(ring), SERVICE);
 * await fetch(`${service.url}/health`);
 */
export async function startService(module: DynamicModule, service: ServiceDescription): Promise<RunningService> {
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = await createServiceApp(module, service, createServiceLog(service.app, { level: 'silent' }, nowhere).logger);
  const close = () => app.close();
  try {
    await app.listen(0, '127.0.0.1');
    return { url: await app.getUrl(), close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface AppUnderTest extends RunningService {
  /** Every app's key set, as generated for the mode: what tests sign their tokens with. */
  readonly material: Readonly<Record<AppName, JsonWebKeySet>>;
  /** The key ring the app runs with. */
  readonly ring: KeyRing;
}

export interface AppUnderTestOptions {
  readonly mode: string;
  /** The app's description; its name is the app whose share of the keys it gets. */
  readonly service: ServiceDescription;
  /** Builds the app's root module around its key ring. */
  readonly module: (ring: KeyRing) => DynamicModule;
  /** The `iss` the app expects; the keys package's default unless given. */
  readonly issuer?: string;
}

/**
 * Generates a key set for a mode and starts one app with its share (see `createTestKeys`: an app that
 * fetches the issuer's JWKS gets a real JWKS server), in this process, on a free loopback port.
 *
 * @example
 * const app = await startAppUnderTest({ mode, service: SERVICE, module: (ring) => AppModule.forRoot(ring) });
 * await request(app.url).get('/dashboard/summary').set('Authorization', `Bearer ${token}`);
 * await app.close();
 */
export async function startAppUnderTest({ mode, service, module, issuer }: AppUnderTestOptions): Promise<AppUnderTest> {
  if (!isAppName(service.app)) throw new Error(`"${service.app}" is not an app of the stack`);
  const keys = await createTestKeys({ mode, app: service.app, issuer });
  try {
    const running = await startService(module(keys.ring), service);
    const close = async () => {
      await running.close();
      await keys.close();
    };
    return { url: running.url, material: keys.material, ring: keys.ring, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await keys.close();
    throw error;
  }
}
