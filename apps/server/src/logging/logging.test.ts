import {
  isSecretKey,
  newSecret,
  REDACTED,
  randomBase62,
  redactDeep,
  scrubString,
} from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { createLogger, REDACT_PATHS, RequestLogLine, writeRequestLine } from "./logger";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: "trace", destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines, text: () => lines.join("") };
}

/** Distinct, recognisable secret values of every kind the server handles. */
function secrets() {
  return {
    apiKey: newSecret("apiKey"),
    sessionToken: newSecret("sessionToken"),
    webhookSecret: newSecret("webhookSecret"),
    bearerJwt: `eyJ${randomBase62(30)}.eyJ${randomBase62(40)}.${randomBase62(43)}`,
    refresh: `1//0${randomBase62(40)}`,
    access: `ya29.${randomBase62(50)}`,
    idToken: `idt-${randomBase62(30)}`,
    code: `4/0${randomBase62(30)}`,
    state: randomBase62(43),
    verifier: randomBase62(43),
    password: `pw-${randomBase62(16)}`,
    clientSecret: `GOCSPX-${randomBase62(28)}`,
    cookie: `scp_binding=${randomBase62(32)}`,
    signature: `t=1700000000,v1=${randomBase62(64)}`,
  };
}

describe("createLogger", () => {
  it("writes access lines exactly as pino would, through the scrubbing destination", () => {
    const { logger, lines } = capture();
    const apiKey = newSecret("apiKey");
    const line = new RequestLogLine("req_abc", "POST", "/v1/connections/:id/token", 200, 1.5);
    logger.info(line, "request");
    writeRequestLine(logger, line);
    writeRequestLine(logger, new RequestLogLine(apiKey, "GET", "/v1/session", 401, 0.2));
    writeRequestLine(logger, new RequestLogLine(undefined, "GET", "/healthz", 200, 0.1));
    const [viaPino, direct, secret, noId] = lines.map((text) => JSON.parse(text));
    const { time: t1, ...pinoRest } = viaPino;
    const { time: t2, ...directRest } = direct;
    expect(directRest).toEqual(pinoRest);
    expect(Object.keys(direct)).toEqual(Object.keys(viaPino));
    expect(t2).toBeGreaterThanOrEqual(t1);
    expect(direct).toMatchObject({
      level: 30,
      pid: process.pid,
      requestId: "req_abc",
      status: 200,
      msg: "request",
    });
    expect(lines.join("")).not.toContain(apiKey);
    expect(secret.requestId).toBe(REDACTED);
    expect("requestId" in noId).toBe(false);
    logger.level = "warn";
    writeRequestLine(logger, line);
    expect(lines).toHaveLength(4);
  });

  it("redacts every REDACT_PATHS key at the top level, one and three levels down, and in headers", () => {
    const names = new Set(
      REDACT_PATHS.map((path) => /(?:\["([^"]+)"\]|([^.[\]*]+))$/.exec(path)?.slice(1).find(Boolean) ?? ""),
    );
    expect(names.size).toBeGreaterThan(15);
    const { logger, text } = capture();
    const value = `v-${randomBase62(24)}`;
    for (const name of names) {
      logger.info({ [name]: value, one: { [name]: value }, a: { b: { c: { [name]: value } } } }, "flat");
      logger.info({ req: { headers: { [name]: value } }, response: { headers: { [name]: value } } }, "h");
    }
    expect(text()).not.toContain(value);
  });

  it("never writes a secret, whether in objects, headers, messages, errors or bindings", () => {
    const s = secrets();
    const { logger, lines, text } = capture();
    logger.info(
      {
        req: {
          method: "POST",
          url: "/v1/connections/con_1/token",
          headers: {
            authorization: `Bearer ${s.bearerJwt}`,
            cookie: s.cookie,
            "scp-signature": s.signature,
          },
        },
        res: { headers: { "set-cookie": s.cookie } },
      },
      "request",
    );
    logger.info(
      { token: s.access, accessToken: s.access, refreshToken: s.refresh, idToken: s.idToken },
      "tokens",
    );
    logger.info(
      { tokenSet: { access_token: s.access, refresh_token: s.refresh, id_token: s.idToken } },
      "snake",
    );
    logger.warn(
      { deep: { a: { b: { c: { clientSecret: s.clientSecret, password: s.password } } } } },
      "deep",
    );
    logger.info({ callback: { code: s.code, state: s.state, codeVerifier: s.verifier } }, "callback");
    logger.info({ apiKey: s.apiKey, secret: s.webhookSecret }, "keys");
    logger.info({ note: `caller used ${s.apiKey} and ${s.sessionToken}` }, "strings inside values");
    logger.info(`message with ${s.apiKey}, ${s.sessionToken}, ${s.webhookSecret} and Bearer ${s.bearerJwt}`);
    logger.info("interpolated %s and %s", s.sessionToken, `bearer ${s.bearerJwt}`);
    logger.error(
      { err: new Error(`upstream rejected ${s.apiKey} (Authorization: Bearer ${s.access})`) },
      "failed",
    );
    logger.child({ sessionToken: s.sessionToken, who: s.apiKey }).info("child");
    logger.info({ list: [{ refreshToken: s.refresh }, `Bearer ${s.access}`] }, "arrays");
    logger.info(
      { headers: { Authorization: `Bearer ${s.bearerJwt}`, "X-Api-Key": s.apiKey } },
      "header case",
    );

    expect(lines.length).toBe(13);
    const out = text();
    for (const [kind, value] of Object.entries(s)) {
      expect(out, `${kind} leaked`).not.toContain(value);
    }
    // Every line stays valid JSON with the redaction marker where the secret was.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      req: { method: "POST", headers: { authorization: REDACTED } },
      msg: "request",
    });
    expect(parsed[4]).toMatchObject({
      callback: { code: REDACTED, state: REDACTED, codeVerifier: REDACTED },
    });
    expect(parsed[7]?.msg).toContain("message with [Redacted]");
    expect(parsed[9]).toMatchObject({ err: { type: "Error" } });
  });

  it("keeps ordinary fields, error codes and levels", () => {
    const { logger, lines } = capture();
    logger.warn(
      { requestId: "req_1", status: 404, code: "not_found", err: { code: "ECONNREFUSED" } },
      "not found",
    );
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      requestId: "req_1",
      status: 404,
      code: "not_found",
      err: { code: "ECONNREFUSED" },
      msg: "not found",
    });
  });

  it("does not mutate the logged object", () => {
    const { logger } = capture();
    const payload = { refreshToken: "1//0secret", nested: { password: "pw" } };
    logger.info(payload, "x");
    expect(payload).toEqual({ refreshToken: "1//0secret", nested: { password: "pw" } });
  });

  it("respects the level", () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "silent",
      destination: { write: (line: string) => lines.push(line) },
    });
    logger.error("nothing");
    expect(lines).toEqual([]);
  });
});

describe("redaction helpers", () => {
  it("classifies secret key names regardless of case and separators", () => {
    for (const key of [
      "token",
      "Access-Token",
      "refresh_token",
      "clientSecret",
      "API_KEY",
      "set-cookie",
      "upstreamAccessToken",
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ["tokenType", "expiresAt", "userId", "status", "scopes"]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it("scrubs secret substrings but leaves ids alone", () => {
    expect(scrubString("key scp_sk_abc123 and scp_st_XYZ, Bearer a.b.c")).toBe(
      `key ${REDACTED} and ${REDACTED}, Bearer ${REDACTED}`,
    );
    expect(scrubString("con_4f9aZ and cli_x")).toBe("con_4f9aZ and cli_x");
  });

  it("handles cycles and redacts an OAuth code but not an error code", () => {
    const cyclic: Record<string, unknown> = { code: "4/0AbC123" };
    cyclic.self = cyclic;
    expect(redactDeep(cyclic)).toEqual({ code: REDACTED, self: "[Circular]" });
    expect(redactDeep({ code: "invalid_request" })).toEqual({ code: "invalid_request" });
  });
});
