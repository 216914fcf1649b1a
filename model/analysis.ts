// Judging a rollout step from Prometheus samples: each sample's checks, whether the step is live
// (the observed traffic share matches the configured weight), and the verdict over the window.
// Pure: the samples come in as numbers, so every rule here is tested without Prometheus.

import type { Color, StackModel } from "./config/types.ts";
import { candidateWeightOf, formatDuration, stableColorOf } from "./rollout.ts";
import type { AnalysisSpec, CheckSpec, RolloutSpec } from "./config/types.ts";
import { cohortColorsOn, mirrorTarget } from "./cohorts.ts";
import { colorWeights, greenWeightFor } from "./traffic.ts";

export type Verdict = "pass" | "fail" | "inconclusive";

/** One service on one cluster: the unit analysis judges. A release fails when any of them fails. */
export interface AnalysisTarget {
    service: string;
    cluster: string;
    namespace: string;
    candidate: Color;
    stable: Color;
    /** The candidate's configured percentage here: the cluster's override, else the stack's. */
    candidateWeight: number;
    /**
     * Which colors get requests beyond the weighted split here: a cohort's users, mirrored copies.
     * They raise that color's observed share above its weight by an amount no config tells.
     * Default: neither.
     */
    beyondWeights?: { candidate: boolean; stable: boolean };
}

/** Every service × cluster with the candidate's weight there, in stack-file order. */
export function analysisTargets(
    model: Pick<StackModel, "greenWeight" | "clusters" | "services" | "cohorts" | "mirror">,
    rollout: Pick<RolloutSpec, "candidate">,
): AnalysisTarget[] {
    const stable = stableColorOf(rollout.candidate);
    return model.clusters.flatMap((cluster) =>
        model.services.map((service) => {
            const greenWeight = greenWeightFor(model.greenWeight, cluster);
            const cohortColors = cohortColorsOn(model.cohorts, service.name, cluster.name);
            const mirrored = mirrorTarget(model.mirror, colorWeights(greenWeight));
            return {
                service: service.name,
                cluster: cluster.name,
                namespace: cluster.namespace,
                candidate: rollout.candidate,
                stable,
                candidateWeight: candidateWeightOf(greenWeight, rollout.candidate),
                beyondWeights: {
                    candidate: cohortColors.includes(rollout.candidate) || mirrored === rollout.candidate,
                    stable: cohortColors.includes(stable) || mirrored === stable,
                },
            };
        }),
    );
}

/** What one color did within one sample. */
export interface ColorSample {
    /** Requests served; 0 when Prometheus has no series for the color. */
    requests: number;
    /** Each check's value by check name; undefined when Prometheus returned nothing or NaN. */
    values: Readonly<Record<string, number | undefined>>;
}

export interface Sample {
    /** Unix seconds at the end of the range the sample covers. */
    time: number;
    candidate: ColorSample;
    stable: ColorSample;
}

/** Values of one range query by sample time (Unix seconds). */
export type Series = ReadonlyMap<number, number>;

export interface ColorSeries {
    requests: Series;
    /** One series per check, by check name. */
    checks: Readonly<Record<string, Series>>;
}

/** The times of the last `count` samples ending at `end`, `intervalSeconds` apart, oldest first. */
export function sampleTimes(end: number, intervalSeconds: number, count: number): number[] {
    return Array.from({ length: count }, (_, i) => end - (count - 1 - i) * intervalSeconds);
}

function finite(value: number | undefined): number | undefined {
    return Number.isFinite(value) ? value : undefined;
}

/** Joins the range queries of both colors into one sample per time. A missing value is missing data, never 0 or a pass. */
export function assembleSamples(times: readonly number[], checks: readonly string[], candidate: ColorSeries, stable: ColorSeries): Sample[] {
    const color = (series: ColorSeries, time: number): ColorSample => ({
        requests: finite(series.requests.get(time)) ?? 0,
        values: Object.fromEntries(checks.map((name) => [name, finite(series.checks[name]?.get(time))])),
    });
    return times.map((time) => ({ time, candidate: color(candidate, time), stable: color(stable, time) }));
}

// Absolute slack on top of the statistical bound: the two colors' counters are scraped at
// slightly different moments, so their sample ranges never line up to the request.
export const SHARE_SLACK = 0.02;

