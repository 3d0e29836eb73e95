import { describe, it, expect, beforeAll } from 'vitest';
import { parse } from 'yaml';
import { allOptionsValues, chartDir, helm, render, selects, type Rendered } from './support/helm.js';

const name = (svc: string) => `sy-switchyard-${svc}`;
const DEFAULT_SERVICES = ['edge', 'governance', 'llm-proxy', 'telemetry'];
const GRPC_PORTS: Record<string, number> = {
  edge: 50050, 'llm-proxy': 50051, governance: 50052, telemetry: 50053, 'mcp-connector': 50054, 'code-runner': 50055,
};
const envPrefix = (svc: string) => `SWITCHYARD_${svc.toUpperCase().replaceAll('-', '_')}_`;

/** `host:port` in an *_ADDR variable must name a rendered Service that exposes that port as grpc. */
function expectAddrResolves(out: Rendered, addr: string | undefined, svc: string): void {
  const [host, port] = (addr ?? '').split(':');
  const service = out.get('Service', host ?? '');
  expect(service.metadata.labels?.['app.kubernetes.io/component']).toBe(svc);
  expect(service.spec?.ports?.find((p) => p.name === 'grpc')?.port).toBe(Number(port));
  expect(Number(port)).toBe(GRPC_PORTS[svc]);
}

