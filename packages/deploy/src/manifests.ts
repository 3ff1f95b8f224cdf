import type { IDeployment } from 'kubernetes-models/apps/v1' with { 'resolution-mode': 'import' };
import type { INetworkPolicy, INetworkPolicyPeer, INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1' with {
  'resolution-mode': 'import',
};
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1' with { 'resolution-mode': 'import' };
import type { IContainer, INamespace, IService, IServiceAccount } from 'kubernetes-models/v1' with { 'resolution-mode': 'import' };
import { Document, visit } from 'yaml';
import {
  DEMO_TOPOLOGY,
  KEY_FILE_NAME,
  KUBERNETES_KEYS_DIR,
  KUBERNETES_NAMESPACE,
  MODE_NAMES,
  kubernetesLabels,
  layOutMode,
  secretNameOf,
  type Topology,
} from '@jwt-blast-radius/keys';

/** The port every service listens on in its pod, and its Service answers on. */
export const SERVICE_PORT = 3000;

/** The label of a pod that may call the services: a client of one's own in the namespace (`kubectl run`, a test). */
export const CLIENT_LABEL = { 'jwt-blast-radius/client': 'true' } as const;

/** The namespace of the ingress controller that brings outside clients in (ingress-nginx's, unless patched). */
export const INGRESS_NAMESPACE = 'ingress-nginx';

/** The label that says whether a pod is the issuer or an API: the network policies select by it. */
export const ROLE_LABEL = 'jwt-blast-radius/role';

/** The project's image, which runs each demo service chosen by `APP`. */
export const DEMO_IMAGE = 'jwt-blast-radius/app:local';

export interface ManifestOptions {
  readonly topology: Topology;
  /** Each service's image: the project's image (with `APP`) for the demo's services, `<service>:latest` for others unless given. */
  readonly images?: Readonly<Record<string, string>>;
  readonly namespace?: string;
  /** Replicas of each service: two, so that a rotation is seen across replicas and a drain keeps one. */
  readonly replicas?: number;
}

/** The files of a kustomize base and one overlay per mode, by their path under the folder they go in. */
export type ManifestFiles = Readonly<Record<string, string>>;

const HEADER =
  '# Generated from the mode table by `npm run manifests` (packages/deploy): do not edit; a test compares it with a new run.\n';

/**
 * The Kubernetes manifests of a topology: `base/` (a Namespace, and per service a ServiceAccount, a Deployment, a
 * Service and a PodDisruptionBudget, with the NetworkPolicies every mode shares) and `overlays/<mode>/` for each
 * mode, which mounts into each service, read-only, the Secret of its key file where the mode gives it keys, and
 * only there. Secrets are not among them: `jwt-blast-radius-keys secrets --dir <dir>` writes them apart.
 *
 * @example
 * const files = kubernetesManifests({ topology: DEMO_TOPOLOGY }); // { 'base/kustomization.yaml': ..., 'overlays/rs256-jwks/...': ... }
 */
export function kubernetesManifests({
  topology,
  images = {},
  namespace = KUBERNETES_NAMESPACE,
  replicas = 2,
}: ManifestOptions): ManifestFiles {
  const demo = topology.issuer === DEMO_TOPOLOGY.issuer && topology.apps.join(',') === DEMO_TOPOLOGY.apps.join(',');
  const imageOf = (app: string) => images[app] ?? (demo ? DEMO_IMAGE : `${app}:latest`);
  const files: Record<string, string> = {};
  files['base/kustomization.yaml'] = yaml([
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace,
      resources: ['namespace.yaml', 'network-policies.yaml', ...topology.apps.map((app) => `${app}.yaml`)],
    },
  ]);
  files['base/namespace.yaml'] = yaml([namespaceObject(namespace)]);
  files['base/network-policies.yaml'] = yaml(sharedPolicies());
  for (const app of topology.apps) {
    const service = { app, topology, image: imageOf(app), demo, replicas };
    files[`base/${app}.yaml`] = yaml([serviceAccount(app), deployment(service), serviceObject(app), disruptionBudget(app)]);
  }
  for (const mode of MODE_NAMES) {
    const layout = layOutMode(mode, topology);
    const extra = layout.publishesJwks ? ['jwks-network-policies.yaml'] : [];
    files[`overlays/${mode}/kustomization.yaml`] = yaml([
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        // The base's namespace does not reach the resources an overlay adds: each overlay names it again.
        namespace,
        resources: ['../../base', ...extra],
        patches: topology.apps.map((app) => ({ path: `${app}.yaml` })),
      },
    ]);
    for (const app of topology.apps) files[`overlays/${mode}/${app}.yaml`] = yaml([modePatch(app, mode, layout.holdings[app]!.length > 0)]);
    if (layout.publishesJwks) files[`overlays/${mode}/jwks-network-policies.yaml`] = yaml(jwksPolicies(topology.issuer));
  }
  return files;
}

/** The setting that lets an API fetch the JWKS in plain http inside the cluster; the YAML says why, where it is set. */
const TLS_ENDS_ELSEWHERE = 'TLS_ENDS_ELSEWHERE';
const TLS_COMMENT =
  ' Plain http to the issuer is refused unless this says the traffic is protected otherwise: here only the\n' +
  " NetworkPolicies' pods reach it. Without a mesh's mutual TLS, serve the JWKS in https (JWKS_URL) and remove this.";

