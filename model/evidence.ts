// Anytime-valid statistics of rates from running counts: e-values and confidence sequences that stay
// valid however often they are looked at (Ville's inequality: a nonnegative martingale with mean 1
// reaches 1/α with probability at most α, ever). Pure: numbers in, numbers out; no Pulumi import.
//
// - A rate (errors / requests): Robbins' beta-binomial mixture martingale with a Beta(½, ½) prior
//   (Robbins 1970; the "conjugate mixture" of Howard, Ramdas, McAuliffe & Sekhon 2021). Its level
//   set is a confidence sequence for the rate; at the bar it is the absolute test.
// - Candidate against stable: given the errors both colors made in one sample, the number that
//   landed on the candidate is binomial with the candidate's share of requests when both colors
//   fail alike (exact for Poisson counts; for binomial counts the true law, hypergeometric, is
//   smaller in convex order, Hoeffding 1963, so the test only gets conservative). The odds shift by
//   the rate ratio, so a normal mixture over its logarithm on a grid (Robbins' mixture SPRT, as in
//   Johari et al.'s always-valid p-values and Lindon & Malek's sequential tests for counts,
//   arXiv 2011.03567) gives the relative test and a confidence sequence for the ratio.

/** Trials and events of one color, e.g. requests and errors; counts from `increase()` need not be whole. */
export interface Counts {
    trials: number;
    events: number;
}

/** Which way a rate is worse: errors are worse higher, conversions lower. */
export type Worse = "higher" | "lower";

export interface Interval {
    lower: number;
    upper: number;
}

// Lanczos' approximation (g = 7, nine terms), good to about 15 digits for x ≥ 0.5: every argument here is a count plus ½.
const LANCZOS = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x ≥ 0.5. */
export function logGamma(x: number): number {
    const z = x - 1;
    let sum = LANCZOS[0]!;
    for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
    const t = z + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) for a, b ≥ 0.5. */
export function logBeta(a: number, b: number): number {
    return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Events clamped into [0, trials]: two counters scraped a moment apart can disagree by a little. */
function clean(counts: Counts): Counts {
    const trials = Math.max(0, counts.trials);
    return { trials, events: Math.min(trials, Math.max(0, counts.events)) };
}

// x·ln p with 0·ln 0 = 0: no events say nothing against a rate of 0.
function xLogP(x: number, p: number): number {
    return x === 0 ? 0 : x * Math.log(p);
}

/**
 * ln of the beta-binomial mixture martingale against the rate `rate`:
 * ∫ p^x (1 − p)^(n − x) Beta(p; ½, ½) dp / (rate^x (1 − rate)^(n − x)). Under that rate its mean is 1
 * at every count, so it reaches ln(1/α) with probability at most α.
 */
export function logRateEvidence(counts: Counts, rate: number): number {
    const { trials, events } = clean(counts);
    const marginal = logBeta(events + 0.5, trials - events + 0.5) - Math.log(Math.PI);
    return marginal - xLogP(events, rate) - xLogP(trials - events, 1 - rate);
}

/**
 * The point in [lo, hi] where a monotone `f` crosses `level`, to within `tolerance`; `rising` says which way f goes.
 * Halving stops by itself: every bracket here is finite and at most 1024 wide, and two neighboring
 * doubles below 2048 are far closer than any tolerance used (1e-12 and up), so at most 40 halvings.
 */
function crossing(f: (x: number) => number, level: number, lo: number, hi: number, rising: boolean, tolerance = 1e-12): number {
    while (hi - lo > tolerance * Math.max(1, Math.abs(lo))) {
        const mid = (lo + hi) / 2;
        if (f(mid) >= level === rising) hi = mid;
        else lo = mid;
    }
    return (lo + hi) / 2;
}

/** The rates the mixture has not ruled out at level α: a confidence sequence, valid at every look at once. */
export function rateInterval(counts: Counts, alpha: number): Interval {
    const { trials, events } = clean(counts);
    const level = Math.log(1 / alpha);
    const estimate = events / trials;
    const f = (rate: number) => logRateEvidence({ trials, events }, rate);
    // No requests are no errors (clean), so both ends take their shortcut: [0, 1], and 0/0 is never used.
    return {
        lower: events === 0 ? 0 : crossing(f, level, 0, estimate, false),
        upper: events === trials ? 1 : crossing(f, level, estimate, 1, true),
    };
}

/**
 * ln e-value that the rate is worse than `bar`: the mixture's smallest value over the rates that are
 * not (it is convex in the rate, so that is at the bar once the estimate is past it, else at the
 * estimate, where it is at most 0).
 */
export function absoluteLogEvidence(counts: Counts, bar: number, worse: Worse): number {
    const { trials, events } = clean(counts);
    // Without requests the estimate is 0/0, but the mixture is then ln 1 = 0 at any rate (0·ln of anything is 0).
    const estimate = events / trials;
    return logRateEvidence({ trials, events }, worse === "higher" ? Math.min(estimate, bar) : Math.max(estimate, bar));
}

/** One sample's increments of both colors. */
export interface SplitLook {
    candidate: Counts;
    stable: Counts;
}

// The prior over the log rate ratio: N(0, 1.5²) on a grid from −6 to 6 (ratios from 1/400 to 400).
// A discrete prior keeps the mixture an exact martingale; 1.5 puts most weight on 1.5×–20×.
const PRIOR_SCALE = 1.5;
const GRID = Array.from({ length: 61 }, (_, i) => -6 + i * 0.2);
const LOG_WEIGHTS = (() => {
    // The raw log weights lie in [−8, 0]: their exponentials sum plainly, with no pivot against overflow.
    const raw = GRID.map((b) => -(b * b) / (2 * PRIOR_SCALE * PRIOR_SCALE));
    const norm = Math.log(raw.reduce((sum, w) => sum + Math.exp(w), 0));
    return raw.map((w) => w - norm);
})();

/** ln Σ e^t, pivoted on the largest term: likelihoods of thousands of errors lie far beyond a double's range. */
function logSumExp(terms: readonly number[]): number {
    const top = Math.max(...terms);
    return top + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - top), 0));
}

