export * from '@jwt-blast-radius/process';
export { UNAUTHORIZED_BODY, outcomeOf, type HttpAnswer } from './answers';
export { describeStartupRefusals, itGuardsItsRoutes, type AppStartupFailureCase, type GuardedRoutes } from './contract';
export { describeItsLog, type LogContract } from './log-contract';
export {
  spawnLoggedService,
  spawnWithFreshKeys,
  type FreshKeysOptions,
  type FreshlyKeyedService,
  type LoggedService,
} from './logged-service';
export { startAppUnderTest, startService, type AppUnderTest, type AppUnderTestOptions, type RunningService } from './services';
export { observeStartupFailure, type StartupFailure } from './startup';
