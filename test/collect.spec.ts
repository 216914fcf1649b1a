import { expect } from "chai";
import type { AnalysisTarget } from "../model/analysis.ts";
import { PrometheusError, type RangeSeries } from "../cli/prometheus.ts";
import { currentRates, judgeTargets, judgedTargets, metricSourceProblem, type MetricsApi } from "../cli/switchyard/collect.ts";
import { LATENCY_P99_RATE, SUCCESS_RATE, analysisSpec } from "./analysisFixture.ts";
import { FAILING, HEALTHY, fakeMetrics } from "./fakeMetrics.ts";

const analysis = analysisSpec({ checks: [SUCCESS_RATE] });

const target: AnalysisTarget = { service: "cart", cluster: "east", namespace: "shop", candidate: "green", stable: "blue", candidateWeight: 25 };

describe("collect: asking Prometheus for a window", () => {
    it("asks each color's requests and checks over twelve windows' sample times, and judges the target", async () => {
        const asked: { promql: string; start: number; end: number; step: number }[] = [];
        const fake = fakeMetrics(() => 25, { blue: HEALTHY, green: HEALTHY });
        const api: MetricsApi = {
            query: fake.query,
            labelValues: fake.labelValues,
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
        const api: MetricsApi = { query: fake.query, labelValues: fake.labelValues, queryRange: (promql, ...rest) => (asked.push(promql), fake.queryRange(promql, ...rest)) };
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

    it("rolls back a failing target without asking label values for a quiet one: a refused or slow probe never holds a rollback", async () => {
        const fake = fakeMetrics(() => 25, { blue: HEALTHY, green: FAILING });
        const probes: string[] = [];
        const api: MetricsApi = {
            query: fake.query,
            queryRange: (promql, ...rest) => (promql.includes('cluster="west"') ? Promise.resolve([]) : fake.queryRange(promql, ...rest)),
            labelValues: async (name) => {
                probes.push(name);
                throw new PrometheusError("the label values API is not allowed here");
            },
        };
        const judged = await judgeTargets([target, { ...target, cluster: "west" }], analysis, api, 10_000);
        expect(judged.map((j) => j.verdict)).to.deep.equal(["fail", "inconclusive"]);
        expect(probes, "no probe asked").to.deep.equal([]);
    });

    it("holds, never passes, when the bucket at a latency bar is not there: missing data, not 'no slow requests'", async () => {
        const fake = fakeMetrics(() => 25, { blue: HEALTHY, green: HEALTHY });
        // A histogram without le="0.5" (custom buckets, a relabelled le): the slow-request query selects nothing.
        const api: MetricsApi = { query: fake.query, labelValues: fake.labelValues, queryRange: (promql, ...rest) => (promql.includes("_bucket{") ? Promise.resolve([]) : fake.queryRange(promql, ...rest)) };
        const [judgement] = await judgeTargets([target], analysisSpec({ checks: [LATENCY_P99_RATE] }), api, 10_000);
        expect(judgement!.verdict).to.equal("inconclusive");
        const [healthy] = await judgeTargets([target], analysisSpec({ checks: [LATENCY_P99_RATE] }), { ...fake }, 10_000);
        expect(healthy!.verdict, "the same step with its bucket passes").to.equal("pass");
    });

    it("refuses a query that returns several series: it cannot tell which one counts", async () => {
        const two: RangeSeries[] = [
            { labels: { pod: "a" }, values: new Map([[60, 1]]) },
            { labels: { pod: "b" }, values: new Map([[60, 2]]) },
        ];
        const api: MetricsApi = { query: async () => [], queryRange: async () => two, labelValues: async () => expect.fail("no series was missing") };
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

describe("collect: a selector that matches no series is a config mistake, not a lack of traffic", () => {
    const east: AnalysisTarget = { ...target, at: { cluster: 1, service: 0 } };
    /** Prometheus without any requests series for the target, and these label values. */
    const seriesless = (labels: Record<string, string[]>, asked: string[] = []): MetricsApi => ({
        query: async () => [],
        queryRange: async () => [],
        labelValues: async (name, match) => {
            asked.push(`${name} on ${match}`);
            if (name === "__name__") return (labels.__name__ ?? []).filter((v) => v === match);
            return labels[name] ?? [];
        },
    });

    it("names clusters[i].name and the cluster labels Prometheus has when the cluster matches none", async () => {
        const asked: string[] = [];
        const [judgement] = await judgeTargets([east], analysis, seriesless({ __name__: ["http_requests_total"], cluster: ["eks-use1", "gke-euw1"] }, asked), 10_000);
        expect(judgement!.verdict).to.equal("inconclusive");
        expect(judgement!.noSeries).to.equal(
            'switchyard:clusters[1].name: no series of http_requests_total in the last 36m has cluster="east"; the cluster values it has there: "eks-use1", "gke-euw1". ' +
                "This is a config mistake, not a lack of traffic, unless no request ever reached cart on east.",
        );
        expect(judgement!.reasons[0]).to.equal(judgement!.noSeries);
        expect(asked).to.deep.equal(["__name__ on http_requests_total", "cluster on http_requests_total"]);
    });

    it("names the keys by the file that sets them when given a fleet's label, the metric source's too", async () => {
        const label = (path: string) => path.replace(/^switchyard:/, "fleets/prod.yaml: ");
        const [cluster] = await judgeTargets([east], analysis, seriesless({ __name__: ["http_requests_total"], cluster: ["gke-euw1"] }), 10_000, label);
        expect(cluster!.noSeries).to.match(/^fleets\/prod\.yaml: clusters\[1\]\.name: no series of http_requests_total in the last 36m has cluster="east"; /);
        const [source] = await judgeTargets([east], analysis, seriesless({ __name__: ["istio_requests_total"] }), 10_000, label);
        expect(source!.noSeries).to.match(/^fleets\/prod\.yaml: rollout\.analysis\.metrics: "app" counts requests with http_requests_total/);
        expect(await metricSourceProblem(analysis, seriesless({}), 10_000, label)).to.match(/^fleets\/prod\.yaml: rollout\.analysis\.metrics: /);
    });

    it("says to label the metrics when they carry no cluster label at all", async () => {
        const [judgement] = await judgeTargets([east], analysis, seriesless({ __name__: ["http_requests_total"] }), 10_000);
        expect(judgement!.noSeries).to.match(/^switchyard:clusters\[1\]\.name: .*; none of them has a cluster label: give each cluster's metrics the label cluster="<its clusters\[\]\.name>"/);
    });

    it("names services[j].name and the services on that cluster when the cluster is there", async () => {
        const asked: string[] = [];
        const [judgement] = await judgeTargets([east], analysis, seriesless({ __name__: ["http_requests_total"], cluster: ["east"], service: ["checkout"] }, asked), 10_000);
        expect(judgement!.noSeries).to.match(/^switchyard:services\[0\]\.name: no series of http_requests_total\{cluster="east"\} in the last 36m has service="cart"; the service values it has there: "checkout"\./);
        expect(asked.at(-1)).to.equal('service on http_requests_total{cluster="east"}');
    });

    it("names rollout.analysis.metrics when the source's counter is not there, and which source's is", async () => {
        const [judgement] = await judgeTargets([east], analysis, seriesless({ __name__: ["istio_requests_total"] }), 10_000);
        expect(judgement!.noSeries).to.equal(
            'switchyard:rollout.analysis.metrics: "app" counts requests with http_requests_total, and Prometheus has no http_requests_total series in the last 36m; ' +
                "it has istio_requests_total (metrics: istio)",
        );
        const [none] = await judgeTargets([east], analysis, seriesless({}), 10_000);
        expect(none!.noSeries).to.match(/; nor the counter of any other source \(app, envoy-gateway, istio\): is rollout\.analysis\.prometheus\.url the Prometheus that scrapes these clusters\?$/);
    });

    it("matches a regular-expression matcher whole: Envoy's cluster name carries the namespace and the service", async () => {
        const envoy = analysisSpec({ checks: [SUCCESS_RATE], metrics: "envoy-gateway" });
        const labels = { __name__: ["envoy_cluster_upstream_rq"], cluster: ["east"] };
        const wrongNamespace = await judgeTargets([east], envoy, seriesless({ ...labels, envoy_cluster_name: ["service/web/cart-blue/8080", "xservice/shop/cart-blue/8080"] }), 10_000);
        expect(wrongNamespace[0]!.noSeries).to.match(/^switchyard:services\[0\]\.name or switchyard:clusters\[1\]\.namespace: .* has envoy_cluster_name=~"service\/shop\/cart-\(blue\|green\)\/\.\+"/);
        const there = await judgeTargets([east], envoy, seriesless({ ...labels, envoy_cluster_name: ["service/shop/cart-blue/8080"] }), 10_000);
        expect(there[0]!.noSeries, "every value is there: nothing reached the service, which is no traffic").to.equal(undefined);
        expect(there[0]!.reasons).to.include("no requests reached either color in the latest sample");
    });

    it("asks nothing more when the stable color has series: a new candidate without requests yet is no mistake", async () => {
        const fake = fakeMetrics(() => 0, { blue: HEALTHY, green: HEALTHY });
        const api: MetricsApi = { ...fake, labelValues: async () => expect.fail("asked for label values") };
        const [judgement] = await judgeTargets([{ ...target, candidateWeight: 5 }], analysis, api, 10_000);
        expect(judgement!.noSeries).to.equal(undefined);
        expect(judgement!.verdict).to.equal("inconclusive");
    });

    it("checks the metric source with one question when no target is judged, and names what is missing", async () => {
        const asked: string[] = [];
        expect(await metricSourceProblem(analysis, seriesless({ __name__: ["http_requests_total"] }, asked), 10_000)).to.equal(undefined);
        expect(asked).to.deep.equal(["__name__ on http_requests_total"]);
        expect(await metricSourceProblem(analysis, seriesless({ __name__: ["envoy_cluster_upstream_rq", "istio_requests_total"] }), 10_000)).to.match(
            /it has envoy_cluster_upstream_rq \(metrics: envoy-gateway\) and istio_requests_total \(metrics: istio\)$/,
        );
    });
});

describe("collect: a cohort at 0 % is judged", () => {
    const model = (cohorts: object[]) =>
        ({ greenWeight: 0, clusters: [{ name: "east", namespace: "shop" }, { name: "west", namespace: "shop" }], services: [{ name: "cart" }], cohorts }) as never;

    it("judges the clusters where a cohort sends users to the candidate, whatever the weight", () => {
        const beta = { name: "beta", color: "green", matches: [], clusters: ["west"] };
        expect(judgedTargets(model([beta]), { candidate: "green", steps: [], maxStep: 25 }).map((t) => t.cluster)).to.deep.equal(["west"]);
        expect(judgedTargets(model([{ ...beta, color: "blue" }]), { candidate: "green", steps: [], maxStep: 25 }), "a cohort on the stable color").to.deep.equal([]);
    });
});
