import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { UserData } from "../data/generate";
import type { FaultQueue } from "../faults";
import { sendJson } from "../http-util";
import type { StatsRecorder } from "../stats";
import type { TestIdpProfile } from "../types";

const API_PREFIXES = ["/gmail/v1/", "/calendar/v3/", "/drive/v3/", "/v1.0/"];

export function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

export interface ApiDeps {
  provider: Provider;
  profile: TestIdpProfile;
  apiBaseUrl: string;
  userData: Map<string, UserData>;
  stats: StatsRecorder;
  faults: FaultQueue;
}

export function createApiHandler(_deps: ApiDeps) {
  return async (_req: IncomingMessage, res: ServerResponse, _url: URL): Promise<void> => {
    sendJson(res, 404, { error: "not_found" });
  };
}
