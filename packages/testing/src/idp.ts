import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, {
  type ClientMetadata,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
} from "oidc-provider";
import { createApiHandler, isApiPath } from "./api/router";
import { generateUserData, type UserData } from "./data/generate";
import { createFaultQueue } from "./faults";
import { errorPage } from "./html";
import { delay, sendHtml, sendJson } from "./http-util";
import { createInteractionHandler, INTERACTION_PREFIX } from "./interactions";
import { createMemoryStore } from "./memory-adapter";
import { PROFILES } from "./profiles";
import { createStatsRecorder } from "./stats";
import { CONSENT_REQUIRED_DETAIL, classifyDetail, styledTokenError } from "./token-errors";
import type { Fault, StartTestIdpOptions, TestClient, TestIdp, TestUser } from "./types";
import { DEFAULT_TENANT_ID, findUser, seededUsers } from "./users";

const REFRESH_TOKEN_TTL = 90 * 24 * 60 * 60;
/**
 * oidc-provider drops `offline_access` unless `prompt=consent` (OIDC Core 11); Microsoft and most
 * OAuth servers do not. The IdP notes the request's `offline_access` in this private parameter.
 */
const OFFLINE_MARK = "x_test_idp_offline";

/**
 * Starts a local authorization server imitating Google, Microsoft or a plain OIDC provider, with
 * fake resource APIs on the same origin. Resolves once it is listening.
 */
