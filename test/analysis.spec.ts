import { expect } from "chai";
import {
    analysisTargets,
    assembleSamples,
    checkRows,
    configProblems,
    countsOf,
    describeRate,
    describeThreshold,
    evaluateCheck,
    evaluateSample,
    evidenceSamples,
    formatEvidence,
    formatValue,
    judgeWindow,
    rateLines,
    rateTestOf,
    releaseVerdict,
    sampleTimes,
    shareTolerance,
    targetRows,
    type AnalysisTarget,
    type Sample,
    type TargetJudgement,
} from "../model/analysis.ts";
import type { CheckSpec } from "../model/config/types.ts";
import { LATENCY_P99 as latency, LATENCY_P99_RATE as slowRequests, SUCCESS_RATE as successRate, analysisSpec as spec } from "./analysisFixture.ts";
import { poisson, seededRandom } from "../devtools/bench/analysisSim.ts";

const target = (candidateWeight: number): AnalysisTarget => ({
    service: "cart",
    cluster: "east",
    namespace: "shop",
    candidate: "green",
    stable: "blue",
    candidateWeight,
});

interface ColorValues {
    requests: number;
    rate?: number;
    p99?: number;
}

/** A sample whose colors served these requests with these success rates and latencies. */
function sample(time: number, candidate: ColorValues, stable: ColorValues): Sample {
    const color = (c: ColorValues) => ({ requests: c.requests, values: { "success-rate": c.rate, "latency-p99": c.p99 } });
    return { time, candidate: color(candidate), stable: color(stable) };
}

const healthy = (time: number, candidateRequests = 100, stableRequests = 300) =>
    sample(time, { requests: candidateRequests, rate: 99.9, p99: 120 }, { requests: stableRequests, rate: 99.95, p99: 110 });
const failing = (time: number, candidateRequests = 100, stableRequests = 300) =>
    sample(time, { requests: candidateRequests, rate: 70, p99: 120 }, { requests: stableRequests, rate: 99.95, p99: 110 });

describe("analysis: one check on one sample", () => {
    const judge = (check: CheckSpec, candidate: ColorValues, stable: ColorValues = { requests: 300, rate: 99.9, p99: 100 }, stableWeight = 75) =>
        evaluateCheck(check, sample(0, candidate, stable), 20, stableWeight);

    it("passes a success rate at the bar and fails it just below", () => {
        expect(judge(successRate, { requests: 100, rate: 99 }).verdict).to.equal("pass");
        expect(judge(successRate, { requests: 100, rate: 98.99 }).verdict).to.equal("fail");
        expect(judge(successRate, { requests: 100, rate: 99.01 }).verdict).to.equal("pass");
    });

    it("passes a latency at the bar and fails it just above", () => {
        expect(judge(latency, { requests: 100, p99: 500 }).verdict).to.equal("pass");
        expect(judge(latency, { requests: 100, p99: 500.01 }).verdict).to.equal("fail");
        expect(judge(latency, { requests: 100, p99: 499.99 }).verdict).to.equal("pass");
    });

    it("says why a check passed, in the check's unit", () => {
        expect(judge(successRate, { requests: 100, rate: 99.5 }).reason).to.equal("99.50 % ≥ 99 %");
        expect(judge(latency, { requests: 100, p99: 120 }).reason).to.equal("120 ms ≤ 500 ms");
    });

    it("says what failed against what, in the check's unit", () => {
        expect(judge(successRate, { requests: 100, rate: 97.2 }).reason).to.equal("97.20 % < 99 %");
        expect(judge(latency, { requests: 100, p99: 612.4 }).reason).to.equal("612 ms > 500 ms");
    });

    it("cannot judge a candidate with fewer than minRequests, and judges one with exactly minRequests", () => {
        const few = judge(successRate, { requests: 19, rate: 50 });
        expect(few.verdict, "even a terrible rate is not judged on 19 requests").to.equal("inconclusive");
        expect(few.reason).to.equal("the candidate served 19 requests, fewer than minRequests (20)");
        expect(judge(successRate, { requests: 20, rate: 50 }).verdict).to.equal("fail");
    });

    it("never passes without a value: no data is inconclusive", () => {
        const result = judge(successRate, { requests: 100 });
        expect(result.verdict).to.equal("inconclusive");
        expect(result.reason).to.equal("Prometheus returned no value for the candidate");
    });

    describe("compared with stable", () => {
        const successVsStable: CheckSpec = { ...successRate, maxWorseThanStable: 0.5 };
        const latencyVsStable: CheckSpec = { ...latency, maxWorseThanStable: 50 };

        it("allows exactly the configured distance below stable's success rate, and no more", () => {
            expect(judge(successVsStable, { requests: 100, rate: 99.5 }, { requests: 300, rate: 100 }).verdict).to.equal("pass");
            const worse = judge(successVsStable, { requests: 100, rate: 99.25 }, { requests: 300, rate: 100 });
            expect(worse.verdict).to.equal("fail");
            expect(worse.reason).to.equal("99.25 % is 0.75 worse than stable (100.00 %); at most 0.5 allowed");
            expect(judge(successVsStable, { requests: 100, rate: 99.75 }, { requests: 300, rate: 99.5 }).verdict, "better than stable").to.equal("pass");
        });

        it("allows exactly the configured distance above stable's latency, and no more", () => {
            expect(judge(latencyVsStable, { requests: 100, p99: 350 }, { requests: 300, p99: 300 }).verdict).to.equal("pass");
            expect(judge(latencyVsStable, { requests: 100, p99: 350.5 }, { requests: 300, p99: 300 }).verdict).to.equal("fail");
            expect(judge(latencyVsStable, { requests: 100, p99: 200 }, { requests: 300, p99: 300 }).verdict, "faster than stable").to.equal("pass");
        });

        it("says why a comparison passed or could not be made", () => {
            expect(judge(latencyVsStable, { requests: 100, p99: 320 }, { requests: 300, p99: 300 }).reason).to.equal("320 ms within the bar and within 50 of stable (300 ms)");
            expect(judge(latencyVsStable, { requests: 100, p99: 320 }, { requests: 300 }).reason).to.equal("Prometheus returned no value for the stable color");
        });

        it("fails on the fixed bar even when stable cannot be compared", () => {
            expect(judge(successVsStable, { requests: 100, rate: 90 }, { requests: 3 }).verdict).to.equal("fail");
        });

        it("cannot compare with a stable color below minRequests or without a value", () => {
            const few = judge(successVsStable, { requests: 100, rate: 99.9 }, { requests: 19, rate: 99.9 });
            expect(few.verdict).to.equal("inconclusive");
            expect(few.reason).to.match(/^stable served 19 requests, fewer than minRequests \(20\)/);
            expect(judge(successVsStable, { requests: 100, rate: 99.9 }, { requests: 20, rate: 99.9 }).verdict).to.equal("pass");
            expect(judge(successVsStable, { requests: 100, rate: 99.9 }, { requests: 300 }).verdict).to.equal("inconclusive");
        });

        it("skips the comparison when stable gets no traffic by design, at 100 %", () => {
            const result = judge(successVsStable, { requests: 100, rate: 99.9 }, { requests: 0 }, 0);
            expect(result.verdict).to.equal("pass");
            expect(result.reason).to.match(/not compared with stable, which gets no traffic/);
        });
    });
});

