import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { startServer } from "../../src/index";
import { encryptionKey, freePort, adminKey as newAdminKey, sleep, writeTempJson } from "./env";
import { providerConfig, type StartIdpsOptions, startIdps, type TestIdps } from "./idps";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../../..");

/** Collects everything the server logs (pino writes one JSON line per call). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(chunk.toString());
    callback();
  }
  text(): string {
    return this.lines.join("");
  }
}

export interface TestServer {
  url: string;
  adminKey: string;
  idps: TestIdps;
  logs?: LogCapture;
  close(): Promise<void>;
}

export interface StartTestServerOptions {
  env?: Record<string, string>;
  /** Capture logs at this level (default: silent, nothing captured). */
  logLevel?: "debug" | "info";
  idpOverrides?: StartIdpsOptions["overrides"];
}

/** Test IdPs + one in-process server (memory store) configured with providers google, microsoft, acme. */
export async function startTestServer(options: StartTestServerOptions = {}): Promise<TestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idps = await startIdps({ redirectUris: [`${url}/oauth/callback`], overrides: options.idpOverrides });
  const admin = options.env?.SCP_ADMIN_KEY ?? newAdminKey();
  const logs = options.logLevel ? new LogCapture() : undefined;
  try {
    const server = await startServer({
      env: {
        SCP_STORE: "memory:",
        SCP_ADMIN_KEY: admin,
        SCP_ENCRYPTION_KEYS: encryptionKey(),
        SCP_CONFIG: writeTempJson("scp-config.json", providerConfig(idps)),
        SCP_ALLOW_INSECURE_HTTP: "true",
        SCP_LOG_LEVEL: options.logLevel ?? "silent",
        SCP_PORT: String(port),
        SCP_HOST: "127.0.0.1",
        SCP_BASE_URL: url,
        SCP_RATE_LIMIT: "0",
        NODE_ENV: "test",
        ...options.env,
      },
      port,
      host: "127.0.0.1",
      ...(logs ? { logDestination: logs } : {}),
    });
    return {
      url,
      adminKey: admin,
      idps,
      logs,
      async close() {
        await server.close().catch(() => {});
        await idps.stop();
      },
    };
  } catch (error) {
    await idps.stop();
    throw error;
  }
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `cli.ts start` as its own process and waits for `/readyz`. */
export async function spawnServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@securecontext/source", "apps/server/src/cli.ts", "start"],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        SCP_PORT: String(port),
        SCP_HOST: "127.0.0.1",
        SCP_LOG_LEVEL: "warn",
        SCP_ALLOW_INSECURE_HTTP: "true",
        NODE_ENV: "test",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server process not ready in 30 s:\n${output}`);
    }
    await sleep(100);
  }
  return { url, child, output: () => output, stop };
}
