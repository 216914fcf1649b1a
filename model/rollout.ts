// The rollout plan (`switchyard:rollout`): which color is released, the steps its weight walks
// through, the guard on each step, and how each step is judged against Prometheus. Also the pure
// step arithmetic the `switchyard` command and the guard share. Pure: no Pulumi import.

import type { AnalysisSpec, CheckSpec, Cohort, Color, RolloutSpec, StackModel } from "./config/types.ts";
import {
    CHECK_PRESETS,
    LATENCY_HISTOGRAMS,
    METRIC_SOURCES,
    PLACEHOLDERS,
    isLatencyPreset,
    placeholdersIn,
    type CheckPreset,
    type CheckPresetName,
    type LatencyPresetName,
    type MetricSource,
} from "./metricQueries.ts";
import { closest, isPlainObject, ObjectReader, parseStructured, type Problems } from "./validation.ts";

/** The color being released when the stack does not name one; the other is the stable color. */
export const DEFAULT_CANDIDATE: Color = "green";

export const DEFAULT_ROLLOUT: RolloutSpec = { candidate: DEFAULT_CANDIDATE, steps: [5, 25, 50, 75, 100], maxStep: 25 };

/** A fresh copy of the defaults, which a caller may change. */
function defaultRollout(): RolloutSpec {
    return { ...DEFAULT_ROLLOUT, steps: [...DEFAULT_ROLLOUT.steps] };
}

// waves are read with the fleet file (model/config/scope.ts): they move a fleet's cluster stacks.
const ROLLOUT_KEYS = ["candidate", "steps", "maxStep", "analysis", "waves"] as const;
const ANALYSIS_KEYS = ["prometheus", "metrics", "interval", "window", "minRequests", "failureLimit", "alpha", "checks"] as const;
const PROMETHEUS_KEYS = ["url", "token"] as const;
const CHECK_KEYS = ["name", "query", "per", "min", "max", "maxWorseThanStable", "gate"] as const;
/** α when the stack gives none: 1 % of candidates as good as stable rolled back by noise, at most. */
export const DEFAULT_ALPHA = 0.01;
const DEFAULT_CHECKS: CheckPresetName[] = ["success-rate", "latency-p99"];
const CHECK_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PATH = "switchyard:rollout";

// Prometheus durations in whole seconds, units largest first: 90s, 1m30s, 2h. No ms, no sign, no spaces.
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in a Prometheus-style duration such as 30s, 5m or 1h30m; undefined unless it is one and above 0. */
export function parseDuration(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (!match) return undefined;
    const [hours, minutes, seconds] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0)) as [number, number, number];
    const total = hours * 3600 + minutes * 60 + seconds;
    return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest duration text for whole seconds: 90 → 1m30s, 300 → 5m, 3600 → 1h. */
export function formatDuration(totalSeconds: number): string {
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    const text = `${hours > 0 ? `${hours}h` : ""}${minutes > 0 ? `${minutes}m` : ""}${seconds > 0 ? `${seconds}s` : ""}`;
    return text === "" ? "0s" : text;
}

/** The candidate's percentage of traffic given green's: green as candidate takes greenWeight, blue the rest. */
export function candidateWeightOf(greenWeight: number, candidate: Color): number {
    return candidate === "green" ? greenWeight : 100 - greenWeight;
}

/** The greenWeight that gives the candidate `candidateWeight` percent: the same mapping, as it is its own inverse. */
export function greenWeightForCandidate(candidateWeight: number, candidate: Color): number {
    return candidateWeightOf(candidateWeight, candidate);
}

export function stableColorOf(candidate: Color): Color {
    return candidate === "green" ? "blue" : "green";
}

/** The step after `current`: the first step above it, or undefined once the candidate has 100 %. */
export function nextStep(current: number, steps: readonly number[]): number | undefined {
    return steps.find((step) => step > current);
}

/** A change of one greenWeight in the stack file: the stack's own, or one cluster's override. */
export interface WeightEdit {
    /** Index into switchyard:clusters for an override; undefined for the stack's greenWeight. */
    cluster?: number;
    greenWeight: number;
}

/** Points one cohort (an index into switchyard:cohorts) at another color. */
export interface CohortEdit {
    cohort: number;
    color: Color;
}

/** One change to the stack file that `advance` writes. */
export type StackEdit = WeightEdit | CohortEdit;

