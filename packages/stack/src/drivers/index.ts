import { composeDriver } from './compose';
import { createComposeNetworkDriver } from './compose-network';
import { localDriver } from './local';
import type { StackDriver } from './types';

export type { RunningStack, StackDriver, StackOptions } from './types';

/**
 * The ways the lab can run the stack, by the name `--driver` takes: local processes, the compose stack from the
 * host, or (from the lab's own container, `docker compose run --rm lab`) the compose stack already up around it.
 */
export const DRIVERS: Readonly<Record<string, StackDriver>> = {
  local: localDriver,
  compose: composeDriver,
  'compose-network': createComposeNetworkDriver(),
};
