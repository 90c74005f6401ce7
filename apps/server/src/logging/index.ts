/**
 * Structured logging without secrets: {@link createLogger} (pino 9) and the scrubbing helpers the
 * audit log shares.
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
export { isSecretKey, REDACTED, type RedactDeepOptions, redactDeep, scrubString } from "./redact";
