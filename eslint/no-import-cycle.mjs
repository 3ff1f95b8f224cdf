// @ts-check
// The house rule `house/no-import-cycle`: no file of a package reaches itself again through its relative
// imports, type-only imports included (a circle through types is still two files that cannot be read
// apart). Workspace packages cannot import each other in a circle: npm and turbo refuse that already.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const SPECIFIER = /(?:^|[\s;])(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** @type {Map<string, string[]>} each file's relative imports, resolved to files, read once per lint run */
const importsOf = new Map();

/** @param {string} file */
function readImports(file) {
  let found = importsOf.get(file);
  if (found) return found;
  found = [];
  importsOf.set(file, found);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolveModule(file, /** @type {string} */ (match[1] ?? match[2]));
    if (target) found.push(target);
  }
  return found;
}

/** @param {string} from @param {string} specifier */
function resolveModule(from, specifier) {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

/** The shortest way back from `start` to `file` through relative imports, or undefined. @param {string} file */
function circleThrough(file, start) {
  /** @type {Map<string, string | undefined>} */
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = /** @type {string} */ (queue.shift());
    if (current === file) {
      const route = [];
      for (let at = /** @type {string | undefined} */ (current); at !== undefined; at = cameFrom.get(at)) route.unshift(at);
      return [file, ...route];
    }
    for (const next of readImports(current)) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow a circle of relative imports, type-only imports included' },
    schema: [],
    messages: { circle: 'import circle: {{route}}' },
  },
  create(context) {
    const file = context.filename;
    /** @param {import('estree').Node & { source?: import('estree').Literal | null }} node */
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveModule(file, specifier);
      const circle = target && circleThrough(file, target);
      if (!circle) return;
      const route = circle.map((step) => relative(dirname(file), step) || '.').join(' -> ');
      context.report({ node, messageId: 'circle', data: { route } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
