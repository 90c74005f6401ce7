import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { segment } from "./path";

/** `fetch` options of the proxy helper, plus the SDK's per-call options. */
export type ProxyRequestInit = Omit<RequestInit, "signal"> &
  Pick<RequestOptions, "signal" | "timeoutMs" | "retry">;

export interface ProxyApi {
  /**
   * Calls the provider API through SCP: `path` (with any query) is appended to the provider's
   * primary API base URL, SCP adds the bearer token. Returns the raw `Response` whatever its status
   * (SCP's own refusals are problem+json; redirects are not followed). To reach another
   * allow-listed base, set header `SCP-Proxy-Base` to it exactly.
   *
   * @example
   * ```ts
   * const res = await scp.proxy(connectionId).fetch("/gmail/v1/users/me/labels");
   * const labels = await res.json();
   * ```
   */
  fetch(path: string, init?: ProxyRequestInit): Promise<Response>;
}

export function proxyApi(transport: Transport, connectionId: string): ProxyApi {
  const prefix = `/v1/proxy/${segment(connectionId)}/`;
  return {
    fetch: (path, init = {}) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//")) {
        throw new TypeError("proxy fetch takes a path relative to the provider's API base, not a URL");
      }
      const { signal, timeoutMs, retry, headers, body, method } = init;
      return transport.raw({
        method: (method ?? "GET").toUpperCase(),
        path: prefix + path.replace(/^\/+/, ""),
        headers,
        body,
        redirect: "manual",
        throwOnError: false,
        options: { signal: signal ?? undefined, timeoutMs, retry },
      });
    },
  };
}
