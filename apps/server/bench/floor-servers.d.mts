import type { RequestListener } from "node:http";

/** See floor-servers.mjs. */
export function floorListener(mode: "bare" | "hono"): RequestListener;