export function isCohortEdit(edit: StackEdit): edit is CohortEdit {
    return "cohort" in edit;
}

/** Moves the stack's greenWeight so the candidate gets `candidateWeight`; cluster overrides stay. */
export function stepEdit(rollout: RolloutSpec, candidateWeight: number): WeightEdit[] {
    return [{ greenWeight: greenWeightForCandidate(candidateWeight, rollout.candidate) }];
}

/**
 * Takes every bit of traffic off the candidate in one edit: the stack's greenWeight, every cluster
 * override that still sends the candidate traffic, and every cohort aimed at the candidate, which
 * goes to the stable color (the route would otherwise keep sending those users to the candidate,
 * and keep waiting for it). Overrides already at 0 stay untouched.
 */
export function rollbackEdits(model: Pick<StackModel, "greenWeight" | "clusters" | "cohorts">, rollout: RolloutSpec): StackEdit[] {
    const zero = greenWeightForCandidate(0, rollout.candidate);
    const edits: StackEdit[] = [];
    if (candidateWeightOf(model.greenWeight, rollout.candidate) > 0) edits.push({ greenWeight: zero });
    model.clusters.forEach((cluster, index) => {
        if (cluster.greenWeight !== undefined && candidateWeightOf(cluster.greenWeight, rollout.candidate) > 0) {
            edits.push({ cluster: index, greenWeight: zero });
        }
    });
    edits.push(...cohortRollbackEdits(model.cohorts, rollout.candidate));
    return edits;
}

/** Every cohort aimed at the candidate, pointed at the stable color: a rollback's cohort edits, wherever the cohorts are written. */
export function cohortRollbackEdits(cohorts: readonly Pick<Cohort, "color">[], candidate: Color): CohortEdit[] {
    return cohorts.flatMap((cohort, index) => (cohort.color === candidate ? [{ cohort: index, color: stableColorOf(candidate) }] : []));
}

function readDurationKey(reader: ObjectReader, key: string, fallback: number): number {
    if (!reader.has(key)) return fallback;
    const value = reader.raw(key);
    // A list such as ["5m"] would read as its text; only a string is a duration.
    const seconds = typeof value === "string" ? parseDuration(value) : undefined;
    if (seconds === undefined) {
        reader.problem(key, "a duration above 0 in whole seconds, minutes or hours, e.g. 30s, 1m, 5m or 1h30m");
        return fallback;
    }
    return seconds;
}

/** A number, or a string holding one (stack files sometimes quote numbers); blank text is none. */
function readNumber(reader: ObjectReader, key: string, allowed: string, minimum = Number.NEGATIVE_INFINITY): number | undefined {
    if (!reader.has(key)) return undefined;
    const value = reader.raw(key);
    const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
    if (!Number.isFinite(n) || n < minimum) {
        reader.problem(key, allowed);
        return undefined;
    }
    return n;
}

function isStep(item: unknown): item is number {
    return Number.isSafeInteger(item) && (item as number) >= 1 && (item as number) <= 100;
}

function readSteps(reader: ObjectReader, problems: Problems, maxStep: number): number[] {
    if (!reader.has("steps")) return defaultRollout().steps;
    const value = reader.raw("steps");
    const allowed = `a list of candidate weights, strictly increasing integers from 1 to 100 that end at 100, each at most ${PATH}.maxStep (${maxStep}) above the one before (and the first at most that above 0), e.g. [5, 25, 50, 75, 100]`;
    if (!Array.isArray(value) || value.length === 0) {
        reader.problem("steps", allowed);
        return defaultRollout().steps;
    }
    const found = problems.list.length;
    let previous = 0;
    value.forEach((item, i) => {
        const path = `${reader.at("steps")}[${i}]`;
        if (!isStep(item)) {
            problems.add(path, item, "an integer from 1 to 100 (a percentage of traffic on the candidate)");
        } else if (item <= previous) {
            problems.add(path, item, `a weight above the step before it (${previous}): steps strictly increase`);
        } else if (item - previous > maxStep) {
            problems.add(path, item, `at most ${previous + maxStep}: a rise of at most ${PATH}.maxStep (${maxStep}) over ${previous}; add a step in between or raise maxStep`);
        }
        if (isStep(item)) previous = Math.max(previous, item);
    });
    const last = value[value.length - 1];
    if (isStep(last) && last !== 100) {
        problems.add(`${reader.at("steps")}[${value.length - 1}]`, last, "100 as the last step: a rollout ends with the candidate taking all traffic");
    }
    // Steps with a mistake read as the defaults, so the rest of the stack is still checked against sane ones.
    return problems.list.length === found ? (value as number[]) : defaultRollout().steps;
}

