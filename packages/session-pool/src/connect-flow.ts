import { createHash, timingSafeEqual } from "node:crypto";
import type { ConnectRequest } from "@securecontext/protocol";
import {
  CONNECT_REQUEST_TTL_MS,
  ConflictError,
  isScpError,
  NotFoundError,
  newId,
  ProviderError,
  randomBase62,
  StoreError,
  TransportError,
  ValidationError,
} from "@securecontext/protocol";
import type { StoredRecord } from "@securecontext/token-store";
import { ConnectFlowError } from "./connect-errors";
import type { PoolContext } from "./context";
import { describe } from "./events";
import { sha256Hex } from "./keys";
import type { OAuthProvider } from "./provider-contract";
import { iso } from "./timing";
import type { ConnectFlowService, ConnectionService, CreateConnectRequestInput } from "./types";

/** A connect request as stored (epoch-ms times). Kept a day after it expires so its outcome stays readable. */
interface ConnectRequestRecord {
  id: string;
  status: "pending" | "completed" | "failed";
  clientId: string | null;
  userId: string;
  providerId: string;
  scopes: string[];
  agentId?: string;
  redirectUrl?: string;
  createdAt: number;
  expiresAt: number;
  connectionId?: string;
  error?: string;
}

/** One-time OAuth state (stored encrypted: it holds the PKCE verifier and nonce). */
interface StateRecord {
  connectRequestId: string;
  bindingHash: string;
  codeVerifier: string;
  nonce?: string;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;

/** Consent flows: request → begin (state, PKCE, nonce) → provider → complete (or deny). */
export function createConnectFlowService(
  context: PoolContext,
  connections: ConnectionService,
): ConnectFlowService {
  const { store, keys, options, events } = context;

  const toWire = (record: ConnectRequestRecord): ConnectRequest => ({
    id: record.id,
    status: record.status === "pending" && record.expiresAt <= options.now() ? "expired" : record.status,
    url: `${options.baseUrl}/connect/${record.id}`,
    userId: record.userId,
    providerId: record.providerId,
    scopes: [...record.scopes],
    ...(record.agentId !== undefined ? { agentId: record.agentId } : {}),
    ...(record.redirectUrl !== undefined ? { redirectUrl: record.redirectUrl } : {}),
    expiresAt: iso(record.expiresAt),
    createdAt: iso(record.createdAt),
    ...(record.connectionId !== undefined ? { connectionId: record.connectionId } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
  });

  const read = async (id: string): Promise<StoredRecord<ConnectRequestRecord> | undefined> => {
    if (!/^cr_[0-9A-Za-z]{1,64}$/.test(id)) return undefined;
    return store.records.get<ConnectRequestRecord>(keys.connectRequest(id));
  };

  const providerFor = (providerId: string): OAuthProvider => {
    const provider = options.providers.get(providerId);
    if (!provider) throw new ValidationError(`unknown provider "${providerId}"`, { field: "providerId" });
    return provider;
  };

  /** Moves a pending request to a final status; returns undefined when it was no longer pending. */
  const finish = async (
    id: string,
    change: Pick<ConnectRequestRecord, "status" | "connectionId" | "error">,
  ): Promise<ConnectRequest | undefined> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await read(id);
      if (current?.value.status !== "pending") return undefined;
      const next: ConnectRequestRecord = {
        ...current.value,
        status: change.status,
        ...(change.connectionId !== undefined ? { connectionId: change.connectionId } : {}),
        ...(change.error !== undefined ? { error: change.error } : {}),
      };
      const written = await store.records.compareAndSet(keys.connectRequest(id), current.version, next, {
        expiresAt: next.expiresAt + RETENTION_MS,
      });
      if (written) {
        const connectRequest = toWire(next);
        events.emit(
          next.status === "completed"
            ? { type: "connect_request.completed", connectRequest }
            : { type: "connect_request.failed", connectRequest },
        );
        return connectRequest;
      }
    }
    throw new StoreError("connect request is being updated too often; try again", {
      extra: { connectRequestId: id },
    });
  };