describe('helm lint', () => {
  it.each([
    ['default values', []],
    ['all options', ['-f', allOptionsValues]],
  ])('passes --strict with %s', (_label, args) => {
    const r = helm(['lint', '--strict', chartDir, ...args]);
    expect(r.stderr + r.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it('rejects values the schema does not know, naming the bad key', () => {
    const r = helm(['template', 'sy', chartDir, '--set', 'services.edge.replicas=3']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("additional properties 'replicas' not allowed");
  });
});

describe('helm template, default values', () => {
  let out: Rendered;
  beforeAll(() => {
    out = render();
  });

  it('renders one Deployment, Service, HPA and PDB per enabled service, and nothing for disabled ones', () => {
    for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(out.components(kind), kind).toEqual(DEFAULT_SERVICES);
    }
    // A Service per service, plus a headless one per gRPC-only service (grpcDiscovery: headless by default).
    const services = out.ofKind('Service').map((o) => o.metadata.name);
    for (const svc of DEFAULT_SERVICES) expect(services).toContain(name(svc));
    const headless = out.ofKind('Service').filter((o) => o.metadata.name.endsWith('-headless'));
    expect(headless.length).toBeGreaterThan(0);
    for (const h of headless) expect(h.spec?.clusterIP).toBe('None');
    expect(out.env(name('edge')).get('SWITCHYARD_EDGE_LLM_PROXY_ADDR')?.value).toBe(`${name('llm-proxy')}-headless:${GRPC_PORTS['llm-proxy']}`);
    const names = out.objects.map((o) => o.metadata.name).join(' ');
    expect(names).not.toMatch(/mcp-connector|code-runner/);
    expect(out.ofKind('ServiceMonitor')).toHaveLength(0);
    expect(out.ofKind('NetworkPolicy')).toHaveLength(0);
    expect(out.ofKind('Ingress')).toHaveLength(0);
  });

  it('exposes the right ports and probes each service on its ops endpoint', () => {
    for (const svc of DEFAULT_SERVICES) {
      const c = out.container(name(svc));
      const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      const opsPort = svc === 'edge' ? 'http' : 'ops';
      expect(ports).toEqual(svc === 'edge' ? { http: 8080, grpc: 50050 } : { grpc: GRPC_PORTS[svc], ops: 9090 });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: opsPort });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: opsPort });
      expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: opsPort });
      // Every Service port targets a named container port that exists.
      for (const p of out.get('Service', name(svc)).spec?.ports ?? []) {
        expect(ports[String(p.targetPort)], `${svc} ${p.name}`).toBe(p.port);
      }
    }
  });

  it('runs non-root on a read-only root filesystem with no capabilities, and drains on SIGTERM', () => {
    for (const svc of DEFAULT_SERVICES) {
      const pod = out.get('Deployment', name(svc)).spec?.template?.spec;
      const c = out.container(name(svc));
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod?.terminationGracePeriodSeconds).toBe(30);
      const [cmd, seconds] = c.lifecycle?.preStop?.exec?.command ?? [];
      expect(cmd).toBe('sleep');
      expect(Number(seconds)).toBeGreaterThan(0);
      expect(Number(seconds)).toBeLessThan(30);
    }
  });

  it('gives edge required auth, its listen address and the addresses of the other services', () => {
    const env = out.env(name('edge'));
    expect(env.get('SWITCHYARD_EDGE_AUTH')?.value).toBe('required');
    expect(env.get('SWITCHYARD_EDGE_HOST')?.value).toBe('0.0.0.0');
    expect(env.get('SWITCHYARD_EDGE_PORT')?.value).toBe('8080');
    expect(env.get('SWITCHYARD_EDGE_GRPC_PORT')?.value).toBe('50050');
    expect(env.get('SWITCHYARD_EDGE_GRPC_HOST')?.value).toBe('0.0.0.0');
    for (const svc of ['llm-proxy', 'governance', 'telemetry']) {
      expectAddrResolves(out, env.get(`SWITCHYARD_EDGE_${svc.toUpperCase().replace('-', '_')}_ADDR`)?.value, svc);
    }
    expect(env.has('SWITCHYARD_EDGE_MCP_CONNECTOR_ADDR')).toBe(false);
    // Without mcp-connector, edge does not look for MCP tools at all.
    expect(env.get('SWITCHYARD_EDGE_MCP_ENABLED')?.value).toBe('false');
    expect(env.has('SWITCHYARD_EDGE_CODE_RUNNER_ADDR')).toBe(false);
  });

  it('tells every internal service its gRPC and ops listen addresses', () => {
    for (const svc of ['llm-proxy', 'governance', 'telemetry']) {
      const env = out.env(name(svc));
      expect(env.get(`${envPrefix(svc)}GRPC_PORT`)?.value).toBe(String(GRPC_PORTS[svc]));
      expect(env.get(`${envPrefix(svc)}OPS_PORT`)?.value).toBe('9090');
      // Services default to 127.0.0.1: in a pod they must listen on every interface.
      expect(env.get(`${envPrefix(svc)}GRPC_HOST`)?.value).toBe('0.0.0.0');
      expect(env.get(`${envPrefix(svc)}OPS_HOST`)?.value).toBe('0.0.0.0');
      expect(env.get('LOG_LEVEL')?.value).toBe('info');
      expect(env.has('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toBe(false);
    }
  });

  it('points every service at the OTLP traces endpoint when tracing is set', () => {
    const traced = render('--set', 'tracing.otlpEndpoint=http://otel-collector:4318/v1/traces');
    for (const svc of ['edge', 'llm-proxy', 'governance', 'telemetry']) {
      expect(traced.env(name(svc)).get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')?.value).toBe('http://otel-collector:4318/v1/traces');
    }
  });

  it('gives the provider keys to llm-proxy only, from the chart Secret, optionally', () => {
    for (const svc of DEFAULT_SERVICES) {
      const key = out.env(name(svc)).get('OPENAI_API_KEY');
      if (svc === 'llm-proxy') {
        expect(key?.valueFrom?.secretKeyRef).toEqual({ name: 'sy-switchyard', key: 'OPENAI_API_KEY', optional: true });
      } else {
        expect(key, svc).toBeUndefined();
      }
    }
  });

  it('spreads pods, and the HPA, PDB and spread constraints select the Deployment pods', () => {
    for (const svc of DEFAULT_SERVICES) {
      const deploy = out.get('Deployment', name(svc));
      const podLabels = deploy.spec?.template?.metadata.labels;
      expect(deploy.spec?.replicas).toBeUndefined(); // left to the HPA
      expect(selects(deploy.spec?.selector?.matchLabels, podLabels)).toBe(true);
      const hpa = out.get('HorizontalPodAutoscaler', name(svc));
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: name(svc) });
      expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).toEqual([2, 10]);
      expect(hpa.spec?.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ]);
      const pdb = out.get('PodDisruptionBudget', name(svc));
      expect(pdb.spec?.maxUnavailable).toBe(1);
      expect(selects(pdb.spec?.selector?.matchLabels, podLabels)).toBe(true);
      const spread = deploy.spec?.template?.spec.topologySpreadConstraints ?? [];
      expect(spread.map((t) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const t of spread) expect(selects(t.labelSelector.matchLabels, podLabels)).toBe(true);
    }
  });
});

