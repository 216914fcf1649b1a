// A stand-in for Prometheus behind the MetricsApi interface, answering the demo app's queries (the
// `app` metric source) as if a Gateway had applied the stack file's current weight all along.

import type { MetricsApi } from "../cli/switchyard/collect.ts";
import type { InstantSample, RangeSeries } from "../cli/prometheus.ts";

export interface ColorHealth {
    successRate: number;
    /** The percentage of requests slower than a latency preset's bar. */
    slowPercent: number;
}

export interface FakeMetrics extends MetricsApi {
    queries: string[];
}

/** What the fake answers for a label's values by default: the app's counter exists, and nothing else is known. */
export const APP_COUNTER_ONLY: Readonly<Record<string, readonly string[]>> = { __name__: ["http_requests_total"] };

/**
 * `greenWeight` is read at every query; each sample has `requestsPerSample` requests split by it.
 * A color without requests has no series at all, as in Prometheus. `labels` answers the label
 * values API, whatever the selector; a label it does not name is a test that asked more than it set up.
 */
export function fakeMetrics(
    greenWeight: () => number,
    health: { blue: ColorHealth; green: ColorHealth },
    requestsPerSample = 1000,
    labels: Readonly<Record<string, readonly string[]>> = APP_COUNTER_ONLY,
): FakeMetrics {
    const queries: string[] = [];
    const valueFor = (promql: string): number | undefined => {
        queries.push(promql);
        const color = /color="(blue|green)"/.exec(promql)?.[1] as "blue" | "green" | undefined;
        if (!color) throw new Error(`the fake answers the app preset's queries only: ${promql}`);
        const share = color === "green" ? greenWeight() / 100 : 1 - greenWeight() / 100;
        const requests = requestsPerSample * share;
        if (requests === 0) return undefined;
        if (promql.startsWith("sum(increase(http_requests_total")) return requests;
        if (promql.startsWith("100 * (sum(increase(http_requests_total")) return health[color].successRate;
        // The latency presets: the histogram's count is the requests, and a share of them slower than the bar.
        if (promql.startsWith("sum(increase(http_request_duration_seconds_count")) return requests;
        if (promql.startsWith("100 * (sum(increase(http_request_duration_seconds_count")) return health[color].slowPercent;
        throw new Error(`no fake answer for ${promql}`);
    };
    return {
        queries,
        async query(promql: string): Promise<InstantSample[]> {
            const value = valueFor(promql);
            return value === undefined ? [] : [{ labels: {}, value }];
        },
        async queryRange(promql: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
            const value = valueFor(promql);
            if (value === undefined) return [];
            const values = new Map<number, number>();
            for (let time = start; time <= end; time += step) values.set(time, value);
            return [{ labels: {}, values }];
        },
        async labelValues(name: string, match: string): Promise<string[]> {
            const values = labels[name];
            if (values === undefined) throw new Error(`the fake knows no values of label ${name} (asked on ${match})`);
            return [...values].filter((v) => name !== "__name__" || v === match);
        },
    };
}

export const HEALTHY: ColorHealth = { successRate: 99.9, slowPercent: 0.1 };
export const FAILING: ColorHealth = { successRate: 60, slowPercent: 0.1 };
