import type { IdpStats } from "./types";

/** Mutable counters behind `stats()`. */
export interface StatsRecorder {
  increment(name: Exclude<keyof IdpStats, "apiCalls">): void;
  apiCall(route: string): void;
  snapshot(): IdpStats;
  reset(): void;
}

function empty(): IdpStats {
  return {
    authorizations: 0,
    codeExchanges: 0,
    refreshGrants: 0,
    refreshReuseDetections: 0,
    revocations: 0,
    tokenErrors: 0,
    apiCalls: {},
  };
}

export function createStatsRecorder(): StatsRecorder {
  let stats = empty();
  return {
    increment(name) {
      stats[name] += 1;
    },
    apiCall(route) {
      stats.apiCalls[route] = (stats.apiCalls[route] ?? 0) + 1;
    },
    snapshot() {
      return { ...stats, apiCalls: { ...stats.apiCalls } };
    },
    reset() {
      stats = empty();
    },
  };
}
