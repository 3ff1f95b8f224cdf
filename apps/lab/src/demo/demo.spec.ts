import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODE_NAMES } from '@jwt-blast-radius/keys';
import { localDriver, type StackDriver, REPO_ROOT } from '@jwt-blast-radius/stack';
import { EXPECTED, VARIANTS, type Variant } from './expected';
import { mismatches, runDemo, type Probe } from './run';
import { renderDocs } from '../docs/pages';

jest.setTimeout(600_000);

const outcome = (probes: readonly Probe[], pick: (probe: Probe) => boolean) =>
  Object.fromEntries(probes.map((probe) => [`${probe.mode} ${probe.attack} ${probe.compromised} → ${probe.target}`, pick(probe)]));

const runs = {} as Record<Variant, Probe[]>;

describe.each(VARIANTS)('the lab with the %s services, against real processes', (variant) => {
  let probes: Probe[];
  beforeAll(async () => {
    probes = runs[variant] = await runDemo({ modes: MODE_NAMES, driver: localDriver, variant });
  });

  it('probes every cell of the forge and replay matrices of every mode', () => {
    const cells = MODE_NAMES.flatMap((mode) =>
      (['forge', 'replay'] as const).flatMap((attack) =>
        Object.entries(EXPECTED[variant][mode][attack]).flatMap(([compromised, row]) =>
          Object.keys(row).map((target) => `${mode} ${attack} ${compromised} → ${target}`),
        ),
      ),
    );
    expect(Object.keys(outcome(probes, () => true)).sort()).toEqual(cells.sort());
  });

  it('finds every cell as the expected table says', () => {
    expect(outcome(probes, (probe) => probe.accepted)).toEqual(outcome(probes, (probe) => probe.expected));
    expect(mismatches(probes)).toEqual([]);
  });

  it('answers a refused forgery or replay with a 401, and an accepted one with a 200', () => {
    expect(probes.filter((probe) => probe.status !== (probe.accepted ? 200 : 401))).toEqual([]);
  });
});

describe('the generated documents', () => {
  it('are what npm run docs makes of the runs above: the reports in docs/ and the README demo block', async () => {
    const docs = await renderDocs(runs);
    for (const [file, content] of Object.entries(docs)) {
      expect({ file, content: await readFile(join(REPO_ROOT, file), 'utf8') }).toEqual({ file, content });
    }
  });
});

describe('the lab against services that behave otherwise', () => {
  it('reports each differing cell: services that skip the audience check, judged by the secure table', async () => {
    const misconfigured: StackDriver = {
      name: 'misconfigured',
      start: (mode, options) => localDriver.start(mode, { ...options, insecure: true }),
    };
    const probes = await runDemo({ modes: ['rs256-jwks'], driver: misconfigured, variant: 'secure' });
    const differing = mismatches(probes).map((probe) => `${probe.attack} ${probe.compromised} → ${probe.target}`);
    expect(differing.sort()).toEqual(
      [
        'replay auth-service → dashboard-api',
        'replay auth-service → mobile-api',
        'replay dashboard-api → auth-service',
        'replay dashboard-api → mobile-api',
        'replay mobile-api → auth-service',
        'replay mobile-api → dashboard-api',
      ].sort(),
    );
  });
});