/**
 * How far the observed candidate share of `requests` may stray from the configured `share` (0–1)
 * and still count as that weight: three standard deviations of a binomial proportion,
 * sqrt(p(1 − p) / n), plus SHARE_SLACK. A gateway that applies the weights stays inside it in
 * about 997 samples of 1000 (for n large enough that the normal approximation holds).
 */
export function shareTolerance(share: number, requests: number): number {
    if (requests <= 0) return Number.POSITIVE_INFINITY;
    return 3 * Math.sqrt((share * (1 - share)) / requests) + SHARE_SLACK;
}

export interface CheckResult {
    check: string;
    candidate: number | undefined;
    stable: number | undefined;
    verdict: Verdict;
    /** Why, in words, e.g. "97.20 % < 99 %". */
    reason: string;
}

/** A check's value as people read it: 99.52 %, 312 ms, 0.0731. */
export function formatValue(value: number | undefined, unit: string): string {
    if (value === undefined) return "no data";
    if (unit === "%") return `${value.toFixed(2)} %`;
    if (unit === "ms") return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
    return `${Number(value.toPrecision(4))}`;
}

/** A threshold or allowance as configured: 99 %, 300 ms, 0.5. */
function formatLimit(value: number, unit: string): string {
    return unit === "" ? String(value) : `${value} ${unit}`;
}

/** The pass condition, e.g. "≥ 99 %" or "≤ 300 ms, ≤ 50 ms above stable". */
export function describeThreshold(check: CheckSpec): string {
    const bound = `${check.bound === "min" ? "≥" : "≤"} ${formatLimit(check.threshold, check.unit)}`;
    if (check.maxWorseThanStable === undefined) return bound;
    const allowance = check.unit === "%" ? `${check.maxWorseThanStable} points` : formatLimit(check.maxWorseThanStable, check.unit);
    return `${bound}, ≤ ${allowance} ${check.bound === "min" ? "below" : "above"} stable`;
}

/**
 * One check on one sample. The candidate needs minRequests; a fixed bar it misses fails on its
 * own. The comparison with stable needs minRequests on stable too, and is skipped when stable gets
 * no traffic by design (the candidate at 100 %).
 */
export function evaluateCheck(check: CheckSpec, sample: Pick<Sample, "candidate" | "stable">, minRequests: number, stableWeight: number): CheckResult {
    const candidate = sample.candidate.values[check.name];
    const stable = sample.stable.values[check.name];
    const result = (verdict: Verdict, reason: string): CheckResult => ({ check: check.name, candidate, stable, verdict, reason });
    if (sample.candidate.requests < minRequests) {
        return result("inconclusive", `the candidate served ${formatCount(sample.candidate.requests)} requests, fewer than minRequests (${minRequests})`);
    }
    if (candidate === undefined) return result("inconclusive", "Prometheus returned no value for the candidate");
    const show = (value: number) => formatValue(value, check.unit);
    const passesBar = check.bound === "min" ? candidate >= check.threshold : candidate <= check.threshold;
    if (!passesBar) {
        return result("fail", `${show(candidate)} ${check.bound === "min" ? "<" : ">"} ${formatLimit(check.threshold, check.unit)}`);
    }
    if (check.maxWorseThanStable === undefined) return result("pass", `${show(candidate)} ${check.bound === "min" ? "≥" : "≤"} ${formatLimit(check.threshold, check.unit)}`);
    if (stableWeight === 0) return result("pass", `${show(candidate)} within the bar; not compared with stable, which gets no traffic`);
    if (sample.stable.requests < minRequests) {
        return result("inconclusive", `stable served ${formatCount(sample.stable.requests)} requests, fewer than minRequests (${minRequests}), so the comparison cannot be made`);
    }
    if (stable === undefined) return result("inconclusive", "Prometheus returned no value for the stable color");
    const worseBy = check.bound === "min" ? stable - candidate : candidate - stable;
    if (worseBy > check.maxWorseThanStable) {
        return result("fail", `${show(candidate)} is ${Number(worseBy.toPrecision(4))} worse than stable (${show(stable)}); at most ${check.maxWorseThanStable} allowed`);
    }
    return result("pass", `${show(candidate)} within the bar and within ${check.maxWorseThanStable} of stable (${show(stable)})`);
}