describe("analysis: the traffic share", () => {
    it("allows three binomial standard deviations plus 2 points", () => {
        // p = 0.05, n = 400: sd = sqrt(0.05 * 0.95 / 400) = 0.0108972; 3 sd = 0.0326917.
        expect(shareTolerance(0.05, 400)).to.be.closeTo(0.0526917, 1e-6);
        // p = 0.5, n = 100: sd = 0.05; 3 sd = 0.15.
        expect(shareTolerance(0.5, 100)).to.be.closeTo(0.17, 1e-12);
        expect(shareTolerance(1, 1000), "all traffic on one color: only the slack").to.be.closeTo(0.02, 1e-12);
        expect(shareTolerance(0.25, 0)).to.equal(Number.POSITIVE_INFINITY);
        expect(shareTolerance(0, 0), "no requests at weight 0 still allow anything").to.equal(Number.POSITIVE_INFINITY);
        expect(shareTolerance(1, 0)).to.equal(Number.POSITIVE_INFINITY);
    });

    it("counts a sample as live when the observed share is within the tolerance of the weight, and not outside it", () => {
        const a = spec();
        // 5 % of 400 requests: tolerance 0.0527, so 0.0 to 0.1027 are live; 41 of 400 = 0.1025, 42 = 0.105.
        expect(evaluateSample(healthy(0, 41, 359), a, 5).live).to.equal(true);
        expect(evaluateSample(healthy(0, 42, 358), a, 5).live).to.equal(false);
        expect(evaluateSample(healthy(0, 20, 380), a, 5).share).to.equal(0.05);
        expect(evaluateSample(healthy(0, 0, 0), a, 5).live, "no traffic is not live").to.equal(false);
        expect(evaluateSample(healthy(0, 0, 0), a, 5).share).to.equal(undefined);
        expect(evaluateSample(healthy(0, 0, 0), a, 5, { candidate: true, stable: true }).live, "no traffic is not live, whatever else reaches the colors").to.equal(false);
    });

    it("counts a share exactly at the tolerance as live", () => {
        // Weight 0: the tolerance is the slack alone, 0.02; 2 of 100 requests is exactly that.
        expect(evaluateSample(healthy(0, 2, 98), spec(), 0).live).to.equal(true);
        expect(evaluateSample(healthy(0, 3, 97), spec(), 0).live).to.equal(false);
    });

    it("catches a Gateway that ignores the weights: an even split is not 5 %", () => {
        expect(evaluateSample(healthy(0, 200, 200), spec(), 5).live).to.equal(false);
        expect(evaluateSample(healthy(0, 200, 200), spec(), 50).live).to.equal(true);
    });
});

describe("analysis: one sample", () => {
    it("fails when any check fails, even if another could not be judged", () => {
        const s = sample(0, { requests: 100, rate: 80 }, { requests: 300, rate: 99.9, p99: 100 });
        const result = evaluateSample(s, spec(), 25);
        expect(result.checks.map((c) => c.verdict)).to.deep.equal(["fail", "inconclusive"]);
        expect(result.verdict).to.equal("fail");
    });

    it("is inconclusive when a check cannot be judged and none fails, and passes when all pass", () => {
        expect(evaluateSample(sample(0, { requests: 100, rate: 99.9 }, { requests: 300 }), spec(), 25).verdict).to.equal("inconclusive");
        expect(evaluateSample(healthy(0), spec(), 25).verdict).to.equal("pass");
    });

    it("reports both colors' requests", () => {
        expect(evaluateSample(healthy(0, 7, 93), spec(), 5).requests).to.deep.equal({ candidate: 7, stable: 93 });
    });
});

