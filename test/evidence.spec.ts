import { expect } from "chai";
import {
    absoluteLogEvidence,
    logBeta,
    logGamma,
    logRateEvidence,
    logSplitEvidence,
    rateInterval,
    ratioInterval,
    relativeLogEvidence,
    testRates,
    type RateTest,
    type SplitLook,
} from "../model/evidence.ts";

const choose = (n: number, k: number) => Math.round(Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)));
const binomial = (n: number, k: number, p: number) => choose(n, k) * p ** k * (1 - p) ** (n - k);
const test = (extra: Partial<RateTest> = {}): RateTest => ({ worse: "higher", bar: 0.01, margin: 0, compare: true, alpha: 0.01, ...extra });
const looks = (count: number, candidate: [number, number], stable: [number, number]): SplitLook[] =>
    Array.from({ length: count }, () => ({ candidate: { trials: candidate[0], events: candidate[1] }, stable: { trials: stable[0], events: stable[1] } }));

describe("evidence: the special functions", () => {
    it("gives ln Γ at known points: √π at ½, 9! at 10, a large argument by Stirling", () => {
        expect(logGamma(0.5)).to.be.closeTo(Math.log(Math.sqrt(Math.PI)), 1e-13);
        expect(logGamma(1.5)).to.be.closeTo(Math.log(Math.sqrt(Math.PI) / 2), 1e-13);
        expect(logGamma(10)).to.be.closeTo(Math.log(362880), 1e-12);
        expect(logGamma(1)).to.be.closeTo(0, 1e-13);
        const x = 1e6;
        expect(logGamma(x)).to.be.closeTo((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x), 1e-6);
    });

    it("gives ln B(½, ½) = ln π and ln B(2, 3) = ln(1/12)", () => {
        expect(logBeta(0.5, 0.5)).to.be.closeTo(Math.log(Math.PI), 1e-13);
        expect(logBeta(2, 3)).to.be.closeTo(Math.log(1 / 12), 1e-13);
    });
});

describe("evidence: one rate (the beta-binomial mixture)", () => {
    it("has the values worked out by hand: one error in one request against ½ is 1, two successes against ½ are 3/2", () => {
        // B(3/2, 1/2)/π = 1/2, over a likelihood of 1/2; B(1/2, 5/2)/π = 3/8, over 1/4.
        expect(logRateEvidence({ trials: 1, events: 1 }, 0.5)).to.be.closeTo(0, 1e-12);
        expect(logRateEvidence({ trials: 2, events: 0 }, 0.5)).to.be.closeTo(Math.log(1.5), 1e-12);
        expect(logRateEvidence({ trials: 0, events: 0 }, 0.3), "no requests, no evidence").to.be.closeTo(0, 1e-12);
    });

    it("is a martingale: its mean under the rate it tests is 1 at any number of requests", () => {
        for (const [n, p] of [[3, 0.2], [7, 0.01], [12, 0.6]] as const) {
            let mean = 0;
            for (let x = 0; x <= n; x++) mean += binomial(n, x, p) * Math.exp(logRateEvidence({ trials: n, events: x }, p));
            expect(mean, `${n} requests at ${p}`).to.be.closeTo(1, 1e-9);
        }
    });

    it("is infinite against a rate of 0 once there is an error, and 0 for 0 errors against 0", () => {
        expect(logRateEvidence({ trials: 5, events: 1 }, 0)).to.equal(Number.POSITIVE_INFINITY);
        expect(logRateEvidence({ trials: 5, events: 0 }, 0)).to.be.below(0);
    });

    it("bounds the rate where the mixture reaches 1/α: one success in one request puts the upper bound at 0.995", () => {
        // M(q) = (1/2) / (1 − q) = 100 at q = 0.995.
        const interval = rateInterval({ trials: 1, events: 0 }, 0.01);
        expect(interval.lower).to.equal(0);
        expect(interval.upper).to.be.closeTo(0.995, 1e-9);
    });

    it("puts the estimate inside the interval and the mixture at 1/α on both ends", () => {
        const counts = { trials: 1000, events: 10 };
        const { lower, upper } = rateInterval(counts, 0.01);
        expect(lower).to.be.within(0.001, 0.01);
        expect(upper).to.be.within(0.01, 0.04);
        expect(logRateEvidence(counts, lower)).to.be.closeTo(Math.log(100), 1e-6);
        expect(logRateEvidence(counts, upper)).to.be.closeTo(Math.log(100), 1e-6);
        expect(rateInterval(counts, 0.1).upper, "a larger α, a narrower interval").to.be.below(upper);
    });

    it("knows nothing without requests, and reaches 1 when every request failed", () => {
        expect(rateInterval({ trials: 0, events: 0 }, 0.01)).to.deep.equal({ lower: 0, upper: 1 });
        expect(rateInterval({ trials: 50, events: 50 }, 0.01).upper).to.equal(1);
        expect(rateInterval({ trials: 50, events: 50 }, 0.01).lower).to.be.above(0.8);
    });

    it("reads events beyond the trials (counters scraped a moment apart) as all of them, and below 0 as none", () => {
        expect(rateInterval({ trials: 10, events: 12 }, 0.01)).to.deep.equal(rateInterval({ trials: 10, events: 10 }, 0.01));
        expect(rateInterval({ trials: 10, events: -1 }, 0.01)).to.deep.equal(rateInterval({ trials: 10, events: 0 }, 0.01));
    });

    it("tests a bar one way: the mixture at the bar once the estimate is past it, at most 1 before", () => {
        const above = { trials: 1000, events: 30 };
        expect(absoluteLogEvidence(above, 0.01, "higher")).to.be.closeTo(logRateEvidence(above, 0.01), 1e-12);
        expect(absoluteLogEvidence(above, 0.01, "lower")).to.be.at.most(0);
        expect(absoluteLogEvidence(above, 0.05, "lower")).to.be.closeTo(logRateEvidence(above, 0.05), 1e-12);
        expect(absoluteLogEvidence(above, 0.05, "higher")).to.be.at.most(0);
        expect(absoluteLogEvidence({ trials: 0, events: 0 }, 0.01, "higher")).to.be.closeTo(0, 1e-12);
    });
});

