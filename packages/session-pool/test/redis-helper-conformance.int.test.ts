import { runBackendSuite } from "@securecontext/token-store/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REDIS_URL, testRedisBackend } from "./helpers/redis-backend";

// The test-only Redis backend must itself honour the StoreBackend contract, or the
// multi-process tests below would prove nothing.
runBackendSuite(
  { describe, it, expect, beforeEach, afterEach },
  () => testRedisBackend({ url: REDIS_URL, prefix: `test:${Math.random().toString(36).slice(2)}:` }),
  {
    name: "test redis backend conformance",
    timeSlackMs: 300,
    teardown: async (backend) => {
      await (backend as Awaited<ReturnType<typeof testRedisBackend>>).cleanup();
      await backend.close();
    },
  },
);
