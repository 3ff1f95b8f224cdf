export * from './drivers';
export {
  composeCommand,
  composeStack,
  containerOf,
  createComposeDriver,
  COMPOSE_PORTS,
  COMPOSE_URLS,
  LAB_PROJECT,
  type ComposeLauncher,
} from './drivers/compose';
export { localDriver, lootLocalProcess } from './drivers/local';
export { COMPOSE_NETWORK_URLS, composeSettingsOf, createComposeNetworkDriver, type ComposeNetworkOptions } from './drivers/compose-network';
export { followLines } from './follow-lines';
export { startLocalStack, type LocalStack } from './local-stack';
export { readableLogLine } from './log-view';
export { collectKeyFiles, hostFiles, issuerIn, parseEnviron, signingKeysIn, type FileReader, type Loot } from './loot';
export { REPO_ROOT } from './paths';
export { formatReload, reloadStack, type ReloadOptions, type ReloadedService } from './reload';
export { appEntryPoint, serviceSettings } from './services';
export {
  LOGS_DIR,
  isProcessRunning,
  stackFileOf,
  readStackRecord,
  removeStackRecord,
  writeStackRecord,
  type RecordedService,
  type StackRecord,
} from './stack-record';
