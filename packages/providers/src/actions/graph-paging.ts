import { ValidationError } from "@securecontext/protocol";
import type { ActionContext } from "../types";
import { type ApiCallOptions, apiUrl, callProviderApi } from "./http";

/** A Microsoft Graph collection page. */
export interface GraphPage<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

const allowedTokenPath = /^\/v1\.0\/me\/[^\s#]*$/;

/**
 * Turns Graph's `@odata.nextLink` (an absolute URL) into a page token: the path and query relative to
 * the API base. The host is deliberately dropped so a token can never point the bearer token at
 * another host.
 */
export function graphPageToken(nextLink: string | undefined, apiBaseUrl: string): string | null {
  if (!nextLink) return null;
  const base = apiBaseUrl.replace(/\/+$/, "");
  if (nextLink.startsWith(`${base}/`)) return nextLink.slice(base.length);
  const url = new URL(nextLink);
  const prefix = new URL(base).pathname.replace(/\/+$/, "");
  const path =
    prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
  return path + url.search;
}

/** Resolves a page token from {@link graphPageToken} against the API base, refusing anything else. */
export function graphPageUrl(context: ActionContext, token: string): URL {
  if (!allowedTokenPath.test(token) || token.includes("..") || token.includes("//")) {
    throw new ValidationError("pageToken is not a token this action returned", { field: "input.pageToken" });
  }
  const base = context.apiBaseUrl.replace(/\/+$/, "");
  const url = new URL(base + token);
  if (url.origin !== new URL(base).origin) {
    throw new ValidationError("pageToken is not a token this action returned", { field: "input.pageToken" });
  }
  return url;
}

/** Fetches the first page (`path` + `query`) or the page a token names, and the next token. */
export async function fetchGraphPage<T>(
  context: ActionContext,
  request: { path: string; pageToken?: string | undefined } & ApiCallOptions,
): Promise<{ items: T[]; nextPageToken: string | null }> {
  const { path, pageToken, ...options } = request;
  const url = pageToken ? graphPageUrl(context, pageToken) : apiUrl(context.apiBaseUrl, path, options.query);
  const page = await callProviderApi<GraphPage<T>>(context, url, options);
  return {
    items: page.value ?? [],
    nextPageToken: graphPageToken(page["@odata.nextLink"], context.apiBaseUrl),
  };
}
