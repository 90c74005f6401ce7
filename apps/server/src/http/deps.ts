import type { OAuthProvider } from "@securecontext/providers";
import type { AuditLog, SessionPool } from "@securecontext/session-pool";
import type { StoreBackend } from "@securecontext/token-store";
import type { Logger } from "pino";
import type { ClientRegistry } from "../clients";
import type { MetricsLike, RateLimiterLike, WebhookServiceLike } from "./services";

/** What demo mode adds: who can sign in at the local IdP, and the demo client. */
export interface DemoInfo {
  clientId: string;
  userId: string;
  users: Array<{ email: string; password: string; name: string }>;
}

/** Everything the routes need; built by `startServer` (or by a test) and passed to `createApp`. */
export interface AppDeps {
  /** Public base URL without trailing slash (`https://scp.example.com`). */
  baseUrl: string;
  adminKey: string;
  pool: SessionPool;
  providers: ReadonlyMap<string, OAuthProvider>;
  clients: ClientRegistry;
  backend: StoreBackend;
  audit: AuditLog;
  webhooks: WebhookServiceLike;
  /** Undefined when rate limiting is off (`SCP_RATE_LIMIT=0`). */
  rateLimiter: RateLimiterLike | undefined;
  metrics: MetricsLike;
  logger: Logger;
  /** HMAC key for CSRF tokens (derived from the encryption key, shared by every instance). */
  csrfKey: Buffer;
  demo: DemoInfo | undefined;
  /** Counts of in-flight requests, for graceful shutdown. */
  inflight?: { count: number };
}
