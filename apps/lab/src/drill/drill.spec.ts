import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_NAMES, MODE_NAMES, getMode } from '@jwt-blast-radius/keys';
import { choosingDeterministicPart, readBenchSummary } from '../docs/choosing';
import { BENCH_REPORT, CHOOSING_GUIDE, RECOVERY_REPORT, renderChoosingDocs, renderRecoveryDocs } from '../docs/pages';
import { localDriver, REPO_ROOT } from '@jwt-blast-radius/stack';
import { runDemo } from '../demo/run';
import { EXPECTED_RECOVERY } from './expected';
import { deterministicPart } from './report';
import { DRILL_USERS, type LoadRequest } from './users';
import { fewestInAPhase, judgeDrill, keysToReplace, runDrills, type DrillRecord } from './run';

describe('the playbooks', () => {
  it.each(MODE_NAMES.flatMap((mode) => APP_NAMES.map((app) => [mode, app] as const)))(
    '%s, %s compromised: the apps holding a replaced key are the expected ones, and the audiences they sign the ones logged out',
    (mode, compromised) => {
      const definition = getMode(mode);
      const replaced = keysToReplace(mode, compromised);
      const holders = APP_NAMES.filter((app) => definition.holdings[app].some((name) => replaced.includes(name)));
      const signed = APP_NAMES.filter((audience) => replaced.includes(definition.signingKey[audience]));
      expect({ holders, signed }).toEqual({
        holders: [...EXPECTED_RECOVERY[mode][compromised].keysChangedAt],
        signed: [...EXPECTED_RECOVERY[mode][compromised].audiencesLoggedOut],
      });
    },
  );
});

describe('the verdict of a drill', () => {
  const expected = EXPECTED_RECOVERY['per-app-secret']['dashboard-api'];
  const record: Omit<DrillRecord, 'failures'> = {
    mode: 'per-app-secret',
    compromised: 'dashboard-api',
    keysReplaced: ['dashboard-api'],
    ...expected,
    forgedAcceptedBefore: 30,
    forgedDetected: 30,
    forgedAcceptedDuring: 0,
    forgedAcceptedAfter: 0,
    validRequests: 72,
    validRefused: 0,
    validPerSecond: 4.5,
    phases: 4,
    fewestValidInAPhase: 2,
    relogins: 9,
    loginsThrottled: 0,
    restarts: 0,
    secondsToContain: 0.2,
    playbookSeconds: 9,
    harvestedValidFor: 0,
  };

  it('does not depend on how fast the machine is: a slow load that reached every service in every phase passes', () => {
    expect(judgeDrill(record, expected)).toEqual([]);
  });

  it('fails a drill in which some user sent some service no valid request in a phase, however fast the rest went', () => {
    expect(judgeDrill({ ...record, validPerSecond: 90, fewestValidInAPhase: 0 }, expected)).toEqual([
      'a user sent a service no valid request in one of the 4 phases of the playbook',
    ]);
  });

  it('counts each user’s requests to each service per phase, a phase with none counting 0', () => {
    const at = (time: number, user: string, audience: (typeof APP_NAMES)[number]): LoadRequest => ({
      time,
      answeredAt: time,
      user,
      audience,
      kid: 'k',
      status: 200,
    });
    const everyPair = (time: number) => DRILL_USERS.flatMap((user) => APP_NAMES.map((audience) => at(time, user.username, audience)));
    const twoPhases = [...everyPair(100), ...everyPair(150), ...everyPair(200)];
    expect(fewestInAPhase(twoPhases, [100, 200])).toBe(1);
    expect(fewestInAPhase(twoPhases, [100, 120])).toBe(1);
    expect(fewestInAPhase(twoPhases.slice(1), [100, 200])).toBe(1);
    expect(
      fewestInAPhase(
        twoPhases.filter((r) => !(r.time === 200 && r.user === 'bob')),
        [100, 200],
      ),
    ).toBe(0);
    expect(fewestInAPhase(twoPhases, [100, 175, 300])).toBe(0);
  });
});

// The nine drills on real stacks: three users' steady calls, a real compromise, forged and replayed tokens, the
// detection over the real logs, and each mode's playbook run live with reloads, never restarts.
describe('the recovery drills, every mode and every compromised app, on real processes', () => {
  let records: DrillRecord[];
  beforeAll(async () => {
    records = await runDrills({ modes: MODE_NAMES });
  }, 1_800_000);

  it('runs one drill per mode and compromised app', () => {
    expect(records.map(({ mode, compromised }) => `${mode} ${compromised}`)).toEqual(
      MODE_NAMES.flatMap((mode) => APP_NAMES.map((app) => `${mode} ${app}`)),
    );
  });

  it('goes as expected in every drill: keys changed and audiences logged out as expected, every forgery detected, none after, no valid request refused, no restart', () => {
    expect(
      records.filter((record) => record.failures.length > 0).map(({ mode, compromised, failures }) => ({ mode, compromised, failures })),
    ).toEqual([]);
    for (const record of records) {
      expect({
        mode: record.mode,
        compromised: record.compromised,
        keysChangedAt: record.keysChangedAt,
        audiencesLoggedOut: record.audiencesLoggedOut,
      }).toEqual({
        mode: record.mode,
        compromised: record.compromised,
        ...EXPECTED_RECOVERY[record.mode][record.compromised],
      });
      expect(record).toMatchObject({ forgedAcceptedAfter: 0, validRefused: 0, restarts: 0, forgedDetected: record.forgedAcceptedBefore });
    }
  });

  it('sees forged tokens accepted exactly where the compromised app held a key that signs, and contains them', () => {
    for (const record of records) {
      const forgeable = record.keysReplaced.length > 0;
      expect({ drill: `${record.mode} ${record.compromised}`, accepted: record.forgedAcceptedBefore > 0 }).toEqual({
        drill: `${record.mode} ${record.compromised}`,
        accepted: forgeable,
      });
      if (forgeable) expect(record.secondsToContain).toBeGreaterThan(0);
      else expect(record.secondsToContain).toBe(0);
    }
  });

  it('leaves the harvested tokens working only where nothing was replaced', () => {
    for (const record of records) {
      if (record.keysReplaced.length > 0) expect(record.harvestedValidFor).toBe(0);
      else expect(record.harvestedValidFor).toBeGreaterThan(0);
    }
  });

  it('is what docs/recovery.md says, but for the figures of the run that wrote it', async () => {
    const expected = deterministicPart(renderRecoveryDocs(records)[RECOVERY_REPORT]!);
    const written = deterministicPart(await readFile(join(REPO_ROOT, RECOVERY_REPORT), 'utf8'));
    expect(written).toEqual(expected);
  });

  it('gives docs/choosing.md, with the lab run in both variants, but for the measured figures', async () => {
    const lab = (variant: 'secure' | 'no-audience-check') => runDemo({ modes: MODE_NAMES, driver: localDriver, variant });
    const bench = readBenchSummary(await readFile(join(REPO_ROOT, BENCH_REPORT), 'utf8'));
    const page = renderChoosingDocs({
      secure: await lab('secure'),
      noAudienceCheck: await lab('no-audience-check'),
      drills: records,
      bench,
    });
    const written = await readFile(join(REPO_ROOT, CHOOSING_GUIDE), 'utf8');
    expect(choosingDeterministicPart(written)).toEqual(choosingDeterministicPart(page[CHOOSING_GUIDE]!));
  }, 600_000);
});
