// The judge's error rates, shown on seeded request streams through judgeWindow itself (the numbers
// in docs/progressive-delivery.md come from `npm run bench -- --analysis`, with more runs).

import { expect } from "chai";
import { judgeWindow, type AnalysisTarget } from "../model/analysis.ts";
import { poisson, seededRandom, simulateStep, simulatedAnalysis, simulatedSample, summarize, type Scenario } from "../devtools/bench/analysisSim.ts";

const aa = (requestsPerSecond: number, weight: number, errors = 0.005): Scenario => ({ requestsPerSecond, weight, candidateErrors: errors, stableErrors: errors });

describe("judge simulation: the streams", () => {
    it("draws Poisson counts with the asked mean, small and large, from a seed that repeats", () => {
        for (const mean of [0.3, 4, 25, 600]) {
            const random = seededRandom(7);
            const draws = Array.from({ length: 4000 }, () => poisson(mean, random));
            const average = draws.reduce((a, b) => a + b, 0) / draws.length;
            const variance = draws.reduce((a, b) => a + (b - average) ** 2, 0) / draws.length;
            expect(average, `mean ${mean}`).to.be.closeTo(mean, 4 * Math.sqrt(mean / draws.length));
            expect(variance / mean, `variance at mean ${mean}`).to.be.within(0.9, 1.1);
        }
        expect(poisson(0, seededRandom(1))).to.equal(0);
        const [a, b] = [seededRandom(3), seededRandom(3)];
        expect([a(), a()]).to.deep.equal([b(), b()]);
        expect(seededRandom(4)()).to.not.equal(seededRandom(3)());
    });

    it("splits requests by weight and fails them at each color's rate", () => {
        const random = seededRandom(11);
        let candidate = 0;
        let stable = 0;
        let candidateErrors = 0;
        for (let i = 0; i < 200; i++) {
            const s = simulatedSample({ requestsPerSecond: 100, weight: 20, candidateErrors: 0.1, stableErrors: 0 }, i, 60, random);
            candidate += s.candidate.requests;
            stable += s.stable.requests;
            candidateErrors += (s.candidate.requests * (100 - s.candidate.values["success-rate"]!)) / 100;
            expect(s.stable.values["success-rate"]).to.equal(100);
        }
        expect(candidate / (candidate + stable)).to.be.closeTo(0.2, 0.01);
        expect(candidateErrors / candidate).to.be.closeTo(0.1, 0.01);
    });
});

describe("judge simulation: what the evidence judge guarantees", function () {
    this.timeout(30_000);

    it("rolls back at most α (1 %) of A/A steps at every traffic level and weight, over an hour of looks", () => {
        const analysis = simulatedAnalysis("evidence");
        for (const scenario of [aa(20, 5), aa(20, 25), aa(200, 5), aa(200, 50), aa(2000, 5), aa(2000, 5, 0.001)]) {
            const random = seededRandom(2020);
            const target: AnalysisTarget = { service: "sim", cluster: "sim", namespace: "sim", candidate: "green", stable: "blue", candidateWeight: scenario.weight };
            const runs = 1000;
            let rolledBack = 0;
            for (let run = 0; run < runs; run++) {
                // Sixty live samples judged once: the judge tests every look in them, so this counts a rollback at any look.
                const samples = Array.from({ length: 60 }, (_, k) => simulatedSample(scenario, (k + 1) * 60, 60, random));
                if (judgeWindow(target, samples, analysis).verdict === "fail") rolledBack++;
            }
            expect(rolledBack / runs, `${scenario.requestsPerSecond} rps at ${scenario.weight} %`).to.be.at.most(0.01);
        }
    });

    it("where today's rule rolls back 38 % of those steps (20 rps at 5 %): the spec can tell the two apart", () => {
        const random = seededRandom(2020);
        const today = summarize(Array.from({ length: 300 }, () => simulateStep(aa(20, 5), simulatedAnalysis("today"), random, 60)));
        expect(today.rollback).to.be.within(0.3, 0.47);
    });

    it("rolls back a 9× regression at 2,000 rps and 5 % in ≥ 99 % of steps, within 2 samples on median", () => {
        const random = seededRandom(99);
        const result = summarize(Array.from({ length: 300 }, () => simulateStep({ requestsPerSecond: 2000, weight: 5, candidateErrors: 0.009, stableErrors: 0.001 }, simulatedAnalysis("evidence"), random, 60)));
        expect(result.rollback).to.be.at.least(0.99);
        expect(result.medianToRollback).to.be.at.most(2);
    });

    it("rolls back a broken candidate (2 % vs 0.5 %, 20 rps, 5 %) in ≥ 99 % of steps and never promotes it", () => {
        const random = seededRandom(5);
        const result = summarize(Array.from({ length: 200 }, () => simulateStep({ requestsPerSecond: 20, weight: 5, candidateErrors: 0.02, stableErrors: 0.005 }, simulatedAnalysis("evidence"), random, 60)));
        expect(result.rollback).to.be.at.least(0.99);
        expect(result.pass).to.equal(0);
    });

    it("passes a healthy step with enough traffic after its window, and holds a quiet one instead of passing it", () => {
        const random = seededRandom(8);
        const busy = summarize(Array.from({ length: 100 }, () => simulateStep(aa(2000, 5), simulatedAnalysis("evidence"), random, 60)));
        expect([busy.pass, busy.medianToPass]).to.deep.equal([1, 5]);
        const quiet = summarize(Array.from({ length: 50 }, () => simulateStep(aa(20, 5), simulatedAnalysis("evidence"), random, 10)));
        expect([quiet.rollback, quiet.pass, quiet.hold]).to.deep.equal([0, 0, 1]);
    });
});
