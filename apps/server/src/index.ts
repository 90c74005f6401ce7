/**
 * The SecureContext reference server: a thin Hono app over the SCP packages, plus the
 * `securecontext` CLI. With no provider configured it runs demo mode on local test IdPs.
 *
 * @example
 * ```ts
 * import { startServer } from "@securecontext/server";
 *
 * const server = await startServer({ env: { SCP_STORE: "memory:", SCP_LOG_LEVEL: "silent" }, port: 0 });
 * const discovery = await fetch(`${server.url}/.well-known/securecontext`).then((r) => r.json());
 * console.log(discovery.providers.map((p: { id: string }) => p.id)); // ["google", "microsoft"] (demo)
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
export { type AppDeps, createApp, type DemoInfo } from "./app";
export { type ClientRegistry, createClientRegistry } from "./clients";
export { loadServerConfig, type ServerConfig } from "./config";
export { buildOpenApiDocument, routeDocs } from "./routes/openapi";
export { type RunningServer, type StartServerOptions, startServer } from "./server";
