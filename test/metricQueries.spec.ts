import { expect } from "chai";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LATENCY_HISTOGRAMS, METRIC_SOURCES, SOURCE_QUERIES, bucketMatcher, checkTemplate, placeholdersIn, renderQuery, trialsTemplate } from "../model/metricQueries.ts";

const values = { service: "cart", color: "green", cluster: "east", namespace: "shop", windowSeconds: 60 };

describe("metric queries: templates", () => {
    it("finds placeholders once each, in order, and not PromQL's own braces", () => {
        expect(placeholdersIn('sum(rate(x{service="{service}",color="{color}"}[{window}])) / on() y{color="{color}"}')).to.deep.equal(["service", "color", "window"]);
        expect(placeholdersIn('sum(rate(x{code=~"5.."}[1m]))')).to.deep.equal([]);
        expect(placeholdersIn("x{svc}")).to.deep.equal(["svc"]);
    });

    it("renders every placeholder, {window} as whole seconds", () => {
        expect(renderQuery('sum(increase(x{service="{service}",color="{color}",cluster="{cluster}",ns="{namespace}"}[{window}]))', values)).to.equal(
            'sum(increase(x{service="cart",color="green",cluster="east",ns="shop"}[60s]))',
        );
        expect(renderQuery("{window}", { ...values, windowSeconds: 300 })).to.equal("300s");
    });

    it("escapes quotes and backslashes in label values and leaves unknown braces alone", () => {
        expect(renderQuery('x{a="{service}"}', { ...values, service: 'a"b\\c' })).to.equal('x{a="a\\"b\\\\c"}');
        expect(renderQuery("x{other}", values)).to.equal("x{other}");
    });

    it("runs a custom check's own query and a preset's from the metric source", () => {
        expect(checkTemplate({ query: "custom{color}" }, "istio")).to.equal("custom{color}");
        expect(checkTemplate({ preset: "success-rate" }, "istio")).to.equal(SOURCE_QUERIES.istio["success-rate"]);
    });

    it("asks a latency preset for the percentage of the histogram's requests slower than its bar, out of the histogram's count", () => {
        // Written out by hand: the app's histogram is in seconds, so a 300 ms bar is the bucket le="0.3".
        expect(renderQuery(checkTemplate({ preset: "latency-p99", slowerThanMs: 300 }, "app"), values)).to.equal(
            "100 * ((" +
                'sum(increase(http_request_duration_seconds_count{service="cart",color="green",cluster="east"}[60s])) - ' +
                'sum(increase(http_request_duration_seconds_bucket{service="cart",color="green",cluster="east",le=~"0[.]3"}[60s]))' +
                ") or vector(0)) / (" +
                'sum(increase(http_request_duration_seconds_count{service="cart",color="green",cluster="east"}[60s]))' +
                ")",
        );
        expect(renderQuery(trialsTemplate({ preset: "latency-p95", slowerThanMs: 300 }, "app")!, values)).to.equal(
            'sum(increase(http_request_duration_seconds_count{service="cart",color="green",cluster="east"}[60s]))',
        );
        expect(checkTemplate({ preset: "latency-p99", slowerThanMs: 500 }, "envoy-gateway")).to.include(
            'envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"service/{namespace}/{service}-{color}/.+",cluster="{cluster}",le=~"500|500[.]0"}',
        );
        expect(checkTemplate({ preset: "latency-p99", slowerThanMs: 250 }, "istio")).to.include("istio_request_duration_milliseconds_bucket{");
        expect(checkTemplate({ preset: "latency-p99", slowerThanMs: 250 }, "istio")).to.include('le=~"250|250[.]0"');
    });

    it("counts out of the requests unless a check says otherwise: its per, a latency preset's histogram count", () => {
        expect(trialsTemplate({ preset: "success-rate" }, "app")).to.equal(undefined);
        expect(trialsTemplate({ query: "sum(a)" }, "app")).to.equal(undefined);
        expect(trialsTemplate({ query: "sum(a)", per: "sum(b)" }, "app")).to.equal("sum(b)");
        expect(trialsTemplate({ preset: "latency-p99", slowerThanMs: 500 }, "istio")).to.equal(SOURCE_QUERIES.istio["latency-requests"]);
    });

    it("matches a bucket's le as the source spells it, and as Prometheus 3 normalises a whole number", () => {
        // Prometheus 2 keeps the exposition's le="1"; Prometheus 3 stores le="1.0".
        const matches = (barMs: number, source: "app" | "istio", le: string) => new RegExp(`^(?:${bucketMatcher(barMs, source)})$`).test(le);
        expect(matches(1000, "app", "1"), "1 s").to.equal(true);
        expect(matches(1000, "app", "1.0"), "1 s, Prometheus 3").to.equal(true);
        expect(matches(300, "app", "0.3")).to.equal(true);
        expect(matches(300, "app", "0x3"), "a dot, not any character").to.equal(false);
        expect(matches(300, "app", "0.35")).to.equal(false);
        expect(matches(2500, "app", "2.5")).to.equal(true);
        expect(matches(500, "istio", "500")).to.equal(true);
        expect(matches(500, "istio", "500.0")).to.equal(true);
        expect(matches(500, "istio", "5000")).to.equal(false);
        expect(matches(0.5, "istio", "0.5")).to.equal(true);
        expect(bucketMatcher(300, "app"), "no backslash, which a PromQL string would take for an escape").to.not.include("\\");
    });

    it("knows the bucket boundaries each source's histogram has", () => {
        // app/server.mjs's buckets in seconds, and Envoy's default histogram buckets in ms (Envoy Gateway and Istio both).
        expect(LATENCY_HISTOGRAMS.app.bucketsMs).to.deep.equal([5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2500, 5000, 10000]);
        const envoy = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
        expect(LATENCY_HISTOGRAMS["envoy-gateway"].bucketsMs).to.deep.equal(envoy);
        expect(LATENCY_HISTOGRAMS.istio.bucketsMs).to.deep.equal(envoy);
        const server = readFileSync(resolve(import.meta.dirname, "../app/server.mjs"), "utf8");
        const buckets = /buckets: \[([^\]]+)\]/.exec(server)![1]!.split(",").map((b) => Math.round(Number(b) * 1000));
        expect(LATENCY_HISTOGRAMS.app.bucketsMs, "the demo app's own buckets").to.deep.equal(buckets);
    });
});

