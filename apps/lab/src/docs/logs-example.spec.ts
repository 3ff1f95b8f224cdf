import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLogLine } from '@jwt-blast-radius/service-kit';
import { LOGS_PAGE, renderLogsDocs } from './pages';
import { normalizeLogsExample, runLogsExample, type LoggedLine } from './logs-example';
import { REPO_ROOT } from '@jwt-blast-radius/stack';

jest.setTimeout(120_000);

describe('the example session of docs/logs.md, run on a real stack', () => {
  let lines: LoggedLine[];
  beforeAll(async () => {
    lines = await runLogsExample();
  });

  it('logs each event the page describes, in the order the session caused them', () => {
    const described = lines.map(({ app, line }) => {
      const entry = parseLogLine(line);
      return [app, entry?.event, typeof entry?.outcome === 'string' ? entry.outcome : ''].join(' ').trim();
    });
    expect(described).toEqual([
      'auth-service login issued',
      'auth-service token-issued',
      'dashboard-api jwks-fetch ok',
      'dashboard-api access accepted',
      'dashboard-api access forbidden',
      'mobile-api jwks-fetch ok',
      'mobile-api access refused',
      'mobile-api access refused',
      'dashboard-api jwks-fetch ok',
      'dashboard-api keys-reloaded ok',
      'dashboard-api stopped',
    ]);
  });

  it('is what the page shows, but for times, ids, kids and durations', async () => {
    const fresh = (await renderLogsDocs(lines))[LOGS_PAGE]!;
    const written = await readFile(join(REPO_ROOT, LOGS_PAGE), 'utf8');
    expect(normalizeLogsExample(written)).toEqual(normalizeLogsExample(fresh));
  });
});
