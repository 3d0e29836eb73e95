import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { parse } from 'yaml';
import { chartDir, repoRoot } from './support/helm.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  profiles?: string[];
  read_only?: boolean;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, ComposeService>;
}

const SERVER_PORTS: Record<string, number> = { DATABASE_URL: 5432, REDIS_URL: 6379, NATS_URL: 4222 };
const envPrefix = (svc: string) => `SWITCHYARD_${svc.toUpperCase().replaceAll('-', '_')}_`;

let compose: Compose;
let dockerfile: string;
let appServices: [string, ComposeService][];

beforeAll(() => {
  // merge: true resolves the `<<:` merge keys, as docker compose does.
  compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
  dockerfile = readFileSync(path.join(repoRoot, 'deploy/docker/Dockerfile'), 'utf8');
  appServices = Object.entries(compose.services).filter(([, s]) => s.build);
});

/** Stage name -> the lines of that stage. */
function dockerStages(): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from?.[1]) stages.set(from[1], (current = []));
    else if (current && line.trim() && !line.startsWith('#')) current.push(line.trim());
  }
  return stages;
}

describe('docker-compose.yml', () => {
  it('runs Postgres 16, Redis 7 and NATS 2 with JetStream', () => {
    expect(compose.services.postgres?.image).toBe('postgres:16');
    expect(compose.services.redis?.image).toBe('redis:7');
    expect(compose.services.nats?.image).toMatch(/^nats:2(-|$)/);
    expect(compose.services.nats?.command).toContain('-js');
  });

  it('builds every app service from its own Dockerfile target', () => {
    const stages = dockerStages();
    expect(appServices.map(([n]) => n).sort()).toEqual(['all-in-one', 'edge', 'governance', 'llm-proxy', 'telemetry']);
    for (const [svcName, svc] of appServices) {
      expect(svc.build).toMatchObject({ context: '.', dockerfile: 'deploy/docker/Dockerfile', target: svcName });
      expect(stages.has(svcName), `Dockerfile stage ${svcName}`).toBe(true);
    }
  });

  it('points every SWITCHYARD_*_ADDR at a compose service, on the gRPC port that service listens on', () => {
    let checked = 0;
    for (const [svcName, svc] of appServices) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (!/^SWITCHYARD_\w+_ADDR$/.test(key)) continue;
        const [host = '', port] = String(value).split(':');
        const target = compose.services[host];
        expect(target, `${svcName} ${key} -> ${host}`).toBeDefined();
        expect(target?.environment?.[`${envPrefix(host)}GRPC_PORT`], `${host} gRPC port`).toBe(port);
        expect(svc.depends_on?.[host]?.condition, `${svcName} depends on ${host}`).toBe('service_healthy');
        checked++;
      }
    }
    expect(checked).toBe(3); // edge -> llm-proxy, governance, telemetry
  });

  it('points DATABASE_URL, REDIS_URL and NATS_URL at the server services, and waits for them', () => {
    let checked = 0;
    for (const [svcName, svc] of appServices) {
      for (const [key, port] of Object.entries(SERVER_PORTS)) {
        const value = svc.environment?.[key];
        if (value == null) continue;
        const url = new URL(value);
        expect(compose.services[url.hostname], `${svcName} ${key}`).toBeDefined();
        expect(Number(url.port)).toBe(port);
        expect(svc.depends_on?.[url.hostname]?.condition, `${svcName} waits for ${url.hostname}`).toBe('service_healthy');
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('publishes edge on 8080 with auth required, and all-in-one elsewhere behind its profile', () => {
    const edge = compose.services.edge;
    expect(edge?.environment).toMatchObject({
      SWITCHYARD_EDGE_HOST: '0.0.0.0', SWITCHYARD_EDGE_PORT: '8080', SWITCHYARD_EDGE_AUTH: 'required',
    });
    expect(edge?.ports).toEqual(['8080:8080']);
    const aio = compose.services['all-in-one'];
    expect(aio?.profiles).toEqual(['all-in-one']);
    const [host, container] = (aio?.ports?.[0] ?? '').split(':');
    expect(container).toBe(aio?.environment?.SWITCHYARD_EDGE_PORT);
    expect(host).not.toBe('8080');
    expect(Object.values(compose.services).filter((s) => s.build && !s.profiles).length).toBe(4);
  });

  it('health-checks each internal service on its ops port and mounts the config where SWITCHYARD_CONFIG says', () => {
    for (const [svcName, svc] of appServices) {
      const env = svc.environment ?? {};
      const opsPort = svcName === 'edge' || svcName === 'all-in-one' ? env.SWITCHYARD_EDGE_PORT : env[`${envPrefix(svcName)}OPS_PORT`];
      if (svcName !== 'edge' && svcName !== 'all-in-one') {
        // Services default to 127.0.0.1; other containers and the health check need every interface.
        expect(env[`${envPrefix(svcName)}GRPC_HOST`], svcName).toBe('0.0.0.0');
        expect(env[`${envPrefix(svcName)}OPS_HOST`], svcName).toBe('0.0.0.0');
      }
      expect(svc.healthcheck?.test.join(' '), svcName).toContain(`http://127.0.0.1:${opsPort}/readyz`);
      const mount = (svc.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === env.SWITCHYARD_CONFIG);
      expect(mount, `${svcName} config mount`).toBeDefined();
      expect(existsSync(path.join(repoRoot, mount?.[0] ?? ''))).toBe(true);
      expect(svc.read_only).toBe(true);
    }
  });

  it('uses the same gRPC ports as the Helm chart', () => {
    const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as {
      services: Record<string, { ports: { grpc: number } }>;
    };
    for (const [svcName, svc] of appServices) {
      if (svcName === 'all-in-one') continue;
      expect(svc.environment?.[`${envPrefix(svcName)}GRPC_PORT`], svcName).toBe(String(values.services[svcName]?.ports.grpc));
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  it('has a target for every service workspace and every service in the chart', () => {
    const stages = dockerStages();
    const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as { services: Record<string, unknown> };
    const workspaces = readdirSync(path.join(repoRoot, 'services'));
    for (const svc of new Set([...workspaces, ...Object.keys(values.services)])) {
      expect(stages.has(svc), `stage ${svc}`).toBe(true);
    }
  });

  it('builds once and runs each service as uid 10001 from its dist/main.js with source maps', () => {
    const stages = dockerStages();
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS base$/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(stages.get('deps')?.join('\n')).toMatch(/npm install --no-audit --no-fund/);
    expect(stages.get('build')?.join('\n')).toMatch(/npm run build/);
    expect(stages.get('prune')?.join('\n')).toMatch(/npm prune --omit=dev/);
    const runtime = stages.get('runtime') ?? [];
    expect(runtime).toContain('ENV NODE_ENV=production');
    expect(runtime).toContain('USER 10001:10001');
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
    for (const [stage, lines] of stages) {
      const cmd = lines.find((l) => l.startsWith('CMD '));
      if (!cmd) continue;
      expect(dockerfile, stage).toMatch(new RegExp(`^FROM runtime AS ${stage}$`, 'm'));
      expect(JSON.parse(cmd.slice(4))).toEqual(['node', '--enable-source-maps', `services/${stage}/dist/main.js`]);
      const prefix = stage === 'all-in-one' ? 'SWITCHYARD_EDGE_' : envPrefix(stage);
      expect(lines.join('\n'), `${stage} listens on all interfaces`).toMatch(
        new RegExp(`${prefix}${stage === 'all-in-one' || stage === 'edge' ? '' : 'GRPC_'}HOST=0\\.0\\.0\\.0`),
      );
      const users = lines.filter((l) => l.startsWith('USER '));
      if (users.length > 0) expect(users.at(-1)).toBe('USER 10001:10001');
    }
  });
});
