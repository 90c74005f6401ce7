import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/server";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "scp-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the server (from source) in a fresh process whose module resolution is watched by a
 * `module.register` hook, stops it, and returns every resolved URL of the test IdP's stack.
 */
async function testIdpModulesLoaded(env: Record<string, string>): Promise<string[]> {
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/oidc-provider|packages\\/testing\\//.test(resolved.url)) port.postMessage(resolved.url);
  return resolved;
}
`,
  );
  const script = join(dir, `start-${Object.keys(env).length}.mts`);
  writeFileSync(
    script,
    `import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const { port1, port2 } = new MessageChannel();
const seen: string[] = [];
port1.on("message", (url: string) => seen.push(url));
register(${JSON.stringify(`file://${hooks}`)}, { data: { port: port2 }, transferList: [port2] });
const { startServer } = await import(${JSON.stringify(join(repoRoot, "apps/server/src/index.ts"))});
const server = await startServer({ env: ${JSON.stringify(env)}, port: 0, logger: undefined, logDestination: { write() {} } });
await server.close();
// Let the hook thread's last messages arrive.
await new Promise((resolve) => setTimeout(resolve, 100));
port1.close();
process.stdout.write(JSON.stringify(seen));
`,
  );
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "--conditions=@securecontext/source", script],
    { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } },
  );
  return JSON.parse(stdout) as string[];
}

describe("production start", () => {
  const common = {
    SCP_STORE: "memory:",
    SCP_ADMIN_KEY: "admin-key-for-tests-0123456789abcdef",
    SCP_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    SCP_HOST: "127.0.0.1",
  };

  it("never loads the test IdP (oidc-provider) when real providers are configured", async () => {
    const loaded = await testIdpModulesLoaded({
      ...common,
      NODE_ENV: "production",
      SCP_GOOGLE_CLIENT_ID: "client-id.apps.googleusercontent.com",
      SCP_GOOGLE_CLIENT_SECRET: "GOCSPX-not-a-real-secret-0123456789",
    });
    expect(loaded).toEqual([]);
  });

  it("loads it in demo mode (so the check above can see it)", async () => {
    const loaded = await testIdpModulesLoaded({ ...common, NODE_ENV: "development" });
    expect(loaded.some((url) => url.includes("oidc-provider"))).toBe(true);
  });
});
