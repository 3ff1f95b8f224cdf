import { composeDriver } from './compose';
import { localDriver } from './local';
import type { StackDriver } from './types';

export type { RunningStack, StackDriver, StackOptions } from './types';

/** The ways the lab can run the stack, by the name `--driver` takes. */
export const DRIVERS: Readonly<Record<string, StackDriver>> = { local: localDriver, compose: composeDriver };
