/**
 * Zod schemas, types and errors for every SecureContext Protocol wire object. No I/O and no
 * Node-only APIs: it runs in Node, browsers and edge runtimes.
 *
 * @example
 * ```ts
 * import { createSessionBodySchema, parseOrThrow, toProblem } from "@securecontext/protocol";
 *
 * try {
 *   parseOrThrow(createSessionBodySchema, { userId: "u_1", ttlSeconds: 5 });
 * } catch (error) {
 *   console.log(toProblem(error)); // { status: 400, code: "invalid_request", field: "body.ttlSeconds", … }
 * }
 * ```
 *
 * @packageDocumentation
 */
export * from "./actions";
export * from "./audit";
export * from "./clients";
export * from "./common";
export * from "./config";
export * from "./connections";
export * from "./discovery";
export * from "./errors";
export * from "./ids";
export * from "./json-schema";
export * from "./marketplace";
export * from "./problem";
export * from "./redact";
export * from "./sessions";
export * from "./validation";
export * from "./webhooks";
export * from "./workflows";
