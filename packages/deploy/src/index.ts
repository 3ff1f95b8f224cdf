export {
  kubernetesManifests,
  CLIENT_LABEL,
  DEMO_IMAGE,
  INGRESS_NAMESPACE,
  ROLE_LABEL,
  SERVICE_PORT,
  type ManifestFiles,
  type ManifestOptions,
} from './manifests';
export { DEPLOY_DIR, OWN_DIR, REPO_ROOT } from './paths';
