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
    /** A latency preset: the percentage of requests that may be slower than its bar (1 for a p99). */
    slowShare?: number;
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
        meaning: "a latency bar in milliseconds that at most 1 % of requests may be slower than (a 99th percentile within it), counted from the histogram's buckets",
        slowShare: 1,
    },
    "latency-p95": {
        bound: "max",
        threshold: 500,
        unit: "ms",
        meaning: "a latency bar in milliseconds that at most 5 % of requests may be slower than (a 95th percentile within it), counted from the histogram's buckets",
        slowShare: 5,
    },
} as const satisfies Record<string, CheckPreset>;
export type CheckPresetName = keyof typeof CHECK_PRESETS;
export type LatencyPresetName = "latency-p99" | "latency-p95";

/** Whether a preset is a latency bar judged as the share of requests slower than it. */
export function isLatencyPreset(name: CheckPresetName | undefined): name is LatencyPresetName {
    return name !== undefined && "slowShare" in CHECK_PRESETS[name];
}

/** What every metric source answers per color, as PromQL templates. */
export interface SourceQueries {
    /** Requests the color served within {window}: the sample's size, and the traffic share. */
    requests: string;
    "success-rate": string;
    /** Requests the latency histogram counted within {window}: what the latency presets count out of. */
    "latency-requests": string;
    /** Requests slower than the bar within {window}: the histogram's count less its bucket at the bar, `{le}`. */
    "latency-slow": string;
}

// A request counts as a success when it got a status from 100 to 499: a 5xx fails, and so does a
// request that ended without any status (Envoy and Istio record those as code 0).
function queriesFor(counter: string, selector: string, code: string, histogram: string): SourceQueries {
    const requests = `sum(increase(${counter}{${selector}}[{window}]))`;
    const timed = `sum(increase(${histogram}_count{${selector}}[{window}]))`;
    return {
        requests,
        // `or vector(0)`: a color that answered nothing but errors has no success series at all, and
        // must read as 0 %, not as missing data.
        "success-rate": `100 * (sum(increase(${counter}{${selector},${code}=~"[1-4].."}[{window}])) or vector(0)) / ${requests}`,
        "latency-requests": timed,
        "latency-slow": `${timed} - sum(increase(${histogram}_bucket{${selector},le=~"{le}"}[{window}]))`,
    };
}

export const SOURCE_QUERIES: Record<MetricSource, SourceQueries> = {
    // The demo app's own metrics (app/server.mjs): labels service, color, version, code.
    app: queriesFor("http_requests_total", 'service="{service}",color="{color}",cluster="{cluster}"', "code", "http_request_duration_seconds"),
    // Envoy Gateway >= 1.9 with `mergeBackends` on its EnvoyProxy: each Service gets its own Envoy
    // cluster, service/<namespace>/<name>/<port>, so the colors' stats are apart (without it, one
    // cluster per route rule carries both colors).
    "envoy-gateway": queriesFor(
        "envoy_cluster_upstream_rq",
        'envoy_cluster_name=~"service/{namespace}/{service}-{color}/.+",cluster="{cluster}"',
        "envoy_response_code",
        "envoy_cluster_upstream_rq_time",
    ),
    // Istio's standard metrics as the Gateway's proxy reports them (reporter="source"): it also sees
    // requests that never reached a pod. destination_workload is the Deployment, <service>-<color>.
    istio: queriesFor(
        "istio_requests_total",
        'reporter="source",destination_workload="{service}-{color}",destination_workload_namespace="{namespace}",cluster="{cluster}"',
        "response_code",
        "istio_request_duration_milliseconds",
    ),
};

// Envoy's default histogram buckets, in ms: Envoy Gateway's upstream_rq_time and Istio's
// request_duration_milliseconds both use them unless the proxy is configured otherwise.
const ENVOY_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** Each source's latency histogram: its bucket boundaries in ms, and the unit its `le` label counts in. */
export const LATENCY_HISTOGRAMS: Record<MetricSource, { bucketsMs: readonly number[]; le: "s" | "ms" }> = {
    // app/server.mjs's buckets, in seconds there.
    app: { bucketsMs: [5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2500, 5000, 10000], le: "s" },
    "envoy-gateway": { bucketsMs: ENVOY_BUCKETS_MS, le: "ms" },
    istio: { bucketsMs: ENVOY_BUCKETS_MS, le: "ms" },
};

