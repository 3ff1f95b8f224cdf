export { SettingsError, describeStartupError, type SettingsErrorCode } from './errors';
export { HealthController } from './health.controller';
export { readHttpSettings, readIntegerSetting, type Env, type HttpSettings, type IntegerSettingOptions } from './settings';
export { configureService, runService, type ServiceDescription } from './service';