function yaml(objects: readonly object[]): string {
  return (
    HEADER +
    objects
      .map((object) => {
        const document = new Document(object);
        visit(document, {
          Map(_, map) {
            if (map.get('name') === TLS_ENDS_ELSEWHERE) map.commentBefore = TLS_COMMENT;
          },
        });
        return `---\n${document.toString({ lineWidth: 0 })}`;
      })
      .join('')
  );
}

function namespaceObject(name: string): INamespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: kubernetesLabels() } };
}

function serviceAccount(app: string): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: app, labels: kubernetesLabels(app) },
    automountServiceAccountToken: false,
  };
}

interface ServiceShape {
  readonly app: string;
  readonly topology: Topology;
  readonly image: string;
  /** Whether the image is the project's, which runs the service `APP` names. */
  readonly demo: boolean;
  readonly replicas: number;
}

function deployment({ app, topology, image, demo, replicas }: ServiceShape): IDeployment {
  const role = app === topology.issuer ? 'issuer' : 'api';
  const issuerUrl = `http://${topology.issuer}:${SERVICE_PORT}`;
  const env = [
    ...(demo ? [{ name: 'APP', value: app }] : []),
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(SERVICE_PORT) },
    { name: 'ISSUER', value: issuerUrl },
    ...(role === 'api'
      ? [
          { name: 'JWKS_URL', value: `${issuerUrl}/.well-known/jwks.json` },
          { name: TLS_ENDS_ELSEWHERE, value: 'true' },
        ]
      : []),
  ];
  const probe = { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2 };
  const container: IContainer = {
    name: app,
    image,
    imagePullPolicy: 'IfNotPresent',
    env,
    ports: [{ name: 'http', containerPort: SERVICE_PORT }],
    readinessProbe: { ...probe, failureThreshold: 2 },
    livenessProbe: { ...probe, initialDelaySeconds: 10, failureThreshold: 3 },
    // The issuer hashes passwords with scrypt, 128 MiB each, PASSWORD_HASHES_IN_FLIGHT (2) at once.
    resources:
      role === 'issuer'
        ? { requests: { cpu: '100m', memory: '384Mi' }, limits: { cpu: '1', memory: '512Mi' } }
        : { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, labels: kubernetesLabels(app) },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': app } },
      template: {
        metadata: { labels: { ...kubernetesLabels(app), [ROLE_LABEL]: role } },
        spec: {
          serviceAccountName: app,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
        },
      },
    },
  };
}

function serviceObject(app: string): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, labels: kubernetesLabels(app) },
    spec: {
      selector: { 'app.kubernetes.io/name': app },
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http' }],
    },
  };
}

function disruptionBudget(app: string): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app, labels: kubernetesLabels(app) },
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': app } } },
  };
}

function policy(name: string, spec: INetworkPolicy['spec']): INetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, labels: kubernetesLabels() }, spec };
}

/** Nothing in or out but what a policy allows; DNS for every pod; clients (see {@link CLIENT_LABEL}) to every service, and nowhere else. */
function sharedPolicies(): INetworkPolicy[] {
  const clients: INetworkPolicyPeer[] = [
    { podSelector: { matchLabels: { ...CLIENT_LABEL } } },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE } } },
  ];
  return [
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    policy('clients', {
      podSelector: { matchLabels: kubernetesLabels() },
      policyTypes: ['Ingress'],
      ingress: [{ from: clients, ports: [{ protocol: 'TCP', port: SERVICE_PORT }] }],
    }),
    // The clients in the namespace are under the default deny too: they may call the services, and nothing else.
    policy('clients-out', {
      podSelector: { matchLabels: { ...CLIENT_LABEL } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: kubernetesLabels() } }], ports: [{ protocol: 'TCP', port: SERVICE_PORT }] }],
    }),
  ];
}

/** Where the issuer publishes a JWKS: the APIs may reach it, and it may be reached by them. */
function jwksPolicies(issuer: string): INetworkPolicy[] {
  const issuerPods = { matchLabels: { 'app.kubernetes.io/name': issuer } };
  const apiPods = { matchLabels: { [ROLE_LABEL]: 'api' } };
  const port: INetworkPolicyPort[] = [{ protocol: 'TCP', port: SERVICE_PORT }];
  return [
    policy('issuer-jwks-from-apis', {
      podSelector: issuerPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: apiPods }], ports: port }],
    }),
    policy('apis-to-issuer-jwks', {
      podSelector: apiPods,
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: issuerPods }], ports: port }],
    }),
  ];
}

/** What a mode changes in a service's Deployment: its mode, and where it holds keys, its Secret mounted read-only. */
function modePatch(app: string, mode: string, holdsKeys: boolean): object {
  const env = [{ name: 'AUTH_MODE', value: mode }];
  if (!holdsKeys) {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app },
      spec: { template: { spec: { containers: [{ name: app, env }] } } },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: app,
              env: [
                ...env,
                { name: 'KEYS_DIR', value: KUBERNETES_KEYS_DIR },
                // No one signals a pod: the service reloads when the kubelet swaps the Secret's files.
                { name: 'KEYS_WATCH', value: 'true' },
              ],
              // The whole Secret, never a subPath: a subPath mount is never updated.
              volumeMounts: [{ name: 'keys', mountPath: KUBERNETES_KEYS_DIR, readOnly: true }],
            },
          ],
          volumes: [
            {
              name: 'keys',
              secret: { secretName: secretNameOf(app), defaultMode: 0o440, items: [{ key: KEY_FILE_NAME, path: KEY_FILE_NAME }] },
            },
          ],
        },
      },
    },
  };
}
