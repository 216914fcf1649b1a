// The analysis settings the specs share: a Prometheus on loopback, the demo app's metrics, a success
// rate check and a latency check with the thresholds docs/progressive-delivery.md uses.

import type { AnalysisSpec, CheckSpec } from "../model/config/types.ts";

export const SUCCESS_RATE: CheckSpec = { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, unit: "%" };
export const LATENCY_P99: CheckSpec = { name: "latency-p99", preset: "latency-p99", bound: "max", threshold: 500, unit: "ms" };

/** Three-minute windows sampled every minute, at least 20 requests, two failed windows roll back; `extra` overrides. */
export function analysisSpec(extra: Partial<AnalysisSpec> = {}): AnalysisSpec {
    return {
        prometheus: { url: "http://127.0.0.1:9090", hasToken: false },
        metrics: "app",
        intervalSeconds: 60,
        windowSeconds: 180,
        minRequests: 20,
        failureLimit: 2,
        alpha: 0.01,
        checks: [SUCCESS_RATE, LATENCY_P99],
        ...extra,
    };
}
