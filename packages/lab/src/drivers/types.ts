import type { AppName, JsonWebKeySet, ModeName } from '@jwt-blast-radius/keys';
import type { Loot } from '../loot';

export interface StackOptions {
  /** Turns the services' audience check off (the workshop's misconfiguration). */
  readonly insecure: boolean;
  readonly progress: (line: string) => void;
  /**
   * Puts the fresh keys through one full rotation (stage, promote, retire) before the services start,
   * and keeps the key sets from before it as {@link RunningStack.backup}. A driver that cannot says so
   * in its progress and leaves `backup` out.
   */
  readonly rotateKeys?: boolean;
}

/** A running stack of the three services in one mode. */
export interface RunningStack {
  /** Base URLs of the services, as the lab reaches them. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Takes exactly what the app's process holds: its environment and its key files. */
  compromise(app: AppName): Promise<Loot>;
  /** Every line each service has logged so far. */
  logs(): Promise<Readonly<Record<AppName, readonly string[]>>>;
  /** With `rotateKeys`: every app's key set as it was before the rotation, as an old backup holds it. */
  readonly backup?: Readonly<Record<AppName, JsonWebKeySet>>;
  stop(): Promise<void>;
}

/** Starts the three services in a mode: as local processes, or as containers. */
export interface StackDriver {
  readonly name: string;
  start(mode: ModeName, options: StackOptions): Promise<RunningStack>;
}
