import type { AppName, ModeName } from '@jwt-blast-radius/keys';
import type { Loot } from '../loot';

export interface StackOptions {
  /** Turns the services' audience check off (the workshop's misconfiguration). */
  readonly insecure: boolean;
  readonly progress: (line: string) => void;
}

/** A running stack of the three services in one mode. */
export interface RunningStack {
  /** Base URLs of the services, as the lab reaches them. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Takes exactly what the app's process holds: its environment and its key files. */
  compromise(app: AppName): Promise<Loot>;
  stop(): Promise<void>;
}

/** Starts the three services in a mode: as local processes, or as containers. */
export interface StackDriver {
  readonly name: string;
  start(mode: ModeName, options: StackOptions): Promise<RunningStack>;
}