describe("analysis: a step with a cohort or a mirror on a color", () => {
    // 5 % by weight, and a cohort worth 10 % of all requests on the candidate: it sees about 14.5 %.
    const withCohort = (time: number, rate: number) =>
        sample(time, { requests: 145, rate, p99: 120 }, { requests: 855, rate: 99.95, p99: 110 });
    const onCandidate: AnalysisTarget = { ...target(5), beyondWeights: { candidate: true, stable: false } };

    it("rolls back a failing candidate that also serves a cohort: its share above the weight is still live", () => {
        const verdict = judgeWindow(onCandidate, [withCohort(60, 99.9), withCohort(120, 70), withCohort(180, 70)], spec());
        expect(verdict.verdict).to.equal("fail");
        expect(verdict.failingSamples).to.equal(2);
        expect(judgeWindow(target(5), [withCohort(60, 99.9), withCohort(120, 70), withCohort(180, 70)], spec()).verdict, "weights alone: 14.5 % is not 5 %").to.equal("inconclusive");
    });

    it("judges a cohort's users on a candidate at weight 0: a failing one fails, a healthy one passes its window", () => {
        const beta: AnalysisTarget = { ...target(0), beyondWeights: { candidate: true, stable: false } };
        // The weights send everything to stable; the cohort's 50 requests a sample go to the candidate.
        const failingBeta = judgeWindow(beta, [60, 120, 180].map((t) => failing(t, 50, 950)), spec());
        expect(failingBeta.verdict).to.equal("fail");
        expect(failingBeta.failingSamples).to.equal(3);
        const healthyBeta = judgeWindow(beta, [60, 120, 180].map((t) => healthy(t, 50, 950)), spec());
        expect(healthyBeta.verdict).to.equal("pass");
        expect(healthyBeta.liveSeconds).to.equal(180);
        expect(judgeWindow(target(0), [60, 120, 180].map((t) => failing(t, 50, 950)), spec()).verdict, "no cohort: weight 0 is not judged").to.equal("inconclusive");
    });

    it("passes a healthy one after a whole window, and still holds a share below the weight", () => {
        expect(judgeWindow(onCandidate, [60, 120, 180].map((t) => withCohort(t, 99.9)), spec()).verdict).to.equal("pass");
        const starved = judgeWindow(onCandidate, [60, 120, 180].map((t) => sample(t, { requests: 5, rate: 99.9, p99: 120 }, { requests: 995, rate: 99.9, p99: 110 })), spec({ minRequests: 5 }));
        expect(starved.verdict).to.equal("inconclusive");
        expect(starved.reasons[1]).to.match(/^the candidate's observed share is 0\.5 %, not at least the configured 5 % \(− 4\.1 %\): /);
    });

    it("bounds the share only from above when the stable color gets requests beyond the weights", () => {
        const onStable: AnalysisTarget = { ...target(25), beyondWeights: { candidate: false, stable: true } };
        const stableCohort = [60, 120, 180].map((t) => healthy(t, 100, 500));
        expect(judgeWindow(onStable, stableCohort, spec()).verdict, "16.7 % with a cohort on stable").to.equal("pass");
        expect(judgeWindow(target(25), stableCohort, spec()).verdict, "weights alone").to.equal("inconclusive");
        const over = judgeWindow(onStable, [60, 120, 180].map((t) => healthy(t, 500, 500)), spec());
        expect(over.verdict).to.equal("inconclusive");
        expect(over.reasons[1]).to.match(/^the candidate's observed share is 50\.0 %, not at most the configured 25 % \(\+ /);
        const both: AnalysisTarget = { ...target(25), beyondWeights: { candidate: true, stable: true } };
        expect(judgeWindow(both, [60, 120, 180].map((t) => healthy(t, 500, 500)), spec()).verdict, "either side may take more").to.equal("pass");
    });
});

describe("analysis: the window verdict", () => {
    // 60 s samples, a 180 s window: three live samples pass a step; two failing ones roll it back.
    const times = [60, 120, 180];

    it("passes a step that was live and healthy for the whole window", () => {
        const verdict = judgeWindow(target(25), times.map((t) => healthy(t)), spec());
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.liveSeconds).to.equal(180);
        expect(verdict.failingSamples).to.equal(0);
        expect(verdict.reasons).to.deep.equal(["live and healthy for the whole window"]);
    });

    it("fails at failureLimit failing samples while live, without waiting for the window", () => {
        const verdict = judgeWindow(target(25), [sample(60, { requests: 0 }, { requests: 0 }), failing(120), failing(180)], spec());
        expect(verdict.verdict).to.equal("fail");
        expect(verdict.liveSeconds).to.equal(120);
        expect(verdict.failingSamples).to.equal(2);
        expect(verdict.reasons).to.deep.equal(["2 failing samples while live, failureLimit is 2", "success-rate failed in 2 samples: 70.00 % < 99 %"]);
    });

    it("sums up each failing check once, with its latest reason", () => {
        const slow = (time: number, p99: number) => sample(time, { requests: 100, rate: 99.9, p99 }, { requests: 300, rate: 99.9, p99: 100 });
        const verdict = judgeWindow(target(25), [slow(60, 600), slow(120, 700), sample(180, { requests: 100, rate: 90, p99: 800 }, { requests: 300, rate: 99.9, p99: 100 })], spec());
        expect(verdict.reasons).to.deep.equal([
            "3 failing samples while live, failureLimit is 2",
            "latency-p99 failed in 3 samples: 800 ms > 500 ms",
            "success-rate failed in 1 sample: 90.00 % < 99 %",
        ]);
    });

    it("says how many failing samples a passing window had, below failureLimit", () => {
        const verdict = judgeWindow(target(25), [failing(60), healthy(120), failing(180)], spec({ failureLimit: 3 }));
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.reasons).to.deep.equal([
            "live and judged for the whole window; 2 failing samples, below failureLimit (3)",
            "success-rate failed in 2 samples: 70.00 % < 99 %",
        ]);
    });

    it("passes with one failing sample below failureLimit, and says so", () => {
        const verdict = judgeWindow(target(25), [healthy(60), failing(120), healthy(180)], spec());
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.failingSamples).to.equal(1);
        expect(verdict.reasons[0]).to.match(/1 failing sample, below failureLimit \(2\)/);
    });

    it("fails at one failing sample when failureLimit is 1", () => {
        expect(judgeWindow(target(25), [healthy(60), healthy(120), failing(180)], spec({ failureLimit: 1 })).verdict).to.equal("fail");
    });

    it("does not count failures from before the step was live: they were judged at other weights", () => {
        // The first two samples saw an even split, not 25 %: an older step's traffic.
        const verdict = judgeWindow(target(25), [failing(60, 200, 200), failing(120, 200, 200), healthy(180)], spec());
        expect(verdict.failingSamples).to.equal(0);
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.reasons[0]).to.equal("live for 1m of the 3m window");
    });

    it("counts only the last window's samples even when more are live", () => {
        const verdict = judgeWindow(target(25), [failing(0), failing(60), healthy(120), healthy(180), healthy(240)], spec());
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.failingSamples).to.equal(0);
        expect(verdict.liveSeconds).to.equal(180);
    });

    it("holds a step that has not been live for the whole window yet", () => {
        const verdict = judgeWindow(target(25), [healthy(60, 200, 200), healthy(120), healthy(180)], spec());
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.liveSeconds).to.equal(120);
        expect(verdict.reasons).to.deep.equal(["live for 2m of the 3m window"]);
    });

    it("also says which live samples could not be judged while the step is not live for the whole window", () => {
        const verdict = judgeWindow(target(25), [healthy(60, 200, 200), healthy(120, 15, 45), healthy(180)], spec());
        expect(verdict.reasons).to.deep.equal([
            "live for 2m of the 3m window",
            "1 of 2 samples could not be judged: success-rate: the candidate served 15 requests, fewer than minRequests (20)",
        ]);
    });

    it("says when the latest sample's share is not the configured weight", () => {
        const verdict = judgeWindow(target(5), [healthy(60, 200, 200), healthy(120, 200, 200), healthy(180, 200, 200)], spec());
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.liveSeconds).to.equal(0);
        expect(verdict.reasons[1]).to.match(/^the candidate's observed share is 50\.0 %, not the configured 5 % \(± \d+\.\d %\)/);
    });

    it("says when no request reached either color", () => {
        const verdict = judgeWindow(target(5), [healthy(60), healthy(120), sample(180, { requests: 0 }, { requests: 0 })], spec());
        expect(verdict.reasons).to.deep.equal(["live for 0s of the 3m window", "no requests reached either color in the latest sample"]);
    });

    it("never promotes on missing data: one unjudged sample in the window holds the step", () => {
        const verdict = judgeWindow(target(25), [healthy(60), healthy(120, 15, 45), healthy(180)], spec());
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.reasons).to.deep.equal([
            "1 of 3 samples could not be judged: success-rate: the candidate served 15 requests, fewer than minRequests (20)",
        ]);
    });

    it("names the check that could not be judged, not one that could", () => {
        const noLatency = (time: number) => sample(time, { requests: 100, rate: 99.9 }, { requests: 300, rate: 99.9, p99: 100 });
        const verdict = judgeWindow(target(25), [healthy(60), healthy(120), noLatency(180)], spec());
        expect(verdict.reasons).to.deep.equal(["1 of 3 samples could not be judged: latency-p99: Prometheus returned no value for the candidate"]);
    });

    it("cannot judge a candidate at weight 0", () => {
        const verdict = judgeWindow(target(0), times.map((t) => healthy(t, 0, 400)), spec());
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.reasons).to.deep.equal(["the candidate gets no traffic here (weight 0)"]);
    });

    it("judges a candidate at 100 % without stable traffic", () => {
        const verdict = judgeWindow(target(100), times.map((t) => healthy(t, 400, 0)), spec({ checks: [{ ...successRate, maxWorseThanStable: 1 }] }));
        expect(verdict.verdict).to.equal("pass");
    });
});

