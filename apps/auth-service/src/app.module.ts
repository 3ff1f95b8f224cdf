import { Module, RequestMethod, ValidationPipe, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { KeyRing } from '@jwt-blast-radius/keys';
import { KeysModule } from '@jwt-blast-radius/keys/nest';
import { HealthController, type ServiceDescription } from '@jwt-blast-radius/service-kit';
import { AuthController } from './auth/auth.controller';
import { HashGate } from './auth/hash-gate';
import { loginThrottlerOptions } from './auth/login-throttler.guard';
import { noStore } from './auth/no-store.middleware';
import type { AppConfig } from './config/config';
import { verifyPassword, type PasswordVerifier } from './users/password';
import { UsersService, readUsersFile } from './users/users.service';

export const SERVICE: ServiceDescription = {
  app: 'auth-service',
  title: 'Auth service',
  description: 'Logs demo users in and issues short-lived access tokens (RFC 9068), one audience per token.',
};

export interface AppModuleOptions {
  /** Checks a password against its stored hash: the real scrypt check unless a test wraps it to count the calls. */
  readonly verifyPassword?: PasswordVerifier;
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(
    config: Pick<AppConfig, 'usersFile' | 'tokenTtlSeconds' | 'login'>,
    ring: KeyRing,
    options: AppModuleOptions = {},
  ): DynamicModule {
    const users = new UsersService(readUsersFile(config.usersFile), options.verifyPassword ?? verifyPassword);
    return {
      module: AppModule,
      imports: [
        KeysModule.forRoot({ ring, signer: { ttlSeconds: config.tokenTtlSeconds }, wellKnown: { tokenEndpoint: '/auth/login' } }),
        ThrottlerModule.forRoot(loginThrottlerOptions(config.login)),
      ],
      controllers: [HealthController, AuthController],
      providers: [
        { provide: UsersService, useValue: users },
        { provide: HashGate, useValue: new HashGate(config.login.hashesInFlight) },
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(noStore).forRoutes({ path: 'auth/login', method: RequestMethod.POST });
  }
}
