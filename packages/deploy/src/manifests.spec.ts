import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  DEMO_TOPOLOGY,
  KEY_FILE_NAME,
  MODE_NAMES,
  createTopology,
  generateKeySet,
  keyNameOf,
  secretManifests,
  secretNameOf,
  writeKeyFolders,
  type JsonWebKeySet,
  type Topology,
} from '@jwt-blast-radius/keys';
import { kubernetesManifests } from './manifests';
import { DEPLOY_DIR } from './paths';
import { policyProblems, type KubeObject } from './policy';
import { kubectlAnswers, renderKustomization, schemaProblems } from './render';

// Without kubectl these tests skip, saying so in one line; with REQUIRE_KUBECTL=1 (as in CI) they fail instead.
const kubectl = kubectlAnswers();
const kubectlRequired = process.env.REQUIRE_KUBECTL === '1';
if (!kubectl && !kubectlRequired) {
  process.stderr.write(
    'Kubernetes manifest tests skipped: no kubectl answers `kubectl version --client` (REQUIRE_KUBECTL=1 makes this a failure)\n',
  );
}
const describeWithKubectl = kubectl || kubectlRequired ? describe : describe.skip;

/** Every file under a folder, by its path relative to it. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return files;
}

/** The Secrets the keys command writes for a fresh key folder of a mode: each name, and the names of the keys in it. */
async function secretsOf(mode: string, topology: Topology, dir: string): Promise<Record<string, string[]>> {
  await writeKeyFolders(join(dir, mode), await generateKeySet(mode, topology));
  const secrets: Record<string, string[]> = {};
  for (const document of parseAllDocuments(await secretManifests(join(dir, mode), topology))) {
    const secret = document.toJS() as { metadata: { name: string }; data: Record<string, string> };
    const set = JSON.parse(Buffer.from(secret.data[KEY_FILE_NAME]!, 'base64').toString('utf8')) as JsonWebKeySet;
    secrets[secret.metadata.name] = set.keys.map((jwk) => keyNameOf(jwk.kid ?? '')).sort();
  }
  return secrets;
}

describe('the demo’s manifests in deploy/k8s', () => {
  it('are what npm run manifests writes from the mode table now', async () => {
    const committed = await filesUnder(DEPLOY_DIR);
    const generated = kubernetesManifests({ topology: DEMO_TOPOLOGY });
    const ours = Object.fromEntries(Object.entries(committed).filter(([path]) => path.startsWith('base/') || path.startsWith('overlays/')));
    expect(ours).toEqual(generated);
  });
});

const OWN = createTopology('identity', ['identity', 'orders-api', 'billing-api']);

describe.each([
  ['the demo’s services', DEMO_TOPOLOGY, 'committed'],
  ['names of one’s own', OWN, 'generated'],
] as const)('kubectl kustomize, for %s', (_, topology, where) => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifests-'));
    root = DEPLOY_DIR;
    if (where === 'generated') {
      // As a user makes them: the command, from the topology, into a folder of its own.
      root = join(dir, 'own');
      const cli = join(__dirname, '..', 'dist', 'cli.js');
      const made = spawnSync(process.execPath, [cli, '--issuer', topology.issuer, '--apps', topology.apps.join(','), '--out', root], {
        encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`npm run manifests failed: ${made.stderr}`);
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  describeWithKubectl.each(MODE_NAMES)('the %s overlay', (mode) => {
    let objects: KubeObject[];
    let secrets: Record<string, string[]>;
    beforeAll(async () => {
      if (!kubectl) throw new Error('REQUIRE_KUBECTL=1, but kubectl does not answer `kubectl version --client`');
      objects = await renderKustomization(join(root, 'overlays', mode));
      secrets = await secretsOf(mode, topology, dir);
    });

    it('renders objects that the Kubernetes schemas accept, and no Secret', async () => {
      expect(await schemaProblems(objects)).toEqual([]);
      expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
      const outside = objects.filter((object) => object.kind !== 'Namespace' && object.metadata.namespace !== 'jwt-blast-radius');
      expect(outside.map((object) => `${object.kind} ${object.metadata.name}`)).toEqual([]);
    });

    it('mounts into each pod exactly what the mode gives its service, and holds to the hardening and network rules', () => {
      expect(policyProblems(objects, { mode, topology, secrets })).toEqual([]);
    });
  });
});

/** The parts of a rendered Deployment the tests below break. */
interface EditableDeployment {
  spec: {
    replicas?: unknown;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        volumes: { name: string; secret?: { secretName: string } }[];
        containers: {
          name?: string;
          securityContext: { readOnlyRootFilesystem?: boolean };
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
        }[];
      };
    };
  };
}