export async function startTestIdp(options: StartTestIdpOptions): Promise<TestIdp> {
  const profile = options.profile;
  const definition = PROFILES[profile];
  if (!definition) throw new TypeError(`unknown test IdP profile: ${String(profile)}`);
  const host = options.host ?? "127.0.0.1";
  const users: TestUser[] = (options.users ?? seededUsers).map((user) => ({ ...user }));
  const clients: TestClient[] = options.clients.map((client) => structuredClone(client));
  const accessTokenTtl = options.accessTokenTtl ?? 3600;
  const rotate = options.rotateRefreshTokens ?? definition.defaultRotate;
  const tenantId = DEFAULT_TENANT_ID;
  const seed = options.seed ?? 1;

  const store = createMemoryStore();
  const stats = createStatsRecorder();
  const faults = createFaultQueue();
  const offlineCodes = new Set<string>();
  const consentRequired = new Set<string>();
  const tokenErrorDetails = new WeakMap<object, string | undefined>();
  const userData = new Map<string, UserData>();
  users.forEach((user, index) => {
    userData.set(user.subject, generateUserData({ user, index, seed, profile }));
  });

  let dispatch: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => dispatch(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const publicHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const issuer = `http://${publicHost}:${port}`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: randomBytes(8).toString("hex"),
    alg: "RS256",
    use: "sig",
  };

  const configuration: Configuration = {
    adapter: (model: string) => store.adapterFor(model),
    clients: clients.map(toClientMetadata),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    scopes: definition.scopes,
    claims: {
      openid: profile === "microsoft" ? ["sub", "tid", "oid", "preferred_username"] : ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
    },
    conformIdTokenClaims: false,
    extraParams: ["access_type", "include_granted_scopes", OFFLINE_MARK],
    pkce: { required: () => true },
    responseTypes: ["code"],
    routes: {
      authorization: definition.routes.authorization,
      token: definition.routes.token,
      jwks: definition.routes.jwks,
      userinfo: definition.routes.userinfo,
      revocation: definition.routes.revocation,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: definition.revocation,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}` },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: options.refreshTokenTtl ?? REFRESH_TOKEN_TTL,
      Grant: options.refreshTokenTtl ?? REFRESH_TOKEN_TTL,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    clientBasedCORS: () => true,
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = errorPage(
        profile,
        String(out.error),
        out.error_description ? String(out.error_description) : undefined,
      );
    },
    findAccount: (_ctx, id) => {
      const user = findUser(users, id);
      if (!user || user.subject !== id) return undefined;
      return {
        accountId: user.subject,
        claims: () => {
          const [givenName, ...rest] = user.name.split(" ");
          return {
            sub: user.subject,
            email: user.email,
            email_verified: true,
            name: user.name,
            given_name: givenName,
            family_name: rest.join(" "),
            ...(profile === "microsoft"
              ? { tid: user.tenantId ?? tenantId, oid: user.subject, preferred_username: user.email }
              : {}),
          };
        },
      };
    },
    issueRefreshToken: (_ctx, client, code) => {
      if (!client.grantTypeAllowed("refresh_token")) return false;
      if (code.kind === "AuthorizationCode" && offlineCodes.has(code.jti)) return true;
      return profile !== "google" && code.scopes.has("offline_access");
    },
    rotateRefreshToken: (ctx) => {
      const refreshToken = ctx.oidc.entities.RefreshToken;
      if (refreshToken?.accountId && consentRequired.has(refreshToken.accountId)) {
        throw new errors.InvalidGrant(CONSENT_REQUIRED_DETAIL);
      }
      return rotate;
    },
  };

  const provider = new Provider(issuer, configuration);

  provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === "authorization_code") stats.increment("codeExchanges");
    if (grantType === "refresh_token") stats.increment("refreshGrants");
  });
  provider.on("grant.error", (ctx: KoaContextWithOIDC, error: { error_detail?: string }) => {
    stats.increment("tokenErrors");
    tokenErrorDetails.set(ctx, error.error_detail);
    if (error.error_detail === "refresh token already used") stats.increment("refreshReuseDetections");
  });
  provider.on("server_error", (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc?.route === "token") stats.increment("tokenErrors");
  });

  provider.use(async (ctx, next) => {
    if (ctx.method === "GET" && ctx.path === definition.routes.authorization) {
      const { [OFFLINE_MARK]: _ignored, ...query } = ctx.query;
      const scopes = typeof query.scope === "string" ? query.scope.split(" ") : [];
      ctx.query =
        profile !== "google" && scopes.includes("offline_access") ? { ...query, [OFFLINE_MARK]: "1" } : query;
    }
    await next();
    const route = ctx.oidc?.route;
    if ((route === "authorization" || route === "resume") && ctx.oidc.entities.AuthorizationCode) {
      stats.increment("authorizations");
      const params = ctx.oidc.params ?? {};
      const prompts = String(params.prompt ?? "").split(" ");
      const offline =
        profile === "google"
          ? params.access_type === "offline" && prompts.includes("consent")
          : params[OFFLINE_MARK] === "1";
      if (offline) {
        offlineCodes.add(ctx.oidc.entities.AuthorizationCode.jti);
      }
    }
    if (route === "revocation" && ctx.status === 200) {
      if (ctx.oidc.entities.RefreshToken || ctx.oidc.entities.AccessToken) stats.increment("revocations");
    }
    if (
      route === "token" &&
      ctx.status === 200 &&
      ctx.oidc.params?.grant_type === "refresh_token" &&
      !ctx.oidc.entities.RotatedRefreshToken &&
      ctx.body &&
      typeof ctx.body === "object"
    ) {
      // Without rotation the client keeps its refresh token; like Google, do not echo it.
      delete (ctx.body as { refresh_token?: string }).refresh_token;
    }
    if (route === "token" && ctx.status >= 400 && ctx.body && typeof ctx.body === "object") {
      const body = ctx.body as { error: string; error_description?: string };
      const failure = classifyDetail(body.error, tokenErrorDetails.get(ctx));
      if (failure === "consent_required" && body.error === "invalid_scope" && profile !== "microsoft") return;
      ctx.body = styledTokenError(profile, failure, body);
    }
  });

  const handleInteraction = createInteractionHandler({
    provider,
    profile,
    users,
    onConsent: (accountId) => consentRequired.delete(accountId),
  });
  const handleApi = createApiHandler({
    provider,
    profile,
    apiBaseUrl: issuer,
    userData,
    stats,
    faults,
  });
  const providerCallback = provider.callback();
  const hanging = new Set<ServerResponse>();

  async function applyTokenFault(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const fault = faults.take("token");
    if (!fault) return false;
    // Answering without reading the body: drain it, except when the request proceeds after a delay.
    if (!(fault.kind === "timeout" && fault.delayMs !== undefined)) req.resume();
    switch (fault.kind) {
      case "http500":
        stats.increment("tokenErrors");
        sendJson(res, 500, { error: "server_error", error_description: "injected fault: internal error" });
        return true;
      case "http429":
        stats.increment("tokenErrors");
        sendJson(
          res,
          429,
          { error: "temporarily_unavailable", error_description: "injected fault: too many requests" },
          { "retry-after": String(fault.retryAfter ?? 1) },
        );
        return true;
      case "timeout": {
        if (fault.delayMs !== undefined) {
          await delay(fault.delayMs);
          return false;
        }
        stats.increment("tokenErrors");
        hanging.add(res);
        await new Promise<void>((resolve) => res.once("close", resolve));
        hanging.delete(res);
        return true;
      }
      case "oauthError": {
        stats.increment("tokenErrors");
        const error = fault.error ?? "invalid_grant";
        const body = fault.description
          ? { error, error_description: fault.description }
          : styledTokenError(profile, error === "invalid_grant" ? "refresh_revoked" : "other", { error });
        sendJson(res, 400, body);
        return true;
      }
    }
  }

  dispatch = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", issuer);
      if (url.pathname.startsWith(INTERACTION_PREFIX)) {
        await handleInteraction(req, res);
        return;
      }
      if (isApiPath(url.pathname)) {
        await handleApi(req, res, url);
        return;
      }
      if (req.method === "POST" && url.pathname === definition.routes.token) {
        if (await applyTokenFault(req, res)) return;
      }
      await providerCallback(req, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : "internal error";
        if (url(req).pathname.startsWith(INTERACTION_PREFIX))
          sendHtml(res, 400, errorPage(profile, "interaction_failed", message));
        else sendJson(res, 500, { error: "server_error", error_description: message });
      } else {
        res.destroy();
      }
    });
  };

  function url(req: IncomingMessage): URL {
    return new URL(req.url ?? "/", issuer);
  }

  function usersMatching(ref: string | undefined): Set<string> | undefined {
    if (ref === undefined) return undefined;
    const user = findUser(users, ref);
    if (!user) throw new RangeError(`unknown test user: ${ref}`);
    return new Set([user.subject]);
  }

  function expireModel(model: string, ref: string | undefined): number {
    const subjects = usersMatching(ref);
    let count = 0;
    const past = Math.floor(Date.now() / 1000) - 1;
    for (const { payload } of store.entries(model)) {
      if (subjects && !subjects.has(String(payload.accountId))) continue;
      payload.exp = past;
      count += 1;
    }
    return count;
  }

  let stopped: Promise<void> | undefined;

  return {
    issuer,
    apiBaseUrl: issuer,
    profile,
    tenantId,
    users,
    clients: clients.map((client) => structuredClone(client)),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    inject: (fault: Fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    async revokeGrantsFor(ref) {
      const subjects = usersMatching(ref)!;
      let count = 0;
      for (const { id, payload } of store.entries("Grant")) {
        if (subjects.has(String(payload.accountId))) {
          store.revokeGrant(id);
          count += 1;
        }
      }
      return count;
    },
    async expireRefreshTokens(ref) {
      return expireModel("RefreshToken", ref);
    },
    async expireAccessTokens(ref) {
      return expireModel("AccessToken", ref);
    },
    requireConsent(ref) {
      for (const subject of usersMatching(ref)!) consentRequired.add(subject);
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
        store.clear();
      });
      return stopped;
    },
  };
}

function toClientMetadata(client: TestClient): ClientMetadata {
  const method = client.tokenEndpointAuthMethod ?? (client.clientSecret ? "client_secret_basic" : "none");
  return {
    client_id: client.clientId,
    ...(client.clientSecret && method.startsWith("client_secret")
      ? { client_secret: client.clientSecret }
      : {}),
    redirect_uris: [...client.redirectUris],
    token_endpoint_auth_method: method,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    ...(client.jwks ? { jwks: structuredClone(client.jwks) as ClientMetadata["jwks"] } : {}),
  };
}
