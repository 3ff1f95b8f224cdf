import { Module, type DynamicModule } from '@nestjs/common';
import type { KeyRing } from '@jwt-blast-radius/keys';
import { KeysModule } from '@jwt-blast-radius/keys/nest';
import { HealthController, type ServiceDescription } from '@jwt-blast-radius/service-kit';
import { MobileController } from './mobile/mobile.controller';

export const SERVICE: ServiceDescription = {
  app: 'mobile-api',
  title: 'Mobile API',
  description: 'A resource server: it accepts only access tokens whose aud is mobile-api.',
};

@Module({})
export class AppModule {
  static forRoot(ring: KeyRing): DynamicModule {
    return { module: AppModule, imports: [KeysModule.forRoot({ ring })], controllers: [HealthController, MobileController] };
  }
}