describe("analysis: samples from Prometheus series", () => {
    it("lays out sample times from the end, one interval apart, oldest first", () => {
        expect(sampleTimes(1000, 60, 3)).to.deep.equal([880, 940, 1000]);
        expect(sampleTimes(1000, 60, 1)).to.deep.equal([1000]);
    });

    it("reads a missing request count as 0 requests and a missing or NaN value as no data", () => {
        const candidate = { requests: new Map([[120, 40]]), checks: { "success-rate": new Map([[60, Number.NaN], [120, 99.5]]) } };
        const stable = { requests: new Map([[60, 10], [120, Number.NaN]]), checks: {} };
        const samples = assembleSamples([60, 120], ["success-rate"], candidate, stable);
        expect(samples).to.deep.equal([
            { time: 60, candidate: { requests: 0, values: { "success-rate": undefined } }, stable: { requests: 10, values: { "success-rate": undefined } } },
            { time: 120, candidate: { requests: 40, values: { "success-rate": 99.5 } }, stable: { requests: 0, values: { "success-rate": undefined } } },
        ]);
    });
});

describe("analysis: config mistakes against verdicts", () => {
    const judged = (verdict: TargetJudgement["verdict"], noSeries?: string, cluster = "east") =>
        ({ target: { ...target(25), cluster }, verdict, reasons: [], ...(noSeries === undefined ? {} : { noSeries }) }) as unknown as TargetJudgement;

    it("lists every target whose selector matches no series, by service and cluster", () => {
        expect(configProblems([judged("inconclusive", "switchyard:clusters[0].name: …"), judged("pass"), judged("inconclusive", "switchyard:services[0].name: …", "west")])).to.deep.equal([
            "cart on east: switchyard:clusters[0].name: …",
            "cart on west: switchyard:services[0].name: …",
        ]);
        expect(configProblems([judged("inconclusive"), judged("pass")])).to.deep.equal([]);
    });

    it("lists none while any target fails: the rollback goes on", () => {
        expect(configProblems([judged("inconclusive", "switchyard:clusters[0].name: …"), judged("fail", undefined, "west")])).to.deep.equal([]);
    });
});

