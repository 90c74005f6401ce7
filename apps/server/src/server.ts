import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import {
  ScpError,
  type ServerConfigFile,
  ValidationError,
  type WebhookEventType,
  webhookEventTypes,
} from "@securecontext/protocol";
import { createProviderRegistry, type OAuthProvider } from "@securecontext/providers";
import { createSessionPool, type PoolEvent, type SessionPool } from "@securecontext/session-pool";
import { createKeyRing, type StoreBackend } from "@securecontext/token-store";
import type { Hono } from "hono";
import type { DestinationStream, Logger } from "pino";
import { createApp } from "./app";
import { createClientKeyCache, createClientRegistry } from "./clients";
import {
  buildProviders,
  describeStore,
  type EnvRecord,
  loadServerConfig,
  openStoreBackend,
  POOL_KEY_PREFIX,
} from "./config";
import { DEMO_CLIENT_ID, DEMO_USER_ID, type DemoIdps, demoBanner, startDemoIdps } from "./demo";
import type { AppEnv } from "./http/context";
import type { AppDeps } from "./http/deps";
import { problemResponse } from "./http/errors";
import { createLogger } from "./logging";
import { createServerServices } from "./services";
import { createShutdown } from "./shutdown";

/** Options of {@link startServer}. Never mutated. */
export interface StartServerOptions {
  /** Environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** An already-parsed `SCP_CONFIG` document (wins over the `SCP_CONFIG` path). */
  configFile?: ServerConfigFile;
  /** Port (default `SCP_PORT`, 8787); `0` picks a free one. */
  port?: number;
  /** Bind address (default `SCP_HOST`, 127.0.0.1). */
  host?: string;
  /** Logger (default: pino JSON lines to stdout at `SCP_LOG_LEVEL`). */
  logger?: Logger;
  /** Where the default logger writes (tests capture logs with this). */
  logDestination?: DestinationStream;
  /** Print the start-up banner (admin key, URL) to stdout; the CLI sets it. Default false. */
  printBanner?: boolean;
}

/** A running server. */
export interface RunningServer {
  url: string;
  adminKey: string;
  demo: boolean;
  app: Hono<AppEnv>;
  pool: SessionPool;
  /** Graceful: stops accepting, waits for in-flight requests (bounded), closes pool, webhooks and store. */
  close(): Promise<void>;
}

/** Pool events forwarded as webhooks: the SPEC's webhook event types (workflow ones never come from the pool). */
const WEBHOOK_EVENT_TYPES = new Set<string>(webhookEventTypes);

function webhookData(event: PoolEvent): Record<string, unknown> {
  const { type: _type, ...data } = event;
  return data as Record<string, unknown>;
}

/**
 * Answers what the @hono/node-server adapter rejects before Hono sees the request (a request target
 * with a raw backslash, a bad Host header, an invalid absolute URL) as problem+json instead of the
 * adapter's empty `400 text/plain`. The adapter names those `RequestError`; anything else that
 * escaped the app is a generic 500 problem (nothing leaked).
 */
function adapterErrorResponse(logger: Logger): (error: unknown) => Response {
  return (error) => {
    if (error instanceof Error && error.name === "RequestError") {
      return problemResponse(new ValidationError(`Malformed request: ${error.message}`, { field: "path" }));
    }
    logger.error({ err: { name: error instanceof Error ? error.name : typeof error } }, "request failed");
    return problemResponse(new ScpError("Internal error", { code: "internal", status: 500 }));
  };
}

