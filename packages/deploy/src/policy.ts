import { kubernetesLabels, layOutMode, secretNameOf, type Topology } from '@jwt-blast-radius/keys';
import { CLIENT_LABEL, ROLE_LABEL } from './manifests';

/** A rendered Kubernetes object, as `kubectl kustomize` prints it: read loosely, field by field. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

type Labels = Readonly<Record<string, string>>;
interface Selector {
  readonly matchLabels?: Labels;
}
interface Container {
  readonly name: string;
  readonly image?: string;
  readonly imagePullPolicy?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly envFrom?: readonly unknown[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly readinessProbe?: { readonly httpGet?: { readonly path?: string } };
  readonly livenessProbe?: { readonly httpGet?: { readonly path?: string } };
  readonly resources?: { readonly requests?: Labels; readonly limits?: Labels };
  readonly securityContext?: {
    readonly allowPrivilegeEscalation?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly privileged?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
  };
  readonly volumeMounts?: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
    readonly subPath?: string;
  }[];
}
interface PodSpec {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly seccompProfile?: { readonly type?: string } };
  readonly containers: readonly Container[];
  readonly volumes?: readonly { readonly name: string; readonly secret?: { readonly secretName?: string } }[];
}
interface Deployment extends KubeObject {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: Selector;
    readonly template: { readonly metadata: { readonly labels: Labels }; readonly spec: PodSpec };
  };
}
interface Service extends KubeObject {
  readonly spec: {
    readonly selector?: Labels;
    readonly ports: readonly { readonly port: number; readonly targetPort?: number | string }[];
  };
}
interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
}
interface NetworkPolicy extends KubeObject {
  readonly spec: {
    readonly podSelector: Selector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly { readonly from?: readonly Peer[] }[];
    readonly egress?: readonly { readonly to?: readonly Peer[]; readonly ports?: readonly { readonly port?: number | string }[] }[];
  };
}

export interface PolicyContext {
  readonly mode: string;
  readonly topology: Topology;
  /** The Secrets `jwt-blast-radius-keys secrets` writes for a key folder of the mode: each name, and the key names in it. */
  readonly secrets: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every way a rendered overlay departs from what the mode table says and from the hardening the project holds to,
 * one line each; empty when it holds. The blast radius: each pod mounts exactly the Secret its service's key file
 * is in where the mode gives the service keys (and the keys in that Secret are the ones the mode gives it), nothing
 * where it gives none; every Secret a pod names is one the keys command writes. Then selectors that select, ports
 * that exist, hardened pods, and network policies that allow DNS, clients and (where the mode publishes one) the
 * JWKS, and nothing else.
 *
 * @example
 * policyProblems(objects, { mode: 'rs256-jwks', topology: DEMO_TOPOLOGY, secrets }); // []
 */
export function policyProblems(objects: readonly KubeObject[], context: PolicyContext): string[] {
  const of = <T extends KubeObject>(kind: string) => objects.filter((object) => object.kind === kind) as T[];
  const deployments = of<Deployment>('Deployment');
  return [
    ...blastRadiusProblems(deployments, context),
    ...selectorProblems(deployments, of<Service>('Service'), objects),
    ...hardeningProblems(deployments, objects, context.topology),
    ...networkProblems(of<NetworkPolicy>('NetworkPolicy'), deployments, context),
  ];
}

function blastRadiusProblems(deployments: readonly Deployment[], { mode, topology, secrets }: PolicyContext): string[] {
  const layout = layOutMode(mode, topology);
  const problems: string[] = [];
  for (const app of topology.apps) {
    const deployment = deployments.find((candidate) => candidate.metadata.name === app);
    if (!deployment) {
      problems.push(`${app} has no Deployment`);
      continue;
    }
    const mounted = (deployment.spec.template.spec.volumes ?? []).flatMap((volume) =>
      volume.secret?.secretName ? [volume.secret.secretName] : [],
    );
    const expected = layout.holdings[app]!.length > 0 ? [secretNameOf(app)] : [];
    if (mounted.join(',') !== expected.join(',')) {
      problems.push(
        `${app} mounts ${list(mounted)}; in ${mode} it holds ${list(layout.holdings[app]!)}, so it should mount ${list(expected)}`,
      );
    }
    for (const name of mounted) {
      if (!Object.hasOwn(secrets, name)) problems.push(`${app} mounts ${name}, which the keys command does not write`);
    }
    const readable = mounted.flatMap((name) => secrets[name] ?? []).sort();
    if (readable.join(',') !== [...layout.holdings[app]!].sort().join(',')) {
      problems.push(`${app} can read the keys ${list(readable)}; in ${mode} it holds ${list(layout.holdings[app]!)}`);
    }
  }
  return problems;
}

