import { randomBase62 } from "@securecontext/protocol";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Uses a well-formed incoming `X-Request-Id` or makes one; echoes it on the response. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : `req_${randomBase62(20)}`;
    c.set("requestId", id);
    await next();
    c.header("X-Request-Id", id);
  };
}