function formatCount(requests: number): string {
    return Number.isInteger(requests) ? String(requests) : requests.toFixed(1);
}

export interface SampleResult {
    time: number;
    requests: { candidate: number; stable: number };
    /** Candidate requests / all requests; undefined when neither color served any. */
    share: number | undefined;
    tolerance: number;
    /**
     * Whether the observed share is the configured weight, within the tolerance. A color that gets
     * requests beyond the weights may take more than its weight's share: that side has no bound.
     */
    live: boolean;
    verdict: Verdict;
    checks: CheckResult[];
}

const WEIGHTS_ONLY = { candidate: false, stable: false } as const;

/** A sample fails when any check fails, is inconclusive when any check could not be judged, and passes otherwise. */
export function evaluateSample(
    sample: Sample,
    analysis: Pick<AnalysisSpec, "checks" | "minRequests">,
    candidateWeight: number,
    beyondWeights: { candidate: boolean; stable: boolean } = WEIGHTS_ONLY,
): SampleResult {
    const total = sample.candidate.requests + sample.stable.requests;
    const expected = candidateWeight / 100;
    const share = total > 0 ? sample.candidate.requests / total : undefined;
    const tolerance = shareTolerance(expected, total);
    const live =
        share !== undefined && (beyondWeights.candidate || share - expected <= tolerance) && (beyondWeights.stable || expected - share <= tolerance);
    const checks = analysis.checks.map((check) => evaluateCheck(check, sample, analysis.minRequests, 100 - candidateWeight));
    const verdict: Verdict = checks.some((c) => c.verdict === "fail") ? "fail" : checks.some((c) => c.verdict === "inconclusive") ? "inconclusive" : "pass";
    return {
        time: sample.time,
        requests: { candidate: sample.candidate.requests, stable: sample.stable.requests },
        share,
        tolerance,
        live,
        verdict,
        checks,
    };
}

export interface TargetJudgement {
    target: AnalysisTarget;
    verdict: Verdict;
    /** Why, one line each, most important first. */
    reasons: string[];
    /** Seconds the step has been live (the trailing run of samples whose share matched), at most the window. */
    liveSeconds: number;
    windowSeconds: number;
    /** Failing samples within the live span. */
    failingSamples: number;
    /** Every sample, oldest first. */
    samples: SampleResult[];
}

function percent(share: number): string {
    return `${(share * 100).toFixed(1)} %`;
}

function failureSummary(failing: readonly SampleResult[]): string[] {
    const byCheck = new Map<string, string[]>();
    for (const sample of failing) {
        for (const check of sample.checks.filter((c) => c.verdict === "fail")) {
            byCheck.set(check.check, [...(byCheck.get(check.check) ?? []), check.reason]);
        }
    }
    return [...byCheck].map(([check, reasons]) => `${check} failed in ${reasons.length} sample${reasons.length === 1 ? "" : "s"}: ${reasons.at(-1)}`);
}

/** Why live samples could not be judged (the latest such sample's first reason), or undefined when all could. */
function unjudgedReason(live: readonly SampleResult[]): string | undefined {
    const unjudged = live.filter((r) => r.verdict === "inconclusive");
    if (unjudged.length === 0) return undefined;
    const first = unjudged.at(-1)!.checks.find((c) => c.verdict === "inconclusive")!;
    return `${unjudged.length} of ${live.length} samples could not be judged: ${first.check}: ${first.reason}`;
}

/**
 * The verdict on one target from its last samples (oldest first; `window / interval` of them).
 * The step counts as live since the trailing run of samples whose observed share matched the
 * configured weight: a clock or an edit cannot fake that, and a Gateway that ignores the weights
 * never gets there. Within that span (at most the window) failureLimit failing samples fail the
 * target at once, without waiting for the window. Otherwise it passes only when the span covers
 * the whole window and every sample in it could be judged: missing data never passes.
 */
