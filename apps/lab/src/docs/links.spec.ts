import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '@jwt-blast-radius/stack';

// Every Markdown page a reader opens: its relative links must lead somewhere, and the commands it tells a reader
// to type must be ones the project has.

const SKIPPED = new Set(['node_modules', 'dist', '.git', '.turbo', 'own', 'coverage', '.logs', '.keys']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens. */
function slugOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = slugOf(heading!);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  for (const [, id] of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

/** Every link of a page outside its code: `[text](target)`. */
function linksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!);
}

const FILES = markdownFiles(REPO_ROOT);

describe('the Markdown pages', () => {
  it('are found: the README, docs/ and every package’s README', () => {
    const names = FILES.map((path) => relative(REPO_ROOT, path));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/production.md', 'packages/keys/README.md']));
  });

  it.each(FILES.map((path) => [relative(REPO_ROOT, path), path]))(
    '%s: every relative link leads to a file, and every anchor to a heading',
    (_, path) => {
      const broken: string[] = [];
      for (const link of linksOf(readFileSync(path, 'utf8'))) {
        if (/^[a-z]+:/i.test(link)) continue;
        const [target = '', anchor] = link.split('#');
        const file = target === '' ? path : resolve(dirname(path), decodeURIComponent(target));
        if (!existsSync(file)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${link}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );
});

/** The commands the project has: its npm scripts, and the subcommands of the lab and of the keys tool (from their usage). */
function knownCommands() {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const lab = execFileSync(process.execPath, [join(REPO_ROOT, 'apps/lab/dist/cli/lab.js'), '--help'], { encoding: 'utf8' });
  const labCommands = [...lab.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((match) => match[1]!);
  // The keys tool prints its usage, every command in it, when asked for none.
  const keys = spawnSync(process.execPath, [join(REPO_ROOT, 'packages/keys/dist/cli.js')], { encoding: 'utf8' }).stderr;
  return { scripts, labCommands, keys };
}

describe('the commands the pages give', () => {
  const known = knownCommands();

  it('build to stderr where the pages pipe what the tool prints (keys secrets | kubectl apply -f -, TOKEN=$(lab forge))', () => {
    const { scripts } = known;
    const piped = ['keys', 'lab', 'manifests'];
    expect(piped.filter((name) => !/^turbo run build [^&]*>&2 && node /.test(scripts[name] ?? ''))).toEqual([]);
  });

  it.each(FILES.map((path) => [relative(REPO_ROOT, path), path]))('%s: every npm run, lab and keys command exists', (_, path) => {
    const text = readFileSync(path, 'utf8');
    const unknown: string[] = [];
    for (const [, script, rest = ''] of text.matchAll(/npm run(?: -s)? ([a-z][\w:-]*)((?: --)? [a-z][\w-]*)?/g)) {
      if (!Object.hasOwn(known.scripts, script!)) unknown.push(`npm run ${script}: no such script`);
      const sub = rest.replace(/^ --/, '').trim();
      if (script === 'lab' && rest.startsWith(' --') && sub && !known.labCommands.includes(sub))
        unknown.push(`npm run lab -- ${sub}: no such command`);
      if (script === 'keys' && rest.startsWith(' --') && sub && !known.keys.includes(`jwt-blast-radius-keys ${sub}`)) {
        unknown.push(`npm run keys -- ${sub}: no such command`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
