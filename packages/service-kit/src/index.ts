export { HealthController } from './health.controller';
export { readHttpSettings, type HttpSettings } from './http-settings';
export { configureService, runService, type ServiceDescription } from './service';