function boundUrl(address: AddressInfo, host: string): string {
  const printable =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${printable}:${address.port}`;
}

/**
 * Starts the reference server: validates configuration, opens the store, builds providers (or the
 * demo IdPs), the session pool and services, and listens. Resolves once it accepts requests.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env: EnvRecord = options.env ?? process.env;
  const config = loadServerConfig({ env, ...(options.configFile ? { configFile: options.configFile } : {}) });
  const logger =
    options.logger ??
    createLogger({
      level: config.env.SCP_LOG_LEVEL,
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  // The last cleanup (they run in reverse): write out what the log destination still buffers.
  const cleanups: Array<() => Promise<void>> = [
    () => new Promise<void>((resolve) => logger.flush(() => resolve())),
  ];
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  // Listen first so the bound URL is known (SCP_BASE_URL defaults to it); answer 503 until ready.
  let handler:
    | ((request: Request, bindings: HttpBindings | Http2Bindings) => Response | Promise<Response>)
    | undefined;
  const host = options.host ?? config.env.SCP_HOST;
  const port = options.port ?? config.env.SCP_PORT;
  const listener = getRequestListener(
    (request: Request, bindings: HttpBindings | Http2Bindings) =>
      handler
        ? handler(request, bindings)
        : new Response(JSON.stringify({ status: "starting" }), {
            status: 503,
            headers: { "Retry-After": "1" },
          }),
    { hostname: host, errorHandler: adapterErrorResponse(logger) },
  );
  const server = await new Promise<Server>((resolve, reject) => {
    const instance = createServer(listener);
    instance.once("error", reject);
    instance.listen(port, host, () => {
      instance.off("error", reject);
      resolve(instance);
    });
  });
  const url = config.baseUrl ?? boundUrl(server.address() as AddressInfo, host);

  try {
    let demoIdps: DemoIdps | undefined;
    let providerList: OAuthProvider[];
    if (config.demo) {
      demoIdps = await startDemoIdps(url);
      const idps = demoIdps;
      cleanups.push(() => idps.stop());
      providerList = buildProviders(demoIdps.providerConfigs, { allowInsecureHttp: true });
    } else {
      providerList = buildProviders(config.providerConfigs, {
        allowInsecureHttp: config.env.SCP_ALLOW_INSECURE_HTTP,
      });
    }
    const registry = createProviderRegistry(providerList);
    const providers = new Map(providerList.map((provider) => [provider.id, provider]));

    const backend: StoreBackend = await openStoreBackend(config.store);
    cleanups.push(() => backend.close());
    const keyRing = createKeyRing({ keys: config.secrets.encryptionKeys });
    const pool = createSessionPool({
      backend,
      keyRing,
      providers: registry,
      redirectUri: `${url}/oauth/callback`,
      baseUrl: url,
      keyPrefix: POOL_KEY_PREFIX,
      // Read the clock on every call (not a captured `Date.now`): the routes and the pool must agree
      // on "now", or a connect request could read `pending` to the API while its page says expired.
      now: () => Date.now(),
    });
    cleanups.push(() => pool.close());

    const clientKeys = createClientKeyCache({ pubsub: backend.pubsub });
    cleanups.push(() => clientKeys.close());
    const clients = createClientRegistry({ records: backend.records, cache: clientKeys });
    for (const client of config.file?.clients ?? []) await clients.upsertConfigured(client);

    const services = createServerServices({
      backend,
      keyRing,
      logger,
      rateLimitPerMinute: config.env.SCP_RATE_LIMIT,
    });
    const existingHooks = new Set((await services.webhooks.list()).items.map((hook) => hook.url));
    for (const hook of config.file?.webhooks ?? []) {
      if (!existingHooks.has(hook.url)) await services.webhooks.create(hook);
    }
    // Runs before the store closes (cleanups run in reverse): commits every queued audit event.
    cleanups.push(() => services.audit.flush());
    services.webhooks.start();
    cleanups.push(() => services.webhooks.close());

    let demo: AppDeps["demo"];
    if (demoIdps) {
      await clients.upsertConfigured({
        id: DEMO_CLIENT_ID,
        name: "Demo agent",
        apiKey: `scp_sk_demo_${createHmac("sha256", config.secrets.adminKey).update("demo-client").digest("base64url")}`,
      });
      demo = { clientId: DEMO_CLIENT_ID, userId: DEMO_USER_ID, users: demoIdps.users };
    }

    /** Live sessions for the gauge: id → expiry in whole epoch seconds (a small integer, unboxed). */
    const activeSessions = new Map<string, number>();
    const expirySeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);
    const unsubscribe = pool.onEvent((event) => {
      if (WEBHOOK_EVENT_TYPES.has(event.type)) {
        services.webhooks.emit(event.type as WebhookEventType, webhookData(event)).catch((error: unknown) => {
          logger.error({ type: event.type, err: (error as Error).message }, "webhook emit failed");
        });
      }
      switch (event.type) {
        case "connection.refreshed":
          services.metrics.refresh("success");
          break;
        case "connection.refresh_failed":
          if (event.transient) services.metrics.refresh("transient_failure");
          break;
        case "connection.created":
          // Audited here, where every new connection is seen once (the callback only knows the request).
          services.audit
            .append({
              type: "connection.created",
              actor: "user",
              outcome: "success",
              userId: event.connection.userId,
              connectionId: event.connection.id,
              ...(event.connection.clientId ? { clientId: event.connection.clientId } : {}),
              detail: { providerId: event.connection.providerId, scopes: event.connection.scopes },
            })
            .catch((error: unknown) => {
              logger.error({ type: event.type, err: (error as Error).message }, "audit append failed");
            });
          break;
        case "connection.needs_reauth":
          services.metrics.refresh("reauth");
          services.audit
            .append({
              type: "connection.needs_reauth",
              actor: "system",
              outcome: "failure",
              userId: event.connection.userId,
              connectionId: event.connection.id,
              ...(event.connection.clientId ? { clientId: event.connection.clientId } : {}),
              detail: { reason: event.connection.statusReason?.code ?? "unknown" },
            })
            .catch(() => undefined);
          break;
        case "session.created":
        case "session.extended":
          activeSessions.set(event.session.id, expirySeconds(event.session.expiresAt));
          break;
        case "session.revoked":
          activeSessions.delete(event.sessionId);
          break;
        default:
          break;
      }
    });
    cleanups.push(async () => unsubscribe());

    const metrics = services.metrics;
    const deps: AppDeps = {
      baseUrl: url,
      adminKey: config.secrets.adminKey,
      pool,
      providers,
      clients,
      backend,
      audit: services.audit,
      webhooks: services.webhooks,
      rateLimiter: services.rateLimiter,
      metrics: {
        ...metrics,
        render() {
          const now = Date.now() / 1000;
          for (const [id, expiresAt] of activeSessions) if (expiresAt <= now) activeSessions.delete(id);
          metrics.setActiveSessions(activeSessions.size);
          return metrics.render();
        },
      },
      logger,
      csrfKey: createHmac("sha256", config.secrets.encryptionKeys[0]?.secret ?? config.secrets.adminKey)
        .update("scp csrf v1")
        .digest(),
      demo,
      inflight: { count: 0 },
    };
    const app = createApp(deps);
    handler = (request, bindings) => app.fetch(request, bindings as HttpBindings);

    const shutdown = createShutdown({
      server,
      logger,
      inflight: deps.inflight as { count: number },
      cleanup: runCleanups,
    });
    logger.info(
      { url, store: describeStore(config.store), providers: [...providers.keys()], demo: Boolean(demo) },
      "securecontext server listening",
    );
    if (options.printBanner) {
      const lines = demo
        ? demoBanner({ url, adminKey: config.secrets.adminKey, users: demo.users })
        : config.secrets.generated.adminKey
          ? `SecureContext listening on ${url}\nAdmin key (generated, stored in ${config.secrets.dataDir ?? "memory"}): ${config.secrets.adminKey}`
          : `SecureContext listening on ${url}`;
      process.stdout.write(`${lines}\n`);
    }
    return { url, adminKey: config.secrets.adminKey, demo: Boolean(demo), app, pool, close: shutdown };
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runCleanups();
    throw error;
  }
}