describe("analysis: targets and the release", () => {
    const model = {
        greenWeight: 25,
        clusters: [{ name: "east", namespace: "shop" }, { name: "west", namespace: "web", greenWeight: 10 }],
        services: [{ name: "cart" }, { name: "checkout" }],
        cohorts: [],
    } as never;

    it("judges every service on every cluster at the weight that cluster applies", () => {
        const targets = analysisTargets(model, { candidate: "green" });
        expect(targets.map((t) => `${t.service}@${t.cluster}/${t.namespace}=${t.candidateWeight}`)).to.deep.equal([
            "cart@east/shop=25",
            "checkout@east/shop=25",
            "cart@west/web=10",
            "checkout@west/web=10",
        ]);
        expect(targets[0]).to.include({ candidate: "green", stable: "blue" });
        expect(targets.map((t) => t.at), "where each stands in the stack file, to name its keys").to.deep.equal([
            { cluster: 0, service: 0 },
            { cluster: 0, service: 1 },
            { cluster: 1, service: 0 },
            { cluster: 1, service: 1 },
        ]);
        const blue = analysisTargets(model, { candidate: "blue" });
        expect(blue.map((t) => t.candidateWeight)).to.deep.equal([75, 75, 90, 90]);
        expect(blue[0]).to.include({ candidate: "blue", stable: "green" });
    });

    it("knows which colors get requests beyond the weights: cohorts where they apply, and the mirror's color", () => {
        const beyond = (extra: object, candidate: "blue" | "green" = "green") =>
            analysisTargets({ ...(model as object), ...extra } as never, { candidate }).map((t) => {
                const b = t.beyondWeights!;
                return `${t.service}@${t.cluster} ${b.candidate ? "candidate" : "-"} ${b.stable ? "stable" : "-"}`;
            });
        expect(beyond({}), "weights alone").to.deep.equal(["cart@east - -", "checkout@east - -", "cart@west - -", "checkout@west - -"]);
        const cohorts = [
            { name: "beta", color: "green", matches: [], services: ["cart"] },
            { name: "staff", color: "blue", matches: [], clusters: ["west"] },
        ];
        expect(beyond({ cohorts })).to.deep.equal(["cart@east candidate -", "checkout@east - -", "cart@west candidate stable", "checkout@west - stable"]);
        expect(beyond({ cohorts }, "blue"), "the same cohorts while blue is released").to.deep.equal([
            "cart@east - stable",
            "checkout@east - -",
            "cart@west candidate stable",
            "checkout@west candidate -",
        ]);
        // The mirror copies to the color with less weight: green at 25 % on east and 10 % on west.
        expect(beyond({ mirror: { percent: 10 } })).to.deep.equal(["cart@east candidate -", "checkout@east candidate -", "cart@west candidate -", "checkout@west candidate -"]);
        const late = { ...(model as object), greenWeight: 75, clusters: [{ name: "east", namespace: "shop" }, { name: "west", namespace: "web", greenWeight: 50 }] };
        expect(beyond({ ...late, mirror: { percent: 10 } }), "at 75 % the stable color gets the copies; at 50/50 nobody").to.deep.equal([
            "cart@east - stable",
            "checkout@east - stable",
            "cart@west - -",
            "checkout@west - -",
        ]);
    });

    it("fails the release when any target fails, passes it only when all pass", () => {
        const j = (verdict: TargetJudgement["verdict"]) => ({ verdict }) as TargetJudgement;
        expect(releaseVerdict([j("pass"), j("fail"), j("inconclusive")])).to.equal("fail");
        expect(releaseVerdict([j("pass"), j("inconclusive")])).to.equal("inconclusive");
        expect(releaseVerdict([j("pass"), j("pass")])).to.equal("pass");
        expect(releaseVerdict([]), "nothing judged is nothing passed").to.equal("inconclusive");
    });
});

describe("analysis: report rows", () => {
    it("formats values and thresholds in each check's unit", () => {
        expect(formatValue(99.456, "%")).to.equal("99.46 %");
        expect(formatValue(312.4, "ms")).to.equal("312 ms");
        expect(formatValue(4.26, "ms")).to.equal("4.3 ms");
        expect(formatValue(9.96, "ms")).to.equal("10.0 ms");
        expect(formatValue(10, "ms")).to.equal("10 ms");
        expect(formatValue(0.073123, "")).to.equal("0.07312");
        expect(formatValue(undefined, "%")).to.equal("no data");
        expect(describeThreshold(successRate)).to.equal("≥ 99 %");
        expect(describeThreshold({ ...successRate, maxWorseThanStable: 0.5 })).to.equal("≥ 99 %, ≤ 0.5 points below stable");
        expect(describeThreshold({ ...latency, threshold: 300, maxWorseThanStable: 50 })).to.equal("≤ 300 ms, ≤ 50 ms above stable");
        expect(describeThreshold({ name: "e", query: "q", bound: "max", threshold: 0.5, unit: "", maxWorseThanStable: 0.1 })).to.equal("≤ 0.5, ≤ 0.1 above stable");
    });

    it("gives one row per target and one per target and check, from the latest sample", () => {
        const judgements = [
            judgeWindow(target(25), [healthy(60), failing(120), failing(180, 150, 350)], spec()),
            judgeWindow({ ...target(25), cluster: "west" }, [healthy(60), failing(120, 200, 200), healthy(180)], spec()),
        ];
        expect(targetRows(judgements, 2)).to.deep.equal([
            { service: "cart", cluster: "east", weight: "25 %", share: "30.0 %", live: "3m of 3m", failing: "2 (limit 2)", verdict: "fail" },
            { service: "cart", cluster: "west", weight: "25 %", share: "25.0 %", live: "1m of 3m", failing: "0 (limit 2)", verdict: "inconclusive" },
        ]);
        const rows = checkRows(judgements, spec().checks);
        expect(rows).to.have.length(4);
        expect(rows[0]).to.deep.equal({ service: "cart", cluster: "east", check: "success-rate", candidate: "70.00 %", stable: "99.95 %", threshold: "≥ 99 %", verdict: "fail" });
        expect(rows[2], "the latest sample, not an earlier one").to.include({ cluster: "west", check: "success-rate", verdict: "pass" });
        expect(rows[3]).to.deep.equal({ service: "cart", cluster: "west", check: "latency-p99", candidate: "120 ms", stable: "110 ms", threshold: "≤ 500 ms", verdict: "pass" });
    });

    it("shows a target without samples as without traffic and its checks as inconclusive", () => {
        const empty = judgeWindow(target(25), [], spec());
        expect(targetRows([empty], 2)[0]).to.include({ share: "no traffic", live: "0s of 3m" });
        expect(checkRows([empty], [successRate])[0]).to.include({ candidate: "no data", verdict: "inconclusive" });
    });
});

