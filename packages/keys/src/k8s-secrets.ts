import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_FILE_NAME } from './keyset';
import { checkServiceName, type Topology } from './topology';

/** The namespace the manifests of deploy/k8s run in, and the one the Secrets are written for unless told. */
export const KUBERNETES_NAMESPACE = 'jwt-blast-radius';

/** Where a pod mounts its Secret: the folder its `KEYS_DIR` names. */
export const KUBERNETES_KEYS_DIR = '/keys';

/**
 * The name of the Secret that holds a service's key file (`keys.json`), as the manifests mount it.
 *
 * @example
 * secretNameOf('orders-api'); // 'orders-api-keys'
 */
export function secretNameOf(app: string): string {
  return `${checkServiceName(app, 'the service name')}-keys`;
}

/** The labels every object of the project carries on Kubernetes, with the service's name where it has one. */
export function kubernetesLabels(app?: string): Record<string, string> {
  return { ...(app === undefined ? {} : { 'app.kubernetes.io/name': app }), 'app.kubernetes.io/part-of': 'jwt-blast-radius' };
}

/**
 * The Secret manifests of a key folder (one folder per service, as `writeKeyFolders` lays them out): one per
 * service that holds a key file, named {@link secretNameOf}, its file under `keys.json`, as YAML documents. A
 * service that holds nothing in its mode gets none. The text holds the keys themselves: pipe it to
 * `kubectl apply -f -`, never into a file that git tracks.
 *
 * @example
 * process.stdout.write(await secretManifests('keys-out', topology, { namespace: 'shop' }));
 */
export async function secretManifests(dir: string, topology: Topology, { namespace = KUBERNETES_NAMESPACE } = {}): Promise<string> {
  checkServiceName(namespace, '--namespace');
  const documents: string[] = [];
  for (const app of topology.apps) {
    const text = await readFile(join(dir, app, KEY_FILE_NAME)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) continue;
    const labels = Object.entries(kubernetesLabels(app)).map(([name, value]) => `    ${name}: ${value}`);
    documents.push(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        `  name: ${secretNameOf(app)}`,
        `  namespace: ${namespace}`,
        '  labels:',
        ...labels,
        'type: Opaque',
        'data:',
        `  ${KEY_FILE_NAME}: ${text.toString('base64')}`,
      ].join('\n'),
    );
  }
  return documents.map((document) => `---\n${document}\n`).join('');
}