describeWithKubectl('the checks, shown a manifest broken on purpose', () => {
  let objects: KubeObject[];
  let secrets: Record<string, string[]>;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifests-broken-'));
    objects = await renderKustomization(join(DEPLOY_DIR, 'overlays', 'rs256-jwks'));
    secrets = await secretsOf('rs256-jwks', DEMO_TOPOLOGY, dir);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  /** The rendered objects with one Deployment changed. */
  const withDeployment = (name: string, change: (deployment: EditableDeployment) => void): KubeObject[] =>
    objects.map((object) => {
      if (object.kind !== 'Deployment' || object.metadata.name !== name) return object;
      const copy = structuredClone(object) as unknown as EditableDeployment;
      change(copy);
      return copy as unknown as KubeObject;
    });

  it("finds the issuer's Secret mounted into an API", () => {
    const broken = withDeployment('dashboard-api', (deployment) => {
      const pod = deployment.spec.template.spec;
      pod.volumes.push({ name: 'keys', secret: { secretName: secretNameOf('auth-service') } });
      pod.containers[0]!.volumeMounts.push({ name: 'keys', mountPath: '/keys', readOnly: true });
    });
    expect(policyProblems(broken, { mode: 'rs256-jwks', topology: DEMO_TOPOLOGY, secrets })).toEqual([
      'dashboard-api mounts auth-service-keys; in rs256-jwks it holds nothing, so it should mount nothing',
      'dashboard-api can read the keys issuer; in rs256-jwks it holds nothing',
    ]);
  });

  it('finds a Secret mounted by subPath, a writable root filesystem and a Service that selects nothing', () => {
    const broken = withDeployment('auth-service', (deployment) => {
      const container = deployment.spec.template.spec.containers[0]!;
      container.volumeMounts = container.volumeMounts.map((mount: { name: string }) =>
        mount.name === 'keys' ? { ...mount, subPath: KEY_FILE_NAME } : mount,
      );
      container.securityContext.readOnlyRootFilesystem = false;
      deployment.spec.template.metadata.labels['app.kubernetes.io/name'] = 'issuer';
    });
    expect(policyProblems(broken, { mode: 'rs256-jwks', topology: DEMO_TOPOLOGY, secrets })).toEqual(
      expect.arrayContaining([
        'auth-service: a read-only root filesystem',
        'auth-service: the Secret volume keys is mounted read-only and whole (a subPath mount is never updated)',
        'Service auth-service selects nothing, not its own Deployment',
      ]),
    );
  });

  it('finds the APIs let through to the issuer in a mode that publishes no JWKS', async () => {
    const hs = await renderKustomization(join(DEPLOY_DIR, 'overlays', 'per-app-secret'));
    const jwks = objects.filter((object) => object.kind === 'NetworkPolicy' && object.metadata.name.includes('jwks'));
    const hsSecrets = await secretsOf('per-app-secret', DEMO_TOPOLOGY, dir);
    expect(policyProblems([...hs, ...jwks], { mode: 'per-app-secret', topology: DEMO_TOPOLOGY, secrets: hsSecrets })).toEqual([
      'NetworkPolicy apis-to-issuer-jwks lets dashboard-api, mobile-api reach auth-service, though per-app-secret publishes no JWKS',
      'NetworkPolicy issuer-jwks-from-apis lets dashboard-api, mobile-api reach auth-service',
    ]);
  });

  it('has the schemas catch a wrong type and a missing field', async () => {
    const broken = withDeployment('mobile-api', (deployment) => {
      deployment.spec.replicas = 'two';
      delete deployment.spec.template.spec.containers[0]!.name;
    });
    expect(await schemaProblems(broken)).toEqual([
      expect.stringMatching(/^Deployment mobile-api: .*(replicas must be integer|must have required property 'name')/),
    ]);
  });
});
