// A Grafana dashboard of a stack's rollout, built from the query templates the analysis runs
// (metricQueries.ts), so the panels show exactly the numbers `switchyard analyze` judges. Pure:
// no Pulumi import, no I/O. `switchyard dashboard` writes it; docs/progressive-delivery.md says
// which panel answers which operator question.

import { SOURCE_QUERIES, checkTemplate, renderQuery, type MetricSource } from "./metricQueries.ts";
import type { StackModel } from "./config/types.ts";
import { clustersInScope, servicesInScope } from "./config/scope.ts";
import type { AnalysisSpec, CheckSpec } from "./config/types.ts";

/** What `switchyard advance --metrics-file` writes: the weights and verdicts Prometheus cannot know by itself. */
export const VERDICT_METRICS = {
    weight: "switchyard_weight_percent",
    verdict: "switchyard_step_verdict",
    at: "switchyard_advance_timestamp_seconds",
} as const;

/** The verdict as a number a panel can map: 1 pass, 0 inconclusive, -1 fail. */
export const VERDICT_VALUES = { pass: 1, inconclusive: 0, fail: -1 } as const;

export interface DashboardOptions {
    stack: string;
    model: StackModel;
    /** The metric source the panels query; default the stack's analysis.metrics. */
    source?: MetricSource;
}

type Json = Record<string, unknown>;

// Grafana fills $name from the dashboard's variables; {window} becomes $window so a panel point
// covers the same range a sample does.
function panelQuery(template: string): string {
    return renderQuery(template.replaceAll("{window}", "$window"), {
        service: "$service",
        color: "$color",
        cluster: "$cluster",
        namespace: "$namespace",
        windowSeconds: 0,
    });
}

const forColor = (query: string, variable: "candidate" | "stable") => query.replaceAll("$color", `$${variable}`);

function customVariable(name: string, label: string, values: readonly string[], current: string, hide = 0): Json {
    return {
        type: "custom",
        name,
        label,
        hide,
        query: values.join(","),
        current: { text: current, value: current },
        options: values.map((v) => ({ text: v, value: v, selected: v === current })),
        multi: false,
        includeAll: false,
    };
}

interface PanelSpec {
    title: string;
    description: string;
    type: "timeseries" | "state-timeline";
    unit: string;
    targets: { legend: string; expr: string }[];
    thresholds?: { value: number; bound: "min" | "max" };
    mappings?: Json[];
}

function panel(spec: PanelSpec, id: number, x: number, y: number, width: number): Json {
    const steps = spec.thresholds
        ? spec.thresholds.bound === "min"
            ? [{ color: "red", value: null }, { color: "green", value: spec.thresholds.value }]
            : [{ color: "green", value: null }, { color: "red", value: spec.thresholds.value }]
        : [{ color: "text", value: null }];
    return {
        id,
        type: spec.type,
        title: spec.title,
        description: spec.description,
        datasource: { type: "prometheus", uid: "${datasource}" },
        gridPos: { x, y, w: width, h: 8 },
        fieldConfig: {
            defaults: {
                unit: spec.unit,
                thresholds: { mode: "absolute", steps },
                custom: spec.type === "timeseries" ? { thresholdsStyle: { mode: spec.thresholds ? "line" : "off" } } : {},
                ...(spec.mappings ? { mappings: spec.mappings } : {}),
            },
            overrides: [],
        },
        targets: spec.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), expr: t.expr, legendFormat: t.legend, range: true })),
    };
}

function row(title: string, id: number, y: number): Json {
    return { id, type: "row", title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] };
}

/** A sample of a check fails: 1, passes: 0, no value: no point (as the analysis, which never passes on missing data). */
function failingExpr(check: CheckSpec, candidateQuery: string): string {
    return `(${candidateQuery}) ${check.bound === "min" ? "<" : ">"} bool ${check.threshold}`;
}

// A custom check's own query (for one with per: its events); a preset's, a latency preset's as the percentage of requests slower than its bar.
function checkTemplateOf(check: CheckSpec, source: MetricSource): string {
    return check.query ?? checkTemplate(check, source);
}

const UNITS: Record<string, string> = { "%": "percent", ms: "ms", "": "short" };