/**
 * A bucket bound as Prometheus 3 stores it: it parses each classic histogram's `le` and writes it
 * again as OpenMetrics does (prometheus/prometheus model/labels/float.go FormatOpenMetricsFloat):
 * Go's shortest `%g` (strconv.FormatFloat(f, 'g', -1, 64): an exponent, at least two digits, when
 * the decimal exponent is below -4 or at least 6 — 1.8e+06, 5e-05), then ".0" when that has
 * neither a point nor an exponent (500.0).
 */
export function openMetricsFloat(value: number): string {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    const power = Number(exponent);
    const text = power < -4 || power >= 6 ? `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, "0")}` : String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * The `le` regex that matches the bucket at `barMs` as a source labels it (0.3 for 300 ms in
 * seconds, 500 in ms) and as Prometheus 3 stores it (500.0, 1.8e+06 for Envoy's 30-minute bucket).
 * `[.]` and `[+]`, not a backslash, which PromQL strings would take for an escape.
 */
export function bucketMatcher(barMs: number, source: MetricSource): string {
    const value = LATENCY_HISTOGRAMS[source].le === "s" ? barMs / 1000 : barMs;
    const spellings = [...new Set([String(value), openMetricsFloat(value)])];
    return spellings.map((text) => text.replace(/[.+]/g, (c) => `[${c}]`)).join("|");
}

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

/** What a check's template needs to know of it. */
export interface TemplateCheck {
    preset?: CheckPresetName;
    query?: string;
    per?: string;
    /** A latency preset's bar in ms. */
    slowerThanMs?: number;
}

/**
 * The template a check runs: its own query, or its preset's query from the metric source. A check
 * with `per` is the rate 100 × query / per (`or vector(0)`: no events at all is 0 %, not missing
 * data); a latency preset is the same rate of the requests slower than its bar out of the
 * histogram's count.
 */
export function checkTemplate(check: TemplateCheck, source: MetricSource): string {
    if (check.query !== undefined && check.per !== undefined) return `100 * ((${check.query}) or vector(0)) / (${check.per})`;
    if (check.query !== undefined) return check.query;
    if (isLatencyPreset(check.preset)) {
        const queries = SOURCE_QUERIES[source];
        const slow = queries["latency-slow"].replace("{le}", bucketMatcher(check.slowerThanMs!, source));
        // No `or vector(0)` here: with the histogram there, no slow requests is count − bucket = 0
        // already; a bucket that is not there (a bar that is no boundary of this histogram, custom
        // buckets, a relabelled le) must read as missing data, never as "no slow requests".
        return `100 * (${slow}) / (${queries["latency-requests"]})`;
    }
    return SOURCE_QUERIES[source][check.preset as "success-rate"];
}

/** What a rate check's events are out of, when not the requests: its `per`, or a latency preset's histogram count. */
export function trialsTemplate(check: TemplateCheck, source: MetricSource): string | undefined {
    if (check.query !== undefined) return check.per;
    return isLatencyPreset(check.preset) ? SOURCE_QUERIES[source]["latency-requests"] : undefined;
}

/** Where in the stack file the value of a selector's label comes from: the key to fix when it matches nothing. */
export type SeriesKey = "cluster" | "service" | "namespace" | "service-or-namespace" | "metrics";

/** One matcher of a source's request counter, without the color: checked in order when no series answers. */
export interface SeriesLabel {
    label: string;
    /** The value asked for, a template over service, cluster and namespace; a regular expression when `regex`. */
    value: string;
    regex: boolean;
    key: SeriesKey;
}

export interface SeriesProbe {
    /** The counter the requests query reads: its absence means the metric source is not this one. */
    counter: string;
    labels: SeriesLabel[];
}

// The requests queries' matchers above, color aside: if both colors have no series, one of these
// names a value Prometheus does not have (or no request ever reached the service there).
export const SERIES_PROBES: Record<MetricSource, SeriesProbe> = {
    app: {
        counter: "http_requests_total",
        labels: [
            { label: "cluster", value: "{cluster}", regex: false, key: "cluster" },
            { label: "service", value: "{service}", regex: false, key: "service" },
        ],
    },
    "envoy-gateway": {
        counter: "envoy_cluster_upstream_rq",
        labels: [
            { label: "cluster", value: "{cluster}", regex: false, key: "cluster" },
            { label: "envoy_cluster_name", value: "service/{namespace}/{service}-(blue|green)/.+", regex: true, key: "service-or-namespace" },
        ],
    },
    istio: {
        counter: "istio_requests_total",
        labels: [
            { label: "cluster", value: "{cluster}", regex: false, key: "cluster" },
            { label: "reporter", value: "source", regex: false, key: "metrics" },
            { label: "destination_workload_namespace", value: "{namespace}", regex: false, key: "namespace" },
            { label: "destination_workload", value: "{service}-(blue|green)", regex: true, key: "service" },
        ],
    },
};

export type ProbeValues = Record<"service" | "cluster" | "namespace", string>;

function probeValue(label: SeriesLabel, values: ProbeValues): string {
    return label.value.replace(/\{(service|cluster|namespace)\}/g, (_, name: keyof ProbeValues) => values[name]);
}

/** The counter with the first `count` matchers of its probe: the selector the next label's values are asked on. */
export function probeSelector(probe: SeriesProbe, count: number, values: ProbeValues): string {
    const matchers = probe.labels.slice(0, count).map((l) => `${l.label}${l.regex ? "=~" : "="}"${quoted(probeValue(l, values))}"`);
    return matchers.length === 0 ? probe.counter : `${probe.counter}{${matchers.join(",")}}`;
}

/** Whether Prometheus's values of a label hold the one the selector asks for (a regular expression matches whole, as in PromQL). */
export function probeMatches(label: SeriesLabel, values: ProbeValues, found: readonly string[]): boolean {
    const wanted = probeValue(label, values);
    if (!label.regex) return found.includes(wanted);
    const pattern = new RegExp(`^(?:${wanted})$`);
    return found.some((value) => pattern.test(value));
}

/** Values as a person reads them: quoted, at most `max`, and how many more. */
export function listValues(found: readonly string[], max = 12): string {
    const shown = found.slice(0, max).map((v) => JSON.stringify(v)).join(", ");
    return found.length > max ? `${shown} and ${found.length - max} more` : shown;
}

/** Where a target stands in the config's lists (the fleet file's, when it sets them), to name its keys. */
export interface KeyIndexes {
    cluster: number;
    service: number;
}

/**
 * Names a config key where it is written: `switchyard:clusters[1].name` as a stack file has it, or
 * `fleets/prod.yaml: clusters[1].name` when a fleet file sets the key (model/config/fleetFile.ts fleetLabel).
 */
export type KeyLabel = (path: string) => string;

const asInStackFile: KeyLabel = (path) => path;

/** The config key a probe's value comes from, e.g. switchyard:clusters[1].name, named by `label`. */
export function seriesKeyText(key: SeriesKey, at: KeyIndexes, label: KeyLabel = asInStackFile): string {
    switch (key) {
        case "cluster":
            return label(`switchyard:clusters[${at.cluster}].name`);
        case "service":
            return label(`switchyard:services[${at.service}].name`);
        case "namespace":
            return label(`switchyard:clusters[${at.cluster}].namespace`);
        case "service-or-namespace":
            return `${label(`switchyard:services[${at.service}].name`)} or ${label(`switchyard:clusters[${at.cluster}].namespace`)}`;
        case "metrics":
            return label("switchyard:rollout.analysis.metrics");
    }
}

/** The metric source's counter is not in Prometheus at all; `others` are the sources whose counters are. */
export function missingCounterProblem(source: MetricSource, others: readonly MetricSource[], over: string, label: KeyLabel = asInStackFile): string {
    const counter = SERIES_PROBES[source].counter;
    const instead =
        others.length > 0
            ? `it has ${others.map((o) => `${SERIES_PROBES[o].counter} (metrics: ${o})`).join(" and ")}`
            : `nor the counter of any other source (${METRIC_SOURCES.join(", ")}): is rollout.analysis.prometheus.url the Prometheus that scrapes these clusters?`;
    return `${seriesKeyText("metrics", { cluster: 0, service: 0 }, label)}: "${source}" counts requests with ${counter}, and Prometheus has no ${counter} series ${over}; ${instead}`;
}

/** The probe's label at `index` matched none of the values Prometheus has for it on the selector before it. */
export function labelProblem(probe: SeriesProbe, index: number, values: ProbeValues, at: KeyIndexes, found: readonly string[], over: string, label: KeyLabel = asInStackFile): string {
    const matcher = probe.labels[index]!;
    const wanted = `${matcher.label}${matcher.regex ? "=~" : "="}"${probeValue(matcher, values)}"`;
    const on = probeSelector(probe, index, values);
    const has =
        found.length > 0
            ? `the ${matcher.label} values it has there: ${listValues(found)}`
            : `none of them has a ${matcher.label} label${matcher.key === "cluster" ? `: give each cluster's metrics the label cluster="<its clusters[].name>" (e.g. an external label)` : ""}`;
    return (
        `${seriesKeyText(matcher.key, at, label)}: no series of ${on} ${over} has ${wanted}; ${has}. ` +
        `This is a config mistake, not a lack of traffic, unless no request ever reached ${values.service} on ${values.cluster}.`
    );
}