describe("metric queries: the metric sources", () => {
    it("answers requests, success rate and latency for every source, apart per color and cluster", () => {
        expect(Object.keys(SOURCE_QUERIES)).to.have.members([...METRIC_SOURCES]);
        for (const source of METRIC_SOURCES) {
            const queries = SOURCE_QUERIES[source];
            expect(Object.keys(queries), source).to.have.members(["requests", "success-rate", "latency-requests", "latency-slow"]);
            for (const [name, query] of Object.entries(queries)) {
                expect(placeholdersIn(query), `${source} ${name}`).to.include.members(["color", "cluster", "window", "service"]);
            }
        }
    });

    it("asks the demo app for its own counters by service, color and cluster", () => {
        // Written out by hand from the metric names app/server.mjs exports.
        expect(renderQuery(SOURCE_QUERIES.app.requests, values)).to.equal('sum(increase(http_requests_total{service="cart",color="green",cluster="east"}[60s]))');
        expect(renderQuery(SOURCE_QUERIES.app["success-rate"], values)).to.equal(
            '100 * (sum(increase(http_requests_total{service="cart",color="green",cluster="east",code=~"[1-4].."}[60s])) or vector(0)) / ' +
                'sum(increase(http_requests_total{service="cart",color="green",cluster="east"}[60s]))',
        );
        expect(renderQuery(SOURCE_QUERIES.app["latency-slow"], values)).to.equal(
            'sum(increase(http_request_duration_seconds_count{service="cart",color="green",cluster="east"}[60s])) - ' +
                'sum(increase(http_request_duration_seconds_bucket{service="cart",color="green",cluster="east",le=~"{le}"}[60s]))',
        );
    });

    it("finds a color in Envoy Gateway by its Service's own Envoy cluster, and in Istio by its Deployment", () => {
        expect(renderQuery(SOURCE_QUERIES["envoy-gateway"].requests, values)).to.equal(
            'sum(increase(envoy_cluster_upstream_rq{envoy_cluster_name=~"service/shop/cart-green/.+",cluster="east"}[60s]))',
        );
        expect(renderQuery(SOURCE_QUERIES["envoy-gateway"]["latency-requests"], values)).to.equal(
            'sum(increase(envoy_cluster_upstream_rq_time_count{envoy_cluster_name=~"service/shop/cart-green/.+",cluster="east"}[60s]))',
        );
        expect(renderQuery(SOURCE_QUERIES.istio["latency-requests"], values)).to.equal(
            'sum(increase(istio_request_duration_milliseconds_count{reporter="source",destination_workload="cart-green",destination_workload_namespace="shop",cluster="east"}[60s]))',
        );
        expect(renderQuery(SOURCE_QUERIES.istio.requests, values)).to.equal(
            'sum(increase(istio_requests_total{reporter="source",destination_workload="cart-green",destination_workload_namespace="shop",cluster="east"}[60s]))',
        );
        expect(SOURCE_QUERIES.istio["success-rate"]).to.include('response_code=~"[1-4].."');
        expect(SOURCE_QUERIES["envoy-gateway"]["success-rate"]).to.include('envoy_response_code=~"[1-4].."');
    });
});

describe("metric queries: the documentation", () => {
    it("lists every source's queries in docs/progressive-delivery.md exactly as the command sends them", () => {
        const docs = readFileSync(resolve(import.meta.dirname, "../docs/progressive-delivery.md"), "utf8");
        for (const source of METRIC_SOURCES) {
            const heading = docs.indexOf(`### \`${source}\``);
            expect(heading, `a section for ${source}`).to.be.greaterThan(-1);
            const section = docs.slice(heading);
            for (const [name, query] of Object.entries(SOURCE_QUERIES[source])) {
                expect(section.split("\n").find((line) => line.trim().startsWith(`${name}:`))?.split(/:\s+/).slice(1).join(": "), `${source} ${name}`).to.equal(query);
            }
        }
    });
});

describe("metric queries: a rate with per", () => {
    it("asks 100 × events / per, with no events at all read as 0 %", () => {
        expect(checkTemplate({ query: "sum(a)", per: "sum(b)" }, "app")).to.equal("100 * ((sum(a)) or vector(0)) / (sum(b))");
        expect(checkTemplate({ query: "sum(a)" }, "app")).to.equal("sum(a)");
    });
});
