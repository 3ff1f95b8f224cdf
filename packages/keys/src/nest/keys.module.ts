import { Inject, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { KeyRing } from '../ring';
import { createVerifier, type Verifier } from '../verify';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { RolesGuard } from './roles.guard';
import { KEY_RING, VERIFIER } from './tokens';

export interface KeysModuleOptions {
  /** The app's loaded key ring (see `loadKeyRing`): loaded before Nest starts, so a bad key stops the app in one line. */
  readonly ring: KeyRing;
}

/**
 * Gives an app its verifier, the passport-jwt strategy and two global guards: every route needs a
 * valid access token for the app's audience unless `@Public()`, and `@Roles()` is enforced.
 *
 * @example
 * @Module({ imports: [KeysModule.forRoot({ ring })] })
 * export class AppModule {}
 */
@Module({})
export class KeysModule implements OnModuleInit {
  constructor(@Inject(VERIFIER) private readonly verifier: Verifier) {}

  onModuleInit(): void {
    if (!this.verifier.policy.audience) {
      new Logger('auth').warn(
        `INSECURE_SKIP_AUDIENCE_CHECK is on: ${this.verifier.app} accepts tokens issued for ANY audience. Workshop use only.`,
      );
    }
  }

  static forRoot({ ring }: KeysModuleOptions): DynamicModule {
    const verifier = createVerifier(ring);
    return {
      module: KeysModule,
      global: true,
      imports: [PassportModule],
      providers: [
        { provide: KEY_RING, useValue: ring },
        { provide: VERIFIER, useValue: verifier },
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [KEY_RING, VERIFIER],
    };
  }
}
