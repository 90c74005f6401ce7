/**
 * The load generator of the benches (`runLoad` in setup.ts), in its own process: autocannon's
 * programmatic API with the request given as JSON in argv[2] ({ url, connections, durationS or
 * amount, method?, headers?, body? }).
 * Prints autocannon's result as JSON with `latencyMs` added: percentiles of every 2xx response's
 * latency to the microsecond.
 *
 * Why not autocannon's own percentiles: its histogram keeps whole milliseconds, and on this bench
 * the bare server's p99 is 2–3 ms, so its p99 reads 2 for anything from 2.0 to 2.99. A ratio of
 * two such readings moves by up to half for nothing, and mostly against the slower server (the
 * small denominator loses the most). Both servers are measured the same way here.
 */
import autocannon from "autocannon";

const request = JSON.parse(process.argv[2]);

/** Latencies in ms (autocannon measures them with `process.hrtime`), grown as needed. */
let latencies = new Float64Array(1 << 19);
let count = 0;

const instance = autocannon({
  url: request.url,
  connections: request.connections,
  ...(request.amount === undefined ? { duration: request.durationS } : { amount: request.amount }),
  method: request.method ?? "GET",
  headers: request.headers ?? {},
  ...(request.body === undefined ? {} : { body: request.body }),
});
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 200 || statusCode > 299) return;
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = responseTime;
});
instance.on("done", (result) => {
  const sorted = latencies.subarray(0, count).sort();
  /** The nearest-rank percentile, as HdrHistogram reports it (the value `q`% of responses stay within). */
  const at = (q) =>
    count === 0 ? 0 : sorted[Math.min(count - 1, Math.max(0, Math.ceil((q / 100) * count) - 1))];
  const round = (ms) => Math.round(ms * 1000) / 1000;
  const latencyMs = {
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    p99_9: round(at(99.9)),
    max: round(at(100)),
  };
  process.stdout.write(JSON.stringify({ ...result, latencyMs }));
});
