import { expect } from "chai";
import type { AnalysisTarget } from "../model/analysis.ts";
import { PrometheusError, type RangeSeries } from "../cli/prometheus.ts";
import { currentRates, judgeTargets, judgedTargets, type MetricsApi } from "../cli/switchyard/collect.ts";
import { LATENCY_P99_RATE, SUCCESS_RATE, analysisSpec } from "./analysisFixture.ts";
import { HEALTHY, fakeMetrics } from "./fakeMetrics.ts";

const analysis = analysisSpec({ checks: [SUCCESS_RATE] });

const target: AnalysisTarget = { service: "cart", cluster: "east", namespace: "shop", candidate: "green", stable: "blue", candidateWeight: 25 };

describe("collect: asking Prometheus for a window", () => {
    it("asks each color's requests and checks over twelve windows' sample times, and judges the target", async () => {
        const asked: { promql: string; start: number; end: number; step: number }[] = [];
        const fake = fakeMetrics(() => 25, { blue: HEALTHY, green: HEALTHY });
        const api: MetricsApi = {
            query: fake.query,
            queryRange: (promql, start, end, step) => {
                asked.push({ promql, start, end, step });
                return fake.queryRange(promql, start, end, step);
            },
        };
        const [judgement] = await judgeTargets([target], analysis, api, 10_000.7);
        expect(asked).to.have.length(4);
        // Twelve three-minute windows: 36 samples a minute apart, the last one now; a rate's evidence reaches that far back.
        expect(asked.every((a) => a.start === 10_000 - 35 * 60 && a.end === 10_000 && a.step === 60), "36 samples a minute apart, ending now").to.equal(true);
        expect(asked.map((a) => /color="(\w+)"/.exec(a.promql)![1])).to.have.members(["green", "green", "blue", "blue"]);
        expect(asked.every((a) => a.promql.includes('service="cart"') && a.promql.includes('cluster="east"') && a.promql.includes("[60s]"))).to.equal(true);
        expect(judgement!.verdict).to.equal("pass");
        expect(judgement!.samples.map((s) => s.requests).slice(-3)).to.deep.equal([
            { candidate: 250, stable: 750 },
            { candidate: 250, stable: 750 },
            { candidate: 250, stable: 750 },
        ]);
    });

    it("asks a latency preset for its slow requests and, as what they are out of, the histogram's count", async () => {
        const asked: string[] = [];
        const fake = fakeMetrics(() => 25, { blue: HEALTHY, green: HEALTHY });
        const api: MetricsApi = { query: fake.query, queryRange: (promql, ...rest) => (asked.push(promql), fake.queryRange(promql, ...rest)) };
        const [judgement] = await judgeTargets([target], analysisSpec({ checks: [LATENCY_P99_RATE] }), api, 10_000);
        expect(asked, "requests, slow share, histogram count; per color").to.have.length(6);
        expect(asked.filter((q) => q.startsWith("sum(increase(http_request_duration_seconds_count{"))).to.have.length(2);
        expect(asked.filter((q) => q.includes('http_request_duration_seconds_bucket{service="cart",color="green",cluster="east",le=~"0[.]5"}'))).to.have.length(1);
        const finding = judgement!.rates[0]!.finding;
        // 36 samples of 250 timed requests on green, 0.1 % of them slow.
        expect(finding.candidate.trials).to.equal(36 * 250);
        expect(finding.candidate.events).to.be.closeTo(36 * 0.25, 1e-6);
        expect(judgement!.verdict).to.equal("pass");
    });

    it("refuses a query that returns several series: it cannot tell which one counts", async () => {
        const two: RangeSeries[] = [
            { labels: { pod: "a" }, values: new Map([[60, 1]]) },
            { labels: { pod: "b" }, values: new Map([[60, 2]]) },
        ];
        const api: MetricsApi = { query: async () => [], queryRange: async () => two };
        try {
            await judgeTargets([target], analysis, api, 1000);
            expect.fail("expected an error");
        } catch (error) {
            expect(error).to.be.instanceOf(PrometheusError);
            expect((error as Error).message).to.match(/^the requests query returned 2 series; it must return one value per color \(aggregate it, e.g. with sum\(\.\.\.\)\)\n {2}query: sum\(increase/);
        }
    });

    it("judges only the clusters where the candidate has traffic", () => {
        const model = {
            greenWeight: 25,
            clusters: [{ name: "east", namespace: "shop" }, { name: "west", namespace: "shop", greenWeight: 0 }],
            services: [{ name: "cart" }],
            cohorts: [],
        } as never;
        expect(judgedTargets(model, { candidate: "green", steps: [], maxStep: 25 }).map((t) => t.cluster)).to.deep.equal(["east"]);
        expect(judgedTargets(model, { candidate: "blue", steps: [], maxStep: 25 }).map((t) => t.cluster)).to.deep.equal(["east", "west"]);
    });

    it("reports each color's rate per second and check values over the last interval", async () => {
        const rates = await currentRates([target], analysis, fakeMetrics(() => 25, { blue: HEALTHY, green: HEALTHY }, 600), 1000);
        expect(rates.map((r) => [r.color, r.requestsPerSecond, r.values["success-rate"]])).to.deep.equal([
            ["green", 2.5, 99.9],
            ["blue", 7.5, 99.9],
        ]);
    });
});
