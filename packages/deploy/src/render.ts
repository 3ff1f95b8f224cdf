import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './policy';

const run = promisify(execFile);

/** Whether `kubectl` runs here (it renders offline: no cluster is needed). */
export function kubectlAnswers(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/**
 * Renders a kustomize folder with `kubectl kustomize`, offline, and reads back every object it prints.
 *
 * @example
 * const objects = await renderKustomization('deploy/k8s/overlays/rs256-jwks');
 */
export async function renderKustomization(dir: string): Promise<KubeObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).flatMap((document) => {
    if (document.errors.length > 0)
      throw new Error(`kubectl kustomize ${dir} printed YAML that does not parse: ${document.errors[0]!.message}`);
    const object = document.toJS() as KubeObject | null;
    return object ? [object] : [];
  });
}

/**
 * Validates objects against the Kubernetes schemas of `kubernetes-models` (an ES module: run in a Node process of
 * its own, from the build): wrong types, missing required fields and values out of the schema's enums. A
 * misspelled optional field passes it; the manifests are typed objects, so TypeScript stops those where they are
 * written. One line per problem; empty when every object validates.
 *
 * @example
 * await schemaProblems(objects); // ['Deployment auth-service: data/spec/replicas must be integer']
 */
export async function schemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  const worker = join(__dirname, '..', 'dist', 'schema-worker.js');
  const child = execFile(process.execPath, [worker], { maxBuffer: 16 * 1024 * 1024 });
  const output = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the schema check exited ${code}: ${stderr.trim()}`))));
  });
  child.stdin!.end(JSON.stringify(objects));
  return JSON.parse(await output) as string[];
}
