import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { createSigner, type KeyRing } from '@jwt-blast-radius/keys';
import { KeysModule } from '@jwt-blast-radius/keys/nest';
import { HealthController, type ServiceDescription } from '@jwt-blast-radius/service-kit';
import { AuthController, SIGNER } from './auth/auth.controller';
import type { AppConfig } from './config/config';
import { UsersService, readUsersFile } from './users/users.service';
import { WellKnownController } from './well-known/well-known.controller';

export const SERVICE: ServiceDescription = {
  app: 'auth-service',
  title: 'Auth service',
  description: 'Logs demo users in and issues short-lived access tokens (RFC 9068), one audience per token.',
};

@Module({})
export class AppModule {
  static forRoot(config: Pick<AppConfig, 'usersFile' | 'tokenTtlSeconds'>, ring: KeyRing): DynamicModule {
    const signer = createSigner(ring, { ttlSeconds: config.tokenTtlSeconds });
    const users = new UsersService(readUsersFile(config.usersFile));
    return {
      module: AppModule,
      imports: [KeysModule.forRoot({ ring })],
      controllers: [HealthController, AuthController, WellKnownController],
      providers: [
        { provide: SIGNER, useValue: signer },
        { provide: UsersService, useValue: users },
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
      ],
    };
  }
}
