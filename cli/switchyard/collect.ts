// Asks Prometheus for every sample analysis needs — per target, per color, the requests and each
// check over the last window at `interval` resolution — and judges each target. Any failure of a
// query is an error for the whole command: an analysis with a hole in it decides nothing.

import { analysisTargets, assembleSamples, evidenceSamples, judgeWindow, sampleTimes, type AnalysisTarget, type ColorSeries, type Series, type TargetJudgement } from "../../model/analysis.ts";
import type { AnalysisSpec, Color, RolloutSpec, StackModel } from "../../model/config/types.ts";
import { SOURCE_QUERIES, checkTemplate, renderQuery, trialsTemplate } from "../../model/metricQueries.ts";
import { PrometheusError, type InstantSample, type RangeSeries } from "../prometheus.ts";

export interface MetricsApi {
    query(promql: string, time?: number): Promise<InstantSample[]>;
    queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
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

/** Every target the candidate has traffic on: the ones a step is judged by. */
export function judgedTargets(model: StackModel, rollout: RolloutSpec): AnalysisTarget[] {
    return analysisTargets(model, rollout).filter((t) => t.candidateWeight > 0);
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

export async function judgeTargets(targets: readonly AnalysisTarget[], analysis: AnalysisSpec, api: MetricsApi, now: number): Promise<TargetJudgement[]> {
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
    const answers = await limited(
        questions.map((q) => async () => oneSeries(await api.queryRange(q.promql, times[0]!, times.at(-1)!, analysis.intervalSeconds), q.check ?? "requests", q.promql)),
        6,
    );
    const seriesOf = (target: number, role: Question["role"]): ColorSeries => {
        const mine = questions.map((q, i) => [q, answers[i]!] as const).filter(([q]) => q.target === target && q.role === role);
        return {
            requests: mine.find(([q]) => q.check === undefined)![1],
            checks: Object.fromEntries(mine.filter(([q]) => q.check !== undefined && !q.per).map(([q, series]) => [q.check!, series])),
            trials: Object.fromEntries(mine.filter(([q]) => q.per).map(([q, series]) => [q.check!, series])),
        };
    };
    return targets.map((target, index) => judgeWindow(target, assembleSamples(times, checkNames, seriesOf(index, "candidate"), seriesOf(index, "stable")), analysis));
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
