import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { batchPerTurn, type FlushableDestination } from "./buffered-stdout";

function recordingTarget() {
  const writes: string[] = [];
  const calls: string[] = [];
  const target: FlushableDestination = {
    write: (text: string) => {
      writes.push(text);
      calls.push("write");
    },
    flush: (callback) => {
      calls.push("flush");
      callback?.();
    },
    flushSync: () => {
      calls.push("flushSync");
    },
  };
  return { target, writes, calls };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("batchPerTurn", () => {
  it("hands the lines of one turn to the target as one write, in order, after the turn", async () => {
    const { target, writes } = recordingTarget();
    const batched = batchPerTurn(target);
    batched.write("a\n");
    batched.write("b\n");
    batched.write("c\n");
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(["a\nb\nc\n"]);
    batched.write("d\n");
    await nextTurn();
    expect(writes).toEqual(["a\nb\nc\n", "d\n"]);
  });

  it("writes pending lines before flushing or flushing synchronously", async () => {
    const { target, writes, calls } = recordingTarget();
    const batched = batchPerTurn(target);
    batched.write("one\n");
    batched.flushSync();
    expect(writes).toEqual(["one\n"]);
    expect(calls).toEqual(["write", "flushSync"]);
    batched.write("two\n");
    await new Promise<void>((resolve) => batched.flush(() => resolve()));
    expect(writes).toEqual(["one\n", "two\n"]);
    expect(calls).toEqual(["write", "flushSync", "write", "flush"]);
    // Nothing is written twice when the scheduled drain runs later.
    await nextTurn();
    expect(writes).toEqual(["one\n", "two\n"]);
  });

  it("drops a turn's lines instead of crashing when the destination was destroyed", async () => {
    const { target } = recordingTarget();
    let attempts = 0;
    const batched = batchPerTurn({
      ...target,
      write: () => {
        attempts++;
        throw new Error("SonicBoom destroyed");
      },
    });
    batched.write("lost\n");
    // A throw escaping the scheduled drain would be an uncaught exception and fail the run.
    await nextTurn();
    batched.write("next\n");
    await nextTurn();
    expect(attempts).toBe(2);
  });
});

describe("the default stdout logger", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("loses no line when the process exits in the turn that logged it", () => {
    dir = mkdtempSync(join(tmpdir(), "scp-log-exit-"));
    const script = join(dir, "exit.ts");
    const loggerModule = join(import.meta.dirname, "logger.ts");
    // Logs 500 lines (more than SonicBoom's 4 KiB minimum and some left pending) and exits at once.
    writeFileSync(
      script,
      `import { createLogger, RequestLogLine, writeRequestLine } from ${JSON.stringify(loggerModule)};
const logger = createLogger({ level: "info" });
for (let i = 0; i < 500; i++) writeRequestLine(logger, new RequestLogLine("req_" + i, "GET", "/healthz", 200, 1));
logger.info({ last: true }, "bye");
process.exit(0);
`,
    );
    const out = join(dir, "out.log");
    const fd = openSync(out, "w");
    try {
      execFileSync(process.execPath, ["--import", "tsx", "--conditions=@securecontext/source", script], {
        cwd: import.meta.dirname,
        stdio: ["ignore", fd, "inherit"],
      });
    } finally {
      closeSync(fd);
    }
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(501);
    expect(JSON.parse(lines[0] as string).requestId).toBe("req_0");
    expect(JSON.parse(lines[499] as string).requestId).toBe("req_499");
    expect(JSON.parse(lines[500] as string).msg).toBe("bye");
  });
});
