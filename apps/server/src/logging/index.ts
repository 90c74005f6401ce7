/**
 * Structured logging without secrets: {@link createLogger} (pino 9), over the redaction helpers of
 * `@securecontext/protocol` (which the audit log uses too).
 *
 * @example
 * ```ts
 * import { createLogger } from "./logging";
 * const log = createLogger({ level: "info" });
 * log.info({ refreshToken: "1//0abc" }, "stored"); // {"refreshToken":"[Redacted]","msg":"stored",…}
 * ```
 *
 * @module
 */
export {
  type CreateLoggerOptions,
  createLogger,
  REDACT_PATHS,
  RequestLogLine,
  writeRequestLine,
} from "./logger";