describe('helm template, config and secrets', () => {
  const checksums = (out: Rendered) =>
    DEFAULT_SERVICES.map((svc) => out.get('Deployment', name(svc)).spec?.template?.metadata.annotations?.['checksum/config']);

  it('writes .Values.config to the ConfigMap mounted at SWITCHYARD_CONFIG', () => {
    const config = { llm_proxy: { fallbacks: { 'openai/gpt-4o': ['openai/gpt-4o-mini'] } }, governance: { ops: { port: 9090 } } };
    const out = render('--set-json', `config=${JSON.stringify(config)}`);
    const cm = out.get('ConfigMap', 'sy-switchyard-config');
    expect(parse(cm.data?.['switchyard.yaml'] ?? '')).toEqual(config);
    for (const svc of DEFAULT_SERVICES) {
      const pod = out.get('Deployment', name(svc)).spec?.template?.spec;
      const mount = out.container(name(svc)).volumeMounts?.find((m) => m.name === 'config');
      expect(pod?.volumes?.find((v) => v.name === 'config')?.configMap?.name).toBe('sy-switchyard-config');
      expect(out.env(name(svc)).get('SWITCHYARD_CONFIG')?.value).toBe(`${mount?.mountPath}/switchyard.yaml`);
    }
  });

  it('changes the config checksum of every pod when, and only when, the config changes', () => {
    const a = checksums(render('--set', 'config.governance.x=1'));
    const again = checksums(render('--set', 'config.governance.x=1', '--set', 'logLevel=debug'));
    const b = checksums(render('--set', 'config.governance.x=2'));
    expect(a.every((c) => /^[0-9a-f]{64}$/.test(c ?? ''))).toBe(true);
    expect(again).toEqual(a);
    b.forEach((c, i) => expect(c).not.toBe(a[i]));
  });

  it('puts every value a pod requires into the chart Secret once the values are set', () => {
    const values = {
      'secrets.adminToken': 'admin-123', 'postgres.url': 'postgres://u:p@pg:5432/db',
      'redis.url': 'redis://r:6379', 'nats.url': 'nats://n:4222',
      'secrets.mcpSessionSecret': 'mcp-session-secret-0123456789abcdef0123', 'secrets.encryptionKey': 'k'.repeat(43),
    };
    const out = render(...Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]));
    const data = out.get('Secret', 'sy-switchyard').data ?? {};
    const decoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(decoded).toEqual({
      SWITCHYARD_ADMIN_TOKEN: 'admin-123', DATABASE_URL: values['postgres.url'],
      REDIS_URL: values['redis.url'], NATS_URL: values['nats.url'],
      SWITCHYARD_EDGE_MCP_SESSION_SECRET: values['secrets.mcpSessionSecret'], SWITCHYARD_ENCRYPTION_KEY: values['secrets.encryptionKey'],
    });
    // The /mcp session secret reaches edge and the encryption key mcp-connector, from the chart's Secret.
    expect(out.env(name('edge')).get('SWITCHYARD_EDGE_MCP_SESSION_SECRET')?.valueFrom?.secretKeyRef).toEqual({ name: 'sy-switchyard', key: 'SWITCHYARD_EDGE_MCP_SESSION_SECRET' });
    expect(out.env(name('edge')).get('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'sy-switchyard', key: 'REDIS_URL' });
    for (const svc of DEFAULT_SERVICES) {
      for (const e of out.env(name(svc)).values()) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref || ref.optional) continue;
        expect(ref.name).toBe('sy-switchyard');
        expect(decoded, `${svc} ${e.name}`).toHaveProperty(ref.key);
      }
    }
  });
});

