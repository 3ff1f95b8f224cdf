import type { AppName, JsonWebKeySet, ModeName, RotationStep } from '@jwt-blast-radius/keys';
import type { Loot } from '../loot';
import type { ReloadOptions, ReloadedService } from '../reload';

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
  /** Settings added to every service's environment (the drill's login limits, say). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A running stack's key folders, changed while its services run, and the reload that has them take the change. */
export interface LiveKeys {
  /** The kids each app's key file holds, sorted. */
  held(): Promise<Record<AppName, string[]>>;
  /** One rotation step of one key of the mode, in every folder that holds it (the `keys rotate` command's step). */
  rotate(step: RotationStep, key: string): Promise<void>;
  /** Has every service reload its keys, in the safe order, resolving once each reports what its key folder gives it. */
  reload(options: ReloadOptions): Promise<ReloadedService[]>;
}

/** A running stack of the three services in one mode; `await using` stops it, as `stop()` does. */
export interface RunningStack extends AsyncDisposable {
  /** Base URLs of the services, as the lab reaches them. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Takes exactly what the app's process holds: its environment and its key files. */
  compromise(app: AppName): Promise<Loot>;
  /** Every line each service has logged so far; absent where the lab cannot read the services' output. */
  logs?(): Promise<Readonly<Record<AppName, readonly string[]>>>;
  /** With `rotateKeys`: every app's key set as it was before the rotation, as an old backup holds it. */
  readonly backup?: Readonly<Record<AppName, JsonWebKeySet>>;
  /** The key folders, rotated and reloaded live. */
  readonly keys: LiveKeys;
  /** True for a stack the lab found running and leaves running: `stop()` lets it be. */
  readonly keepsRunning?: boolean;
  /** What names each service's running process (a pid, a container and its start time): a restart changes it. */
  processes(): Promise<Record<AppName, string>>;
  stop(): Promise<void>;
}

/** Starts the three services in a mode (as local processes, or as containers), or finds them running. */
export interface StackDriver {
  readonly name: string;
  start(mode: ModeName, options: StackOptions): Promise<RunningStack>;
  /** The modes it can run, where not every mode: a stack it finds running is in the one its keys were made for. */
  modes?(): Promise<ModeName[]>;
  /** The address the services reach a server of the lab's (the attacker's) at: loopback unless given. */
  labHost?(): string;
}