function selectorProblems(deployments: readonly Deployment[], services: readonly Service[], objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const podsOf = (selector: Labels | undefined) =>
    deployments.filter((deployment) => matches(selector, deployment.spec.template.metadata.labels));
  for (const deployment of deployments) {
    if (!matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)) {
      problems.push(`Deployment ${deployment.metadata.name}'s selector does not select its own pods`);
    }
  }
  for (const service of services) {
    const selected = podsOf(service.spec.selector);
    if (selected.length !== 1 || selected[0]!.metadata.name !== service.metadata.name) {
      problems.push(
        `Service ${service.metadata.name} selects ${list(selected.map((deployment) => deployment.metadata.name))}, not its own Deployment`,
      );
      continue;
    }
    const ports = selected[0]!.spec.template.spec.containers.flatMap((container) => container.ports ?? []);
    for (const { targetPort, port } of service.spec.ports) {
      const target = targetPort ?? port;
      if (!ports.some((candidate) => candidate.name === target || candidate.containerPort === target)) {
        problems.push(`Service ${service.metadata.name} sends port ${port} to ${target}, which no container of its pods has`);
      }
    }
  }
  for (const budget of objects.filter((object) => object.kind === 'PodDisruptionBudget')) {
    const selector = (budget as unknown as { spec: { selector: Selector } }).spec.selector.matchLabels;
    if (podsOf(selector).length !== 1) problems.push(`PodDisruptionBudget ${budget.metadata.name} does not select one Deployment's pods`);
  }
  return problems;
}

function hardeningProblems(deployments: readonly Deployment[], objects: readonly KubeObject[], topology: Topology): string[] {
  const problems: string[] = [];
  const accounts = objects.filter((object) => object.kind === 'ServiceAccount');
  const budgets = objects.filter((object) => object.kind === 'PodDisruptionBudget').map((object) => object.metadata.name);
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const pod = deployment.spec.template.spec;
    const say = (what: string) => problems.push(`${name}: ${what}`);
    const account = accounts.find((candidate) => candidate.metadata.name === pod.serviceAccountName);
    if (!account || account['automountServiceAccountToken'] !== false) say('its ServiceAccount must exist and not mount a token');
    if (pod.automountServiceAccountToken !== false) say('automountServiceAccountToken must be false');
    if (pod.securityContext?.runAsNonRoot !== true) say('the pod must run as non-root');
    if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') say('the pod must use the RuntimeDefault seccomp profile');
    if (name !== topology.issuer && (deployment.spec.replicas ?? 1) < 2) say('an API runs at least two replicas');
    if (!budgets.includes(name)) say('it has no PodDisruptionBudget');
    const secretVolumes = new Set((pod.volumes ?? []).filter((volume) => volume.secret).map((volume) => volume.name));
    for (const container of pod.containers) {
      const security = container.securityContext ?? {};
      if (security.allowPrivilegeEscalation !== false) say('no privilege escalation');
      if (security.readOnlyRootFilesystem !== true) say('a read-only root filesystem');
      if (security.privileged === true) say('never privileged');
      if (!security.capabilities?.drop?.includes('ALL') || (security.capabilities.add ?? []).length > 0)
        say('every capability dropped, none added');
      if (container.readinessProbe?.httpGet?.path !== '/health' || container.livenessProbe?.httpGet?.path !== '/health')
        say('readiness and liveness probes on /health');
      for (const kind of ['requests', 'limits'] as const) {
        if (!container.resources?.[kind]?.['cpu'] || !container.resources[kind]['memory']) say(`cpu and memory ${kind}`);
      }
      if (container.imagePullPolicy !== 'IfNotPresent') say('imagePullPolicy IfNotPresent');
      // A key is never an environment variable: no Secret in env, and no setting that could hold a key.
      if ((container.envFrom ?? []).length > 0 || (container.env ?? []).some((entry) => entry.valueFrom !== undefined))
        say('no environment from a Secret');
      for (const mount of container.volumeMounts ?? []) {
        if (secretVolumes.has(mount.name) && (mount.readOnly !== true || mount.subPath !== undefined)) {
          say(`the Secret volume ${mount.name} is mounted read-only and whole (a subPath mount is never updated)`);
        }
      }
    }
  }
  return problems;
}

