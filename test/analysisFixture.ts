// The analysis settings the specs share: a Prometheus on loopback, the demo app's metrics, a success
// rate check and a latency check with the thresholds docs/progressive-delivery.md uses.

import type { AnalysisSpec, CheckSpec } from "../model/config/types.ts";

export const SUCCESS_RATE: CheckSpec = { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, unit: "%" };
/**
 * A value check, judged sample by sample as a custom check without per is: a p99 in ms from
 * histogram_quantile. (The latency-p99 preset itself is a rate of slow requests: LATENCY_P99_RATE.)
 */
export const LATENCY_P99: CheckSpec = {
    name: "latency-p99",
    query: '1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{color="{color}"}[{window}])))',
    bound: "max",
    threshold: 500,
    unit: "ms",
};
/** The latency-p99 preset as the config reads `{name: latency-p99, max: 500}`: at most 1 % of requests slower than 500 ms. */
export const LATENCY_P99_RATE: CheckSpec = { name: "latency-p99", preset: "latency-p99", bound: "max", threshold: 1, unit: "%", rate: true, slowerThanMs: 500 };

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
