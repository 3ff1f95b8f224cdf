import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@jwt-blast-radius/stack';
import { EXERCISES, commandOf } from './exercises';
import { ANSWER_MARK, QUESTION_MARK, WORKSHOP_EXERCISES, WORKSHOP_PLAN, formatWorkshopPages, normalizeWorkshopPage } from './pages';
import { WORKSHOP_MINUTES } from './plan';
import { runWorkshop, type WorkshopRun } from './run';

jest.setTimeout(600_000);

const read = (page: string) => readFile(join(REPO_ROOT, page), 'utf8');

/** The page's exercises: each "## Exercise N: ..." heading and the text up to the next heading of its level. */
function sectionsOf(page: string): { readonly number: number; readonly title: string; readonly text: string }[] {
  const parts = page.split(/^## /m).slice(1);
  return parts.flatMap((part) => {
    const heading = /^Exercise (\d+): (.+)$/m.exec(part.split('\n')[0]!);
    return heading ? [{ number: Number(heading[1]), title: heading[2]!, text: part }] : [];
  });
}

// The workshop's pages in docs/workshop/ against a fresh run of the check and every exercise, for real: three stacks as
// npm start runs them (on free ports), and the lab's built commands as a participant runs them.
describe('the workshop pages, against a fresh run of every exercise', () => {
  let run: WorkshopRun;
  let fresh: Record<string, string>;

  beforeAll(async () => {
    run = await runWorkshop();
    fresh = formatWorkshopPages(run, 'npm run docs');
  });

  it.each([WORKSHOP_PLAN, WORKSHOP_EXERCISES])(
    '%s is what a fresh run gives, but for ids, times, durations and this machine’s check',
    async (page) => {
      expect(normalizeWorkshopPage(await read(page))).toEqual(normalizeWorkshopPage(fresh[page]!));
    },
  );

  it('runs each exercise’s commands, in order, and measures them', () => {
    expect(run.exercises.map(({ exercise, steps }) => [exercise.title, steps.map((step) => step.command)])).toEqual(
      EXERCISES.map((exercise) => [exercise.title, exercise.steps.map(commandOf)]),
    );
    for (const { seconds } of run.exercises) expect(seconds).toBeGreaterThan(0);
  });

  it('shows the npm start terminal’s access decisions of the exercises that call a service', () => {
    const decisions = run.exercises.map(({ serverLines }) => serverLines.map((line) => /→ (\w+)/.exec(line)?.[1]));
    expect(decisions).toEqual([['accepted'], ['refused', 'accepted', 'accepted'], ['accepted'], [], [], []]);
  });

  it('tells a stale page from a fresh one, and a fresh one from another run', () => {
    const page = fresh[WORKSHOP_EXERCISES]!;
    const anotherRun = page
      .replace(/\b(shared|issuer)\.[0-9a-f]{8}\b/g, '$1.0badc0de')
      .replace(/pid \d+/g, 'pid 1')
      .replace(/ran in \d+\.\d s/g, 'ran in 99.9 s');
    expect(normalizeWorkshopPage(anotherRun)).toEqual(normalizeWorkshopPage(page));
    const stale = page.replace('HTTP/1.1 401 Unauthorized', 'HTTP/1.1 200 OK');
    expect(stale).not.toEqual(page);
    expect(normalizeWorkshopPage(stale)).not.toEqual(normalizeWorkshopPage(page));
  });
});

describe('the workshop pages as written', () => {
  it('hold at least six exercises, numbered from 1, each with its commands, a question for the room and its answer', async () => {
    const sections = sectionsOf(await read(WORKSHOP_EXERCISES));
    expect(sections.length).toBeGreaterThanOrEqual(6);
    expect(sections.map((section) => section.number)).toEqual(sections.map((_section, i) => i + 1));
    for (const { number, text } of sections) {
      const question = text.split(QUESTION_MARK)[1]?.split('\n')[0]?.trim() ?? '';
      const answer = text.split(ANSWER_MARK)[1]?.split('</details>')[0]?.trim() ?? '';
      expect({ exercise: number, question: question.endsWith('?'), answer: answer.length > 100 }).toEqual({
        exercise: number,
        question: true,
        answer: true,
      });
      expect(text).toMatch(/```sh\n[^`]+```\n\nWhat it prints:\n\n```console\n\$ /);
    }
  });

  it('plan 90 minutes, and list and link every exercise', async () => {
    const plan = await read(WORKSHOP_PLAN);
    const timing = plan.split('## Timing')[1]!.split('\n## ')[0]!;
    const minutes = [...timing.matchAll(/^\| (?!\*\*total)(.+?) \| (\d+) \|/gm)].map((row) => Number(row[2]));
    expect(minutes.reduce((sum, value) => sum + value, 0)).toBe(WORKSHOP_MINUTES);
    expect(timing).toContain(`| **total** | **${WORKSHOP_MINUTES}** |`);
    const titles = sectionsOf(await read(WORKSHOP_EXERCISES)).map(({ number, title }) => `Exercise ${number}: ${title}`);
    for (const title of titles) expect(timing).toContain(`[${title}](exercises.md#`);
  });
});
