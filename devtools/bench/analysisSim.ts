// Seeded request streams with known error rates, judged step by step by the project's own
// judgeWindow: the evidence judge (success rate as a rate of counts) beside today's rule (the same
// check judged sample by sample against the bar, failureLimit samples roll back). Pure: no I/O, no
// clock, so a spec can hold the guarantees and `npm run bench -- --analysis` prints the table.

import { evidenceSamples, judgeWindow, type AnalysisTarget, type Sample } from "../../model/analysis.ts";
import type { AnalysisSpec, CheckSpec } from "../../model/config/types.ts";

/** A deterministic uniform generator on [0, 1) (mulberry32): the same seed, the same streams. */
export function seededRandom(seed: number): () => number {
    let state = seed | 0;
    return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * A Poisson count: Knuth's product of uniforms up to a mean of 30, a rounded normal above (its
 * error there is far below the effects measured). Requests arrive as a Poisson stream, and errors
 * among many requests at a small rate are Poisson too.
 */
export function poisson(mean: number, random: () => number): number {
    if (mean <= 0) return 0;
    if (mean > 30) {
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
    }
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = random(); product > limit; product *= random()) count++;
    return count;
}

export interface Scenario {
    /** Requests per second to the service, both colors together. */
    requestsPerSecond: number;
    /** The candidate's weight, percent. */
    weight: number;
    /** Error rates as fractions: 0.005 is 0.5 %. */
    candidateErrors: number;
    stableErrors: number;
}

export type Judge = "evidence" | "today";

/** The default analysis: 1 m samples, a 5 m window, minRequests 20, failureLimit 2, success rate ≥ 99 %. */
export function simulatedAnalysis(judge: Judge, alpha = 0.01): AnalysisSpec {
    const successRate: CheckSpec = { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, unit: "%", ...(judge === "evidence" ? { rate: true as const } : {}) };
    return {
        prometheus: { url: "http://127.0.0.1:9090", hasToken: false },
        metrics: "app",
        intervalSeconds: 60,
        windowSeconds: 300,
        minRequests: 20,
        failureLimit: 2,
        alpha,
        checks: [successRate],
    };
}

/** One sample of both colors: requests split by weight, each color's errors at its rate. */
export function simulatedSample(scenario: Scenario, time: number, intervalSeconds: number, random: () => number): Sample {
    const color = (share: number, errors: number) => {
        const requests = poisson(scenario.requestsPerSecond * intervalSeconds * share, random);
        const failed = poisson(requests * errors, random);
        // Prometheus answers 0 / 0 with NaN: no value, not a rate.
        return { requests, values: { "success-rate": requests > 0 ? 100 * (1 - Math.min(failed, requests) / requests) : undefined } };
    };
    return { time, candidate: color(scenario.weight / 100, scenario.candidateErrors), stable: color(1 - scenario.weight / 100, scenario.stableErrors) };
}

export type Outcome = "rollback" | "pass" | "hold";

export interface StepRun {
    outcome: Outcome;
    /** Samples taken until the decision (or the limit, for a hold). */
    samples: number;
}

/**
 * One step, judged after every sample as `switchyard advance` would be, on the samples it would
 * fetch, until it rolls back or passes, or `maxSamples` go by (a hold).
 */
export function simulateStep(scenario: Scenario, analysis: AnalysisSpec, random: () => number, maxSamples: number): StepRun {
    const target: AnalysisTarget = { service: "sim", cluster: "sim", namespace: "sim", candidate: "green", stable: "blue", candidateWeight: scenario.weight };
    const fetched = evidenceSamples(analysis);
    const samples: Sample[] = [];
    for (let k = 1; k <= maxSamples; k++) {
        samples.push(simulatedSample(scenario, k * analysis.intervalSeconds, analysis.intervalSeconds, random));
        const verdict = judgeWindow(target, samples.slice(-fetched), analysis).verdict;
        if (verdict === "fail") return { outcome: "rollback", samples: k };
        if (verdict === "pass") return { outcome: "pass", samples: k };
    }
    return { outcome: "hold", samples: maxSamples };
}

export interface JudgeSummary {
    rollback: number;
    pass: number;
    hold: number;
    /** Samples to a rollback, over the runs that rolled back; undefined without any. */
    medianToRollback: number | undefined;
    meanToRollback: number | undefined;
    medianToPass: number | undefined;
}