export function rolloutDashboard(options: DashboardOptions): Json {
    const { stack, model } = options;
    const rollout = model.rollout;
    const analysis: AnalysisSpec | undefined = rollout.analysis;
    const source = options.source ?? analysis?.metrics ?? "app";
    const queries = SOURCE_QUERIES[source];
    const stable = rollout.candidate === "green" ? "blue" : "green";
    const checks = analysis?.checks ?? [];
    const requests = panelQuery(queries.requests);
    const selector = `stack="$stack",service="$service",cluster="$cluster"`;

    const panels: PanelSpec[][] = [
        [
            {
                title: "Configured weight beside observed share",
                description:
                    "Is the step live? The candidate's configured weight (from switchyard advance --metrics-file) beside its observed share of the two colors' requests; the analysis counts a sample as live when they agree within 3 binomial standard deviations plus 2 points.",
                type: "timeseries",
                unit: "percent",
                targets: [
                    { legend: "configured weight ($candidate)", expr: `${VERDICT_METRICS.weight}{${selector},color="$candidate"}` },
                    { legend: "observed share ($candidate)", expr: `100 * (${forColor(requests, "candidate")}) / ((${forColor(requests, "candidate")}) + (${forColor(requests, "stable")}))` },
                ],
            },
            {
                title: "Requests per sample",
                description: `Requests each color served in one sample ($window); fewer than minRequests (${analysis?.minRequests ?? "—"}) make a sample inconclusive.`,
                type: "timeseries",
                unit: "short",
                targets: [
                    { legend: "candidate ($candidate)", expr: forColor(requests, "candidate") },
                    { legend: "stable ($stable)", expr: forColor(requests, "stable") },
                ],
                ...(analysis ? { thresholds: { value: analysis.minRequests, bound: "min" as const } } : {}),
            },
        ],
        checks.map((check) => {
            const query = panelQuery(checkTemplateOf(check, source));
            return {
                title: `${check.name}: candidate beside stable`,
                description: `Is the candidate worse? ${check.name} per sample for both colors; the bar is ${check.bound} ${check.threshold}${check.unit ? ` ${check.unit}` : ""}${check.slowerThanMs !== undefined ? ` of requests slower than ${check.slowerThanMs} ms` : ""}${check.maxWorseThanStable !== undefined ? `, and at most ${check.maxWorseThanStable} worse than stable` : ""}.`,
                type: "timeseries" as const,
                unit: UNITS[check.unit] ?? "short",
                targets: [
                    { legend: "candidate ($candidate)", expr: forColor(query, "candidate") },
                    { legend: "stable ($stable)", expr: forColor(query, "stable") },
                ],
                thresholds: { value: check.threshold, bound: check.bound },
            };
        }),
        [
            {
                title: "Step verdict over time",
                description:
                    "Why did it roll back? The verdict of each switchyard advance run for this service and cluster (pushed from its --metrics-file), with the run's time; the commit of the edit carries the report.",
                type: "state-timeline",
                unit: "short",
                targets: [{ legend: "verdict", expr: `${VERDICT_METRICS.verdict}{${selector}}` }],
                mappings: [
                    {
                        type: "value",
                        options: {
                            "1": { text: "pass", color: "green", index: 0 },
                            "0": { text: "inconclusive", color: "yellow", index: 1 },
                            "-1": { text: "fail", color: "red", index: 2 },
                        },
                    },
                ],
            },
            {
                title: "Failing samples per check",
                description: "Why did it roll back? 1 where the candidate's sample is outside a check's bar: failureLimit such samples within a step roll the release back.",
                type: "state-timeline",
                unit: "short",
                targets: checks.map((check) => ({ legend: check.name, expr: failingExpr(check, forColor(panelQuery(checkTemplateOf(check, source)), "candidate")) })),
                mappings: [{ type: "value", options: { "0": { text: "passes", color: "green", index: 0 }, "1": { text: "fails", color: "red", index: 1 } } }],
            },
        ],
    ];

    const rowTitles = ["Is the step live?", "Is the candidate worse?", "Why did it roll back?"];
    const out: Json[] = [];
    let id = 1;
    let y = 0;
    panels.forEach((group, index) => {
        out.push(row(rowTitles[index]!, id++, y++));
        group.forEach((spec, i) => {
            const width = group.length >= 2 ? 12 : 24;
            out.push(panel(spec, id++, (i % 2) * width, y + Math.floor(i / 2) * 8, width));
        });
        y += Math.ceil(group.length / 2) * 8;
    });

    // What the stack deploys (a cluster stack: its own cluster, and its group's services), which is
    // what its advance --metrics-file reports: another cluster's panels would stay empty.
    const clusters = clustersInScope(model.clusters, model.scope);
    const services = servicesInScope(model.services, model.scope, model.fleet?.groups ?? []);
    const namespaces = [...new Set(clusters.map((c) => c.namespace))];
    const window = `${analysis?.intervalSeconds ?? 60}s`;
    return {
        uid: `switchyard-${stack}`.slice(0, 40),
        title: `switchyard rollout: ${stack} (${source})`,
        description: `Generated by switchyard dashboard --stack ${stack} from the analysis's query templates (metrics: ${source}). Regenerate it after changing the stack's services, clusters or checks.`,
        tags: ["switchyard", "rollout"],
        editable: true,
        schemaVersion: 39,
        time: { from: "now-1h", to: "now" },
        refresh: "30s",
        templating: {
            list: [
                { type: "datasource", name: "datasource", label: "Prometheus", query: "prometheus", hide: 0 },
                customVariable("stack", "stack", [stack], stack),
                customVariable("service", "service", services.map((s) => s.name), services[0]?.name ?? ""),
                customVariable("cluster", "cluster", clusters.map((c) => c.name), clusters[0]?.name ?? ""),
                // The cluster's switchyard namespace, which the envoy-gateway and istio queries select on.
                customVariable("namespace", "namespace", namespaces, namespaces[0] ?? "switchyard"),
                customVariable("candidate", "candidate", ["green", "blue"], rollout.candidate),
                customVariable("stable", "stable", ["blue", "green"], stable),
                // One analysis interval by default: a point then covers what one sample covers.
                customVariable("window", "sample range", [...new Set([window, "1m", "5m"])], window),
            ],
        },
        annotations: { list: [] },
        panels: out,
    };
}
