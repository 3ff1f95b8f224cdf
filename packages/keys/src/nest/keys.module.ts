import {
  Inject,
  Logger,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { KeysError, describeKeysError } from '../errors';
import type { KeyRing } from '../ring';
import { createSigner, type Signer, type SignerOptions } from '../sign';
import { createKeyStore, type KeyStore } from '../store';
import { createVerifier, type Verifier } from '../verify';
import { watchKeyFile, type KeyFileWatch } from '../watch';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { RolesGuard } from './roles.guard';
import { KEY_STORE, RELOAD_SIGNAL, SIGNER, VERIFIER, WELL_KNOWN_OPTIONS } from './tokens';
import { WellKnownController, type WellKnownOptions } from './well-known.controller';

export interface KeysModuleOptions {
  /** The app's loaded key ring (see `loadKeyRing`): loaded before Nest starts, so a bad key stops the app in one line. */
  readonly ring: KeyRing;
  /**
   * For the app that issues tokens: the signer's options. The module then provides `SIGNER`, which signs with
   * the keys the app holds now, and reports the kids it signs with on `/health` and in each reload's log line.
   */
  readonly signer?: SignerOptions;
  /**
   * For the issuer: serve `/.well-known/jwks.json` (where the mode publishes keys; 404 elsewhere) and the RFC 8414
   * metadata at `/.well-known/oauth-authorization-server`, naming `tokenEndpoint` as the place to get tokens.
   */
  readonly wellKnown?: WellKnownOptions;
  /**
   * The signal that makes the app read its keys again, at once, and log the kids it then trusts (see
   * {@link KeysModule.reloadKeys}); `false` for none. SIGHUP unless given. With `KEYS_WATCH` on, a change of the
   * key file does the same (a Kubernetes Secret updated in its mount, which no one signals).
   */
  readonly reloadSignal?: NodeJS.Signals | false;
}

const logger = new Logger('auth');

/**
 * Gives an app its keys (`KEY_STORE`), its verifier, for the issuer its signer, the passport-jwt strategy
 * and two global guards: every route needs a valid access token for the app's audience unless `@Public()`,
 * and `@Roles()` is enforced. Every fetch of the issuer's JWKS is logged, and the reload signal (and with
 * `KEYS_WATCH`, a change of the key file) reloads the keys while the app runs.
 *
 * @example
 * @Module({ imports: [KeysModule.forRoot({ ring })] })
 * export class AppModule {}
 *
 * @Module({ imports: [KeysModule.forRoot({ ring, signer: { ttlSeconds: 300 }, wellKnown: { tokenEndpoint: '/auth/login' } })] })
 * export class IssuerModule {} // the issuer
 */
@Module({})
export class KeysModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly onSignal = () => void this.reloadKeys();
  private watch: KeyFileWatch | undefined;

  constructor(
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(VERIFIER) private readonly verifier: Verifier,
    @Inject(RELOAD_SIGNAL) private readonly reloadSignal: NodeJS.Signals | false,
    @Optional() @Inject(SIGNER) private readonly signer?: Signer,
  ) {}

  onModuleInit(): void {
    if (!this.verifier.policy.audience) {
      logger.warn(`INSECURE_SKIP_AUDIENCE_CHECK is on: ${this.verifier.app} accepts tokens issued for ANY audience. Workshop use only.`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.reloadSignal) process.on(this.reloadSignal, this.onSignal);
    const { watch, keyFile } = this.keys.current().settings;
    if (watch && keyFile) {
      this.watch = await watchKeyFile(keyFile.path, {
        onChange: () => this.reloadKeys(),
        onError: (error) => logger.warn({ event: 'keys-watch', outcome: 'stopped', reason: error.message }),
      });
      logger.log({ event: 'keys-watch', outcome: 'watching', file: keyFile.path });
    }
  }

  onApplicationShutdown(): void {
    if (this.reloadSignal) process.off(this.reloadSignal, this.onSignal);
    this.watch?.close();
  }

  /**
   * Reads the app's keys again and logs one `keys-reloaded` line: the key file, through the checks of
   * start-up, and in an app that fetches the issuer's JWKS, the JWKS at once, cooldown or not. On success the
   * verifier, the signer and the published JWKS take the new keys at once, and the line lists the kids trusted
   * (and signed with, for the issuer); on failure every old key stays, and the line, a warning, says why.
   */
  async reloadKeys(): Promise<void> {
    try {
      const kids = await this.verifier.reload();
      logger.log({ event: 'keys-reloaded', outcome: 'ok', kids, signing: this.signer?.signingKids() });
    } catch (error) {
      logger.warn({
        event: 'keys-reloaded',
        outcome: 'failed',
        kids: this.verifier.trustedKids(),
        signing: this.signer?.signingKids(),
        reason: describeKeysError(error),
      });
    }
  }

  static forRoot({ ring, signer, wellKnown, reloadSignal = 'SIGHUP' }: KeysModuleOptions): DynamicModule {
    if (wellKnown) checkTokenEndpoint(wellKnown.tokenEndpoint);
    const keys = createKeyStore(ring);
    const verifier = createVerifier(keys, {
      onJwksFetch: ({ trigger, outcome, kids, reason, ms }) => {
        const entry = { event: 'jwks-fetch', trigger, outcome, kids, reason, ms };
        if (outcome === 'ok') logger.log(entry);
        else logger.warn(entry);
      },
    });
    const signers = signer ? [{ provide: SIGNER, useValue: createSigner(keys, signer) }] : [];
    return {
      module: KeysModule,
      global: true,
      controllers: wellKnown ? [WellKnownController] : [],
      providers: [
        ...(wellKnown ? [{ provide: WELL_KNOWN_OPTIONS, useValue: wellKnown }] : []),
        { provide: KEY_STORE, useValue: keys },
        { provide: VERIFIER, useValue: verifier },
        ...signers,
        { provide: RELOAD_SIGNAL, useValue: reloadSignal },
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [KEY_STORE, VERIFIER, ...signers.map((provider) => provider.provide)],
    };
  }
}

function checkTokenEndpoint(endpoint: string): void {
  const path = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(endpoint);
  let https = false;
  try {
    https = new URL(endpoint).protocol === 'https:';
  } catch {
    // not a URL: a path, or nothing valid
  }
  if (!path && !https)
    throw new KeysError('ERR_KEYS_CONFIG', 'must be a path on the issuer (/auth/login) or an https URL', 'wellKnown.tokenEndpoint');
}
