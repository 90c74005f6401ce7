import { z } from "zod";

/** Id prefixes of SPEC §1. */
export const idPrefixes = {
  client: "cli",
  connection: "con",
  connectRequest: "cr",
  session: "ses",
  workflowTemplate: "wft",
  workflowRun: "run",
  webhook: "whk",
  auditEvent: "aud",
  event: "evt",
} as const;

export type IdKind = keyof typeof idPrefixes;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `count` base62 characters from the platform CSPRNG (Web Crypto, so it runs in browsers and edge
 * runtimes). Rejection sampling keeps every character uniform.
 */
export function randomBase62(count: number): string {
  let out = "";
  while (out.length < count) {
    const byte = randomByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

/**
 * CSPRNG bytes fetched 4 KiB at a time (as nanoid and uuid do): one `getRandomValues` call per id
 * cost more than the rest of building it. Every byte is used once, so the output is exactly the
 * platform generator's.
 */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;
function randomByte(): number {
  if (poolOffset >= pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  return pool[poolOffset++] as number;
}

/** 22 base62 characters carry 130 bits: above the 128 the spec asks of ids. */
export const ID_RANDOM_LENGTH = 22;
/** 43 base62 characters carry 256 bits: the spec's floor for secrets. */
export const SECRET_RANDOM_LENGTH = 43;

/** A fresh id such as `con_4f9…` for the given kind. */
export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${randomBase62(ID_RANDOM_LENGTH)}`;
}

/** Secret prefixes: API keys, session tokens, webhook signing secrets. */
export const secretPrefixes = {
  apiKey: "scp_sk_",
  sessionToken: "scp_st_",
  webhookSecret: "scp_whsec_",
} as const;

/** A fresh secret (shown once, stored only as a hash). */
export function newSecret(kind: keyof typeof secretPrefixes): string {
  return `${secretPrefixes[kind]}${randomBase62(SECRET_RANDOM_LENGTH)}`;
}

/** Schema for an id of one kind: prefix, underscore, 22–64 base62 characters. */
export function idSchema(kind: IdKind) {
  const prefix = idPrefixes[kind];
  return z
    .string()
    .max(80)
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{22,64}$`), { message: `must be a ${kind} id (${prefix}_…)` });
}

export const clientIdSchema = idSchema("client");
export const connectionIdSchema = idSchema("connection");
export const connectRequestIdSchema = idSchema("connectRequest");
export const sessionIdSchema = idSchema("session");
export const workflowTemplateIdSchema = idSchema("workflowTemplate");
export const workflowRunIdSchema = idSchema("workflowRun");
export const webhookIdSchema = idSchema("webhook");
