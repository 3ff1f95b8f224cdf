import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { KeyRing } from '../ring';
import { KeysError } from '../errors';
import { createVerifier, type Verifier } from '../verify';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { RolesGuard } from './roles.guard';
import { KEY_RING, RELOAD_SIGNAL, VERIFIER } from './tokens';

export interface KeysModuleOptions {
  /** The app's loaded key ring (see `loadKeyRing`): loaded before Nest starts, so a bad key stops the app in one line. */
  readonly ring: KeyRing;
  /**
   * The signal that makes the app reload its trusted keys at once (a verifier that fetches the issuer's JWKS
   * fetches it again, cooldown or not) and log the kids it then trusts; `false` for none. SIGHUP unless given.
   */
  readonly reloadSignal?: NodeJS.Signals | false;
}

const logger = new Logger('auth');

/**
 * Gives an app its verifier, the passport-jwt strategy and two global guards: every route needs a
 * valid access token for the app's audience unless `@Public()`, and `@Roles()` is enforced. Every fetch
 * of the issuer's JWKS is logged, and the reload signal reloads the trusted keys.
 *
 * @example
 * @Module({ imports: [KeysModule.forRoot({ ring })] })
 * export class AppModule {}
 */
@Module({})
export class KeysModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly onSignal = () => void this.reloadKeys();

  constructor(
    @Inject(VERIFIER) private readonly verifier: Verifier,
    @Inject(RELOAD_SIGNAL) private readonly reloadSignal: NodeJS.Signals | false,
  ) {}

  onModuleInit(): void {
    if (!this.verifier.policy.audience) {
      logger.warn(`INSECURE_SKIP_AUDIENCE_CHECK is on: ${this.verifier.app} accepts tokens issued for ANY audience. Workshop use only.`);
    }
  }

  onApplicationBootstrap(): void {
    if (this.reloadSignal) process.on(this.reloadSignal, this.onSignal);
  }

  onApplicationShutdown(): void {
    if (this.reloadSignal) process.off(this.reloadSignal, this.onSignal);
  }

  /** Reloads the trusted keys and logs the kids trusted afterwards (or why the reload failed). */
  async reloadKeys(): Promise<void> {
    if (!this.verifier.reload) {
      logger.log({
        event: 'keys-reloaded',
        outcome: 'unchanged',
        kids: this.verifier.trustedKids(),
        reason: 'held keys are read at start-up',
      });
      return;
    }
    try {
      logger.log({ event: 'keys-reloaded', outcome: 'ok', kids: await this.verifier.reload() });
    } catch (error) {
      const reason = error instanceof KeysError ? error.message : 'error';
      logger.warn({ event: 'keys-reloaded', outcome: 'failed', kids: this.verifier.trustedKids(), reason });
    }
  }

  static forRoot({ ring, reloadSignal = 'SIGHUP' }: KeysModuleOptions): DynamicModule {
    const verifier = createVerifier(ring, {
      onJwksFetch: ({ trigger, outcome, kids, reason, ms }) => {
        const entry = { event: 'jwks-fetch', trigger, outcome, kids, reason, ms };
        if (outcome === 'ok') logger.log(entry);
        else logger.warn(entry);
      },
    });
    return {
      module: KeysModule,
      global: true,
      providers: [
        { provide: KEY_RING, useValue: ring },
        { provide: VERIFIER, useValue: verifier },
        { provide: RELOAD_SIGNAL, useValue: reloadSignal },
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [KEY_RING, VERIFIER],
    };
  }
}