describe('helm template, every option on', () => {
  let out: Rendered;
  beforeAll(() => {
    out = render('-f', allOptionsValues);
  });

  it('uses existingSecret (and the Postgres secret override) instead of creating a Secret', () => {
    expect(out.ofKind('Secret')).toHaveLength(0);
    const refs = DEFAULT_SERVICES.concat('mcp-connector').flatMap((svc) =>
      [...out.env(name(svc)).values()].flatMap((e) => (e.valueFrom?.secretKeyRef ? [[e.name, e.valueFrom.secretKeyRef]] : [])));
    expect(refs.length).toBeGreaterThan(5);
    for (const [envName, ref] of refs) {
      if (envName === 'DATABASE_URL') expect(ref).toEqual({ name: 'pg-app', key: 'uri' });
      else if (envName === 'SWITCHYARD_ADMIN_TOKEN') expect(ref).toEqual({ name: 'switchyard-prod', key: 'admin-token' });
      else expect(ref).toMatchObject({ name: 'switchyard-prod', key: envName });
    }
    const annotations = out.get('Deployment', name('edge')).spec?.template?.metadata.annotations;
    expect(annotations).toHaveProperty('checksum/config');
    expect(annotations).not.toHaveProperty('checksum/secret');
  });

  it('renders an enabled mcp-connector, wires edge to it through headless Services, keeps code-runner out', () => {
    expect(out.components('Deployment')).toEqual([...DEFAULT_SERVICES, 'mcp-connector'].sort());
    const env = out.env(name('edge'));
    for (const svc of ['llm-proxy', 'governance', 'telemetry', 'mcp-connector']) {
      const addr = env.get(`SWITCHYARD_EDGE_${svc.toUpperCase().replace('-', '_')}_ADDR`)?.value;
      expect(addr).toBe(`${name(svc)}-headless:${GRPC_PORTS[svc]}`);
      expect(out.get('Service', `${name(svc)}-headless`).spec?.clusterIP).toBe('None');
      expectAddrResolves(out, addr, svc);
    }
    expect(env.has('SWITCHYARD_EDGE_MCP_ENABLED')).toBe(false);
    expect(env.has('SWITCHYARD_EDGE_CODE_RUNNER_ADDR')).toBe(false);
    expect(out.objects.some((o) => o.metadata.name.includes('code-runner'))).toBe(false);
  });

  it('applies per-service overrides over the defaults', () => {
    expect(out.find('HorizontalPodAutoscaler', name('llm-proxy'))).toBeUndefined();
    expect(out.get('Deployment', name('llm-proxy')).spec?.replicas).toBe(3);
    expect(out.env(name('llm-proxy')).get('LOG_LEVEL')?.value).toBe('warn');
    expect(out.env(name('llm-proxy')).get('OPENAI_BASE_URL')?.value).toBe('https://openai-proxy.example.com/v1');
    expect(out.env(name('edge')).get('LOG_LEVEL')?.value).toBe('debug');
    const hpa = out.get('HorizontalPodAutoscaler', name('governance'));
    expect(hpa.spec?.maxReplicas).toBe(20);
    expect(hpa.spec?.metrics?.map((m) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 80]]);
    const pdb = out.get('PodDisruptionBudget', name('governance')).spec;
    expect([pdb?.minAvailable, pdb?.maxUnavailable]).toEqual([1, undefined]);
    expect(out.container(name('edge')).image).toBe('registry.example.com/switchyard/edge:0.1.0-test');
    expect(out.get('Deployment', name('edge')).spec?.template?.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  it('scrapes /metrics of every service through a ServiceMonitor on a port its Service has', () => {
    expect(out.components('ServiceMonitor')).toEqual(out.components('Deployment'));
    for (const sm of out.ofKind('ServiceMonitor')) {
      expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(sm.metadata.labels?.release).toBe('kube-prometheus-stack');
      const svc = out.get('Service', sm.metadata.name);
      expect(selects(sm.spec?.selector?.matchLabels, svc.metadata.labels)).toBe(true);
      const [endpoint] = sm.spec?.endpoints ?? [];
      expect(endpoint?.path).toBe('/metrics');
      expect(endpoint?.port).toBe(sm.metadata.name.endsWith('-edge') ? 'http' : 'ops');
      expect(svc.spec?.ports?.map((p) => p.name)).toContain(endpoint?.port);
    }
  });

  it('opens edge HTTP to all, everything else only to the release pods, and leaves egress open', () => {
    expect(out.components('NetworkPolicy')).toEqual(out.components('Deployment'));
    for (const np of out.ofKind('NetworkPolicy')) {
      const podLabels = out.get('Deployment', np.metadata.name).spec?.template?.metadata.labels;
      expect(selects(np.spec?.podSelector?.matchLabels, podLabels)).toBe(true);
      expect(np.spec?.policyTypes).toEqual(['Ingress']);
      const rules = np.spec?.ingress ?? [];
      const open = rules.filter((r) => !r.from);
      if (np.metadata.name === name('edge')) expect(open).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
      else expect(open).toEqual([]);
      const release = rules.find((r) => r.from?.some((p) => p.podSelector))?.from?.[0]?.podSelector?.matchLabels;
      for (const other of out.ofKind('Deployment')) {
        expect(selects(release, other.spec?.template?.metadata.labels)).toBe(true);
      }
      expect(selects(release, { 'app.kubernetes.io/name': 'switchyard', 'app.kubernetes.io/instance': 'other' })).toBe(false);
    }
  });

  it('routes the Ingress to the edge HTTP port', () => {
    const [ing] = out.ofKind('Ingress');
    expect(ing?.spec?.ingressClassName).toBe('nginx');
    expect(ing?.spec?.tls).toEqual([{ secretName: 'gateway-tls', hosts: ['gateway.example.com'] }]);
    const backend = ing?.spec?.rules?.[0]?.http.paths[0]?.backend.service;
    expect(backend).toEqual({ name: name('edge'), port: { name: 'http' } });
    expect(out.get('Service', name('edge')).spec?.ports?.find((p) => p.name === 'http')?.port).toBe(8080);
  });
});