describe("evidence: candidate against stable (where the errors land)", () => {
    it("is a martingale when both fail alike: its mean over where K errors land, at the candidate's share, is 1", () => {
        for (const [candidate, stable, errors] of [[10, 30, 4], [50, 950, 6], [50, 50, 9]] as const) {
            const share = candidate / (candidate + stable);
            let mean = 0;
            for (let x = 0; x <= errors; x++) {
                const look = [{ candidate: { trials: candidate, events: x }, stable: { trials: stable, events: errors - x } }];
                mean += binomial(errors, x, share) * Math.exp(logSplitEvidence(look, 1));
            }
            expect(mean, `${candidate}:${stable}, ${errors} errors`).to.be.closeTo(1, 1e-9);
        }
    });

    it("grows when errors land on the candidate beyond its share, and stays below 1 when they do not", () => {
        const worse = looks(1, [100, 5], [1900, 5]);
        const better = looks(1, [1000, 0], [1000, 50]);
        expect(relativeLogEvidence(worse, "higher")).to.be.above(Math.log(100));
        expect(relativeLogEvidence(better, "higher")).to.be.at.most(0);
        expect(relativeLogEvidence(better, "lower"), "fewer conversions on the candidate count the other way").to.be.above(Math.log(100));
    });

    it("has nothing to go by without errors, without stable requests or without candidate requests", () => {
        for (const none of [looks(3, [100, 0], [1900, 0]), looks(3, [100, 5], [0, 0]), looks(3, [0, 0], [1900, 5])]) {
            expect(relativeLogEvidence(none, "higher")).to.equal(0);
            expect(ratioInterval(none, 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
            expect(logSplitEvidence(none, 1)).to.equal(0);
        }
    });

    it("bounds the ratio around 9 for 0.9 % against 0.1 %, with the mixture at 1/α on both ends", () => {
        const nine = looks(1, [6000, 54], [114_000, 114]);
        const { lower, upper } = ratioInterval(nine, 0.01);
        expect(lower).to.be.within(3, 9);
        expect(upper).to.be.within(9, 30);
        expect(logSplitEvidence(nine, lower)).to.be.closeTo(Math.log(100), 1e-4);
        expect(logSplitEvidence(nine, upper)).to.be.closeTo(Math.log(100), 1e-4);
    });

    it("leaves the ratio unbounded above when every error is on the candidate, and at 0 below when none is", () => {
        const allCandidate = ratioInterval(looks(2, [100, 6], [1900, 0]), 0.01);
        expect(allCandidate.upper).to.equal(Number.POSITIVE_INFINITY);
        expect(allCandidate.lower).to.be.above(1);
        const noneCandidate = ratioInterval(looks(2, [100, 0], [1900, 30]), 0.01);
        expect(noneCandidate.lower).to.equal(0);
        expect(noneCandidate.upper, "0 of an expected 3 errors rules out little").to.be.within(1, 3);
    });
});

describe("evidence: both tests over a step's looks", () => {
    it("rolls back a candidate nine times worse at the first look, by the relative test", () => {
        const finding = testRates(looks(5, [6000, 54], [114_000, 114]), test());
        expect([finding.failedAt, finding.failedBy]).to.deep.equal([0, "relative"]);
        expect(finding.looks, "stops at the look that failed").to.have.length(1);
        expect(finding.candidate).to.deep.equal({ trials: 6000, events: 54 });
        expect(finding.ratio).to.be.closeTo(9, 1e-12);
        expect(finding.relativeEvidence).to.be.above(1e6);
        expect(finding.withinBar).to.equal(false);
    });

    it("rolls back a candidate above the bar by the absolute test when it is not compared (at 100 %)", () => {
        const finding = testRates(looks(5, [10_000, 300], [0, 0]), test({ compare: false }));
        expect([finding.failedAt, finding.failedBy, finding.relativeEvidence]).to.deep.equal([0, "absolute", undefined]);
        expect(finding.absoluteEvidence).to.be.above(100);
    });

    it("passes a healthy candidate as within the bar once its interval is under it, and not before", () => {
        const early = testRates(looks(1, [300, 1], [5700, 30]), test());
        expect([early.failedBy, early.withinBar]).to.deep.equal([undefined, false]);
        const later = testRates(looks(30, [300, 1], [5700, 30]), test());
        expect([later.failedBy, later.withinBar]).to.deep.equal([undefined, true]);
        expect(later.candidate).to.deep.equal({ trials: 9000, events: 30 });
        expect(later.relativeEvidence).to.be.at.most(1);
    });

    it("keeps the largest e-value any look reached", () => {
        const rising = [...looks(1, [100, 3], [1900, 3]), ...looks(4, [100, 0], [1900, 20])];
        const first = testRates(rising.slice(0, 1), test({ alpha: 1e-6 }));
        const all = testRates(rising, test({ alpha: 1e-6 }));
        expect(first.relativeEvidence).to.be.above(2);
        expect(all.relativeEvidence).to.equal(first.relativeEvidence);
    });

    it("judges a conversion rate the other way: fewer on the candidate is worse, and a bar is a floor", () => {
        const fewer = testRates(looks(3, [2000, 20], [2000, 100]), test({ worse: "lower", bar: 0 }));
        expect(fewer.failedBy).to.equal("relative");
        const floor = testRates(looks(3, [2000, 20], [0, 0]), test({ worse: "lower", bar: 0.05, compare: false }));
        expect(floor.failedBy).to.equal("absolute");
        expect(testRates(looks(3, [2000, 200], [2000, 200]), test({ worse: "lower", bar: 0.05 })).withinBar).to.equal(true);
    });

    it("with a margin, fails only when the two intervals are apart by more than it", () => {
        const worse = looks(3, [10_000, 300], [90_000, 900]); // 3 % against 1 %
        expect(testRates(worse, test({ bar: 1, margin: 0.005 })).failedBy, "2 points apart, half a point allowed").to.equal("relative");
        expect(testRates(worse, test({ bar: 1, margin: 0.03 })).failedBy, "3 points allowed").to.equal(undefined);
        expect(testRates(worse, test({ bar: 1, margin: 0.03 })).relativeEvidence).to.equal(1);
    });

    it("widens each color's interval to α/2 when a margin splits α between them", () => {
        const counts = looks(2, [1000, 10], [1000, 10]);
        const plain = testRates(counts, test());
        const split = testRates(counts, test({ margin: 0.001 }));
        expect(split.candidateInterval).to.deep.equal(rateInterval({ trials: 2000, events: 20 }, 0.005));
        expect(plain.candidateInterval).to.deep.equal(rateInterval({ trials: 2000, events: 20 }, 0.01));
        expect(split.stableInterval).to.deep.equal(rateInterval({ trials: 2000, events: 20 }, 0.005));
    });

    it("has no ratio without a stable rate, and no evidence without looks", () => {
        expect(testRates(looks(2, [100, 2], [1900, 0]), test()).ratio).to.equal(undefined);
        const none = testRates([], test());
        expect([none.failedAt, none.relativeEvidence, none.absoluteEvidence, none.withinBar]).to.deep.equal([undefined, 0, 0, false]);
    });
});

// What mutation testing found unchecked (docs/testing.md): the edges of each function and the
// mixture's own numbers, each worked out here without the module's code.
describe("evidence: edges and the mixture's numbers", () => {
    // The prior as documented: N(0, 1.5²) on the log ratio, on a grid from −6 to 6 in steps of 0.2.
    const grid = Array.from({ length: 61 }, (_, i) => -6 + i * 0.2);
    const weights = grid.map((b) => Math.exp(-(b * b) / (2 * 1.5 * 1.5)));
    const total = weights.reduce((a, b) => a + b, 0);
    /** ln of the mixture against ratio 1 for looks given as [candidate errors, stable errors, candidate share], by the formula. */
    const byHand = (split: [number, number, number][], ratio: number | "none" = 1) => {
        const likelihood = (beta: number) =>
            split.reduce((sum, [c, s, share]) => {
                const odds = Math.log(share / (1 - share)) + beta;
                const theta = 1 / (1 + Math.exp(-odds));
                return sum + c * Math.log(theta) + s * Math.log(1 - theta);
            }, 0);
        const mixture = grid.reduce((sum, b, j) => sum + (weights[j]! / total) * Math.exp(likelihood(b)), 0);
        // "none": the mixture alone, as against a ratio at which where the errors fell was certain.
        return Math.log(mixture) - (ratio === "none" ? 0 : likelihood(Math.log(ratio)));
    };

    it("has the mixture's value by the formula, with the prior's scale of 1.5", () => {
        const split = looks(1, [100, 3], [1900, 10]);
        expect(logSplitEvidence(split, 1)).to.be.closeTo(byHand([[3, 10, 0.05]]), 1e-10);
        expect(logSplitEvidence(split, 2)).to.be.closeTo(byHand([[3, 10, 0.05]], 2), 1e-10);
        const two = [...looks(1, [100, 3], [1900, 10]), ...looks(1, [500, 1], [500, 4])];
        expect(logSplitEvidence(two, 1)).to.be.closeTo(byHand([[3, 10, 0.05], [1, 4, 0.5]]), 1e-10);
    });

    it("stays finite with thousands of errors, whose likelihoods span far beyond a double's range", () => {
        const many = looks(1, [100_000, 5000], [100_000, 5000]);
        expect(logSplitEvidence(many, 1)).to.be.within(-20, 0);
        const worse = looks(1, [100_000, 6000], [100_000, 5000]);
        expect(Number.isFinite(logSplitEvidence(worse, 1))).to.equal(true);
        expect(logSplitEvidence(worse, 1)).to.be.above(Math.log(1e6));
    });

    it("knows nothing of a rate without requests, and no evidence about it either", () => {
        expect(rateInterval({ trials: 0, events: 0 }, 0.01)).to.deep.equal({ lower: 0, upper: 1 });
        expect(absoluteLogEvidence({ trials: 0, events: 0 }, 0.01, "higher")).to.be.closeTo(0, 1e-12);
        expect(absoluteLogEvidence({ trials: 0, events: 0 }, 0.05, "lower")).to.be.closeTo(0, 1e-12);
    });

    it("bounds the ratio without errors to go by as 0 to ∞, and one-sided ones where the mixture reaches 1/α", () => {
        expect(ratioInterval([], 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
        expect(ratioInterval(looks(3, [100, 0], [1900, 0]), 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
        const allCandidate = looks(2, [100, 6], [1900, 0]);
        const lower = ratioInterval(allCandidate, 0.01).lower;
        expect(logSplitEvidence(allCandidate, lower)).to.be.closeTo(Math.log(100), 1e-4);
        const noneCandidate = looks(2, [100, 0], [1900, 30]);
        const upper = ratioInterval(noneCandidate, 0.01).upper;
        expect(logSplitEvidence(noneCandidate, upper)).to.be.closeTo(Math.log(100), 1e-4);
        // Errors on both colors: both ends are where the mixture reaches 1/α, however few the errors.
        const few = looks(1, [1000, 1], [1000, 2]);
        const bounds = ratioInterval(few, 0.01);
        expect(logSplitEvidence(few, bounds.lower)).to.be.closeTo(Math.log(100), 1e-4);
        expect(logSplitEvidence(few, bounds.upper)).to.be.closeTo(Math.log(100), 1e-4);
    });

    it("has no evidence against the candidate when every error is on stable, and much for it the other way", () => {
        const noneCandidate = looks(2, [100, 0], [1900, 30]);
        // Worse higher: the smallest value over ratios ≤ 1 is at ratio → 0, where the split is certain: the mixture itself.
        expect(relativeLogEvidence(noneCandidate, "higher")).to.be.closeTo(byHand([[0, 30, 0.05], [0, 30, 0.05]], "none"), 1e-9);
        expect(relativeLogEvidence(noneCandidate, "higher")).to.be.below(0);
        // Worse lower: no errors on the candidate are evidence it converts less than stable.
        expect(relativeLogEvidence(noneCandidate, "lower")).to.be.closeTo(byHand([[0, 30, 0.05], [0, 30, 0.05]]), 1e-9);
        const allCandidate = looks(2, [100, 6], [1900, 0]);
        expect(relativeLogEvidence(allCandidate, "lower")).to.be.closeTo(byHand([[6, 0, 0.05], [6, 0, 0.05]], "none"), 1e-9);
        expect(relativeLogEvidence(allCandidate, "higher")).to.be.closeTo(byHand([[6, 0, 0.05], [6, 0, 0.05]]), 1e-9);
    });

    it("updates the relative e-value look by look as the whole-step formula gives it, skipping looks without errors", () => {
        const steps: SplitLook[] = [
            ...looks(1, [200, 2], [1800, 9]),
            ...looks(1, [200, 0], [1800, 0]),
            ...looks(1, [0, 0], [1800, 3]),
            ...looks(1, [300, 4], [1700, 6]),
            ...looks(1, [200, 3], [1800, 5]),
        ];
        for (let n = 1; n <= steps.length; n++) {
            const prefixes = Array.from({ length: n }, (_, i) => Math.exp(relativeLogEvidence(steps.slice(0, i + 1), "higher")));
            expect(testRates(steps.slice(0, n), test({ alpha: 1e-9 })).relativeEvidence, `after ${n} looks`).to.be.closeTo(Math.max(...prefixes), 1e-9 * Math.max(1, ...prefixes));
        }
        const fewer = steps.map((l) => ({ candidate: { ...l.candidate, events: 0 }, stable: l.stable }));
        const lowerPrefixes = Array.from({ length: fewer.length }, (_, i) => Math.exp(relativeLogEvidence(fewer.slice(0, i + 1), "lower")));
        expect(testRates(fewer, test({ worse: "lower", bar: 0, alpha: 1e-9 })).relativeEvidence).to.be.closeTo(Math.max(...lowerPrefixes), 1e-9 * Math.max(...lowerPrefixes));
    });

    it("says which test failed when both reach 1/α at the same look: the relative one", () => {
        const finding = testRates(looks(1, [10_000, 900], [90_000, 90]), test());
        expect(finding.absoluteEvidence).to.be.above(100);
        expect([finding.failedAt, finding.failedBy]).to.deep.equal([0, "relative"]);
    });

    it("with a margin on a rate where lower is worse, fails only when the candidate's interval is below stable's by more than it", () => {
        const fewer = looks(3, [10_000, 100], [90_000, 2700]); // 1 % against 3 %
        expect(testRates(fewer, test({ worse: "lower", bar: 0, margin: 0.005 })).failedBy).to.equal("relative");
        expect(testRates(fewer, test({ worse: "lower", bar: 0, margin: 0.03 })).failedBy).to.equal(undefined);
        const more = looks(3, [10_000, 300], [90_000, 900]); // 3 % against 1 %: better, when lower is worse
        expect(testRates(more, test({ worse: "lower", bar: 0, margin: 0.005 })).failedBy).to.equal(undefined);
    });

    it("is within a floor only when the candidate's whole interval is above it", () => {
        expect(testRates(looks(3, [2000, 200], [2000, 200]), test({ worse: "lower", bar: 0.05 })).withinBar).to.equal(true);
        expect(testRates(looks(1, [100, 10], [2000, 200]), test({ worse: "lower", bar: 0.05 })).withinBar, "10 % of 100 does not show ≥ 5 %").to.equal(false);
    });

    it("is infinite against a ratio at which where the errors fell is impossible, and the mixture itself where it is certain", () => {
        const both = looks(1, [100, 3], [1900, 10]);
        // Ratio 0: the candidate cannot fail, yet it did; ratio ∞: stable cannot, yet it did.
        expect(logSplitEvidence(both, 0)).to.equal(Number.POSITIVE_INFINITY);
        expect(logSplitEvidence(both, Number.POSITIVE_INFINITY)).to.equal(Number.POSITIVE_INFINITY);
        const noneCandidate = looks(1, [100, 0], [1900, 30]);
        expect(logSplitEvidence(noneCandidate, 0)).to.be.closeTo(byHand([[0, 30, 0.05]], "none"), 1e-9);
        expect(logSplitEvidence(noneCandidate, Number.POSITIVE_INFINITY)).to.equal(Number.POSITIVE_INFINITY);
        const allCandidate = looks(1, [100, 6], [1900, 0]);
        expect(logSplitEvidence(allCandidate, Number.POSITIVE_INFINITY)).to.be.closeTo(byHand([[6, 0, 0.05]], "none"), 1e-9);
        expect(logSplitEvidence(allCandidate, 0)).to.equal(Number.POSITIVE_INFINITY);
    });

    it("is within a bar of 100 % or a floor of 0 whatever the counts: no rate lies beyond them", () => {
        const allFailed = testRates(looks(2, [50, 50], [0, 0]), test({ bar: 1, compare: false }));
        expect([allFailed.failedBy, allFailed.withinBar]).to.deep.equal([undefined, true]);
        const noneConverted = testRates(looks(2, [50, 0], [0, 0]), test({ worse: "lower", bar: 0, compare: false }));
        expect([noneConverted.failedBy, noneConverted.withinBar]).to.deep.equal([undefined, true]);
        expect(testRates([], test({ bar: 1 })).withinBar, "no requests at all: [0, 1] is within 100 %").to.equal(true);
    });

    // A slow-request count is a difference of histogram buckets scraped a moment apart: it can be a
    // sliver of one request. A thousandth of an error moves the mixture by a factor of at most
    // p^−0.001, so reaching 1/α = 100 takes a rate or ratio below e^−4600: 0 in doubles, and ∞ for the other end.
    it("bounds rates and ratios at 0 and ∞ from a thousandth of an error, the true bounds being beyond a double's range", () => {
        const sliver = rateInterval({ trials: 100, events: 0.001 }, 0.01);
        expect(sliver.lower).to.be.within(0, 1e-12);
        expect(sliver.upper).to.be.within(0.001 / 100, 1);
        expect(ratioInterval(looks(1, [100, 0.001], [1900, 0]), 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
        expect(ratioInterval(looks(1, [1900, 0], [100, 0.001]), 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
        expect(ratioInterval(looks(1, [100, 0.001], [1900, 0.001]), 0.01)).to.deep.equal({ lower: 0, upper: Number.POSITIVE_INFINITY });
    });

    it("has no ratio without a candidate rate either", () => {
        expect(testRates(looks(2, [0, 0], [1900, 3]), test()).ratio).to.equal(undefined);
        expect(testRates(looks(2, [100, 1], [0, 0]), test()).ratio).to.equal(undefined);
    });
});
