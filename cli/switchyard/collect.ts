// Asks Prometheus for every sample analysis needs — per target, per color, the requests and each
// check over the last window at `interval` resolution — and judges each target. Any failure of a
// query is an error for the whole command: an analysis with a hole in it decides nothing. A target
// where neither color has a requests series at all is asked about further, label by label, to tell
// a selector that matches nothing in Prometheus (a config mistake) from a quiet service.

import { analysisTargets, assembleSamples, evidenceSamples, judgeWindow, sampleTimes, type AnalysisTarget, type ColorSeries, type Series, type TargetJudgement } from "../../model/analysis.ts";
import type { AnalysisSpec, Color, RolloutSpec, StackModel } from "../../model/config/types.ts";
import { cohortColorsOn } from "../../model/cohorts.ts";
import { clustersInScope, servicesInScope } from "../../model/config/scope.ts";
import { METRIC_SOURCES, SERIES_PROBES, SOURCE_QUERIES, checkTemplate, labelProblem, missingCounterProblem, probeMatches, probeSelector, renderQuery, trialsTemplate, type KeyLabel, type MetricSource } from "../../model/metricQueries.ts";
import { formatDuration } from "../../model/rollout.ts";
import { PrometheusError, type InstantSample, type RangeSeries } from "../prometheus.ts";

export interface MetricsApi {
    query(promql: string, time?: number): Promise<InstantSample[]>;
    queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
    /** The values of label `name` on the series `match` selects between `start` and `end`. */
    labelValues(name: string, match: string, start: number, end: number): Promise<string[]>;
}

/** Runs at most `limit` of the tasks at once, keeping their order. */
async function limited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const index = next++;
            results[index] = await tasks[index]!();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

/** A check returns one number per color and time; several series would be a guess at which one counts. */
function oneSeries(series: RangeSeries[], what: string, promql: string): Series {
    if (series.length > 1) {
        throw new PrometheusError(`the ${what} query returned ${series.length} series; it must return one value per color (aggregate it, e.g. with sum(...))\n  query: ${promql}`);
    }
    return series[0]?.values ?? new Map();
}

/**
 * Every target the candidate has traffic on: the ones a step is judged by. That is its weight, or a
 * cohort that sends its users to the candidate whatever the weight (a beta at 0 %).
 */
export function judgedTargets(model: StackModel, rollout: RolloutSpec): AnalysisTarget[] {
    return analysisTargets(model, rollout).filter((t) => t.candidateWeight > 0 || cohortColorsOn(model.cohorts, t.service, t.cluster).includes(rollout.candidate));
}

/**
 * The service × cluster targets of what the stack deploys (its scope: every cluster, its own
 * cluster and group, none for a traffic stack), each `at` its place in the model's whole lists — a
 * fleet file's, where a cluster stack's keys are named.
 */
export function targetsInScope(model: StackModel): AnalysisTarget[] {
    const clusters = new Set(clustersInScope(model.clusters, model.scope).map((c) => c.name));
    const services = new Set(servicesInScope(model.services, model.scope, model.fleet?.groups ?? []).map((s) => s.name));
    return analysisTargets(model, model.rollout).filter((t) => clusters.has(t.cluster) && services.has(t.service));
}

/** Of those, the ones the candidate has traffic on: what the stack's step is judged by. */
export function judgedTargetsInScope(model: StackModel): AnalysisTarget[] {
    const judged = new Set(judgedTargets(model, model.rollout).map((t) => `${t.cluster}\n${t.service}`));
    return targetsInScope(model).filter((t) => judged.has(`${t.cluster}\n${t.service}`));
}

/** "in the last 36m", for messages about the range asked. */
function overRange(start: number, end: number): string {
    return `in the last ${formatDuration(end - start)}`;
}

/** Whether Prometheus has the counter of a metric source at all between start and end. */
async function hasCounter(api: MetricsApi, source: MetricSource, start: number, end: number): Promise<boolean> {
    const counter = SERIES_PROBES[source].counter;
    return (await api.labelValues("__name__", counter, start, end)).includes(counter);
}

/**
 * The config mistake behind a source's counter missing from Prometheus, or undefined when it is
 * there. Also what shows that Prometheus answers when no target is judged yet. `label` names a key
 * where it is written (a fleet file's keys by the file); default: as the stack file has it.
 */
export async function metricSourceProblem(analysis: AnalysisSpec, api: MetricsApi, now: number, label?: KeyLabel): Promise<string | undefined> {
    const end = Math.floor(now);
    const start = end - evidenceSamples(analysis) * analysis.intervalSeconds;
    if (await hasCounter(api, analysis.metrics, start, end)) return undefined;
    const others: MetricSource[] = [];
    for (const source of METRIC_SOURCES.filter((s) => s !== analysis.metrics)) if (await hasCounter(api, source, start, end)) others.push(source);
    return missingCounterProblem(analysis.metrics, others, overRange(start, end), label);
}

/**
 * Why a target whose colors have no requests series at all finds none: the first label of the
 * source's selector whose value Prometheus does not have, or undefined when every one is there
 * (then nothing reached the service in the range, which is no traffic, not a config mistake).
 */
async function noSeriesProblem(
    target: AnalysisTarget,
    analysis: AnalysisSpec,
    api: MetricsApi,
    start: number,
    end: number,
    sourceProblem: () => Promise<string | undefined>,
    label: KeyLabel | undefined,
): Promise<string | undefined> {
    const missing = await sourceProblem();
    if (missing !== undefined) return missing;
    const probe = SERIES_PROBES[analysis.metrics];
    const values = { service: target.service, cluster: target.cluster, namespace: target.namespace };
    for (let index = 0; index < probe.labels.length; index++) {
        const found = await api.labelValues(probe.labels[index]!.label, probeSelector(probe, index, values), start, end);
        if (!probeMatches(probe.labels[index]!, values, found)) return labelProblem(probe, index, values, target.at ?? { cluster: 0, service: 0 }, found, overRange(start, end), label);
    }
    return undefined;
}

