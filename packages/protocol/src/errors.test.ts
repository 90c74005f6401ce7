import { describe, expect, it } from "vitest";
import {
  AuthRequiredError,
  fromProblem,
  isScpError,
  ProviderError,
  RateLimitedError,
  ScpError,
  StoreError,
  toProblem,
  ValidationError,
} from "./index";

describe("errors ↔ problem+json", () => {
  it("round-trips AuthRequiredError with its connect URL", () => {
    const error = new AuthRequiredError("Connect Google to continue", {
      code: "insufficient_scope",
      connectUrl: "https://scp.example.com/connect/cr_123",
      providerId: "google",
      missingScopes: ["https://www.googleapis.com/auth/drive.readonly"],
    });
    const problem = toProblem(error);
    expect(problem).toMatchObject({
      status: 403,
      code: "insufficient_scope",
      connectUrl: "https://scp.example.com/connect/cr_123",
    });
    const back = fromProblem(problem);
    expect(back).toBeInstanceOf(AuthRequiredError);
    expect(back.code).toBe("insufficient_scope");
    expect((back as AuthRequiredError).connectUrl).toBe("https://scp.example.com/connect/cr_123");
    expect((back as AuthRequiredError).missingScopes).toEqual([
      "https://www.googleapis.com/auth/drive.readonly",
    ]);
  });

  it("keeps retryAfter and field", () => {
    expect(
      (fromProblem(toProblem(new RateLimitedError("slow down", { retryAfter: 7 }))) as RateLimitedError)
        .retryAfter,
    ).toBe(7);
    expect(
      (fromProblem(toProblem(new ValidationError("bad", { field: "body.userId" }))) as ValidationError).field,
    ).toBe("body.userId");
  });

  it("provider errors carry the RFC 6749 fields", () => {
    const problem = toProblem(
      new ProviderError("refresh failed", { error: "invalid_grant", errorDescription: "AADSTS50173" }),
    );
    expect(problem).toMatchObject({ status: 502, code: "provider_error", error: "invalid_grant" });
    expect((fromProblem(problem) as ProviderError).error).toBe("invalid_grant");
  });

  it("never echoes the message of an unknown or internal error", () => {
    expect(toProblem(new Error("password=hunter2")).detail).not.toContain("hunter2");
    expect(toProblem(new ScpError("db at redis://:pw@host failed")).detail).not.toContain("pw@");
    expect(toProblem(new StoreError("redis down")).status).toBe(503);
  });

  it("subclasses have stable codes and names", () => {
    const error = new ValidationError("x");
    expect(error.code).toBe("invalid_request");
    expect(ValidationError.code).toBe("invalid_request");
    expect(error.name).toBe("ValidationError");
    expect(isScpError(error)).toBe(true);
    expect(isScpError({ code: "not_found", status: 404 })).toBe(true);
    expect(isScpError(new Error("x"))).toBe(false);
  });

  it("maps a non-problem body to a plain error with the status", () => {
    const error = fromProblem("<html>bad gateway</html>", 502);
    expect(error.status).toBe(502);
  });
});