function softplus(x: number): number {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** What one look tells about the ratio: its errors and the candidate's log odds of requests; undefined when nothing. */
interface Informative {
    candidateEvents: number;
    stableEvents: number;
    logOdds: number;
}

function informative(look: SplitLook): Informative | undefined {
    const candidate = clean(look.candidate);
    const stable = clean(look.stable);
    // Without requests on both colors, or without errors, the split says nothing about the ratio.
    if (candidate.trials === 0 || stable.trials === 0 || candidate.events + stable.events === 0) return undefined;
    return { candidateEvents: candidate.events, stableEvents: stable.events, logOdds: Math.log(candidate.trials / stable.trials) };
}

/** ln likelihood of where the errors landed, at log rate ratio `beta` (±Infinity: the limit). */
function splitLogLikelihood(looks: readonly Informative[], beta: number): number {
    let sum = 0;
    for (const look of looks) {
        if (beta === Number.POSITIVE_INFINITY) sum += look.stableEvents === 0 ? 0 : Number.NEGATIVE_INFINITY;
        else if (beta === Number.NEGATIVE_INFINITY) sum += look.candidateEvents === 0 ? 0 : Number.NEGATIVE_INFINITY;
        else {
            // softplus(−z) = softplus(z) − z: one logarithm per look, not two.
            const z = look.logOdds + beta;
            const s = softplus(z);
            sum -= look.candidateEvents * (s - z) + look.stableEvents * s;
        }
    }
    return sum;
}

function logMixture(looks: readonly Informative[]): number {
    return logSumExp(GRID.map((beta, j) => LOG_WEIGHTS[j]! + splitLogLikelihood(looks, beta)));
}

/** The log rate ratio that explains the split best (the conditional MLE); ±Infinity when every error fell on one color. */
function bestLogRatio(looks: readonly Informative[]): number {
    const candidate = looks.reduce((sum, l) => sum + l.candidateEvents, 0);
    const stable = looks.reduce((sum, l) => sum + l.stableEvents, 0);
    if (candidate === 0) return Number.NEGATIVE_INFINITY;
    if (stable === 0) return Number.POSITIVE_INFINITY;
    // The score Σ(x_c − K·θ(β)) falls as β rises.
    const score = (beta: number) => looks.reduce((sum, l) => sum + l.candidateEvents - (l.candidateEvents + l.stableEvents) / (1 + Math.exp(-(l.logOdds + beta))), 0);
    return crossing(score, 0, -60, 60, false, 1e-9);
}

/** ln of the mixture against the log rate ratio `beta`. */
function logRatioEvidence(looks: readonly Informative[], beta: number): number {
    return logMixture(looks) - splitLogLikelihood(looks, beta);
}

/** ln of the mixture against the rate ratio `ratio` (candidate / stable): at ratio 1, the e-value that both fail alike. */
export function logSplitEvidence(looks: readonly SplitLook[], ratio: number): number {
    const useful = looks.flatMap((look) => informative(look) ?? []);
    return useful.length === 0 ? 0 : logRatioEvidence(useful, Math.log(ratio));
}

/**
 * ln e-value that the candidate's rate is worse than stable's: the mixture's smallest value over the
 * ratios that are not worse (at ratio 1 once the split leans the worse way, else at most 0).
 */
export function relativeLogEvidence(looks: readonly SplitLook[], worse: Worse): number {
    const useful = looks.flatMap((look) => informative(look) ?? []);
    if (useful.length === 0) return 0;
    const best = bestLogRatio(useful);
    return logRatioEvidence(useful, worse === "higher" ? Math.min(best, 0) : Math.max(best, 0));
}

/** The rate ratios (candidate / stable) the mixture has not ruled out at level α; [0, ∞] without errors to go by. */
export function ratioInterval(looks: readonly SplitLook[], alpha: number): Interval {
    const useful = looks.flatMap((look) => informative(look) ?? []);
    if (useful.length === 0) return { lower: 0, upper: Number.POSITIVE_INFINITY };
    const level = Math.log(1 / alpha);
    const best = bestLogRatio(useful);
    // The mixture does not depend on the ratio tried: once, not per step of the search.
    const mixture = logMixture(useful);
    const f = (beta: number) => mixture - splitLogLikelihood(useful, beta);
    const edge = (direction: -1 | 1): number => {
        if (best === direction * Number.POSITIVE_INFINITY) return direction * Number.POSITIVE_INFINITY;
        const from = Number.isFinite(best) ? best : -direction * 60;
        let step = 1;
        while (f(from + direction * step) < level && step < 1e3) step *= 2;
        if (f(from + direction * step) < level) return direction * Number.POSITIVE_INFINITY;
        // A millionth of a log ratio is a millionth of the ratio: far below what a report shows.
        return direction < 0 ? crossing(f, level, from - step, from, false, 1e-6) : crossing(f, level, from, from + step, true, 1e-6);
    };
    return { lower: Math.exp(edge(-1)), upper: Math.exp(edge(1)) };
}

/** How a rate check is tested: its bar and allowance as fractions, and α. */
export interface RateTest {
    worse: Worse;
    /** The rate no candidate may be worse than, e.g. 0.01 for 1 % errors. */
    bar: number;
    /** How much worse than stable the candidate may be (a fraction: 0.005 is half a point); 0 by default. */
    margin: number;
    /** Whether to compare with stable at all: not when stable gets no traffic by design. */
    compare: boolean;
    alpha: number;
}

export interface RateFinding {
    /** The looks the tests went through: all of them, or up to the one that failed (its interval of the ratio: ratioInterval). */
    looks: SplitLook[];
    candidate: Counts;
    stable: Counts;
    /** Confidence sequences at level α (α/2 each when the comparison has a margin). */
    candidateInterval: Interval;
    stableInterval: Interval;
    /** candidate rate / stable rate; undefined without a stable rate to divide by. */
    ratio: number | undefined;
    /** The largest e-value each test reached over the looks; relative is undefined when not compared. */
    relativeEvidence: number | undefined;
    absoluteEvidence: number;
    /** The first look (0-based) at which a test reached 1/α; undefined when none did. */
    failedAt: number | undefined;
    failedBy: "relative" | "absolute" | undefined;
    /** The candidate's rate is within the bar with confidence: its whole interval is on the good side. */
    withinBar: boolean;
}

function rate(counts: Counts): number | undefined {
    return counts.trials > 0 ? counts.events / counts.trials : undefined;
}

/**
 * Runs both tests over the looks in order, as the judge saw them, and stops at the first that
 * rejects: a rollback is at once, and the largest e-value so far is what a later look reports.
 * Without a margin the relative e-value is updated look by look (the mixture's terms are running
 * sums), so judging a long step costs one pass. With a margin the relative test compares the two
 * confidence sequences at α/2 each (union bound): the candidate fails when even its best case is
 * worse than stable's worst by more than the margin.
 */
export function testRates(looks: readonly SplitLook[], test: RateTest): RateFinding {
    const threshold = Math.log(1 / test.alpha);
    const sideAlpha = test.margin > 0 ? test.alpha / 2 : test.alpha;
    const sign = test.worse === "higher" ? 1 : -1;
    let relative = test.compare ? Number.NEGATIVE_INFINITY : undefined;
    let absolute = Number.NEGATIVE_INFINITY;
    let failedAt: number | undefined;
    let failedBy: RateFinding["failedBy"];
    const candidate: Counts = { trials: 0, events: 0 };
    const stable: Counts = { trials: 0, events: 0 };
    const gridLogLikelihood = GRID.map(() => 0);
    let nullLogLikelihood = 0;
    // The score of the split at ratio 1: above 0 when errors land on the candidate more than its share.
    let nullScore = 0;
    let seen = 0;
    for (const look of looks) {
        seen++;
        const c = clean(look.candidate);
        const s = clean(look.stable);
        candidate.trials += c.trials;
        candidate.events += c.events;
        stable.trials += s.trials;
        stable.events += s.events;
        absolute = Math.max(absolute, absoluteLogEvidence(candidate, test.bar, test.worse));
        if (relative !== undefined) {
            if (test.margin > 0) {
                const ci = rateInterval(candidate, sideAlpha);
                const si = rateInterval(stable, sideAlpha);
                const apart = test.worse === "higher" ? ci.lower - si.upper > test.margin : si.lower - ci.upper > test.margin;
                // The e-value that stands for it: 1/α once the intervals are apart, 1 before.
                relative = Math.max(relative, apart ? threshold : 0);
            } else {
                const info = informative(look);
                if (info) {
                    const one = [info];
                    GRID.forEach((beta, j) => {
                        gridLogLikelihood[j]! += splitLogLikelihood(one, beta);
                    });
                    nullLogLikelihood += splitLogLikelihood(one, 0);
                    nullScore += info.candidateEvents - (info.candidateEvents + info.stableEvents) / (1 + Math.exp(-info.logOdds));
                }
                const atNull = logSumExp(gridLogLikelihood.map((l, j) => l + LOG_WEIGHTS[j]!)) - nullLogLikelihood;
                // Leaning the good way, the smallest value over the null is below 1: no evidence, whatever its size.
                relative = Math.max(relative, sign * nullScore > 0 ? atNull : Math.min(atNull, 0));
            }
            if (relative >= threshold) [failedAt, failedBy] = [seen - 1, "relative"];
        }
        if (failedAt === undefined && absolute >= threshold) [failedAt, failedBy] = [seen - 1, "absolute"];
        if (failedAt !== undefined) break;
    }
    const candidateInterval = rateInterval(candidate, sideAlpha);
    const candidateRate = rate(candidate);
    // No stable requests: no stable rate, and no ratio, as with a rate of 0.
    const stableRate = rate(stable) ?? 0;
    return {
        looks: looks.slice(0, seen),
        candidate,
        stable,
        candidateInterval,
        stableInterval: rateInterval(stable, sideAlpha),
        ratio: candidateRate !== undefined && stableRate > 0 ? candidateRate / stableRate : undefined,
        relativeEvidence: relative === undefined ? undefined : Math.exp(relative),
        absoluteEvidence: Math.exp(absolute),
        failedAt,
        failedBy,
        withinBar: test.worse === "higher" ? candidateInterval.upper <= test.bar : candidateInterval.lower >= test.bar,
    };
}
