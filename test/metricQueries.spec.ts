import { expect } from "chai";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CHECK_PRESETS, METRIC_SOURCES, SOURCE_QUERIES, checkTemplate, placeholdersIn, renderQuery } from "../model/metricQueries.ts";

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
        expect(checkTemplate({ preset: "latency-p99" }, "istio")).to.equal(SOURCE_QUERIES.istio["latency-p99"]);
    });
});

describe("metric queries: the metric sources", () => {
    it("answers requests, success rate and p99 for every source, apart per color and cluster", () => {
        expect(Object.keys(SOURCE_QUERIES)).to.have.members([...METRIC_SOURCES]);
        for (const source of METRIC_SOURCES) {
            const queries = SOURCE_QUERIES[source];
            expect(Object.keys(queries), source).to.have.members(["requests", ...Object.keys(CHECK_PRESETS)]);
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
        expect(renderQuery(SOURCE_QUERIES.app["latency-p99"], values)).to.equal(
            '1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="cart",color="green",cluster="east"}[60s])))',
        );
    });

    it("finds a color in Envoy Gateway by its Service's own Envoy cluster, and in Istio by its Deployment", () => {
        expect(renderQuery(SOURCE_QUERIES["envoy-gateway"].requests, values)).to.equal(
            'sum(increase(envoy_cluster_upstream_rq{envoy_cluster_name=~"service/shop/cart-green/.+",cluster="east"}[60s]))',
        );
        expect(renderQuery(SOURCE_QUERIES["envoy-gateway"]["latency-p99"], values)).to.equal(
            'histogram_quantile(0.99, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"service/shop/cart-green/.+",cluster="east"}[60s])))',
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