export function judgeWindow(target: AnalysisTarget, samples: readonly Sample[], analysis: AnalysisSpec): TargetJudgement {
    const beyond = target.beyondWeights ?? WEIGHTS_ONLY;
    const results = samples.map((sample) => evaluateSample(sample, analysis, target.candidateWeight, beyond));
    const needed = analysis.windowSeconds / analysis.intervalSeconds;
    let liveCount = 0;
    while (liveCount < results.length && results[results.length - 1 - liveCount]!.live) liveCount++;
    const live = results.slice(results.length - Math.min(liveCount, needed));
    const failing = live.filter((r) => r.verdict === "fail");
    const judgement = (verdict: Verdict, reasons: string[]): TargetJudgement => ({
        target,
        verdict,
        reasons,
        liveSeconds: live.length * analysis.intervalSeconds,
        windowSeconds: analysis.windowSeconds,
        failingSamples: failing.length,
        samples: results,
    });
    if (target.candidateWeight === 0) return judgement("inconclusive", ["the candidate gets no traffic here (weight 0)"]);
    if (failing.length >= analysis.failureLimit) {
        return judgement("fail", [`${failing.length} failing samples while live, failureLimit is ${analysis.failureLimit}`, ...failureSummary(failing)]);
    }
    if (live.length < needed) {
        const latest = results.at(-1);
        const reasons = [`live for ${formatDuration(live.length * analysis.intervalSeconds)} of the ${formatDuration(analysis.windowSeconds)} window`];
        if (latest?.share === undefined) {
            reasons.push("no requests reached either color in the latest sample");
        } else if (!latest.live) {
            const bound = beyond.candidate ? "at least " : beyond.stable ? "at most " : "";
            const slack = beyond.candidate ? "−" : beyond.stable ? "+" : "±";
            reasons.push(
                `the candidate's observed share is ${percent(latest.share)}, not ${bound}the configured ${target.candidateWeight} % ` +
                    `(${slack} ${percent(latest.tolerance)}): the change is not applied yet, or the Gateway does not apply the weights`,
            );
        }
        const unjudged = unjudgedReason(live);
        return judgement("inconclusive", unjudged ? [...reasons, unjudged] : reasons);
    }
    const unjudged = unjudgedReason(live);
    if (unjudged) return judgement("inconclusive", [unjudged]);
    return judgement(
        "pass",
        failing.length > 0
            ? [`live and judged for the whole window; ${failing.length} failing sample${failing.length === 1 ? "" : "s"}, below failureLimit (${analysis.failureLimit})`, ...failureSummary(failing)]
            : ["live and healthy for the whole window"],
    );
}

/** A release is judged as one: any failing target fails it; it passes only when every target passes. */
export function releaseVerdict(judgements: readonly TargetJudgement[]): Verdict {
    if (judgements.some((j) => j.verdict === "fail")) return "fail";
    if (judgements.length === 0 || judgements.some((j) => j.verdict === "inconclusive")) return "inconclusive";
    return "pass";
}

export interface TargetRow {
    service: string;
    cluster: string;
    weight: string;
    share: string;
    live: string;
    failing: string;
    verdict: Verdict;
}

export interface CheckRow {
    service: string;
    cluster: string;
    check: string;
    candidate: string;
    stable: string;
    threshold: string;
    verdict: Verdict;
}

/** One row per target: where the step stands there. */
export function targetRows(judgements: readonly TargetJudgement[], failureLimit: number): TargetRow[] {
    return judgements.map((j) => {
        const latest = j.samples.at(-1);
        return {
            service: j.target.service,
            cluster: j.target.cluster,
            weight: `${j.target.candidateWeight} %`,
            share: latest?.share === undefined ? "no traffic" : percent(latest.share),
            live: `${formatDuration(j.liveSeconds)} of ${formatDuration(j.windowSeconds)}`,
            failing: `${j.failingSamples} (limit ${failureLimit})`,
            verdict: j.verdict,
        };
    });
}

/** One row per target × check, from the latest sample. */
export function checkRows(judgements: readonly TargetJudgement[], checks: readonly CheckSpec[]): CheckRow[] {
    return judgements.flatMap((j) => {
        const latest = j.samples.at(-1);
        return checks.map((check) => {
            const result = latest?.checks.find((c) => c.check === check.name);
            return {
                service: j.target.service,
                cluster: j.target.cluster,
                check: check.name,
                candidate: formatValue(result?.candidate, check.unit),
                stable: formatValue(result?.stable, check.unit),
                threshold: describeThreshold(check),
                verdict: result?.verdict ?? "inconclusive",
            };
        });
    });
}
