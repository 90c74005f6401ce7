import {
  type AgentListing,
  type AgentManifest,
  agentListingSchema,
  type CreatedConnectRequest,
  createdConnectRequestSchema,
} from "@securecontext/protocol";
import { z } from "zod";
import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { type ListMethods, listMethods, type PageQuery } from "./list";
import { segment } from "./path";

/** `GET /v1/agents` search. Results come ranked. */
export interface AgentSearch extends PageQuery {
  q?: string;
  providerId?: string;
  capability?: string;
  tag?: string;
}

const installResultSchema = z
  .union([
    z.array(createdConnectRequestSchema),
    z.object({ items: z.array(createdConnectRequestSchema) }),
    z.object({ connectRequests: z.array(createdConnectRequestSchema) }),
  ])
  .transform((value) =>
    Array.isArray(value) ? value : "items" in value ? value.items : value.connectRequests,
  );

export interface AgentsApi extends ListMethods<AgentListing, AgentSearch> {
  get(slug: string, options?: RequestOptions): Promise<AgentListing>;
  /**
   * Admin: publishes a manifest — the object, or a compact JWS signed by its publisher (sent as
   * `{ "jws": "…" }`). The same slug and version twice is a `ConflictError`.
   */
  publish(manifest: AgentManifest | string, options?: RequestOptions): Promise<AgentListing>;
  /** Admin: withdraws a listing. */
  withdraw(slug: string, options?: RequestOptions): Promise<void>;
  /** The connect requests the agent needs for `userId`, one per provider, for exactly its scopes. */
  install(slug: string, body: { userId: string }, options?: RequestOptions): Promise<CreatedConnectRequest[]>;
}

export function agentsApi(transport: Transport): AgentsApi {
  return {
    ...listMethods<typeof agentListingSchema, AgentSearch>(transport, "/v1/agents", agentListingSchema),
    get: (slug, options) =>
      transport.json({
        method: "GET",
        path: `/v1/agents/${segment(slug)}`,
        schema: agentListingSchema,
        options,
      }),
    publish: (manifest, options) =>
      transport.json({
        method: "POST",
        path: "/v1/agents",
        body: typeof manifest === "string" ? { jws: manifest } : manifest,
        schema: agentListingSchema,
        options,
      }),
    withdraw: (slug, options) =>
      transport.empty({ method: "DELETE", path: `/v1/agents/${segment(slug)}`, options }),
    install: (slug, body, options) =>
      transport.json({
        method: "POST",
        path: `/v1/agents/${segment(slug)}/install`,
        body,
        schema: installResultSchema,
        options,
      }),
  };
}
