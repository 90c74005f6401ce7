import { hostname } from "node:os";
import { redactDeep, scrubString } from "@securecontext/protocol";
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from "pino";
import { bufferedStdout } from "./buffered-stdout";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** `trace` … `fatal`, or `silent` (default `info`). */
  level?: LevelWithSilent | string;
  /** Where JSON lines go (default: stdout). Tests pass a capturing stream. */
  destination?: DestinationStream;
  /** Extra fields on every line (for example `{ instance: "a" }`). Scrubbed like everything else. */
  base?: Record<string, unknown>;
}

const HEADER_NAMES = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "scp-signature",
  "x-api-key",
];
const HEADER_PARENTS = ["headers", "req.headers", "res.headers", "request.headers", "response.headers"];
const SECRET_KEYS = [
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "apiKey",
  "secret",
  "clientSecret",
  "password",
  "state",
  "codeVerifier",
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "code_verifier",
];

/**
 * Credential headers wherever request/response objects are usually logged, and secret-named keys
 * at the top level and one level down, as pino `redact` paths. No longer passed to pino: the `log`
 * formatter redacts every one of these key names at any depth (a test holds it to that), and
 * pino's path redaction cost ~8 µs per line — more than the rest of the logger together. Kept
 * for callers that configure their own pino.
 */
export const REDACT_PATHS: readonly string[] = [
  ...HEADER_PARENTS.flatMap((parent) => HEADER_NAMES.map((name) => `${parent}["${name}"]`)),
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
];

/** Wraps a destination so that no secret-shaped substring survives, whatever produced the line. */
function scrubbingDestination(destination: DestinationStream): DestinationStream {
  const target = destination as DestinationStream & {
    flush?: (callback?: (error?: Error) => void) => void;
    flushSync?: () => void;
  };
  return {
    write: (line: string) => destination.write(scrubString(line)),
    // pino's `logger.flush()` reaches the destination through these.
    ...(typeof target.flush === "function"
      ? { flush: (callback?: (error?: Error) => void) => target.flush?.(callback) }
      : {}),
    ...(typeof target.flushSync === "function" ? { flushSync: () => target.flushSync?.() } : {}),
  } as DestinationStream;
}

/**
 * The per-request access line: a fixed set of keys none of which names a secret, with primitive
 * values. The `log` formatter passes it through without the deep copy every other object gets;
 * its strings are still scrubbed with the whole line by the destination wrapper.
 */
export class RequestLogLine {
  constructor(
    readonly requestId: string | undefined,
    readonly method: string,
    readonly route: string,
    readonly status: number,
    readonly ms: number,
  ) {}
}

const ACCESS_LOG = Symbol("scp.accessLog");
type AccessLogger = Logger & { [ACCESS_LOG]?: (line: RequestLogLine) => void };

/**
 * Writes one access line. Loggers made by {@link createLogger} render it directly — the same JSON
 * pino would write (`level`, `time`, the base bindings, the fields, `msg`), through the same
 * scrubbing destination — because pino's generic path cost 15–30 µs per request in the server
 * (several times its cost in isolation), a fifth of a small API call. Other loggers get `info`.
 */
export function writeRequestLine(logger: Logger, line: RequestLogLine): void {
  const fast = (logger as AccessLogger)[ACCESS_LOG];
  if (fast) fast(line);
  else logger.info(line, "request");
}

function renderRequestLine(line: RequestLogLine, time: number, bindings: string): string {
  const id = line.requestId === undefined ? "" : `,"requestId":${JSON.stringify(line.requestId)}`;
  return (
    `{"level":30,"time":${time}${bindings}${id},"method":${JSON.stringify(line.method)},` +
    `"route":${JSON.stringify(line.route)},"status":${line.status},"ms":${line.ms},"msg":"request"}\n`
  );
}

/**
 * The server's structured JSON logger (pino 9). Secrets are removed in three layers:
 * 1. (every key of {@link REDACT_PATHS} is covered by the next layer, at any depth);
 * 2. a `log` formatter that deep-copies every logged object, replacing values under secret-named
 *    keys at any depth (`token`, `accessToken`, `refresh_token`, `clientSecret`, `password`,
 *    `code`, `state`, `codeVerifier`, `authorization`, `cookie`, …) and scrubbing strings;
 * 3. a `msg` serializer, a `bindings` formatter and a `child` wrapper that scrub messages and bindings;
 * 4. a destination wrapper that cuts `scp_sk_…`, `scp_st_…`, `scp_whsec_…` and `Bearer …` out of
 *    the final line, whatever produced it (error stacks, custom serializers).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info" });
 * log.info({ headers: { authorization: "Bearer abc" } }, "request"); // authorization: "[Redacted]"
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const destination = scrubbingDestination(options.destination ?? bufferedStdout());
  // pino's default base is pid and hostname; a given base replaces it (scrubbed like everything else).
  const base =
    options.base === undefined
      ? { pid: process.pid, hostname: hostname() }
      : (redactDeep(options.base) as Record<string, unknown>);
  const logger = pino(
    {
      level: options.level ?? "info",
      base,
      serializers: {
        msg: (msg: unknown) => (typeof msg === "string" ? scrubString(msg) : msg),
        // The log formatter has already turned errors into scrubbed plain objects; keep them as they are.
        err: (err: unknown) => (err instanceof Error ? redactDeep(pino.stdSerializers.err(err)) : err),
      },
      formatters: {
        bindings: (bindings) => redactDeep(bindings) as Record<string, unknown>,
        log: (object) =>
          object instanceof RequestLogLine
            ? object
            : (redactDeep(object, { serializeError: pino.stdSerializers.err }) as Record<string, unknown>),
      },
    },
    destination,
  );
  const bindings = Object.entries(base)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join("");
  (logger as AccessLogger)[ACCESS_LOG] = (line) => {
    if (logger.isLevelEnabled("info")) destination.write(renderRequestLine(line, Date.now(), bindings));
  };
  // pino applies the bindings formatter to the root only; scrub the bindings of every child too
  // (children inherit this override through their prototype chain).
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactDeep(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
