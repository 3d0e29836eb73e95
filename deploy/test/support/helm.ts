// Runs the chart through a real helm binary (see deploy/scripts/helm.sh) and
// parses what it renders. Types cover only the fields the tests read.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const chartDir = path.join(repoRoot, 'helm/switchyard');
export const allOptionsValues = path.join(chartDir, 'ci/all-options-values.yaml');

export interface Meta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
  imagePullSecrets?: { name: string }[];
}
type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: object };
export interface Spec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
  template?: { metadata: Meta; spec: PodSpec };
  type?: string;
  clusterIP?: string;
  ports?: { name: string; port: number; targetPort: string | number }[];
  scaleTargetRef?: { apiVersion: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: { resource: { name: string; target: { averageUtilization: number } } }[];
  maxUnavailable?: number | string;
  minAvailable?: number | string;
  endpoints?: { port: string; path: string }[];
  podSelector?: { matchLabels: Record<string, string> };
  policyTypes?: string[];
  ingress?: { from?: Peer[]; ports?: { port: string | number }[] }[];
  ingressClassName?: string;
  rules?: {
    host?: string;
    http: { paths: { path: string; backend: { service: { name: string; port: { name?: string } } } }[] };
  }[];
  tls?: { secretName: string; hosts: string[] }[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: Spec;
  data?: Record<string, string> | null;
}

let helmPath: string | undefined;
export function helmBin(): string {
  helmPath ??= execFileSync(path.join(repoRoot, 'deploy/scripts/helm.sh'), { encoding: 'utf8' }).trim();
  return helmPath;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}
export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBin(), args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` with release name "sy"; throws with helm's stderr on failure. */
export function render(...extraArgs: string[]): Rendered {
  const r = helm(['template', 'sy', chartDir, '--namespace', 'gateway', ...extraArgs]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const docs = parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length > 0) throw new Error(`invalid YAML from helm: ${d.errors[0]?.message}`);
    return d.toJS() as K8sObject | null;
  });
  return new Rendered(docs.filter((d): d is K8sObject => d !== null));
}

export class Rendered {
  constructor(readonly objects: K8sObject[]) {}

  ofKind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  find(kind: string, name: string): K8sObject | undefined {
    return this.objects.find((o) => o.kind === kind && o.metadata.name === name);
  }

  get(kind: string, name: string): K8sObject {
    const o = this.find(kind, name);
    if (!o) throw new Error(`no ${kind} ${name} in: ${this.objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
    return o;
  }

  /** Component label of every object of this kind, sorted. */
  components(kind: string): string[] {
    return this.ofKind(kind)
      .map((o) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '?')
      .sort();
  }

  container(deploymentName: string): Container {
    const c = this.get('Deployment', deploymentName).spec?.template?.spec.containers[0];
    if (!c) throw new Error(`Deployment ${deploymentName} has no container`);
    return c;
  }

  env(deploymentName: string): Map<string, EnvVar> {
    return new Map((this.container(deploymentName).env ?? []).map((e) => [e.name, e]));
  }
}

/** True when every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
