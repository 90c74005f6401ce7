/**
 * Tamper-evident audit log: every event carries `prevHash` and `hash = sha256(prevHash +
 * canonical JSON of the event without hash)`, so editing, reordering or deleting a stored event
 * breaks the chain and {@link AuditLog.verify} names the first broken event.
 *
 * @example
 * ```ts
 * import { memoryBackend } from "@securecontext/token-store";
 * import { createAuditLog } from "./audit";
 *
 * const { records, locks } = memoryBackend();
 * const audit = createAuditLog({ records, locks });
 * await audit.append({ type: "session.created", actor: "client:cli_…", outcome: "success", userId: "u1" });
 * const page = await audit.list({ userId: "u1", limit: 20 }); // newest first
 * const check = await audit.verify(); // { valid: true, count: 1 }
 * ```
 *
 * @module
 */
export {
  type AuditAppendInput,
  type AuditListFilter,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
} from "./audit-log";
export { canonicalJson, computeAuditHash, GENESIS_HASH } from "./canonical";
