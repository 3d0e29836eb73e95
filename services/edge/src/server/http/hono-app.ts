import { SwitchyardError } from '@switchyard/errors';
import { metricsText, type Logger, type Registry } from '@switchyard/obs';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { EdgeMetrics } from '../../adapters/metrics.js';
import type { Authenticator } from '../../domain/authenticator.js';
import { filterModelList } from '../../domain/models-list.js';
import { credentialFrom } from '../../domain/policy.js';
import type { LlmGateway, ReadinessProbe } from '../../domain/ports.js';
import { adminRoutes, type AdminDeps } from './admin.js';
import { errorReply } from './errors.js';
import { MCP_EXECUTE_ROUTE, mcpExecuteRoutes, type McpExecuteDeps } from './mcp-execute.js';
import { MCP_SERVER_ROUTE, mcpServerRoutes, type McpServerDeps } from './mcp-server.js';
import { checkReadiness } from './readiness.js';

export interface HonoAppDeps extends AdminDeps {
  auth: Authenticator;
  llm: LlmGateway;
  probes: readonly ReadinessProbe[];
  /** The app's registry first, then any others to serve with it (all-in-one). */
  registries: readonly Registry[];
  metrics: EdgeMetrics;
  logger: Logger;
  /** Tool execution; absent when MCP is off (the route then answers 404). */
  mcp?: McpExecuteDeps | undefined;
  /** The northbound MCP server (`/mcp`); absent when MCP is off. */
  mcpServer?: McpServerDeps | undefined;
}

function errorResponse(c: Context, err: unknown, logger: Logger): Response {
  const requestId = c.req.header('x-request-id');
  const reply = errorReply(err, logger, requestId);
  return c.newResponse(reply.body, reply.status as 400, { ...reply.headers, 'content-type': 'application/json' });
}

/** Every path but the chat hot path: models, MCP tool execution, admin API, health, readiness, metrics. */
export function createHonoApp(deps: HonoAppDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.res.status === 404 && c.error === undefined ? 'unmatched' : routePath(c, -1) || 'unmatched';
    deps.metrics.route(route === '/*' || route === '*' ? 'unmatched' : route).observe(c.res.status, (performance.now() - started) / 1000);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const { ready, checks } = await checkReadiness(deps.probes);
    return c.json({ status: ready ? 'ok' : 'unavailable', checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    const { contentType, body } = await metricsText(deps.registries);
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.get('/v1/models', async (c) => {
    const principal = await deps.auth.authenticate(credentialFrom(c.req.header('authorization'), c.req.header('x-api-key')));
    const list = filterModelList(await deps.llm.listModels(c.req.raw.signal), principal);
    // Protobuf bytes are never backed by a SharedArrayBuffer.
    return c.body(list as string | Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/json' });
  });

  if (deps.mcp) app.route(MCP_EXECUTE_ROUTE, mcpExecuteRoutes(deps.mcp));
  if (deps.mcpServer) app.route(MCP_SERVER_ROUTE, mcpServerRoutes(deps.mcpServer));

  app.route('/api', adminRoutes(deps));

  app.notFound((c) =>
    errorResponse(c, new SwitchyardError('not_found', `no route for ${c.req.method} ${c.req.path}`, { code: 'route_not_found' }), deps.logger),
  );
  app.onError((err, c) => errorResponse(c, err, deps.logger));
  return app;
}