describe("analysis: a rate judged by evidence", () => {
    const rateCheck: CheckSpec = { ...successRate, rate: true };
    const rates = spec({ checks: [rateCheck] });
    const at = (time: number, candidate: [number, number], stable: [number, number]) =>
        sample(time, { requests: candidate[0], rate: 100 * (1 - candidate[1] / candidate[0]) }, { requests: stable[0], rate: 100 * (1 - stable[1] / stable[0]) });
    const steady = (count: number, candidate: [number, number], stable: [number, number]) => Array.from({ length: count }, (_, i) => at(60 * (i + 1), candidate, stable));

    it("rolls back at the first sample whose errors land on the candidate beyond its share, with the read-out as the reason", () => {
        const verdict = judgeWindow(target(5), steady(1, [6000, 54], [114_000, 114]), rates);
        expect(verdict.verdict).to.equal("fail");
        expect(verdict.reasons).to.have.length(1);
        expect(verdict.reasons[0]).to.match(
            /^success-rate: green fails 0\.90 % of 6,000 requests \(99 % CI 0\.\d+–1\.\d %\), blue 0\.10 % of 114,000 \(99 % CI 0\.0\d+–0\.1\d %\): 9\.0× \(99 % CI \d\.\d–\d\d\), evidence \de\d+ ≥ 100 → fail$/,
        );
    });

    it("does not count a rate as a failing sample: one bad sample of a healthy rate decides nothing by itself", () => {
        const one = judgeWindow(target(25), [at(60, [100, 2], [300, 0]), ...steady(2, [100, 0], [300, 1]).map((s, i) => ({ ...s, time: 120 + 60 * i }))], rates);
        expect(one.failingSamples).to.equal(0);
        expect(one.verdict).to.equal("inconclusive");
    });

    it("passes a step live for its window once the candidate's rate is shown within the bar", () => {
        const verdict = judgeWindow(target(25), steady(3, [20_000, 20], [60_000, 60]), rates);
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.rates[0]!.finding.withinBar).to.equal(true);
    });

    it("holds a quiet step that is live and healthy but not yet shown within the bar, and says what it needs", () => {
        const verdict = judgeWindow(target(5), steady(3, [60, 0], [1140, 6]), rates);
        expect(verdict.verdict).to.equal("inconclusive");
        expect(verdict.reasons).to.deep.equal([
            "success-rate: not yet shown within the bar, so the step holds until more requests tell: green fails 0 % of 180 requests (99 % CI 0–4.2 %), bar 1 %",
        ]);
    });

    it("gathers evidence over the whole live span, beyond the window: the same quiet step passes after enough samples", () => {
        expect(judgeWindow(target(25), steady(40, [300, 0], [900, 3]), rates).verdict).to.equal("pass");
    });

    it("starts the evidence where the step became live: errors at another weight do not count", () => {
        const before = at(60, [1000, 1000], [1000, 0]);
        const verdict = judgeWindow(target(25), [before, ...steady(3, [20_000, 20], [60_000, 60]).map((s) => ({ ...s, time: s.time + 60 }))], rates);
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.rates[0]!.finding.candidate.trials).to.equal(60_000);
    });

    it("never promotes on missing data: a sample without a value holds, whatever the evidence", () => {
        const samples = steady(3, [20_000, 20], [60_000, 60]);
        samples[1] = sample(120, { requests: 20_000 }, { requests: 60_000, rate: 99.9 });
        expect(judgeWindow(target(25), samples, rates).verdict).to.equal("inconclusive");
    });

    it("judges the candidate at 100 % by the bar alone, and says stable is not compared", () => {
        const healthy = judgeWindow(target(100), steady(3, [20_000, 20], [0, 0]), rates);
        expect(healthy.verdict).to.equal("pass");
        const broken = judgeWindow(target(100), steady(3, [20_000, 600], [0, 0]), rates);
        expect(broken.verdict).to.equal("fail");
        expect(broken.reasons[0]).to.match(/not compared with blue, which gets no traffic by design, evidence above the bar \(1 %\) \de\d+ ≥ 100 → fail$/);
    });

    it("reports a gate: false check and never lets it decide", () => {
        const readout = spec({ checks: [rateCheck, { ...rateCheck, name: "conversions", gate: false }] });
        const samples = steady(3, [20_000, 20], [60_000, 60]).map((s) => ({
            ...s,
            candidate: { ...s.candidate, values: { ...s.candidate.values, conversions: 50 } },
            stable: { ...s.stable, values: { ...s.stable.values, conversions: 99.9 } },
        }));
        const verdict = judgeWindow(target(25), samples, readout);
        expect(verdict.verdict).to.equal("pass");
        expect(verdict.rates.map((r) => [r.check.name, r.finding.failedBy])).to.deep.equal([
            ["success-rate", undefined],
            ["conversions", "relative"],
        ]);
        expect(describeRate(verdict.rates[1]!)).to.match(/→ A\/B read-out, decides nothing$/);
    });

    it("counts a custom rate's events out of its own per, not the requests", () => {
        const custom: CheckSpec = { name: "checkout-errors", query: "q", per: "p", rate: true, bound: "max", threshold: 5, unit: "%" };
        const color = { requests: 1000, values: { "checkout-errors": 10 }, trials: { "checkout-errors": 200 } };
        expect(countsOf(custom, color)).to.deep.equal({ trials: 200, events: 20 });
        expect(countsOf(custom, { ...color, trials: {} })).to.equal(undefined);
        expect(countsOf(rateCheck, { requests: 1000, values: { "success-rate": 99 } })).to.deep.equal({ trials: 1000, events: 10 });
        expect(countsOf(rateCheck, { requests: 660, values: { "success-rate": 100 * (660 / 660) - 1e-14 } }), "a success rate a hair under 100 % read back is no error").to.deep.equal({ trials: 660, events: 0 });
        expect(rateTestOf(custom, 0.05, true)).to.deep.equal({ worse: "higher", bar: 0.05, margin: 0, compare: true, alpha: 0.05 });
        expect(rateTestOf({ ...custom, bound: "min", maxWorseThanStable: 0.5 }, 0.01, false)).to.deep.equal({ worse: "lower", bar: 0.05, margin: 0.005, compare: false, alpha: 0.01 });
        expect(rateTestOf(rateCheck, 0.01, true)).to.deep.equal({ worse: "higher", bar: 0.010000000000000009, margin: 0, compare: true, alpha: 0.01 });
    });

    it("names the ratio when a color has no errors: stable had none, or neither had any", () => {
        const onlyCandidate = judgeWindow(target(25), steady(3, [20_000, 200], [60_000, 0]), rates);
        expect(describeRate(onlyCandidate.rates[0]!)).to.match(/, blue 0 % of 60,000 \(99 % CI 0–[\d.]+ %\): blue had none \(99 % CI [\d.]+–∞\), evidence [\de.>]+ ≥ 100 → fail$/);
        const neither = judgeWindow(target(25), steady(3, [20_000, 0], [60_000, 0]), rates);
        expect(describeRate(neither.rates[0]!)).to.match(/^green fails 0 % of 60,000 requests \(99 % CI 0–[\d.]+ %\), blue 0 % of 180,000 .*: no events on either color \(99 % CI 0–∞\), evidence [\d.]+ < 100 → within the bar \(1 %\)$/);
    });

    it("reads a margin against stable as two intervals at α/2 each, apart by more than the margin or not", () => {
        const margin = spec({ checks: [{ ...rateCheck, maxWorseThanStable: 0.5 }] });
        const close = judgeWindow(target(25), steady(3, [20_000, 40], [60_000, 60]), margin);
        expect(describeRate(close.rates[0]!)).to.match(/^green fails 0\.20 % of 60,000 requests \(99\.5 % CI [\d.]+–[\d.]+ %\), blue 0\.10 % of 180,000 \(99\.5 % CI .*, the intervals are not apart by more than 0\.50 points → within the bar \(1 %\)$/);
        const apart = judgeWindow(target(25), steady(3, [20_000, 180], [60_000, 30]), margin);
        expect(apart.verdict).to.equal("fail");
        expect(describeRate(apart.rates[0]!)).to.match(/, the intervals are apart by more than 0\.50 points ≥ 100 → fail$/);
    });

    it("says a quiet candidate's rate is not yet shown within the bar, and a floor's evidence is below it", () => {
        const quiet = judgeWindow(target(5), steady(3, [60, 0], [1140, 6]), rates);
        expect(describeRate(quiet.rates[0]!)).to.match(/evidence [\d.]+ < 100 → not yet shown within the bar \(1 %\)$/);
        const floor: CheckSpec = { name: "conversion", query: "q", per: "p", rate: true, bound: "min", threshold: 10, unit: "%" };
        const converting = (time: number, events: number) => ({
            time,
            candidate: { requests: 1000, values: { conversion: (100 * events) / 1000 }, trials: { conversion: 1000 } },
            stable: { requests: 0, values: { conversion: 0 }, trials: { conversion: 0 } },
        });
        const low = judgeWindow(target(100), [60, 120, 180].map((t) => converting(t, 20)), spec({ checks: [floor] }));
        expect(low.verdict).to.equal("fail");
        expect(describeRate(low.rates[0]!)).to.match(/^green 2\.0 % of 1,000 .*evidence below the bar \(10 %\) [\de]+ ≥ 100 → fail$/);
    });

    it("writes one line per target and rate check, named by service, cluster and check", () => {
        const two = spec({ checks: [rateCheck, { ...rateCheck, name: "conversions", gate: false }] });
        const judged = [judgeWindow(target(25), steady(3, [20_000, 20], [60_000, 60]), two), judgeWindow({ ...target(25), cluster: "west" }, steady(3, [20_000, 20], [60_000, 60]), two)];
        const lines = rateLines(judged);
        expect(lines.map((l) => l.split(": green")[0])).to.deep.equal(["cart on east: success-rate", "cart on east: conversions", "cart on west: success-rate", "cart on west: conversions"]);
        expect(lines[0]).to.equal(`cart on east: success-rate: ${describeRate(judged[0]!.rates[0]!)}`);
    });

    it("asks for twelve windows of samples, at most 720 and never fewer than one window", () => {
        expect(evidenceSamples({ windowSeconds: 300, intervalSeconds: 60 }), "5 a window, 12 windows").to.equal(60);
        expect(evidenceSamples({ windowSeconds: 3600, intervalSeconds: 60 }), "60 a window: 720 at most").to.equal(720);
        expect(evidenceSamples({ windowSeconds: 72_000, intervalSeconds: 60 }), "a window of 1,200 samples is asked whole").to.equal(1200);
    });

    it("writes e-values as people read them", () => {
        expect([0.07, 1, 42.4, 999, 3.2e6, 0.0004, Infinity].map(formatEvidence)).to.deep.equal(["0.070", "1.0", "42", "999", "3e6", "<0.001", ">1e308"]);
    });
});