  /**
   * Marks the request failed with the OAuth-style `error` code and returns it as it now stands, so
   * the server can send the person back to `redirectUrl` with `status=failed&error=…`.
   */
  const fail = async (
    record: ConnectRequestRecord,
    error: string,
    cause?: unknown,
  ): Promise<ConnectRequest> => {
    options.logger.warn("connect request failed", {
      connectRequestId: record.id,
      providerId: record.providerId,
      error,
      ...(cause !== undefined ? { cause: describe(cause) } : {}),
    });
    try {
      const finished = await finish(record.id, { status: "failed", error });
      if (finished) return finished;
      const current = await read(record.id);
      if (current) return toWire(current.value);
    } catch (storeError) {
      options.logger.error("could not mark connect request failed", {
        connectRequestId: record.id,
        error: describe(storeError),
      });
    }
    return toWire({ ...record, status: "failed", error });
  };

  return {
    async create(input: CreateConnectRequestInput) {
      const provider = providerFor(input.providerId);
      // Providers with several spellings of one scope (Microsoft Graph) name their canonical one.
      const canonical = (scope: string) => provider.normalizeScope?.(scope) ?? scope;
      const offered = new Set([...provider.scopes, ...provider.defaultScopes].map(canonical));
      const scopes = input.scopes ? [...new Set(input.scopes.map(canonical))] : [...provider.scopes];
      input.scopes?.forEach((scope, i) => {
        if (!offered.has(canonical(scope))) {
          throw new ValidationError(`scope "${scope}" is not offered by ${provider.id}`, {
            field: `scopes[${i}]`,
          });
        }
      });
      const now = options.now();
      const record: ConnectRequestRecord = {
        id: newId("connectRequest"),
        status: "pending",
        clientId: input.clientId,
        userId: input.userId,
        providerId: input.providerId,
        scopes,
        ...(input.agentId !== undefined ? { agentId: input.agentId } : {}),
        ...(input.redirectUrl !== undefined ? { redirectUrl: input.redirectUrl } : {}),
        createdAt: now,
        expiresAt: now + CONNECT_REQUEST_TTL_MS,
      };
      await store.records.set(keys.connectRequest(record.id), record, {
        expiresAt: record.expiresAt + RETENTION_MS,
      });
      return toWire(record);
    },

    async get(connectRequestId) {
      const record = await read(connectRequestId);
      return record ? toWire(record.value) : undefined;
    },

    async begin(connectRequestId, browserBinding) {
      if (typeof browserBinding !== "string" || browserBinding.length < 16) {
        throw new ValidationError("a browser binding of at least 16 characters is required", {
          field: "browserBinding",
        });
      }
      const record = (await read(connectRequestId))?.value;
      if (!record) throw new ConnectFlowError("request_not_found", "this connect link is not valid");
      const wire = toWire(record);
      if (wire.status === "expired") {
        throw new ConnectFlowError("request_expired", "this connect link has expired; ask for a new one", {
          connectRequest: wire,
        });
      }
      if (wire.status !== "pending") {
        throw new ConnectFlowError("request_not_pending", "this connect link was already used", {
          connectRequest: wire,
        });
      }
      const provider = providerFor(record.providerId);
      const state = randomBase62(43);
      const codeVerifier = randomBase62(64);
      const nonce = provider.type === "oauth2" ? undefined : randomBase62(32);
      const stateRecord: StateRecord = {
        connectRequestId,
        bindingHash: sha256Hex(browserBinding),
        codeVerifier,
        ...(nonce ? { nonce } : {}),
      };
      await store.records.set(keys.oauthState(state), stateRecord, { expiresAt: record.expiresAt });
      return provider.authorizationUrl({
        state,
        codeVerifier,
        ...(nonce ? { nonce } : {}),
        scopes: record.scopes,
        redirectUri: options.redirectUri,
      });
    },

    async deny(connectRequestId) {
      const record = (await read(connectRequestId))?.value;
      if (!record) throw new NotFoundError("connect request not found", { extra: { connectRequestId } });
      const wire = toWire(record);
      if (wire.status !== "pending") {
        throw new ConflictError(`connect request is already ${wire.status}`, {
          extra: { connectRequestId, status: wire.status },
        });
      }
      const finished = await finish(connectRequestId, { status: "failed", error: "access_denied" });
      if (!finished)
        throw new ConflictError("connect request is no longer pending", { extra: { connectRequestId } });
      return finished;
    },

    async complete(callbackUrl, browserBinding) {
      const params = callbackUrl.searchParams;
      const state = params.get("state");
      if (!state) throw new ConnectFlowError("missing_state", "the sign-in response carried no state");
      const stateRecord = await store.records.takeOnce<StateRecord>(keys.oauthState(state));
      if (!stateRecord) {
        throw new ConnectFlowError(
          "invalid_state",
          "this sign-in response is unknown, expired or was already used; start again from the connect link",
        );
      }
      if (!browserBinding || !sameHash(stateRecord.bindingHash, sha256Hex(browserBinding))) {
        throw new ConnectFlowError(
          "browser_mismatch",
          "this sign-in was started in a different browser; start again from the connect link in this browser",
        );
      }
      const record = (await read(stateRecord.connectRequestId))?.value;
      if (!record) throw new ConnectFlowError("request_not_found", "the connect request no longer exists");
      const wire = toWire(record);
      if (wire.status === "expired") {
        throw new ConnectFlowError("request_expired", "this connect link expired before sign-in finished", {
          connectRequest: wire,
        });
      }
      if (wire.status !== "pending") {
        throw new ConnectFlowError("request_not_pending", "this connect request has already finished", {
          connectRequest: wire,
        });
      }

      const providerError = params.get("error");
      if (providerError) {
        // access_denied (the person said no) or another RFC 6749 code; anything odd becomes server_error.
        return fail(record, /^[a-z0-9_]{1,64}$/.test(providerError) ? providerError : "server_error");
      }

      const provider = providerFor(record.providerId);
      let tokenSet: Awaited<ReturnType<OAuthProvider["exchangeCode"]>>;
      try {
        tokenSet = await provider.exchangeCode({
          callbackUrl,
          checks: {
            state,
            codeVerifier: stateRecord.codeVerifier,
            ...(stateRecord.nonce ? { nonce: stateRecord.nonce } : {}),
            redirectUri: options.redirectUri,
          },
        });
      } catch (error) {
        return fail(record, exchangeErrorCode(error), error);
      }
      let account: Awaited<ReturnType<OAuthProvider["identity"]>>;
      try {
        account = await provider.identity(tokenSet);
      } catch (error) {
        return fail(record, "identity_failed", error);
      }
      let connectionId: string;
      try {
        const connection = await connections.create({
          userId: record.userId,
          providerId: record.providerId,
          clientId: record.clientId,
          account,
          tokenSet: tokenSet.scopes.length > 0 ? tokenSet : { ...tokenSet, scopes: record.scopes },
        });
        connectionId = connection.id;
      } catch (error) {
        return fail(record, "server_error", error);
      }
      const finished = await finish(record.id, { status: "completed", connectionId });
      return finished ?? toWire({ ...record, status: "completed", connectionId });
    },
  };
}

function exchangeErrorCode(error: unknown): string {
  if (error instanceof ProviderError && /^[a-z0-9_]{1,64}$/.test(error.error)) return error.error;
  if (error instanceof TransportError) return "temporarily_unavailable";
  if (isScpError(error) && error.code === "provider_error") {
    const oauthError = (error.extra as { error?: unknown }).error;
    if (typeof oauthError === "string" && /^[a-z0-9_]{1,64}$/.test(oauthError)) return oauthError;
  }
  return "server_error";
}

function sameHash(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}
