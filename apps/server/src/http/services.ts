import type {
  AuditEvent,
  AuditFilter,
  AuditVerification,
  CreatedWebhook,
  CreateWebhookBody,
  ListPage,
  Webhook,
  WebhookEventType,
} from "@securecontext/protocol";
import type { AuditAppendInput } from "@securecontext/session-pool";
import type { RateLimitResult } from "../rate-limit";

/** What the routes append to the audit log (the audit module's own input type). */
export type AuditAppend = AuditAppendInput;

export interface AuditLogService {
  append(event: AuditAppend): Promise<AuditEvent>;
  /** Queues an event without waiting for it; failures are logged with `tag` (see the audit log's `record`). */
  record(event: AuditAppend, tag?: string): void;
  list(filter: AuditFilter & { clientId?: string }): Promise<ListPage<AuditEvent>>;
  verify(): Promise<AuditVerification>;
  /** Resolves once every append made so far has been committed (or failed); called before the store closes. */
  flush(): Promise<void>;
}

export interface WebhookServiceLike {
  create(body: CreateWebhookBody & { secret?: string }): Promise<CreatedWebhook>;
  list(): Promise<ListPage<Webhook>>;
  delete(id: string): Promise<boolean>;
  emit(type: WebhookEventType, data: Record<string, unknown>): Promise<unknown>;
  start(): void;
  close(): Promise<void>;
}

export type { RateLimitResult };

export interface RateLimiterLike {
  check(key: string): Promise<RateLimitResult>;
}

export interface MetricsLike {
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  refresh(outcome: "success" | "transient_failure" | "reauth" | "skipped"): void;
  setActiveSessions(n: number): void;
  render(): string;
}
