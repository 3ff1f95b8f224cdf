import { APP_NAMES, type AppName, type ModeName } from '@jwt-blast-radius/keys';
import { fetchPublishedJwks, forgeAdminTokens, harvestToken, tryTokens } from './probes';
import type { StackDriver } from './drivers/types';
import { EXPECTED, type Variant } from './expected';
import { signingKeysIn } from './loot';
import { ROUTES } from './targets';

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

export interface LabOptions {
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
 * const probes = await runLab({ modes: ['rs256-jwks'], driver: localDriver, variant: 'secure' });
 */
export async function runLab({ modes, driver, variant, progress = () => {} }: LabOptions): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (const mode of modes) {
    const say = (line: string) => progress(`[${mode}] ${line}`);
    const expected = EXPECTED[variant][mode];
    const stack = await driver.start(mode, { insecure: variant === 'no-audience-check', progress: say });
    try {
      const authUrl = stack.urls['auth-service'];
      say('harvesting alice’s token for each audience');
      // One login at a time, as one client would: the auth service hashes one password per client at once.
      const harvest = {} as Record<AppName, string>;
      for (const app of APP_NAMES) harvest[app] = await harvestToken(authUrl, app);
      const published = await fetchPublishedJwks(authUrl);
      for (const compromised of APP_NAMES) {
        const loot = await stack.compromise(compromised);
        const keys = signingKeysIn(loot).map((jwk) => jwk.kid);
        say(
          `compromised ${compromised} (${loot.source}): ${Object.keys(loot.env).length} environment variables, ` +
            `${loot.files.length} key file(s), signing keys: ${keys.length ? keys.join(', ') : 'none'}`,
        );
        for (const target of APP_NAMES) {
          const answer = await tryTokens(`${stack.urls[target]}${ROUTES[target].admin}`, await forgeAdminTokens(loot, target, published));
          probes.push({ mode, variant, compromised, target, attack: 'forge', ...answer, expected: expected.forge[compromised][target]! });
          if (target === compromised) continue;
          const replay = await tryTokens(`${stack.urls[target]}${ROUTES[target].user}`, [
            { via: 'harvested token', token: harvest[compromised] },
          ]);
          probes.push({ mode, variant, compromised, target, attack: 'replay', ...replay, expected: expected.replay[compromised][target]! });
        }
      }
    } finally {
      say('stopping the stack');
      await stack.stop();
    }
  }
  return probes;
}

/** The probes whose outcome differs from the expected table. */
export function mismatches(probes: readonly Probe[]): Probe[] {
  return probes.filter((probe) => probe.accepted !== probe.expected);
}