function networkProblems(
  policies: readonly NetworkPolicy[],
  deployments: readonly Deployment[],
  { mode, topology }: PolicyContext,
): string[] {
  const problems: string[] = [];
  const publishes = layOutMode(mode, topology).publishesJwks;
  const podsOf = (selector: Selector | undefined) =>
    deployments
      .filter((deployment) => matches(selector?.matchLabels, deployment.spec.template.metadata.labels))
      .map((deployment) => deployment.metadata.name);
  const everyPod = (selector: Selector) => Object.keys(selector.matchLabels ?? {}).length === 0;
  if (
    !policies.some(
      (policy) =>
        everyPod(policy.spec.podSelector) &&
        ['Ingress', 'Egress'].every((type) => policy.spec.policyTypes?.includes(type)) &&
        !policy.spec.ingress &&
        !policy.spec.egress,
    )
  ) {
    problems.push('no default-deny NetworkPolicy for every pod, both ways');
  }
  const apis = topology.apps.filter((app) => app !== topology.issuer);
  for (const policy of policies) {
    for (const rule of policy.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const dns =
          peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' &&
          (rule.ports ?? []).every((port) => port.port === 53);
        const toIssuer =
          peer.podSelector !== undefined && peer.namespaceSelector === undefined && podsOf(peer.podSelector).join() === topology.issuer;
        const from = podsOf(policy.spec.podSelector);
        const clientOut = isClientSelector(policy.spec.podSelector) && matches(kubernetesLabels(), peer.podSelector?.matchLabels ?? {});
        if (dns || clientOut) continue;
        if (toIssuer && publishes && from.every((app) => apis.includes(app))) continue;
        problems.push(
          `NetworkPolicy ${policy.metadata.name} lets ${list(from)} reach ${describePeer(peer, podsOf)}${toIssuer && !publishes ? `, though ${mode} publishes no JWKS` : ''}`,
        );
      }
    }
    for (const rule of policy.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const client =
          matches(CLIENT_LABEL, peer.podSelector?.matchLabels ?? {}) && Object.keys(peer.podSelector?.matchLabels ?? {}).length === 1;
        const ingress = peer.namespaceSelector !== undefined && peer.podSelector === undefined;
        const fromApis = peer.podSelector?.matchLabels?.[ROLE_LABEL] === 'api';
        const to = podsOf(policy.spec.podSelector);
        if (client || ingress) continue;
        if (fromApis && publishes && to.join() === topology.issuer) continue;
        problems.push(`NetworkPolicy ${policy.metadata.name} lets ${describePeer(peer, podsOf)} reach ${list(to)}`);
      }
    }
  }
  if (publishes) {
    const egress = policies.some((policy) =>
      (policy.spec.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => podsOf(peer.podSelector).join() === topology.issuer)),
    );
    if (!egress) problems.push(`in ${mode} the APIs must reach the issuer's JWKS`);
  }
  return problems;
}

/** Whether a selector selects the clients, and only them. */
function isClientSelector(selector: Selector | undefined): boolean {
  return matches(CLIENT_LABEL, selector?.matchLabels ?? {}) && Object.keys(selector?.matchLabels ?? {}).length === 1;
}

function describePeer(peer: Peer, podsOf: (selector: Selector | undefined) => string[]): string {
  if (peer.namespaceSelector) return `the namespace ${JSON.stringify(peer.namespaceSelector.matchLabels ?? {})}`;
  return list(podsOf(peer.podSelector));
}

/** Whether every label a selector names is on the pod; a selector that names none matches nothing here. */
function matches(selector: Labels | undefined, labels: Labels): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([name, value]) => labels[name] === value);
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'nothing' : items.join(', ');
}
