import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("../workers/refresh-worker.ts", import.meta.url));

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line equal to `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the JSON result line. */
  result(timeoutMs?: number): Promise<{ tokens: string[]; errors: string[] }>;
  go(): void;
  stderr(): string;
}

/** Spawns `node --import tsx --conditions=@securecontext/source refresh-worker.ts`. */
export function spawnWorker(config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@securecontext/source", WORKER], {
    env: { ...process.env, SCP_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker: no ${what} in ${timeoutMs} ms; stderr: ${err}`)),
        timeoutMs,
      );
      const poll = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`worker exited (${child.exitCode}) before ${what}; stderr: ${err}`));
        } else waiters.push(poll);
      };
      poll();
    });
  return {
    child,
    waitFor: (text, timeoutMs = 30_000) =>
      until(() => (out.split("\n").includes(text) ? true : undefined), timeoutMs, text).then(() => {}),
    result: (timeoutMs = 60_000) =>
      until(
        () => {
          const line = out.split("\n").find((l) => l.startsWith("{"));
          return line ? (JSON.parse(line) as { tokens: string[]; errors: string[] }) : undefined;
        },
        timeoutMs,
        "result",
      ),
    go: () => child.stdin.write("go\n"),
    stderr: () => err,
  };
}
