#!/usr/bin/env node
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_TOPOLOGY, KeysError, createTopology } from '@jwt-blast-radius/keys';
import { DEPLOY_DIR, OWN_DIR } from './paths';
import { kubernetesManifests } from './manifests';

const USAGE = `usage: npm run manifests -- [--issuer <name> --apps <name,...> [--image <service>=<image> ...]] [--out <dir>]

Writes the Kubernetes manifests of a topology, made from the mode table: <out>/base (a Namespace; per service a
ServiceAccount, a Deployment, a Service and a PodDisruptionBudget; the NetworkPolicies) and <out>/overlays/<mode>
for each mode, which mounts each service's Secret where the mode gives it keys. Render one with
  kubectl kustomize <out>/overlays/<mode>
Without names: the demo's services, into ${relative(process.cwd(), DEPLOY_DIR) || '.'} (committed). With names of one's own: into
${relative(process.cwd(), OWN_DIR)} (git-ignored) unless --out; each service's image is <service>:latest unless --image names it.
The Secrets are made apart, from a key folder: npm run keys -- secrets --dir <dir> | kubectl apply -f -
exit status: 0 when written; 2 for a usage error`;

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        issuer: { type: 'string' },
        apps: { type: 'string' },
        image: { type: 'string', multiple: true },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ((values.issuer === undefined) !== (values.apps === undefined)) return usage('--issuer and --apps go together');
  const own = values.issuer !== undefined;
  const topology = own
    ? createTopology(
        values.issuer!,
        values.apps!.split(',').map((app) => app.trim()),
      )
    : DEMO_TOPOLOGY;
  const images: Record<string, string> = {};
  for (const given of values.image ?? []) {
    const [app, image] = [given.slice(0, given.indexOf('=')), given.slice(given.indexOf('=') + 1)];
    if (!given.includes('=') || !topology.apps.includes(app) || image === '') {
      return usage(`--image ${given}: expected <service>=<image>, the service one of ${topology.apps.join(', ')}`);
    }
    images[app] = image;
  }
  const out = resolve(values.out ?? (own ? OWN_DIR : DEPLOY_DIR));
  const files = kubernetesManifests({ topology, images });
  await rm(join(out, 'base'), { recursive: true, force: true });
  await rm(join(out, 'overlays'), { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), text);
  }
  process.stdout.write(
    `wrote ${Object.keys(files).length} files under ${out}: base/ and overlays/<mode>/ for ${topology.apps.join(', ')}\n`,
  );
  process.stdout.write(`render one: kubectl kustomize ${relative(process.cwd(), join(out, 'overlays', 'rs256-jwks')) || '.'}\n`);
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`manifests: ${message}\n${USAGE}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof KeysError ? `${error.setting ?? ''} ${error.message}`.trim() : String(error);
    process.stderr.write(`manifests: ${message}\n`);
    process.exit(error instanceof KeysError ? 2 : 1);
  },
);
