import { describe, expect, it } from "vitest";
import { createMetrics, escapeLabelValue } from "./metrics";

const fixedProcess = {
  rssBytes: () => 52_428_800,
  heapUsedBytes: () => 1024,
  cpuSeconds: () => 1.5,
  uptimeSeconds: () => 10,
};

function sample(text: string, name: string): string | undefined {
  return text
    .split("\n")
    .find((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    ?.split(" ")
    .at(-1);
}

describe("metrics", () => {
  it("renders counters, the histogram, the gauge and process metrics in Prometheus text format", () => {
    const metrics = createMetrics({ process: fixedProcess, now: () => 1_700_000_010_000 });
    metrics.observeRequest("/v1/connections/:id/token", "post", 200, 0.004);
    metrics.observeRequest("/v1/connections/:id/token", "POST", 200, 0.3);
    metrics.observeRequest("/v1/connections/:id/token", "POST", 404, 12);
    metrics.refresh("success");
    metrics.refresh("success");
    metrics.refresh("reauth");
    metrics.setActiveSessions(7);
    const text = metrics.render();

    expect(text.endsWith("\n")).toBe(true);
    expect(text).toContain("# TYPE scp_http_requests_total counter\n");
    expect(text).toContain(
      'scp_http_requests_total{route="/v1/connections/:id/token",method="POST",status="200"} 2\n',
    );
    expect(text).toContain(
      'scp_http_requests_total{route="/v1/connections/:id/token",method="POST",status="404"} 1\n',
    );
    expect(text).toContain("# TYPE scp_http_request_duration_seconds histogram\n");
    const bucket = (le: string) =>
      text.match(
        new RegExp(
          `scp_http_request_duration_seconds_bucket\\{route="[^"]+",method="POST",le="${le}"\\} (\\d+)`,
        ),
      )?.[1];
    expect([bucket("0.005"), bucket("0.25"), bucket("0.5"), bucket("10"), bucket("\\+Inf")]).toEqual([
      "1",
      "1",
      "2",
      "2",
      "3",
    ]);
    expect(text).toContain(
      'scp_http_request_duration_seconds_sum{route="/v1/connections/:id/token",method="POST"} 12.304\n',
    );
    expect(text).toContain(
      'scp_http_request_duration_seconds_count{route="/v1/connections/:id/token",method="POST"} 3\n',
    );
    expect(text).toContain('scp_token_refreshes_total{outcome="success"} 2\n');
    expect(text).toContain('scp_token_refreshes_total{outcome="reauth"} 1\n');
    expect(text).toContain('scp_token_refreshes_total{outcome="transient_failure"} 0\n');
    expect(sample(text, "scp_active_sessions")).toBe("7");
    expect(sample(text, "process_resident_memory_bytes")).toBe("52428800");
    expect(sample(text, "process_uptime_seconds")).toBe("10");
    expect(sample(text, "process_start_time_seconds")).toBe("1700000000");

    // Every non-comment line is `name{labels} value` with a numeric value; every family has HELP and TYPE.
    const lines = text.trimEnd().split("\n");
    for (const line of lines.filter((l) => !l.startsWith("#"))) {
      expect(line).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? (?:[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?|\+Inf|NaN)$/,
      );
    }
    const typed = lines.filter((l) => l.startsWith("# TYPE")).map((l) => l.split(" ")[2]);
    expect(new Set(typed).size).toBe(typed.length);
  });

  it("escapes label values", () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const metrics = createMetrics({ process: fixedProcess });
    metrics.observeRequest('/weird/"route"\\\n', "GET", 200, 0.001);
    expect(metrics.render()).toContain('route="/weird/\\"route\\"\\\\\\n"');
  });

  it("keeps ids, secrets and unbounded paths out of labels", () => {
    const metrics = createMetrics({ process: fixedProcess, maxRoutes: 3 });
    metrics.observeRequest("/v1/connections/con_4f9aZ0123456789abcdefG/token", "GET", 200, 0.01);
    metrics.observeRequest("/v1/x?key=scp_sk_abcdefABCDEF0123456789", "GET", 200, 0.01);
    for (let i = 0; i < 5; i++) metrics.observeRequest(`/raw/${i}`, "GET", 200, 0.01);
    metrics.observeRequest("/any", "BREW", 999, Number.NaN);
    const text = metrics.render();
    expect(text).not.toContain("con_4f9aZ");
    expect(text).not.toContain("scp_sk_");
    expect(text).toContain('route="/v1/connections/:id/token"');
    expect(text).toContain('route="other",method="GET",status="200"} 4');
    expect(text).toContain('method="OTHER",status="unknown"');
  });
});
