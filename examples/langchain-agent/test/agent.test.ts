import { describe, expect, it } from "vitest";
import { runDemoAgent } from "../src/agent";

describe("examples/langchain-agent", () => {
  it("answers with Alice's mail and a link to connect Outlook", async () => {
    const lines: string[] = [];
    const run = await runDemoAgent((line) => lines.push(line));
    expect(lines.join("\n")).toMatch(/Connected alice@example\.test \(google\)/);
    expect(run.tools).toEqual(expect.arrayContaining(["gmail_search", "outlook_search", "list_connections"]));
    expect(run.answer).toMatch(/^Your latest Gmail messages:\n(- .+ — .+\n){4}- .+ — .+/);
    expect(run.answer).toMatch(
      /Outlook is not connected yet\. To include it, open: http:\/\/127\.0\.0\.1:\d+\/connect\/cr_\w+/,
    );
  });
});