describe("analysis: latency as a rate of slow requests", () => {
    const slowSpec = spec({ checks: [slowRequests], windowSeconds: 300 });
    /** One sample: each color's requests the histogram counted, and how many were slower than the bar. */
    const at = (time: number, candidate: [number, number], stable: [number, number]): Sample => {
        const color = ([timed, slow]: [number, number]) => ({
            // The request counter and the histogram's count need not agree to the request: the slow share is out of the histogram's.
            requests: timed + 3,
            values: { "latency-p99": timed > 0 ? (100 * slow) / timed : undefined },
            trials: { "latency-p99": timed },
        });
        return { time, candidate: color(candidate), stable: color(stable) };
    };

    it("counts the slow requests out of the histogram's count, never out of the request counter", () => {
        const color = { requests: 1000, values: { "latency-p99": 2 }, trials: { "latency-p99": 500 } };
        expect(countsOf(slowRequests, color)).to.deep.equal({ trials: 500, events: 10 });
        expect(countsOf(slowRequests, { ...color, trials: {} }), "no histogram count is missing data").to.equal(undefined);
        expect(rateTestOf(slowRequests, 0.01, true)).to.deep.equal({ worse: "higher", bar: 0.01, margin: 0, compare: true, alpha: 0.01 });
        expect(rateTestOf({ ...slowRequests, threshold: 5, maxWorseThanStable: 0.5 }, 0.01, true)).to.deep.equal({ worse: "higher", bar: 0.05, margin: 0.005, compare: true, alpha: 0.01 });
    });

    it("states its bar as a share of requests slower than the latency", () => {
        expect(describeThreshold(slowRequests)).to.equal("≤ 1 % slower than 500 ms");
        expect(describeThreshold({ ...slowRequests, threshold: 5, slowerThanMs: 300, maxWorseThanStable: 0.5 })).to.equal("≤ 5 % slower than 300 ms, ≤ 0.5 points above stable");
    });

    it("rolls back a candidate whose slow requests land on it beyond its share, and says so in words", () => {
        const verdict = judgeWindow(target(5), [at(60, [6000, 180], [114_000, 228])], slowSpec);
        expect(verdict.verdict).to.equal("fail");
        expect(verdict.reasons).to.have.length(1);
        expect(verdict.reasons[0]).to.match(
            /^latency-p99: green answers 3\.0 % of 6,000 requests slower than 500 ms \(99 % CI \d\.\d–\d\.\d %\), blue 0\.20 % of 114,000 \(99 % CI 0\.\d+–0\.\d+ %\): 15× \(99 % CI [\d.]+–[\d.]+\), evidence [\de]+ ≥ 100 → fail$/,
        );
    });

    it("passes a candidate as fast as stable once it is shown within the bar, and holds it until then", () => {
        const samples = Array.from({ length: 5 }, (_, i) => at(60 * (i + 1), [1000, 1], [19_000, 19]));
        expect(judgeWindow(target(5), samples, slowSpec).verdict).to.equal("pass");
        const quiet = Array.from({ length: 5 }, (_, i) => at(60 * (i + 1), [40, 0], [760, 1]));
        const held = judgeWindow(target(5), quiet, slowSpec);
        expect(held.verdict, "200 fast requests do not show 1 % at 99 %").to.equal("inconclusive");
        expect(held.reasons[0]).to.match(/^latency-p99: not yet shown within the bar, so the step holds until more requests tell: green answers 0 % of 200 requests slower than 500 ms/);
    });

    // Seeded streams: 200 requests a second with the candidate at 5 %, 30 one-minute samples a step.
    const simulate = (seed: number, steps: number, candidateSlow: number, stableSlow: number) => {
        const random = seededRandom(seed);
        let rolledBack = 0;
        for (let step = 0; step < steps; step++) {
            const samples = Array.from({ length: 30 }, (_, i) => {
                const candidate = poisson(600, random);
                const stable = poisson(11_400, random);
                return at(60 * (i + 1), [candidate, poisson(candidate * candidateSlow, random)], [stable, poisson(stable * stableSlow, random)]);
            });
            if (judgeWindow(target(5), samples, slowSpec).verdict === "fail") rolledBack++;
        }
        return rolledBack / steps;
    };

    it("rolls back a candidate as fast as stable (0.5 % slow each) in at most α of seeded steps, however often looked at", () => {
        // α is 1 %; 400 steps of 30 looks each, and a margin of two binomial standard deviations at α.
        expect(simulate(20, 400, 0.005, 0.005)).to.be.at.most(0.01 + 2 * Math.sqrt((0.01 * 0.99) / 400));
    });

    it("rolls back a candidate with three times stable's slow requests (1.5 % vs 0.5 %) in at least 99 % of seeded steps", () => {
        expect(simulate(21, 200, 0.015, 0.005)).to.be.at.least(0.99);
    });
});
