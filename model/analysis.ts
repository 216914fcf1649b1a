// Judging a rollout step from Prometheus samples: each sample's checks, whether the step is live
// (the observed traffic share matches the configured weight), and the verdict over the window.
// Pure: the samples come in as numbers, so every rule here is tested without Prometheus.

import type { Color, StackModel } from "./config/types.ts";
import { candidateWeightOf, formatDuration, stableColorOf } from "./rollout.ts";
import type { AnalysisSpec, CheckSpec, RolloutSpec } from "./config/types.ts";
import { cohortColorsOn, mirrorTarget } from "./cohorts.ts";
import { colorWeights, greenWeightFor } from "./traffic.ts";
import type { KeyIndexes } from "./metricQueries.ts";
import { ratioInterval, testRates, type Counts, type RateFinding, type RateTest, type SplitLook } from "./evidence.ts";

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
    /** Where the cluster and the service stand in the stack file, to name their keys; default 0, 0. */
    at?: KeyIndexes;
}

/** Every service × cluster with the candidate's weight there, in stack-file order. */
export function analysisTargets(
    model: Pick<StackModel, "greenWeight" | "clusters" | "services" | "cohorts" | "mirror">,
    rollout: Pick<RolloutSpec, "candidate">,
): AnalysisTarget[] {
    const stable = stableColorOf(rollout.candidate);
    return model.clusters.flatMap((cluster, clusterIndex) =>
        model.services.map((service, serviceIndex) => {
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
                at: { cluster: clusterIndex, service: serviceIndex },
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
    /** What a rate check with `per` counts its events out of, by check name; the others count requests. */
    trials?: Readonly<Record<string, number | undefined>>;
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
    /** The `per` series of rate checks that have one, by check name. */
    trials?: Readonly<Record<string, Series>>;
}

/** The times of the last `count` samples ending at `end`, `intervalSeconds` apart, oldest first. */
export function sampleTimes(end: number, intervalSeconds: number, count: number): number[] {
    return Array.from({ length: count }, (_, i) => end - (count - 1 - i) * intervalSeconds);
}

function finite(value: number | undefined): number | undefined {
    return Number.isFinite(value) ? value : undefined;
}

// How many windows back a rate's evidence may reach, and at most how many samples (Prometheus
// answers at most 11,000 points per series; far fewer keep a judgement quick).
export const EVIDENCE_WINDOWS = 12;
export const EVIDENCE_MAX_SAMPLES = 720;

/** Samples analysis asks for: EVIDENCE_WINDOWS windows, at most EVIDENCE_MAX_SAMPLES, never fewer than one window's. */
export function evidenceSamples(analysis: Pick<AnalysisSpec, "windowSeconds" | "intervalSeconds">): number {
    const window = analysis.windowSeconds / analysis.intervalSeconds;
    return Math.max(window, Math.min(EVIDENCE_WINDOWS * window, EVIDENCE_MAX_SAMPLES));
}

/** Joins the range queries of both colors into one sample per time. A missing value is missing data, never 0 or a pass. */
export function assembleSamples(times: readonly number[], checks: readonly string[], candidate: ColorSeries, stable: ColorSeries): Sample[] {
    const color = (series: ColorSeries, time: number): ColorSample => ({
        requests: finite(series.requests.get(time)) ?? 0,
        values: Object.fromEntries(checks.map((name) => [name, finite(series.checks[name]?.get(time))])),
        ...(series.trials ? { trials: Object.fromEntries(Object.entries(series.trials).map(([name, s]) => [name, finite(s.get(time))])) } : {}),
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
    const slower = check.slowerThanMs === undefined ? "" : ` slower than ${check.slowerThanMs} ms`;
    const bound = `${check.bound === "min" ? "≥" : "≤"} ${formatLimit(check.threshold, check.unit)}${slower}`;
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
    // A rate is judged from the running counts of the whole step (judgeWindow), never on one sample's estimate.
    if (check.rate) return result("pass", `${show(candidate)} in this sample; judged from the step's counts`);
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
    // A read-out (gate: false) is measured, never decides.
    const gating = checks.filter((_, i) => analysis.checks[i]!.gate !== false);
    const verdict: Verdict = gating.some((c) => c.verdict === "fail") ? "fail" : gating.some((c) => c.verdict === "inconclusive") ? "inconclusive" : "pass";
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
    /** Each rate check's tests over the step's live samples, in check order. */
    rates: RateReadout[];
    /**
     * Set when neither color has a requests series at all and Prometheus shows why: the config
     * mistake (a key, its value, the values Prometheus has). Such a target is inconclusive.
     */
    noSeries?: string;
}

/** A rate check's evidence over the step: what the read-out says and, unless a read-out only, what decides. */
export interface RateReadout {
    check: CheckSpec;
    test: RateTest;
    finding: RateFinding;
    candidate: Color;
    stable: Color;
}

/** The bar and margin of a rate check as fractions, and which way is worse: the success rate counts its errors. */
export function rateTestOf(check: CheckSpec, alpha: number, compare: boolean): RateTest {
    const margin = (check.maxWorseThanStable ?? 0) / 100;
    if (check.preset === "success-rate") return { worse: "higher", bar: 1 - check.threshold / 100, margin, compare, alpha };
    return { worse: check.bound === "max" ? "higher" : "lower", bar: check.threshold / 100, margin, compare, alpha };
}

/**
 * One color's counts for a rate check in one sample: errors for the success rate, the query's events
 * otherwise. A latency preset's slow requests are out of those its histogram counted, a custom
 * rate's events out of its per; the success rate's errors out of the requests.
 */
export function countsOf(check: CheckSpec, color: ColorSample): Counts | undefined {
    const value = color.values[check.name];
    const trials = check.per === undefined && check.slowerThanMs === undefined ? color.requests : color.trials?.[check.name];
    if (value === undefined || trials === undefined) return undefined;
    const share = Math.min(1, Math.max(0, value / 100));
    // Rounded to a millionth of a request: 100 × s / n read back loses the last bits, and 6e-15 errors are none.
    const events = Math.round(trials * (check.preset === "success-rate" ? 1 - share : share) * 1e6) / 1e6;
    return { trials, events };
}

/** The looks of a rate check: one per sample with the candidate's counts; stable's missing counts count as none. */
function looksOf(check: CheckSpec, samples: readonly Sample[]): SplitLook[] {
    return samples.flatMap((sample) => {
        const candidate = countsOf(check, sample.candidate);
        if (candidate === undefined) return [];
        return [{ candidate, stable: countsOf(check, sample.stable) ?? { trials: 0, events: 0 } }];
    });
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
    // Evidence accumulates over the whole live span, not only the window: a quiet step holds until it tells.
    const evidenceSamples = liveCount > 0 ? samples.slice(samples.length - liveCount) : [];
    const rates: RateReadout[] = analysis.checks
        .filter((check) => check.rate)
        .map((check) => {
            const test = rateTestOf(check, analysis.alpha, target.candidateWeight < 100);
            return { check, test, finding: testRates(looksOf(check, evidenceSamples), test), candidate: target.candidate, stable: target.stable };
        });
    const gatingRates = rates.filter((r) => r.check.gate !== false);
    const failedRates = gatingRates.filter((r) => r.finding.failedBy !== undefined);
    const unshown = gatingRates.filter((r) => !r.finding.withinBar);
    const judgement = (verdict: Verdict, reasons: string[]): TargetJudgement => ({
        target,
        verdict,
        reasons,
        liveSeconds: live.length * analysis.intervalSeconds,
        windowSeconds: analysis.windowSeconds,
        failingSamples: failing.length,
        samples: results,
        rates,
    });
    // At weight 0 a cohort may still send its users to the candidate: those requests are judged.
    if (target.candidateWeight === 0 && !beyond.candidate) return judgement("inconclusive", ["the candidate gets no traffic here (weight 0)"]);
    if (failedRates.length > 0) return judgement("fail", failedRates.map((r) => `${r.check.name}: ${describeRate(r)}`));
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
    if (unshown.length > 0) {
        return judgement(
            "inconclusive",
            unshown.map((r) => `${r.check.name}: not yet shown within the bar, so the step holds until more requests tell: ${describeCandidateRate(r)}`),
        );
    }
    return judgement(
        "pass",
        failing.length > 0
            ? [`live and judged for the whole window; ${failing.length} failing sample${failing.length === 1 ? "" : "s"}, below failureLimit (${analysis.failureLimit})`, ...failureSummary(failing)]
            : ["live and healthy for the whole window"],
    );
}

/**
 * The config mistakes that make the command an error: every target's selector that matches no
 * series. None while any target fails: a rollback is never held up by another target's config.
 */
export function configProblems(judgements: readonly TargetJudgement[]): string[] {
    if (judgements.some((j) => j.verdict === "fail")) return [];
    return judgements.flatMap((j) => (j.noSeries === undefined ? [] : [`${j.target.service} on ${j.target.cluster}: ${j.noSeries}`]));
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

/** Two significant digits, whole numbers from 10 up: 0.90, 9.0, 16, 0. */
function significant(value: number): string {
    if (value === 0) return "0";
    if (!Number.isFinite(value)) return "∞";
    // A bound next to 0 or past 10,000 is not worth its digits.
    if (value < 0.001) return "<0.001";
    if (value >= 10_000) return value.toExponential(0).replace("e+", "e");
    return value >= 10 ? String(Math.round(value)) : value.toPrecision(2);
}

function ratePercent(counts: Counts): string {
    return counts.trials > 0 ? `${significant((100 * counts.events) / counts.trials)} %` : "no data";
}

/** A bar as configured: 1 %, 0.5 % (the arithmetic 1 − 0.99 rounded back to what was written). */
function barText(bar: number): string {
    return `${Number((100 * bar).toPrecision(6))} %`;
}

/** An e-value as people read it: 0.07, 42, 3e6. */
export function formatEvidence(value: number): string {
    // Past a double's range (every error on one color over many requests) the evidence is overwhelming, not infinite.
    if (value === Infinity) return ">1e308";
    if (value >= 1000) return value.toExponential(0).replace("e+", "e");
    return significant(value);
}

/** The confidence level of a share α as a percentage: 0.01 → 99 %, 0.005 → 99.5 %. */
function confidence(alpha: number): string {
    return `${Number((100 * (1 - alpha)).toPrecision(4))} %`;
}

/** How a rate check's counts read: "green fails 1 % of 300 requests", "green answers 1 % of 300 requests slower than 500 ms". */
function countedWords(check: CheckSpec): { verb: string; unit: string } {
    if (check.preset === "success-rate") return { verb: "fails ", unit: " requests" };
    if (check.slowerThanMs !== undefined) return { verb: "answers ", unit: ` requests slower than ${check.slowerThanMs} ms` };
    return { verb: "", unit: "" };
}

/** The candidate's side of a rate check against its bar, e.g. "green fails 0 % of 300 requests (99 % CI 0–2.6 %), bar 1 %". */
export function describeCandidateRate(readout: RateReadout): string {
    const { check, test, finding } = readout;
    const level = confidence(test.margin > 0 ? test.alpha / 2 : test.alpha);
    const counted = countedWords(check);
    return (
        `${readout.candidate} ${counted.verb}${ratePercent(finding.candidate)} of ${Math.round(finding.candidate.trials).toLocaleString("en-US")}${counted.unit}` +
        ` (${level} CI ${significant(100 * finding.candidateInterval.lower)}–${significant(100 * finding.candidateInterval.upper)} %), bar ${barText(test.bar)}`
    );
}

/**
 * A rate check's evidence in words, e.g. "green fails 0.90 % of 48,211 requests (99 % CI 0.78–1.0 %),
 * blue 0.10 % of 916,009 (99 % CI 0.094–0.11 %): 9.0× (99 % CI 5.2–16), evidence 3e25 ≥ 100 → fail".
 */
export function describeRate(readout: RateReadout): string {
    const { check, test, finding } = readout;
    const sideAlpha = test.margin > 0 ? test.alpha / 2 : test.alpha;
    const level = confidence(sideAlpha);
    const counted = countedWords(check);
    const interval = (i: { lower: number; upper: number }) => `${significant(100 * i.lower)}–${significant(100 * i.upper)} %`;
    const threshold = Math.round(1 / test.alpha);
    const bar = barText(test.bar);
    const candidate =
        `${readout.candidate} ${counted.verb}${ratePercent(finding.candidate)} of ${Math.round(finding.candidate.trials).toLocaleString("en-US")}${counted.unit}` +
        ` (${level} CI ${interval(finding.candidateInterval)})`;
    let comparison: string;
    if (!test.compare) {
        comparison = `; not compared with ${readout.stable}, which gets no traffic by design`;
    } else {
        const ratio = ratioInterval(finding.looks, test.alpha);
        const ratioText =
            finding.ratio === undefined
                ? finding.candidate.events > 0 ? `${readout.stable} had none` : "no events on either color"
                : `${significant(finding.ratio)}×`;
        comparison =
            `, ${readout.stable} ${ratePercent(finding.stable)} of ${Math.round(finding.stable.trials).toLocaleString("en-US")} (${level} CI ${interval(finding.stableInterval)})` +
            `: ${ratioText} (${confidence(test.alpha)} CI ${significant(ratio.lower)}–${significant(ratio.upper)})`;
    }
    const versus = test.worse === "higher" ? "above" : "below";
    const evidence =
        finding.failedBy === "absolute" || !test.compare
            ? `evidence ${versus} the bar (${bar}) ${formatEvidence(finding.absoluteEvidence)}`
            : test.margin > 0
              ? `the intervals ${finding.failedBy ? "are" : "are not"} apart by more than ${significant(100 * test.margin)} points`
              : `evidence ${formatEvidence(finding.relativeEvidence!)}`;
    const reached = finding.failedBy ? ` ≥ ${threshold}` : test.margin > 0 && test.compare ? "" : ` < ${threshold}`;
    const outcome =
        finding.failedBy !== undefined && check.gate !== false
            ? "fail"
            : check.gate === false
              ? `A/B read-out, decides nothing`
              : finding.withinBar
                ? `within the bar (${bar})`
                : `not yet shown within the bar (${bar})`;
    return `${candidate}${comparison}, ${evidence}${reached} → ${outcome}`;
}

/** One line per target and rate check: the step's evidence in words. */
export function rateLines(judgements: readonly TargetJudgement[]): string[] {
    return judgements.flatMap((j) => j.rates.map((r) => `${j.target.service} on ${j.target.cluster}: ${r.check.name}: ${describeRate(r)}`));
}
