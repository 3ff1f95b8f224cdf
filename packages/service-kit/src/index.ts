export { SettingsError, describeStartupError, type SettingsErrorCode } from './errors';
export { HealthController, type HealthAnswer } from './health.controller';
export { ServiceLogger, ServiceModule, createServiceLog, type ServiceLog, type ServiceLogDestination } from './log';
export { parseLogLine, type LogLine } from './log-line';
export { assignRequestId, requestIdOf } from './request-id';
export {
  LOG_LEVELS,
  readHttpSettings,
  readIntegerSetting,
  readLogSettings,
  type Env,
  type HttpSettings,
  type IntegerSettingOptions,
  type LogLevelName,
  type LogSettings,
} from './settings';
export { configureService, createServiceApp, runService, type PreparedService, type ServiceDescription } from './service';
