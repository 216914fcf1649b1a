import { expect } from "chai";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
    LATENCY_HISTOGRAMS,
    METRIC_SOURCES,
    SERIES_PROBES,
    SOURCE_QUERIES,
    bucketMatcher,
    openMetricsFloat,
    checkTemplate,
    isLatencyPreset,
    labelProblem,
    listValues,
    missingCounterProblem,
    placeholdersIn,
    probeMatches,
    probeSelector,
    renderQuery,
    seriesKeyText,
    trialsTemplate,
} from "../model/metricQueries.ts";

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
            "100 * (" +
                'sum(increase(http_request_duration_seconds_count{service="cart",color="green",cluster="east"}[60s])) - ' +
                'sum(increase(http_request_duration_seconds_bucket{service="cart",color="green",cluster="east",le=~"0[.]3"}[60s]))' +
                ") / (" +
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
        expect(isLatencyPreset(undefined), "a custom check").to.equal(false);
        expect(isLatencyPreset("success-rate")).to.equal(false);
        expect(isLatencyPreset("latency-p95")).to.equal(true);
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
        // Envoy's 30-minute and hour buckets: Prometheus 3 writes a bound of a million or more with an exponent.
        expect(matches(1800000, "istio", "1800000"), "as Envoy exposes it").to.equal(true);
        expect(matches(1800000, "istio", "1.8e+06"), "as Prometheus 3 stores it").to.equal(true);
        expect(matches(3600000, "istio", "3.6e+06")).to.equal(true);
        expect(matches(1800000, "istio", "1.8e+07"), "ten times the bar").to.equal(false);
        expect(matches(1800000, "istio", "1x8e+06"), "a dot, not any character").to.equal(false);
        expect(matches(1800000, "istio", "1.8e06"), "a plus, not one or more of the e").to.equal(false);
        expect(bucketMatcher(1800000, "istio")).to.not.include("\\");
    });

    it("writes a bucket bound as Prometheus 3 does, Go's shortest %g with .0 on a whole number", () => {
        // Values as Go's strconv.FormatFloat(f, 'g', -1, 64) prints them, with OpenMetrics' ".0".
        const cases: [number, string][] = [
            [1, "1.0"],
            [0.3, "0.3"],
            [500, "500.0"],
            [300000, "300000.0"],
            [999999, "999999.0"],
            [1000000, "1e+06"],
            [1800000, "1.8e+06"],
            [3600000, "3.6e+06"],
            [1.5e21, "1.5e+21"],
            [1e100, "1e+100"],
            [0.0001, "0.0001"],
            [0.00005, "5e-05"],
            [0.000125, "0.000125"],
            [0.5, "0.5"],
            [1.8e-7, "1.8e-07"],
        ];
        for (const [value, text] of cases) expect(openMetricsFloat(value), String(value)).to.equal(text);
    });

    it("knows the bucket boundaries each source's histogram has", () => {
        // app/server.mjs's buckets in seconds, and Envoy's default histogram buckets in ms (Envoy Gateway and Istio both).
        expect(LATENCY_HISTOGRAMS.app.bucketsMs).to.deep.equal([5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2500, 5000, 10000]);
        const envoy = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
        expect(LATENCY_HISTOGRAMS["envoy-gateway"].bucketsMs).to.deep.equal(envoy);
        expect(LATENCY_HISTOGRAMS.istio.bucketsMs).to.deep.equal(envoy);
        // The app's histogram counts in seconds (http_request_duration_seconds), Envoy's in ms (upstream_rq_time, request_duration_milliseconds).
        expect([LATENCY_HISTOGRAMS.app.le, LATENCY_HISTOGRAMS["envoy-gateway"].le, LATENCY_HISTOGRAMS.istio.le]).to.deep.equal(["s", "ms", "ms"]);
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

describe("metric queries: the series probes, when no color has a requests series", () => {
    const target = { service: "cart", cluster: "east", namespace: "shop" };
    const at = { cluster: 1, service: 0 };
    const over = "in the last 36m";

    it("asks along each source's requests selector, color aside, one matcher more each time", () => {
        // Written out from the sources' metric names (docs/progressive-delivery.md): the demo app's
        // labels, Envoy Gateway's per-Service cluster service/<ns>/<svc>-<color>/<port>, Istio's
        // Deployment <svc>-<color> as the Gateway's proxy reports it.
        expect(probeSelector(SERIES_PROBES.app, 0, target)).to.equal("http_requests_total");
        expect(probeSelector(SERIES_PROBES.app, 2, target)).to.equal('http_requests_total{cluster="east",service="cart"}');
        expect(probeSelector(SERIES_PROBES["envoy-gateway"], 0, target)).to.equal("envoy_cluster_upstream_rq");
        expect(probeSelector(SERIES_PROBES["envoy-gateway"], 2, target)).to.equal('envoy_cluster_upstream_rq{cluster="east",envoy_cluster_name=~"service/shop/cart-(blue|green)/.+"}');
        expect(probeSelector(SERIES_PROBES.istio, 0, target)).to.equal("istio_requests_total");
        expect(probeSelector(SERIES_PROBES.istio, 1, target)).to.equal('istio_requests_total{cluster="east"}');
        expect(probeSelector(SERIES_PROBES.istio, 4, target)).to.equal(
            'istio_requests_total{cluster="east",reporter="source",destination_workload_namespace="shop",destination_workload=~"cart-(blue|green)"}',
        );
        expect(probeSelector(SERIES_PROBES.app, 1, { ...target, cluster: 'a"b' }), "a value quoted as PromQL reads it").to.equal('http_requests_total{cluster="a\\"b"}');
    });

    it("probes exactly the matchers of the requests query, with either color in place of {color}", () => {
        for (const source of METRIC_SOURCES) {
            const probe = SERIES_PROBES[source];
            const requests = SOURCE_QUERIES[source].requests;
            expect(requests, source).to.include(`(${probe.counter}{`);
            const full = probeSelector(probe, probe.labels.length, target);
            const selector = (color: string) => /\{(.*)\}\[/.exec(renderQuery(requests, { ...target, color, windowSeconds: 60 }))![1]!.split(",").sort();
            const probed = /\{(.*)\}$/.exec(full)![1]!.split(",").sort();
            for (const color of ["blue", "green"]) {
                // The app's color is a label of its own, which the probe leaves out.
                const asked = selector(color).filter((m) => !m.startsWith("color="));
                expect(probed.length, `${source}: a matcher for each of ${asked.join(", ")}`).to.equal(asked.length);
                for (const matcher of probed) {
                    const [, label, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(matcher)!;
                    const query = asked.find((m) => m.startsWith(`${label}=`))!;
                    expect(query, `${source} ${label}`).to.not.equal(undefined);
                    const [, , queryOp, queryValue] = /^(\w+)(=~|=)"(.*)"$/.exec(query)!;
                    if (op === "=") expect(`${op}${value}`, `${source} ${label}`).to.equal(`${queryOp}${queryValue}`);
                    // The probe's regex takes either color where the query has one.
                    else expect(new RegExp(`^(?:${value})$`).test(queryOp === "=" ? queryValue! : queryValue!.replace("/.+", "/8080")), `${source} ${label} ${color}`).to.equal(true);
                }
            }
        }
    });

    it("matches a plain value exactly and a regular expression whole, as PromQL does", () => {
        const [cluster, service] = SERIES_PROBES.app.labels;
        expect(probeMatches(cluster!, target, ["west", "east"])).to.equal(true);
        expect(probeMatches(cluster!, target, ["east-1", "eas"]), "no part of a value").to.equal(false);
        expect(probeMatches(cluster!, { ...target, cluster: "eks.use1" }, ["eksXuse1"]), "a plain value is no regular expression").to.equal(false);
        expect(probeMatches(service!, target, ["cart"])).to.equal(true);
        expect(probeMatches(service!, target, [])).to.equal(false);
        const workload = SERIES_PROBES.istio.labels.find((l) => l.label === "destination_workload")!;
        expect(probeMatches(workload, target, ["checkout-blue", "cart-green"])).to.equal(true);
        expect(probeMatches(workload, target, ["cart-blue-canary", "xcart-blue", "cart"]), "whole values only").to.equal(false);
        const envoy = SERIES_PROBES["envoy-gateway"].labels[1]!;
        expect(probeMatches(envoy, target, ["service/shop/cart-blue/8080"])).to.equal(true);
        expect(probeMatches(envoy, target, ["service/web/cart-blue/8080", "service/shop/cart-red/8080"])).to.equal(false);
    });

    it("names the stack-file key each matcher's value comes from", () => {
        expect(seriesKeyText("cluster", { cluster: 2, service: 3 })).to.equal("switchyard:clusters[2].name");
        expect(seriesKeyText("namespace", { cluster: 2, service: 3 })).to.equal("switchyard:clusters[2].namespace");
        expect(seriesKeyText("service", { cluster: 2, service: 3 })).to.equal("switchyard:services[3].name");
        expect(seriesKeyText("service-or-namespace", { cluster: 2, service: 3 })).to.equal("switchyard:services[3].name or switchyard:clusters[2].namespace");
        expect(seriesKeyText("metrics", { cluster: 2, service: 3 })).to.equal("switchyard:rollout.analysis.metrics");
        // Which matcher blames which key: the cluster's name, Istio's reporter the metric source itself.
        const keys = (source: (typeof METRIC_SOURCES)[number]) => SERIES_PROBES[source].labels.map((l) => `${l.label}:${l.key}`);
        expect(keys("app")).to.deep.equal(["cluster:cluster", "service:service"]);
        expect(keys("envoy-gateway")).to.deep.equal(["cluster:cluster", "envoy_cluster_name:service-or-namespace"]);
        expect(keys("istio")).to.deep.equal(["cluster:cluster", "reporter:metrics", "destination_workload_namespace:namespace", "destination_workload:service"]);
    });

    it("names a key by the file that sets it, through the label a fleet gives, and each one of a pair apart", () => {
        // As a fleet file that sets clusters and rollout, but not services, names its keys.
        const label = (path: string) => (/^switchyard:(clusters|rollout)\b/.test(path) ? `fleets/prod.yaml: ${path.slice("switchyard:".length)}` : path);
        expect(seriesKeyText("cluster", { cluster: 2, service: 3 }, label)).to.equal("fleets/prod.yaml: clusters[2].name");
        expect(seriesKeyText("namespace", { cluster: 2, service: 3 }, label)).to.equal("fleets/prod.yaml: clusters[2].namespace");
        expect(seriesKeyText("service", { cluster: 2, service: 3 }, label)).to.equal("switchyard:services[3].name");
        expect(seriesKeyText("service-or-namespace", { cluster: 2, service: 3 }, label)).to.equal("switchyard:services[3].name or fleets/prod.yaml: clusters[2].namespace");
        expect(seriesKeyText("metrics", { cluster: 2, service: 3 }, label)).to.equal("fleets/prod.yaml: rollout.analysis.metrics");
        expect(labelProblem(SERIES_PROBES.app, 0, target, at, ["west"], over, label)).to.match(/^fleets\/prod\.yaml: clusters\[1\]\.name: no series of http_requests_total in the last 36m has cluster="east"; /);
        expect(missingCounterProblem("app", [], over, label)).to.match(/^fleets\/prod\.yaml: rollout\.analysis\.metrics: "app" counts requests with http_requests_total/);
    });

    it("says which Istio matcher has no series, on the selector before it, with the values Prometheus has", () => {
        expect(labelProblem(SERIES_PROBES.istio, 2, target, at, ["default", "payments"], over)).to.equal(
            'switchyard:clusters[1].namespace: no series of istio_requests_total{cluster="east",reporter="source"} in the last 36m has destination_workload_namespace="shop"; ' +
                'the destination_workload_namespace values it has there: "default", "payments". ' +
                "This is a config mistake, not a lack of traffic, unless no request ever reached cart on east.",
        );
        expect(labelProblem(SERIES_PROBES.istio, 3, target, at, ["checkout-blue"], over)).to.match(
            /^switchyard:services\[0\]\.name: no series of istio_requests_total\{[^}]*destination_workload_namespace="shop"\} in the last 36m has destination_workload=~"cart-\(blue\|green\)"; the destination_workload values it has there: "checkout-blue"\./,
        );
        // Only the sidecars report: the preset reads the Gateway's reporter="source".
        expect(labelProblem(SERIES_PROBES.istio, 1, target, at, [], over)).to.equal(
            'switchyard:rollout.analysis.metrics: no series of istio_requests_total{cluster="east"} in the last 36m has reporter="source"; none of them has a reporter label. ' +
                "This is a config mistake, not a lack of traffic, unless no request ever reached cart on east.",
        );
        expect(labelProblem(SERIES_PROBES.app, 0, target, at, [], over)).to.include(
            'none of them has a cluster label: give each cluster\'s metrics the label cluster="<its clusters[].name>" (e.g. an external label). ',
        );
    });

    it("lists at most twelve of the values Prometheus has, and how many more", () => {
        const values = Array.from({ length: 14 }, (_, i) => `c${i}`);
        expect(listValues(values)).to.equal('"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11" and 2 more');
        expect(listValues(values.slice(0, 12))).to.equal('"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11"');
        expect(listValues(["a", "b", "c"], 2)).to.equal('"a", "b" and 1 more');
        expect(listValues(['say "hi"'])).to.equal('"say \\"hi\\""');
    });

    it("names the source's counter when Prometheus lacks it, and the sources whose counters it has", () => {
        expect(missingCounterProblem("istio", ["app", "envoy-gateway"], over)).to.equal(
            'switchyard:rollout.analysis.metrics: "istio" counts requests with istio_requests_total, and Prometheus has no istio_requests_total series in the last 36m; ' +
                "it has http_requests_total (metrics: app) and envoy_cluster_upstream_rq (metrics: envoy-gateway)",
        );
        expect(missingCounterProblem("envoy-gateway", [], over)).to.equal(
            'switchyard:rollout.analysis.metrics: "envoy-gateway" counts requests with envoy_cluster_upstream_rq, and Prometheus has no envoy_cluster_upstream_rq series in the last 36m; ' +
                "nor the counter of any other source (app, envoy-gateway, istio): is rollout.analysis.prometheus.url the Prometheus that scrapes these clusters?",
        );
    });
});
