import type { UserData } from "../data/generate";

/** Which provider's error style and scope vocabulary a route follows. */
export type ApiFamily = "google" | "graph";

/** What a route handler gets. */
export interface ApiRequest {
  url: URL;
  /** Path parameters from the route pattern, decoded. */
  params: string[];
  data: UserData;
  apiBaseUrl: string;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

/** One fake resource API route. */
export interface ApiRoute {
  family: ApiFamily;
  method: "GET";
  /** Matched against the decoded pathname. */
  pattern: RegExp;
  /** Key for `stats().apiCalls`, e.g. `GET /gmail/v1/users/me/messages/:id`. */
  name: string;
  /** Any one of these grants access; the first is named in `insufficient_scope` errors. */
  scopes: string[];
  handle(request: ApiRequest): ApiResult;
}