function presetCheck(name: CheckPresetName): CheckSpec {
    const preset: CheckPreset = CHECK_PRESETS[name];
    // Latency is judged like errors: the requests slower than the bar out of those the histogram
    // counted, at most slowShare % of them. The bar must be one of the histogram's buckets.
    if (preset.slowShare !== undefined) {
        return { name, preset: name, bound: "max", threshold: preset.slowShare, unit: "%", rate: true, slowerThanMs: preset.threshold };
    }
    // Errors and requests are counters, so the success rate is judged from counts.
    return { name, preset: name, bound: preset.bound, threshold: preset.threshold, unit: preset.unit, rate: true };
}

/** A latency preset's bar: one of the source's bucket boundaries, or a problem that lists them. */
function readLatencyBar(check: ObjectReader, name: LatencyPresetName, max: number | undefined, metrics: MetricSource): number {
    const fallback = CHECK_PRESETS[name].threshold;
    if (max === undefined) return fallback;
    const { bucketsMs } = LATENCY_HISTOGRAMS[metrics];
    if (!bucketsMs.includes(max)) {
        check.problem(
            "max",
            `a latency in ms that is a bucket boundary of the ${metrics} source's histogram, which counts requests by those alone: ` +
                `${bucketsMs.join(", ")} (for another bar, a custom check with its own query and per)`,
        );
        return fallback;
    }
    return max;
}

const PRESET_NAMES = Object.keys(CHECK_PRESETS) as CheckPresetName[];

function readCheck(item: unknown, path: string, problems: Problems, metrics: MetricSource): CheckSpec | undefined {
    const presetAllowed = `a preset (${PRESET_NAMES.join(", ")}) or an object {name, query, per, min | max, maxWorseThanStable, gate}`;
    if (typeof item === "string") {
        if ((PRESET_NAMES as string[]).includes(item)) return presetCheck(item as CheckPresetName);
        const guess = closest(item, PRESET_NAMES);
        problems.add(path, item, `${guess ? `did you mean "${guess}"? ` : ""}${presetAllowed}`);
        return undefined;
    }
    if (!isPlainObject(item)) {
        problems.add(path, item, presetAllowed);
        return undefined;
    }
    const check = new ObjectReader(item, path, problems, CHECK_KEYS);
    const name = check.string("name", `a check name: a preset (${PRESET_NAMES.join(", ")}) or your own lowercase name, e.g. checkout-errors`, { pattern: CHECK_NAME });
    const query = check.optionalString("query", "a PromQL template, e.g. sum(rate(app_errors_total{service=\"{service}\",color=\"{color}\"}[{window}]))");
    const min = readNumber(check, "min", "a number: the lowest value that passes");
    const max = readNumber(check, "max", "a number: the highest value that passes");
    const worse = readNumber(check, "maxWorseThanStable", "a number >= 0: how much worse than the stable color the candidate may be, in the check's unit", 0);
    const allowance = worse === undefined ? {} : { maxWorseThanStable: worse };
    const per = check.optionalString("per", 'a PromQL template counting what the query\'s events are out of in {window}, e.g. sum(increase(sessions_total{service="{service}",color="{color}"}[{window}]))');
    const gateGiven = check.raw("gate");
    if (check.has("gate") && typeof gateGiven !== "boolean") check.problem("gate", "true or false: false reports the check without letting it decide a step");
    const gate = gateGiven === false ? { gate: false as const } : {};
    if (name === undefined) return undefined;
    const isPreset = (PRESET_NAMES as string[]).includes(name);
    if (isPreset && query === undefined) {
        const preset = presetCheck(name as CheckPresetName);
        const wrongBound = preset.bound === "min" ? "max" : "min";
        if (check.has(wrongBound)) check.problem(wrongBound, `only ${preset.bound} for ${name}: ${CHECK_PRESETS[name as CheckPresetName].meaning}`);
        if (per !== undefined) check.problem("per", `no per for the preset ${name}: it counts what its metric source counts`);
        if (isLatencyPreset(preset.preset)) {
            const share = preset.threshold;
            // In points of the share of slow requests, as the success rate's are points of errors; at or above the share it never bites before the bar does.
            if (worse !== undefined && worse >= share) {
                check.problem(
                    "maxWorseThanStable",
                    `a number of percentage points from 0 to below ${share}: how many more of the candidate's requests than stable's may be slower than the bar ` +
                        `(${name} allows ${share} % of them to be; not milliseconds)`,
                );
            }
            return { ...preset, slowerThanMs: readLatencyBar(check, preset.preset, max, metrics), ...allowance, ...gate };
        }
        return { ...preset, threshold: (preset.bound === "min" ? min : max) ?? preset.threshold, ...allowance, ...gate };
    }
    if (isPreset) check.problem("name", `a name other than a preset's (${PRESET_NAMES.join(", ")}) for a check with its own query`);
    if (query === undefined) {
        const guess = closest(name, PRESET_NAMES);
        check.problem("query", `a PromQL template for the custom check "${name}"${guess ? ` (or did you mean the preset "${guess}"?)` : ""}`);
        return undefined;
    }
    const placeholders = placeholdersIn(query);
    const unknown = placeholders.find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown !== undefined) {
        check.problem("query", `only the placeholders ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}; {${unknown}} is none of them`);
    } else if (!placeholders.includes("color")) {
        check.problem("query", "a template that uses {color}: without it the query returns the same value for both colors and cannot tell them apart");
    }
    // By presence, not value: a bound that is no number already has its own problem.
    if (check.has("min") === check.has("max")) {
        check.problem(check.has("min") ? "min" : "max", "exactly one of min or max: the bound that passes");
    }
    if (per !== undefined && !placeholdersIn(per).includes("color")) {
        check.problem("per", "a template that uses {color}, as the query does: each color's events are out of its own count");
    }
    const bound = check.has("max") ? "max" : "min";
    const threshold = max ?? min ?? 0;
    // A rate is in percent, so its bar is one too.
    if (per !== undefined && (threshold < 0 || threshold > 100)) check.problem(bound, "a percentage from 0 to 100: a check with per is a rate, 100 × query / per");
    if (per !== undefined) return { name, query, per, rate: true, bound, threshold, ...allowance, unit: "%", ...gate };
    return { name, query, bound, threshold, ...allowance, unit: "", ...gate };
}

