import type { Bench } from "tinybench";

/** Prints ops/s, p99 and the ratio to the first task (the baseline) of a finished bench. */
export function printRatios(bench: Bench): void {
  const rows = bench.tasks.map((task) => {
    const result = task.result as { throughput?: { mean: number }; latency?: { p99?: number } } | undefined;
    return { name: task.name, ops: result?.throughput?.mean ?? 0, p99: result?.latency?.p99 ?? Number.NaN };
  });
  const baseline = rows[0]?.ops ?? 1;
  console.log(`\n${bench.name ?? "bench"} (ratio = baseline ops/s ÷ task ops/s, same run)`);
  console.table(
    rows.map((row) => ({
      task: row.name,
      "ops/s": Math.round(row.ops).toLocaleString("en-US"),
      "p99 (µs)": (row.p99 * 1000).toFixed(1),
      "× slower than baseline": row === rows[0] ? "baseline" : (baseline / row.ops).toFixed(1),
    })),
  );
}
