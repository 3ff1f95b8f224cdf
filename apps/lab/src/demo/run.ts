import { APP_NAMES, type AppName, type JsonWebKeySet, type ModeName } from '@jwt-blast-radius/keys';
import { fetchPublishedJwks, forgeAdminTokens, harvestToken, tryTokens } from './probes';
import { type RunningStack, type StackDriver, signingKeysIn, type Loot } from '@jwt-blast-radius/stack';
import { EXPECTED, type Variant } from './expected';
import { ROUTES } from '../targets';

/** One cell of a matrix: what one attack on one target did. */
export interface Probe {
  readonly mode: ModeName;
  readonly variant: Variant;
  readonly compromised: AppName;
  readonly target: AppName;
  readonly attack: 'forge' | 'replay';
  readonly accepted: boolean;
  readonly status: number;
  readonly expected: boolean;
  /** The key or trick that got the token accepted, or the first one tried. */
  readonly via?: string;
  /** Every key or trick tried, in order. */
  readonly tried: readonly string[];
}

export interface DemoOptions {
  readonly modes: readonly ModeName[];
  readonly driver: StackDriver;
  readonly variant: Variant;
  readonly progress?: (line: string) => void;
}

/**
 * Runs the lab: for each mode, starts the stack, harvests a token per audience, compromises each app
 * in turn, forges admin tokens with what it took and replays its harvested token at every other
 * service. Every probe carries the expected outcome, read from {@link EXPECTED}.
 *
 * @example
 * const probes = await runDemo({ modes: ['rs256-jwks'], driver: localDriver, variant: 'secure' });
 */
export async function runDemo({ modes, driver, variant, progress = () => {} }: DemoOptions): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (const mode of modes) {
    const say = (line: string) => progress(`[${mode}] ${line}`);
    const stack = await driver.start(mode, { insecure: variant === 'no-audience-check', progress: say });
    try {
      say('harvesting alice’s token for each audience');
      const harvest = await harvestStack(stack, say);
      for (const compromised of APP_NAMES) {
        const loot = await stack.compromise(compromised);
        const keys = signingKeysIn(loot).map((jwk) => jwk.kid);
        say(
          `compromised ${compromised} (${loot.source}): ${Object.keys(loot.env).length} environment variables, ` +
            `${loot.files.length} key file(s), signing keys: ${keys.length ? keys.join(', ') : 'none'}`,
        );
        probes.push(...(await probeCompromise({ mode, variant, stack, harvest, loot })));
      }
    } finally {
      say(stack.keepsRunning ? 'done; the stack keeps running' : 'stopping the stack');
      await stack.stop();
    }
  }
  return probes;
}

/** What the probes need from a running stack before any compromise. */
export interface Harvest {
  /** alice's token for each audience, as each service has seen it. */
  readonly tokens: Readonly<Record<AppName, string>>;
  /** The issuer's published JWKS, where the mode publishes one. */
  readonly published: JsonWebKeySet | undefined;
}

/**
 * Logs alice in for each audience and fetches the issuer's published JWKS: what {@link probeCompromise} replays
 * and confuses.
 *
 * @example
 * const harvest = await harvestStack(stack);
 */
export async function harvestStack(stack: RunningStack, progress: (line: string) => void = () => {}): Promise<Harvest> {
  const authUrl = stack.urls['auth-service'];
  // One login at a time, as one client would: the auth service hashes one password per client at once.
  const tokens = {} as Record<AppName, string>;
  for (const app of APP_NAMES) tokens[app] = await harvestToken(authUrl, app, progress);
  return { tokens, published: await fetchPublishedJwks(authUrl) };
}

export interface CompromiseProbeOptions {
  readonly mode: ModeName;
  readonly variant: Variant;
  readonly stack: RunningStack;
  readonly harvest: Harvest;
  /** What the compromise of one app took: its app is the compromised one. */
  readonly loot: Loot;
  /** Told as each probe is sent, and as its answer comes. */
  readonly observer?: ProbeObserver;
}

/** Follows the probes of one compromise as they run. */
export interface ProbeObserver {
  sending?(target: AppName, attack: Probe['attack']): void;
  answered?(probe: Probe): void;
}

/**
 * The probes of one compromised app, one target at a time: an admin token forged with the loot, then (at every
 * other service) the app's harvested token replayed. Each probe carries its expected outcome from {@link EXPECTED}.
 *
 * @example
 * const probes = await probeCompromise({ mode, variant: 'secure', stack, harvest, loot: await stack.compromise('mobile-api') });
 */
export async function probeCompromise({ mode, variant, stack, harvest, loot, observer = {} }: CompromiseProbeOptions): Promise<Probe[]> {
  const expected = EXPECTED[variant][mode];
  const compromised = loot.app;
  const probes: Probe[] = [];
  const record = (probe: Probe) => {
    probes.push(probe);
    observer.answered?.(probe);
  };
  for (const target of APP_NAMES) {
    observer.sending?.(target, 'forge');
    const forgeries = await forgeAdminTokens(loot, target, harvest.published);
    const answer = await tryTokens(`${stack.urls[target]}${ROUTES[target].admin}`, forgeries);
    record({ mode, variant, compromised, target, attack: 'forge', ...answer, expected: expected.forge[compromised][target]! });
    if (target === compromised) continue;
    observer.sending?.(target, 'replay');
    const replay = await tryTokens(`${stack.urls[target]}${ROUTES[target].user}`, [
      { via: 'harvested token', token: harvest.tokens[compromised] },
    ]);
    record({ mode, variant, compromised, target, attack: 'replay', ...replay, expected: expected.replay[compromised][target]! });
  }
  return probes;
}

/** The probes whose outcome differs from the expected table. */
export function mismatches(probes: readonly Probe[]): Probe[] {
  return probes.filter((probe) => probe.accepted !== probe.expected);
}