function readChecks(analysis: ObjectReader, problems: Problems, metrics: MetricSource): CheckSpec[] {
    if (!analysis.has("checks")) return DEFAULT_CHECKS.map(presetCheck);
    const value = analysis.raw("checks");
    if (!Array.isArray(value) || value.length === 0) {
        analysis.problem("checks", `a non-empty list of checks: presets by name (${DEFAULT_CHECKS.join(", ")}) or {name, query, min | max}`);
        return DEFAULT_CHECKS.map(presetCheck);
    }
    const checks: CheckSpec[] = [];
    value.forEach((item, i) => {
        const check = readCheck(item, `${analysis.at("checks")}[${i}]`, problems, metrics);
        if (!check) return;
        const first = checks.findIndex((c) => c.name === check.name);
        if (first >= 0) {
            problems.add(`${analysis.at("checks")}[${i}].name`, check.name, `a name no other check uses (checks[${first}] is also "${check.name}")`);
            return;
        }
        checks.push(check);
    });
    return checks;
}

function readAnalysis(rollout: ObjectReader, problems: Problems, isSecret: boolean): AnalysisSpec | undefined {
    const analysis = rollout.object("analysis", ANALYSIS_KEYS, {
        required: false,
        allowed: "an object with prometheus {url, token}, metrics, interval, window, minRequests, failureLimit, alpha and checks",
    });
    if (!analysis) return undefined;
    const prometheus = analysis.object("prometheus", PROMETHEUS_KEYS, {
        required: true,
        allowed: "an object with the url of the Prometheus HTTP API (and an optional token, as a secret)",
    });
    const url = prometheus?.string("url", "an http:// or https:// URL of Prometheus (or a Prometheus-compatible query API), e.g. https://prometheus.example.com");
    if (url !== undefined && !isHttpUrl(url)) prometheus!.problem("url", "an http:// or https:// URL, e.g. https://prometheus.example.com");
    const hasToken = prometheus?.has("token") ?? false;
    if (hasToken && !isSecret) {
        problems.add(
            prometheus!.at("token"),
            "<a plaintext token>",
            `a Pulumi secret: run 'pulumi config set --secret --path rollout.analysis.prometheus.token <token>' (a bearer token must not sit in the stack file in plaintext)`,
        );
    }
    const metricsGiven = analysis.raw("metrics");
    const metricsGuess = typeof metricsGiven === "string" ? closest(metricsGiven, METRIC_SOURCES) : undefined;
    const metrics = analysis.string("metrics", `${metricsGuess ? `did you mean "${metricsGuess}"? ` : ""}a metric source: ${METRIC_SOURCES.join(", ")}`, {
        pattern: new RegExp(`^(${METRIC_SOURCES.join("|")})$`),
        fallback: "app",
    }) as MetricSource;
    const intervalSeconds = readDurationKey(analysis, "interval", 60);
    const windowSeconds = readDurationKey(analysis, "window", 300);
    // A window shorter than the interval is no multiple of it either.
    if (windowSeconds % intervalSeconds !== 0) {
        problems.add(
            analysis.at("window"),
            analysis.raw("window") ?? formatDuration(windowSeconds),
            `a whole multiple of interval (${formatDuration(intervalSeconds)}): the window is judged as a run of whole samples`,
        );
    }
    return {
        prometheus: { url: url ?? "", hasToken },
        metrics,
        intervalSeconds,
        windowSeconds,
        minRequests: analysis.integer("minRequests", { min: 1, meaning: "requests per color per sample; fewer make the sample inconclusive" }, 20),
        failureLimit: analysis.integer("failureLimit", { min: 1, meaning: "failing samples within a step that roll the release back" }, 2),
        alpha: readAlpha(analysis),
        checks: readChecks(analysis, problems, metrics),
    };
}

