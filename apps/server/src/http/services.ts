import type {
  CreatedWebhook,
  CreateWebhookBody,
  ListPage,
  Webhook,
  WebhookEventType,
} from "@securecontext/protocol";
import type { RateLimitResult } from "../rate-limit";

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
