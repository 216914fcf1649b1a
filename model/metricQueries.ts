// What analysis asks Prometheus: the check presets, the PromQL each metric source answers them
// with, and the template rendering shared with custom checks. Pure: no Pulumi import, no I/O.
// docs/progressive-delivery.md lists every query below; a spec keeps the two in step.

export const METRIC_SOURCES = ["app", "envoy-gateway", "istio"] as const;
export type MetricSource = (typeof METRIC_SOURCES)[number];

/** Placeholders a template may use. {window} is the range one sample covers: analysis.interval. */
export const PLACEHOLDERS = ["service", "color", "cluster", "namespace", "window"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface CheckPreset {
    bound: "min" | "max";
    /** Flagger's defaults: a 99 % success rate, a p99 of 500 ms. */
    threshold: number;
    unit: string;
    meaning: string;
}

export const CHECK_PRESETS = {
    "success-rate": {
        bound: "min",
        threshold: 99,
        unit: "%",
        meaning: "the percentage of requests answered with a status below 500; a higher rate is better",
    },
    "latency-p99": {
        bound: "max",
        threshold: 500,
        unit: "ms",
        meaning: "the 99th percentile of response time in milliseconds; a lower latency is better",
    },
} as const satisfies Record<string, CheckPreset>;
export type CheckPresetName = keyof typeof CHECK_PRESETS;

/** The three questions every metric source answers per color, as PromQL templates. */
export interface SourceQueries {
    /** Requests the color served within {window}: the sample's size, and the traffic share. */
    requests: string;
    "success-rate": string;
    "latency-p99": string;
}

// A request counts as a success when it got a status from 100 to 499: a 5xx fails, and so does a
// request that ended without any status (Envoy and Istio record those as code 0).
function queriesFor(counter: string, selector: string, code: string, histogram: string, toMilliseconds: string): SourceQueries {
    const requests = `sum(increase(${counter}{${selector}}[{window}]))`;
    return {
        requests,
        // `or vector(0)`: a color that answered nothing but errors has no success series at all, and
        // must read as 0 %, not as missing data.
        "success-rate": `100 * (sum(increase(${counter}{${selector},${code}=~"[1-4].."}[{window}])) or vector(0)) / ${requests}`,
        "latency-p99": `${toMilliseconds}histogram_quantile(0.99, sum by (le) (rate(${histogram}{${selector}}[{window}])))`,
    };
}

export const SOURCE_QUERIES: Record<MetricSource, SourceQueries> = {
    // The demo app's own metrics (app/server.mjs): labels service, color, version, code.
    app: queriesFor(
        "http_requests_total",
        'service="{service}",color="{color}",cluster="{cluster}"',
        "code",
        "http_request_duration_seconds_bucket",
        "1000 * ",
    ),
    // Envoy Gateway >= 1.9 with `mergeBackends` on its EnvoyProxy: each Service gets its own Envoy
    // cluster, service/<namespace>/<name>/<port>, so the colors' stats are apart (without it, one
    // cluster per route rule carries both colors).
    "envoy-gateway": queriesFor(
        "envoy_cluster_upstream_rq",
        'envoy_cluster_name=~"service/{namespace}/{service}-{color}/.+",cluster="{cluster}"',
        "envoy_response_code",
        "envoy_cluster_upstream_rq_time_bucket",
        "",
    ),
    // Istio's standard metrics as the Gateway's proxy reports them (reporter="source"): it also sees
    // requests that never reached a pod. destination_workload is the Deployment, <service>-<color>.
    istio: queriesFor(
        "istio_requests_total",
        'reporter="source",destination_workload="{service}-{color}",destination_workload_namespace="{namespace}",cluster="{cluster}"',
        "response_code",
        "istio_request_duration_milliseconds_bucket",
        "",
    ),
};

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The placeholders a template uses, in order of first use. A PromQL selector always holds a
 * matcher (`{a="b"}`), so `{word}` alone can only be a placeholder.
 */
export function placeholdersIn(template: string): string[] {
    const found: string[] = [];
    for (const match of template.matchAll(PLACEHOLDER)) {
        if (!found.includes(match[1]!)) found.push(match[1]!);
    }
    return found;
}

export type QueryValues = Record<Exclude<Placeholder, "window">, string> & { windowSeconds: number };

/** A label value inside PromQL double quotes. */
function quoted(value: string): string {
    return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** Fills a template's placeholders; {window} becomes whole seconds (e.g. 60s), which every PromQL version reads. */
export function renderQuery(template: string, values: QueryValues): string {
    return template.replace(PLACEHOLDER, (whole, name: string) => {
        if (name === "window") return `${values.windowSeconds}s`;
        if ((PLACEHOLDERS as readonly string[]).includes(name)) return quoted(values[name as Exclude<Placeholder, "window">]);
        return whole;
    });
}

/**
 * The template a check runs: its own query, or its preset's query from the metric source. A check
 * with `per` is the rate 100 × query / per (`or vector(0)`: no events at all is 0 %, not missing data).
 */
export function checkTemplate(check: { preset?: CheckPresetName; query?: string; per?: string }, source: MetricSource): string {
    if (check.query !== undefined && check.per !== undefined) return `100 * ((${check.query}) or vector(0)) / (${check.per})`;
    if (check.query !== undefined) return check.query;
    return SOURCE_QUERIES[source][check.preset!];
}
