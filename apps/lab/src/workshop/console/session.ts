import { APP_NAMES, MODES, MODE_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { runCatalogue } from '../../attacks/run';
import { localDriver, type RunningStack, type StackDriver, signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { runDrills } from '../../drill/run';
import { EXPECTED, type Variant } from '../../demo/expected';
import { harvestStack, probeCompromise, type Harvest, type Probe } from '../../demo/run';
import { drawKeys } from './picture';
import {
  cellOf,
  emptyMatrix,
  revealSecrets,
  viewCatalogue,
  viewDrill,
  viewLoot,
  type CatalogueView,
  type DrillView,
  type LootView,
  type MatrixView,
  type OperationView,
  type RevealedSecrets,
  type WorkshopView,
} from './view';

/** How many progress lines the page keeps. */
const PROGRESS_LINES = 12;

export interface SessionOptions {
  readonly mode: ModeName;
  readonly insecure?: boolean;
  /** How the stack runs; the lab's local driver unless given. */
  readonly driver?: StackDriver;
  /** Every progress line, as it comes (the command prints them). */
  readonly log?: (line: string) => void;
}

/** Why a request for a long operation was not taken. */
export type Refusal = { readonly refused: 'busy' | 'closing' | 'no-stack'; readonly message: string };

/** A long operation taken: the page shows its work from this version of the view on. */
export type Taken = { readonly version: number };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The workshop console's state: one stack at a time (in one mode, with or without the audience check), what each
 * compromise took and the matrices its probes fill, the last run of the catalogue and of the drill. One long
 * operation runs at a time; every change is told to the listeners, at most once per turn of the event loop.
 *
 * @example
 * const session = new WorkshopSession({ mode: 'per-app-secret' });
 * session.restart('per-app-secret', false);
 * session.onChange((view) => console.log(view.busy ?? 'idle'));
 */
export class WorkshopSession {
  private mode: ModeName;
  private insecure: boolean;
  private readonly driver: StackDriver;
  private readonly log: (line: string) => void;
  private readonly listeners = new Set<(view: WorkshopView) => void>();
  private version = 0;
  private notifying = false;
  private closing = false;
  private busy: string | undefined;
  private current: Promise<void> | undefined;
  private stack: RunningStack | undefined;
  private harvest: Harvest | undefined;
  private stackState: WorkshopView['stack']['state'] = 'stopped';
  private stackError: string | undefined;
  private generation = 0;
  private progress: string[] = [];
  private matrices: Record<Probe['attack'], MatrixView> = { forge: emptyMatrix(), replay: emptyMatrix() };
  private loot: Partial<Record<AppName, Loot>> = {};
  private lootViews: Partial<Record<AppName, LootView>> = {};
  private catalogue: OperationView<CatalogueView> | undefined;
  private drill: OperationView<DrillView> | undefined;

  constructor({ mode, insecure = false, driver = localDriver, log = () => {} }: SessionOptions) {
    this.mode = mode;
    this.insecure = insecure;
    this.driver = driver;
    this.log = log;
  }

  /** Everything the page shows, now. */
  view(): WorkshopView {
    return {
      version: this.version,
      modes: MODE_NAMES.map((name) => ({ name, summary: MODES[name].summary })),
      apps: APP_NAMES,
      mode: this.mode,
      insecure: this.insecure,
      variant: this.variant(),
      picture: drawKeys(this.mode),
      stack: {
        state: this.stackState,
        generation: this.generation,
        ...(this.stack && this.stackState === 'running' ? { urls: this.stack.urls } : {}),
        ...(this.stackError === undefined ? {} : { error: this.stackError }),
      },
      ...(this.busy === undefined ? {} : { busy: this.busy }),
      progress: this.progress,
      matrices: this.matrices,
      loot: this.lootViews,
      ...(this.catalogue ? { catalogue: this.catalogue } : {}),
      ...(this.drill ? { drill: this.drill } : {}),
    };
  }

  /** Calls `listener` with the view after each change; answers a function that stops it. */
  onChange(listener: (view: WorkshopView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops the running stack and starts one in `mode`, the audience check off when `insecure`: fresh keys, empty
   * matrices. Then logs alice in for every audience, as the lab does before any compromise.
   */
  restart(mode: ModeName, insecure: boolean): Taken | Refusal {
    return this.take(`starting ${mode}${insecure ? ' without the audience check' : ''}`, async () => {
      this.mode = mode;
      this.insecure = insecure;
      this.generation += 1;
      this.stackState = 'starting';
      this.stackError = undefined;
      this.clearMatrices();
      await this.stopStack();
      try {
        const stack = await this.driver.start(mode, { insecure, progress: (line) => this.say(line) });
        this.stack = stack;
        this.say('harvesting alice’s token for each audience');
        this.harvest = await harvestStack(stack);
        this.stackState = 'running';
        this.say(`${mode} is running: ${APP_NAMES.map((app) => `${app} ${stack.urls[app]}`).join(', ')}`);
      } catch (error) {
        this.stackState = 'failed';
        this.stackError = message(error);
        await this.stopStack();
        throw error;
      }
    });
  }

  /**
   * Takes the loot of one app of the running stack, as the lab does (the driver's `compromise`), then forges and
   * replays at every service with it, filling the app's row of both matrices as each answer comes.
   */
  compromise(app: AppName): Taken | Refusal {
    const { stack, harvest } = this;
    if (!stack || !harvest || this.stackState !== 'running') return { refused: 'no-stack', message: 'no stack is running' };
    const mode = this.mode;
    const variant = this.variant();
    return this.take(`compromising ${app}`, async () => {
      this.matrices.forge[app] = {};
      this.matrices.replay[app] = {};
      delete this.loot[app];
      delete this.lootViews[app];
      this.say(`compromising ${app}: reading its environment and its key files`);
      const loot = await stack.compromise(app);
      this.loot[app] = loot;
      this.lootViews[app] = viewLoot(loot, mode);
      const kids = signingKeysIn(loot).map((jwk) => jwk.kid);
      this.say(
        `compromised ${app} (${loot.source}): ${Object.keys(loot.env).length} environment variables, ` +
          `${loot.files.length} key file(s), signing keys: ${kids.length > 0 ? kids.join(', ') : 'none'}`,
      );
      const expected = EXPECTED[variant][mode];
      await probeCompromise({
        mode,
        variant,
        stack,
        harvest,
        loot,
        observer: {
          sending: (target, attack) => {
            this.matrices[attack][app][target] = { state: 'probing', expected: expected[attack][app][target]! };
            this.say(`probing ${target}: ${attack === 'forge' ? 'a forged admin token' : `${app}'s harvested token replayed`}…`);
          },
          answered: (probe) => {
            this.matrices[probe.attack][app][probe.target] = cellOf(probe);
            this.changed();
          },
        },
      });
      this.say(`${app} done`);
    });
  }

  /** The secret values of what the compromise of `app` took; undefined when it is not compromised. */
  reveal(app: AppName): RevealedSecrets | undefined {
    const loot = this.loot[app];
    return loot ? revealSecrets(loot) : undefined;
  }

  /** Runs the attack catalogue in the current mode, on a stack of its own (its keys rotated once), as `npm run attacks` does. */
  runCatalogue(): Taken | Refusal {
    const mode = this.mode;
    const insecure = this.insecure;
    return this.take(`running the attack catalogue in ${mode}`, async () => {
      const lines: string[] = [];
      const progress = (line: string) => {
        lines.push(line);
        this.catalogue = { state: 'running', mode, insecure, lines: lines.slice(-PROGRESS_LINES) };
        this.tell(line);
      };
      progress('starting a stack of its own, its keys rotated once');
      try {
        const run = await runCatalogue({ modes: [mode], driver: this.driver, insecure, progress });
        this.catalogue = { state: 'done', mode, insecure, lines: lines.slice(-PROGRESS_LINES), result: viewCatalogue(run) };
      } catch (error) {
        this.catalogue = { state: 'failed', mode, insecure, lines: lines.slice(-PROGRESS_LINES), error: message(error) };
        throw error;
      }
    });
  }

  /** Runs the recovery drill in the current mode for one compromised app, on a stack of its own, as `npm run drill` does. */
  runDrill(compromised: AppName): Taken | Refusal {
    const mode = this.mode;
    return this.take(`running the recovery drill (${mode}, ${compromised} compromised)`, async () => {
      const lines: string[] = [];
      const progress = (line: string) => {
        lines.push(line);
        this.drill = { state: 'running', mode, insecure: false, compromised, lines: lines.slice(-PROGRESS_LINES) };
        this.tell(line);
      };
      progress(`starting a stack of its own in ${mode}`);
      try {
        const [record] = await runDrills({ modes: [mode], compromised: [compromised], progress });
        if (!record) throw new Error('the drill gave no record');
        this.drill = { state: 'done', mode, insecure: false, compromised, lines: lines.slice(-PROGRESS_LINES), result: viewDrill(record) };
      } catch (error) {
        this.drill = { state: 'failed', mode, insecure: false, compromised, lines: lines.slice(-PROGRESS_LINES), error: message(error) };
        throw error;
      }
    });
  }

  /** Refuses every new operation, waits for the one under way, and stops the stack: nothing is left running. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.busy !== undefined) this.log(`waiting for ${this.busy} to end`);
    await this.current;
    this.stackState = 'stopped';
    await this.stopStack();
  }

  /** The long operation under way, in a few words. */
  busyWith(): string | undefined {
    return this.busy;
  }

  private variant(): Variant {
    return this.insecure ? 'no-audience-check' : 'secure';
  }

  private take(label: string, work: () => Promise<void>): Taken | Refusal {
    if (this.closing) return { refused: 'closing', message: 'the console is shutting down' };
    if (this.busy !== undefined) return { refused: 'busy', message: `busy: ${this.busy}` };
    this.busy = label;
    this.changed();
    const version = this.version;
    this.current = work()
      .catch((error: unknown) => this.say(`${label} failed: ${message(error)}`))
      .finally(() => {
        this.busy = undefined;
        this.current = undefined;
        this.changed();
      });
    return { version };
  }

  private clearMatrices(): void {
    this.matrices = { forge: emptyMatrix(), replay: emptyMatrix() };
    this.loot = {};
    this.lootViews = {};
  }

  private async stopStack(): Promise<void> {
    const stack = this.stack;
    this.stack = undefined;
    this.harvest = undefined;
    if (!stack) return;
    this.say('stopping the stack');
    await stack.stop();
  }

  private say(line: string): void {
    this.progress = [...this.progress, line].slice(-PROGRESS_LINES);
    this.tell(line);
  }

  /** A line of a run that shows its own progress (the catalogue's, the drill's): to the terminal, and the page redrawn. */
  private tell(line: string): void {
    this.log(line);
    this.changed();
  }

  private changed(): void {
    this.version += 1;
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => {
      this.notifying = false;
      const view = this.view();
      for (const listener of this.listeners) listener(view);
    });
  }
}