function readAlpha(analysis: ObjectReader): number {
    const alpha = readNumber(analysis, "alpha", "a number above 0 and at most 0.2: the chance of rolling back a candidate as good as stable, e.g. 0.01");
    if (alpha === undefined) return DEFAULT_ALPHA;
    if (alpha <= 0 || alpha > 0.2) {
        analysis.problem("alpha", "a number above 0 and at most 0.2: the chance of rolling back a candidate as good as stable, e.g. 0.01");
        return DEFAULT_ALPHA;
    }
    return alpha;
}

function isHttpUrl(text: string): boolean {
    return URL.canParse(text) && ["http:", "https:"].includes(new URL(text).protocol);
}

/**
 * Reads `switchyard:rollout` (JSON text as the SDK hands it over; undefined when the stack is silent).
 * `isSecret` tells whether the stack holds the key as a secret, which a token requires.
 */
export function readRollout(raw: string | undefined, problems: Problems, isSecret: boolean): RolloutSpec {
    if (raw === undefined) return defaultRollout();
    const value = parseStructured(PATH, raw, problems, "an object");
    if (value === undefined) return defaultRollout();
    if (!isPlainObject(value)) {
        problems.add(PATH, value, `an object with ${ROLLOUT_KEYS.join(", ")}`);
        return defaultRollout();
    }
    const rollout = new ObjectReader(value, PATH, problems, ROLLOUT_KEYS);
    const candidate = rollout.string("candidate", "blue or green: the color being released", { pattern: /^(blue|green)$/, fallback: DEFAULT_CANDIDATE }) as Color;
    const maxStep = rollout.integer("maxStep", { min: 1, max: 100, meaning: "the largest rise of the candidate's weight in one update; 100 turns the guard off" }, 25);
    const steps = readSteps(rollout, problems, maxStep);
    const analysis = readAnalysis(rollout, problems, isSecret);
    return { candidate, steps, maxStep, ...(analysis ? { analysis } : {}) };
}

/**
 * Cross-field rules. A stack set up for analysis releases its candidate into every service at once,
 * so every service needs the candidate color deployed. (Stacks without analysis may keep a color
 * undeployed while it gets no traffic, which the fleet rules already guard.)
 */
export function checkRollout(model: Pick<StackModel, "services" | "rollout">, problems: Problems): void {
    const { candidate, analysis } = model.rollout;
    if (!analysis) return;
    model.services.forEach((service, si) => {
        if (service.name !== "" && service[candidate] === undefined) {
            problems.add(
                `switchyard:services[${si}].${candidate}.image`,
                undefined,
                `an image (or build) for ${candidate} in service ${service.name}: ${PATH}.candidate is ${candidate}, and a rollout releases it in every service`,
            );
        }
    });
}