interface Question {
    target: number;
    role: "candidate" | "stable";
    /** The check asked about; undefined for the request count. */
    check?: string;
    /** Whether this asks what a rate check's events are out of (its `per`, a latency preset's histogram count). */
    per?: boolean;
    promql: string;
}

/**
 * Judges each target over the window. A target with no series at all is asked about label by label
 * (noSeries), its keys named by `label` at the target's `at` (default: as the stack file has them).
 */
export async function judgeTargets(targets: readonly AnalysisTarget[], analysis: AnalysisSpec, api: MetricsApi, now: number, label?: KeyLabel): Promise<TargetJudgement[]> {
    // Beyond the window: a rate's evidence runs from the start of the step, as far back as evidenceSamples allows.
    const times = sampleTimes(Math.floor(now), analysis.intervalSeconds, evidenceSamples(analysis));
    const checkNames = analysis.checks.map((c) => c.name);
    const questions: Question[] = targets.flatMap((target, index) =>
        (["candidate", "stable"] as const).flatMap((role) => {
            const values = { service: target.service, color: target[role], cluster: target.cluster, namespace: target.namespace, windowSeconds: analysis.intervalSeconds };
            return [
                { target: index, role, promql: renderQuery(SOURCE_QUERIES[analysis.metrics].requests, values) },
                ...analysis.checks.map((check) => ({ target: index, role, check: check.name, promql: renderQuery(checkTemplate(check, analysis.metrics), values) })),
                ...analysis.checks.flatMap((check) => {
                    const trials = trialsTemplate(check, analysis.metrics);
                    return trials === undefined ? [] : [{ target: index, role, check: check.name, per: true, promql: renderQuery(trials, values) }];
                }),
            ];
        }),
    );
    // Independent queries, a few at a time: quick, without flooding a shared Prometheus.
    const raw = await limited(
        questions.map((q) => () => api.queryRange(q.promql, times[0]!, times.at(-1)!, analysis.intervalSeconds)),
        6,
    );
    const answers = raw.map((series, i) => oneSeries(series, questions[i]!.check ?? "requests", questions[i]!.promql));
    const seriesOf = (target: number, role: Question["role"]): ColorSeries => {
        const mine = questions.map((q, i) => [q, answers[i]!] as const).filter(([q]) => q.target === target && q.role === role);
        return {
            requests: mine.find(([q]) => q.check === undefined)![1],
            checks: Object.fromEntries(mine.filter(([q]) => q.check !== undefined && !q.per).map(([q, series]) => [q.check!, series])),
            trials: Object.fromEntries(mine.filter(([q]) => q.per).map(([q, series]) => [q.check!, series])),
        };
    };
    // Neither color's requests query found a series: a selector that matches nothing, or no traffic.
    const seriesless = (index: number) => questions.every((q, i) => q.target !== index || q.check !== undefined || raw[i]!.length === 0);
    const judged = targets.map((target, index) => judgeWindow(target, assembleSamples(times, checkNames, seriesOf(index, "candidate"), seriesOf(index, "stable")), analysis));
    // A failure anywhere rolls back whatever else is wrong: no further question to Prometheus (its
    // label values API may be refused or slow) can stand between it and the rollback.
    if (judged.some((j) => j.verdict === "fail")) return judged;
    // Whether the source's counter is there at all: one answer for every quiet target, asked once.
    let sourceProblem: Promise<string | undefined> | undefined;
    const askSource = () => (sourceProblem ??= metricSourceProblem(analysis, api, times.at(-1)!, label));
    const judgements: TargetJudgement[] = [];
    for (const [index, judgement] of judged.entries()) {
        const problem = seriesless(index) ? await noSeriesProblem(judgement.target, analysis, api, times[0]! - analysis.intervalSeconds, times.at(-1)!, askSource, label) : undefined;
        judgements.push(problem === undefined ? judgement : { ...judgement, verdict: "inconclusive", reasons: [problem, ...judgement.reasons], noSeries: problem });
    }
    return judgements;
}

export interface ColorNow {
    target: AnalysisTarget;
    color: Color;
    requestsPerSecond: number;
    values: Record<string, number | undefined>;
}

/** The last interval per target and color, for `switchyard status`. */
export async function currentRates(targets: readonly AnalysisTarget[], analysis: AnalysisSpec, api: MetricsApi, now: number): Promise<ColorNow[]> {
    const tasks = targets.flatMap((target) =>
        [target.candidate, target.stable].map((color) => async (): Promise<ColorNow> => {
            const values = { service: target.service, color, cluster: target.cluster, namespace: target.namespace, windowSeconds: analysis.intervalSeconds };
            const instant = async (template: string) => {
                const samples = await api.query(renderQuery(template, values), Math.floor(now));
                const value = samples[0]?.value;
                return value !== undefined && Number.isFinite(value) ? value : undefined;
            };
            const requests = (await instant(SOURCE_QUERIES[analysis.metrics].requests)) ?? 0;
            const checks: Record<string, number | undefined> = {};
            for (const check of analysis.checks) checks[check.name] = await instant(checkTemplate(check, analysis.metrics));
            return { target, color, requestsPerSecond: requests / analysis.intervalSeconds, values: checks };
        }),
    );
    return limited(tasks, 6);
}
