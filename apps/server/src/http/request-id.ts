import { randomBase62 } from "@securecontext/protocol";
import type { Context } from "hono";
import type { AppEnv } from "./context";
import { requestHeader } from "./request-header";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids are unique, not secret: a random per-process prefix (instances never collide) and a
 * counter, 20 base62 characters as before, without a CSPRNG call per request.
 */
const PROCESS_PREFIX = randomBase62(12);
let counter = 0;
function nextRequestId(): string {
  counter = (counter + 1) % 62 ** 8;
  let suffix = "";
  for (let n = counter, i = 0; i < 8; i++, n = Math.floor(n / 62)) suffix = BASE62[n % 62] + suffix;
  return `req_${PROCESS_PREFIX}${suffix}`;
}
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * The request's id (a well-formed incoming `X-Request-Id`, else a new one), stored as `requestId`
 * on the context; the front door echoes it as the `X-Request-Id` response header.
 */
export function assignRequestId(c: Context<AppEnv>): string {
  const incoming = requestHeader(c, "x-request-id");
  const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : nextRequestId();
  c.set("requestId", id);
  return id;
}