function median(values: number[]): number | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Shares of runs by outcome and samples to the decision, over `runs` seeded steps. */
export function summarize(runs: readonly StepRun[]): JudgeSummary {
    const share = (outcome: Outcome) => runs.filter((r) => r.outcome === outcome).length / runs.length;
    const toRollback = runs.filter((r) => r.outcome === "rollback").map((r) => r.samples);
    return {
        rollback: share("rollback"),
        pass: share("pass"),
        hold: share("hold"),
        medianToRollback: median(toRollback),
        meanToRollback: toRollback.length > 0 ? toRollback.reduce((sum, n) => sum + n, 0) / toRollback.length : undefined,
        medianToPass: median(runs.filter((r) => r.outcome === "pass").map((r) => r.samples)),
    };
}

/** Both judges on streams from the same seed (each its own generator: a step that ends early does not shift the other judge's draws). */
export function compareJudges(scenario: Scenario, runs: number, seed: number, maxSamples: number): Record<Judge, JudgeSummary> {
    const run = (judge: Judge) => {
        const random = seededRandom(seed);
        const analysis = simulatedAnalysis(judge);
        return summarize(Array.from({ length: runs }, () => simulateStep(scenario, analysis, random, maxSamples)));
    };
    return { evidence: run("evidence"), today: run("today") };
}

/** The grid `npm run bench -- --analysis` runs: the scenarios and more, A/A first. */
export const ANALYSIS_GRID: readonly Scenario[] = [
    { requestsPerSecond: 20, weight: 5, candidateErrors: 0.005, stableErrors: 0.005 },
    { requestsPerSecond: 20, weight: 25, candidateErrors: 0.005, stableErrors: 0.005 },
    { requestsPerSecond: 200, weight: 5, candidateErrors: 0.005, stableErrors: 0.005 },
    { requestsPerSecond: 200, weight: 25, candidateErrors: 0.005, stableErrors: 0.005 },
    { requestsPerSecond: 2000, weight: 5, candidateErrors: 0.005, stableErrors: 0.005 },
    { requestsPerSecond: 2000, weight: 50, candidateErrors: 0.001, stableErrors: 0.001 },
    { requestsPerSecond: 2000, weight: 5, candidateErrors: 0.009, stableErrors: 0.001 },
    { requestsPerSecond: 200, weight: 25, candidateErrors: 0.009, stableErrors: 0.001 },
    { requestsPerSecond: 20, weight: 5, candidateErrors: 0.02, stableErrors: 0.005 },
    { requestsPerSecond: 200, weight: 5, candidateErrors: 0.02, stableErrors: 0.005 },
    { requestsPerSecond: 2000, weight: 5, candidateErrors: 0.003, stableErrors: 0.001 },
    { requestsPerSecond: 200, weight: 25, candidateErrors: 0.3, stableErrors: 0 },
];

const pct = (share: number) => `${(100 * share).toFixed(1)} %`;
const samplesText = (value: number | undefined) => (value === undefined ? "—" : Number(value.toFixed(1)).toString());

/** The markdown table of a run: per scenario, each judge's outcome shares and samples to a rollback. */
export function analysisTable(rows: readonly { scenario: Scenario; result: Record<Judge, JudgeSummary> }[]): string {
    const head = "| scenario | today: rolled back | today: passed | today: samples to rollback (median / mean) | evidence: rolled back | evidence: passed | evidence: held at the limit | evidence: samples to rollback (median / mean) | evidence: samples to pass (median) |";
    const rule = "|---|---|---|---|---|---|---|---|---|";
    const lines = rows.map(({ scenario: s, result: { today, evidence } }) => {
        const kind = s.candidateErrors === s.stableErrors ? "A/A" : `${Number((s.candidateErrors / Math.max(s.stableErrors, 1e-9)).toPrecision(2))}×`;
        const name = `${kind}: ${pct(s.candidateErrors)} vs ${pct(s.stableErrors)}, ${s.requestsPerSecond} rps, at ${s.weight} %`;
        return `| ${s.stableErrors === 0 ? name.replace(/^[^:]+/, "broken") : name} | ${pct(today.rollback)} | ${pct(today.pass)} | ${samplesText(today.medianToRollback)} / ${samplesText(today.meanToRollback)} | ${pct(evidence.rollback)} | ${pct(evidence.pass)} | ${pct(evidence.hold)} | ${samplesText(evidence.medianToRollback)} / ${samplesText(evidence.meanToRollback)} | ${samplesText(evidence.medianToPass)} |`;
    });
    return [head, rule, ...lines].join("\n");
}
