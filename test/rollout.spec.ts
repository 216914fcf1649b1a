import { expect } from "chai";
import { parseStackConfig } from "../model/config/parse.ts";
import type { RawConfig } from "../model/config/types.ts";
import { candidateWeightOf, checkRollout, formatDuration, greenWeightForCandidate, isCohortEdit, nextStep, parseDuration, readRollout, rollbackEdits, stableColorOf, stepEdit } from "../model/rollout.ts";
import type { RolloutSpec } from "../model/config/types.ts";
import { ConfigError, Problems } from "../model/validation.ts";

const analysis = (extra: Record<string, unknown> = {}) => ({ prometheus: { url: "https://prometheus.example.com" }, ...extra });

function read(value: unknown, isSecret = false): { rollout: RolloutSpec; problems: string[] } {
    const problems = new Problems();
    const rollout = readRollout(value === undefined ? undefined : JSON.stringify(value), problems, isSecret);
    return { rollout, problems: problems.list };
}

function problemsOf(value: unknown, isSecret = false): string[] {
    const { problems } = read(value, isSecret);
    expect(problems, `expected problems for ${JSON.stringify(value)}`).to.not.be.empty;
    return problems;
}

/** Exactly one problem, for `key`, quoting `got` and matching `allowed`. */
function expectOnlyProblem(problems: string[], key: string, got: string, allowed: RegExp): void {
    expect(problems, problems.join("\n")).to.have.length(1);
    expect(problems[0]!.startsWith(`${key}: got ${got}; allowed: `), problems[0]).to.equal(true);
    expect(problems[0]).to.match(allowed);
}

describe("rollout config: defaults", () => {
    it("releases green through 5, 25, 50, 75, 100 with a guard of 25 when the stack is silent", () => {
        const { rollout, problems } = read(undefined);
        expect(problems).to.deep.equal([]);
        expect(rollout).to.deep.equal({ candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 });
    });

    it("fills an analysis block with 1m samples, a 5m window, 20 requests, 2 failures, α 1 % and both presets", () => {
        const { rollout, problems } = read({ analysis: analysis() });
        expect(problems).to.deep.equal([]);
        expect(rollout.analysis).to.deep.equal({
            prometheus: { url: "https://prometheus.example.com", hasToken: false },
            metrics: "app",
            intervalSeconds: 60,
            windowSeconds: 300,
            minRequests: 20,
            failureLimit: 2,
            alpha: 0.01,
            checks: [
                { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, unit: "%", rate: true },
                // At most 1 % of requests slower than 500 ms, counted like errors.
                { name: "latency-p99", preset: "latency-p99", bound: "max", threshold: 1, unit: "%", rate: true, slowerThanMs: 500 },
            ],
        });
    });

    it("reads every field the lead's example sets", () => {
        const { rollout, problems } = read(
            {
                candidate: "blue",
                steps: [10, 30, 50, 100],
                maxStep: 50,
                analysis: {
                    prometheus: { url: "http://127.0.0.1:9090", token: "[secret]" },
                    metrics: "istio",
                    interval: "30s",
                    window: "2m",
                    minRequests: 50,
                    failureLimit: 3,
                    checks: [
                        "success-rate",
                        { name: "latency-p99", max: 250, maxWorseThanStable: 0.5 },
                        { name: "checkout-errors", query: 'sum(rate(app_errors_total{service="{service}",color="{color}"}[{window}]))', max: 0.5 },
                    ],
                },
            },
            true,
        );
        expect(problems).to.deep.equal([]);
        expect(rollout.candidate).to.equal("blue");
        expect(rollout.steps).to.deep.equal([10, 30, 50, 100]);
        expect(rollout.maxStep).to.equal(50);
        const a = rollout.analysis!;
        expect(a.prometheus).to.deep.equal({ url: "http://127.0.0.1:9090", hasToken: true });
        expect([a.metrics, a.intervalSeconds, a.windowSeconds, a.minRequests, a.failureLimit]).to.deep.equal(["istio", 30, 120, 50, 3]);
        expect(a.checks).to.deep.equal([
            { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, unit: "%", rate: true },
            { name: "latency-p99", preset: "latency-p99", bound: "max", threshold: 1, unit: "%", rate: true, slowerThanMs: 250, maxWorseThanStable: 0.5 },
            {
                name: "checkout-errors",
                query: 'sum(rate(app_errors_total{service="{service}",color="{color}"}[{window}]))',
                bound: "max",
                threshold: 0.5,
                unit: "",
            },
        ]);
    });

    it("keeps a preset's default threshold when only its comparison with stable is set", () => {
        const { rollout } = read({ analysis: analysis({ checks: [{ name: "success-rate", maxWorseThanStable: 0.5 }] }) });
        expect(rollout.analysis!.checks).to.deep.equal([
            { name: "success-rate", preset: "success-rate", bound: "min", threshold: 99, maxWorseThanStable: 0.5, unit: "%", rate: true },
        ]);
    });

    it("reads a custom check with a lower bound as min", () => {
        const { rollout, problems } = read({
            analysis: analysis({ checks: [{ name: "orders", query: 'sum(rate(orders_total{color="{color}"}[{window}]))', min: 1 }] }),
        });
        expect(problems).to.deep.equal([]);
        expect(rollout.analysis!.checks[0]).to.include({ bound: "min", threshold: 1 });
    });
});

describe("rollout config: steps and the guard", () => {
    it("accepts steps at the largest allowed rise, including the first step from 0", () => {
        expect(read({ steps: [25, 50, 75, 100] }).problems).to.deep.equal([]);
        expect(read({ steps: [100], maxStep: 100 }).problems).to.deep.equal([]);
    });

    it("refuses steps that do not increase, naming the step and the one before", () => {
        expectOnlyProblem(problemsOf({ steps: [5, 25, 25, 50, 75, 100] }), "switchyard:rollout.steps[2]", "25", /above the step before it \(25\)/);
        expectOnlyProblem(problemsOf({ steps: [5, 25, 20, 40, 60, 80, 100] }), "switchyard:rollout.steps[2]", "20", /above the step before it \(25\)/);
    });

    it("refuses a step over 100 or under 1, and a step that is no integer", () => {
        expect(problemsOf({ steps: [5, 25, 50, 75, 101] })).to.include.members([
            "switchyard:rollout.steps[4]: got 101; allowed: an integer from 1 to 100 (a percentage of traffic on the candidate)",
        ]);
        expect(problemsOf({ steps: [0, 25, 50, 75, 100] })[0]).to.match(/^switchyard:rollout\.steps\[0\]: got 0; allowed: an integer from 1 to 100/);
        expect(problemsOf({ steps: [5, 25.5, 50, 75, 100] })[0]).to.match(/^switchyard:rollout\.steps\[1\]: got 25.5; allowed: an integer from 1 to 100/);
        expect(problemsOf({ steps: ["5", 25, 50, 75, 100] })[0]).to.match(/^switchyard:rollout\.steps\[0\]: got "5"; allowed: an integer/);
    });

    it("accepts 1 as a step, the smallest weight", () => {
        expect(read({ steps: [1, 25, 50, 75, 100] }).rollout.steps).to.deep.equal([1, 25, 50, 75, 100]);
    });

    it("reports a step that is no weight once, not also as a missing last step", () => {
        expect(problemsOf({ steps: [5, 25, 50, 75, 101] })).to.deep.equal([
            "switchyard:rollout.steps[4]: got 101; allowed: an integer from 1 to 100 (a percentage of traffic on the candidate)",
        ]);
        expect(problemsOf({ steps: ["a"] })).to.deep.equal(['switchyard:rollout.steps[0]: got "a"; allowed: an integer from 1 to 100 (a percentage of traffic on the candidate)']);
    });

    it("reads steps with a mistake as the defaults, so the rest is checked against sane steps", () => {
        for (const steps of [[5, 25, 25, 50, 75, 100], [5, 25, 50, 75], [26, 50, 75, 100], [5, 250, 25, 50, 75, 100], [], "5"]) {
            const { rollout, problems } = read({ steps });
            expect(problems, JSON.stringify(steps)).to.have.length(1);
            expect(rollout.steps, JSON.stringify(steps)).to.deep.equal([5, 25, 50, 75, 100]);
        }
    });

    it("refuses steps that do not end at 100", () => {
        expectOnlyProblem(problemsOf({ steps: [5, 25, 50, 75] }), "switchyard:rollout.steps[3]", "75", /100 as the last step/);
    });

    it("refuses a rise above maxStep, from 0 to the first step too, and says which weight would fit", () => {
        expectOnlyProblem(problemsOf({ steps: [26, 50, 75, 100] }), "switchyard:rollout.steps[0]", "26", /at most 25: a rise of at most switchyard:rollout\.maxStep \(25\) over 0/);
        expectOnlyProblem(problemsOf({ steps: [5, 31, 50, 75, 100] }), "switchyard:rollout.steps[1]", "31", /at most 30: .* over 5/);
        expectOnlyProblem(problemsOf({ steps: [10, 20, 100], maxStep: 79 }), "switchyard:rollout.steps[2]", "100", /at most 99/);
        expect(read({ steps: [10, 20, 100], maxStep: 80 }).problems).to.deep.equal([]);
    });

    it("refuses an empty or non-list steps value", () => {
        expectOnlyProblem(problemsOf({ steps: [] }), "switchyard:rollout.steps", "\\[\\]".replace(/\\/g, ""), /strictly increasing integers/);
        expectOnlyProblem(problemsOf({ steps: "5,25,100" }), "switchyard:rollout.steps", '"5,25,100"', /a list of candidate weights/);
    });

    it("refuses maxStep outside 1 to 100 and a candidate that is no color", () => {
        expectOnlyProblem(problemsOf({ maxStep: 0 }), "switchyard:rollout.maxStep", "0", /an integer from 1 to 100/);
        expect(problemsOf({ maxStep: 101 })[0]).to.match(/^switchyard:rollout\.maxStep: got 101; allowed: an integer from 1 to 100/);
        expectOnlyProblem(problemsOf({ candidate: "red" }), "switchyard:rollout.candidate", '"red"', /blue or green/);
    });

    it("names an unknown key with the nearest known one", () => {
        expectOnlyProblem(problemsOf({ step: [5, 100] }), "switchyard:rollout.step", "\\[5,100\\]".replace(/\\/g, ""), /did you mean "steps"\?/);
    });

    it("refuses a rollout that is not an object, and reads it as the defaults", () => {
        expectOnlyProblem(problemsOf([5, 25, 100]), "switchyard:rollout", "[5,25,100]", /an object with candidate, steps, maxStep, analysis/);
        expect(read([5, 25, 100]).rollout).to.deep.equal({ candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 });
        const problems = new Problems();
        expect(readRollout("{not json", problems, false)).to.deep.equal({ candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 });
        expect(problems.list).to.deep.equal(['switchyard:rollout: got "{not json"; allowed: an object in the stack file (it did not parse as one)']);
    });
});

describe("rollout config: analysis", () => {
    for (const bad of ["5 minutes", "0s", "-1m", "1.5m", "5", "", "1m5h", "300ms", "1d"]) {
        it(`refuses the duration ${JSON.stringify(bad)}`, () => {
            expectOnlyProblem(
                problemsOf({ analysis: analysis({ interval: bad, window: "5m" }) }),
                "switchyard:rollout.analysis.interval",
                JSON.stringify(bad),
                /a duration above 0 in whole seconds, minutes or hours/,
            );
        });
    }

    it("refuses a duration that is not text, even one that reads like a duration", () => {
        expectOnlyProblem(problemsOf({ analysis: analysis({ interval: ["5m"] }) }), "switchyard:rollout.analysis.interval", '["5m"]', /a duration above 0/);
        expectOnlyProblem(problemsOf({ analysis: analysis({ interval: 60 }) }), "switchyard:rollout.analysis.interval", "60", /a duration above 0/);
    });

    it("quotes the window as it was written when it is no multiple of the interval", () => {
        expectOnlyProblem(problemsOf({ analysis: analysis({ interval: "2m", window: "300s" }) }), "switchyard:rollout.analysis.window", '"300s"', /interval \(2m\)/);
    });

    it("refuses a window that is no whole multiple of the interval, or shorter than it", () => {
        expectOnlyProblem(problemsOf({ analysis: analysis({ interval: "2m", window: "5m" }) }), "switchyard:rollout.analysis.window", '"5m"', /a whole multiple of interval \(2m\)/);
        expectOnlyProblem(problemsOf({ analysis: analysis({ interval: "10m" }) }), "switchyard:rollout.analysis.window", '"5m"', /whole multiple of interval \(10m\)/);
        expect(read({ analysis: analysis({ interval: "5m", window: "5m" }) }).problems).to.deep.equal([]);
    });

    it("requires the Prometheus URL, over http or https", () => {
        expectOnlyProblem(problemsOf({ analysis: {} }), "switchyard:rollout.analysis.prometheus", "nothing (the key is missing)", /url of the Prometheus HTTP API/);
        expectOnlyProblem(problemsOf({ analysis: { prometheus: { url: "ftp://prom" } } }), "switchyard:rollout.analysis.prometheus.url", '"ftp://prom"', /http:\/\/ or https:\/\//);
        expectOnlyProblem(problemsOf({ analysis: { prometheus: { url: "prometheus:9090" } } }), "switchyard:rollout.analysis.prometheus.url", '"prometheus:9090"', /http/);
    });

    it("refuses a plaintext token without echoing it, and accepts one the stack holds as a secret", () => {
        const problems = problemsOf({ analysis: { prometheus: { url: "https://p.example.com", token: "hunter2" } } }, false);
        expectOnlyProblem(problems, "switchyard:rollout.analysis.prometheus.token", '"<a plaintext token>"', /pulumi config set --secret --path rollout\.analysis\.prometheus\.token/);
        expect(problems.join("\n")).to.not.include("hunter2");
        expect(read({ analysis: { prometheus: { url: "https://p.example.com", token: "[secret]" } } }, true).problems).to.deep.equal([]);
    });

    it("says what analysis, its Prometheus and its metric source must be", () => {
        expect(problemsOf({ analysis: "yes" })).to.deep.equal([
            'switchyard:rollout.analysis: got "yes"; allowed: an object with prometheus {url, token}, metrics, interval, window, minRequests, failureLimit, alpha and checks',
        ]);
        expect(problemsOf({ analysis: { prometheus: {} } })).to.deep.equal([
            "switchyard:rollout.analysis.prometheus.url: got nothing (the key is missing); allowed: an http:// or https:// URL of Prometheus (or a Prometheus-compatible query API), e.g. https://prometheus.example.com",
        ]);
        expect(problemsOf({ analysis: analysis({ metrics: 5 }) })).to.deep.equal(["switchyard:rollout.analysis.metrics: got 5; allowed: a metric source: app, envoy-gateway, istio"]);
        expect(problemsOf({ analysis: analysis({ metrics: "datadog" }) })).to.deep.equal([
            'switchyard:rollout.analysis.metrics: got "datadog"; allowed: a metric source: app, envoy-gateway, istio',
        ]);
    });

    it("refuses a URL that does not parse", () => {
        expectOnlyProblem(problemsOf({ analysis: { prometheus: { url: "not a url" } } }), "switchyard:rollout.analysis.prometheus.url", '"not a url"', /http/);
    });

    it("refuses an unknown metric source, suggesting the nearest", () => {
        expectOnlyProblem(problemsOf({ analysis: analysis({ metrics: "envoy-gatway" }) }), "switchyard:rollout.analysis.metrics", '"envoy-gatway"', /did you mean "envoy-gateway"\?.*app, envoy-gateway, istio/);
    });

    it("refuses minRequests and failureLimit below 1", () => {
        expect(problemsOf({ analysis: analysis({ minRequests: 0 }) })).to.deep.equal([
            "switchyard:rollout.analysis.minRequests: got 0; allowed: an integer >= 1 (requests per color per sample; fewer make the sample inconclusive)",
        ]);
        expect(problemsOf({ analysis: analysis({ failureLimit: 0 }) })).to.deep.equal([
            "switchyard:rollout.analysis.failureLimit: got 0; allowed: an integer >= 1 (failing samples within a step that roll the release back)",
        ]);
    });
});

describe("rollout config: checks", () => {
    const checks = (...list: unknown[]) => ({ analysis: analysis({ checks: list }) });

    it("refuses an unknown preset, suggesting the nearest", () => {
        expectOnlyProblem(problemsOf(checks("success-rat")), "switchyard:rollout.analysis.checks[0]", '"success-rat"', /did you mean "success-rate"\?/);
        expect(problemsOf(checks("error-budget"))).to.deep.equal([
            'switchyard:rollout.analysis.checks[0]: got "error-budget"; allowed: a preset (success-rate, latency-p99, latency-p95) or an object {name, query, per, min | max, maxWorseThanStable, gate}',
        ]);
    });

    it("reads a preset's own bar without adding an allowance", () => {
        expect(read(checks({ name: "success-rate", min: 98 })).rollout.analysis!.checks).to.deep.equal([
            { name: "success-rate", preset: "success-rate", bound: "min", threshold: 98, unit: "%", rate: true },
        ]);
    });

    it("keeps a custom check's allowance against stable, which may be 0", () => {
        const query = 'sum(rate(e{color="{color}"}[{window}]))';
        expect(read(checks({ name: "errors", query, max: 1, maxWorseThanStable: 0 })).rollout.analysis!.checks).to.deep.equal([
            { name: "errors", query, bound: "max", threshold: 1, maxWorseThanStable: 0, unit: "" },
        ]);
    });

    it("names every way a check can be wrong, exactly", () => {
        const query = 'sum(rate(e{color="{color}"}[{window}]))';
        expect(problemsOf(checks({ max: 1, query }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].name: got nothing (the key is missing); allowed: a check name: a preset (success-rate, latency-p99, latency-p95) or your own lowercase name, e.g. checkout-errors",
        ]);
        expect(problemsOf(checks({ name: "errors_total", query, max: 1 }))[0]).to.match(/^switchyard:rollout\.analysis\.checks\[0\]\.name: got "errors_total"/);
        expect(problemsOf(checks({ name: "e", query: 42, max: 1 }))[0]).to.equal(
            'switchyard:rollout.analysis.checks[0].query: got 42; allowed: a PromQL template, e.g. sum(rate(app_errors_total{service="{service}",color="{color}"}[{window}]))',
        );
        expect(problemsOf(checks({ name: "e", query, min: "x" }))).to.deep.equal(['switchyard:rollout.analysis.checks[0].min: got "x"; allowed: a number: the lowest value that passes']);
        expect(problemsOf(checks({ name: "orders", max: 1 }))).to.deep.equal(['switchyard:rollout.analysis.checks[0].query: got nothing (the key is missing); allowed: a PromQL template for the custom check "orders"']);
        expect(problemsOf(checks({ name: "success-rate", query, min: 1 }))).to.deep.equal([
            'switchyard:rollout.analysis.checks[0].name: got "success-rate"; allowed: a name other than a preset\'s (success-rate, latency-p99, latency-p95) for a check with its own query',
        ]);
        expect(problemsOf(checks({ name: "e", query: "x{color}{svc}", max: 1 }))).to.deep.equal([
            'switchyard:rollout.analysis.checks[0].query: got "x{color}{svc}"; allowed: only the placeholders {service} {color} {cluster} {namespace} {window}; {svc} is none of them',
        ]);
        expect(problemsOf(checks()), "an empty list").to.deep.equal([
            "switchyard:rollout.analysis.checks: got []; allowed: a non-empty list of checks: presets by name (success-rate, latency-p99) or {name, query, min | max}",
        ]);
        expect(problemsOf(checks({ name: "latency-p99", max: 100, min: 2 }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].min: got 2; allowed: only max for latency-p99: a latency bar in milliseconds that at most 1 % of requests may be slower than (a 99th percentile within it), counted from the histogram's buckets",
        ]);
    });

    it("refuses blank, and non-numeric bounds, and accepts an allowance of 0", () => {
        for (const bad of ["", "  ", true]) {
            expect(problemsOf(checks({ name: "latency-p99", max: bad })), JSON.stringify(bad)).to.deep.equal([
                `switchyard:rollout.analysis.checks[0].max: got ${JSON.stringify(bad)}; allowed: a number: the highest value that passes`,
            ]);
        }
        expect(read(checks({ name: "latency-p99", maxWorseThanStable: 0 })).rollout.analysis!.checks[0]!.maxWorseThanStable).to.equal(0);
    });

    it("keeps reading the checks after one that is wrong, leaving that one out", () => {
        const { rollout, problems } = read(checks(42, { max: 1, query: 'x{color="{color}"}' }, "success-rate", "latency-p99"));
        expect(problems).to.have.length(2);
        expect(rollout.analysis!.checks.map((c) => c.name)).to.deep.equal(["success-rate", "latency-p99"]);
    });

    it("refuses a custom query without {color}: it could not tell the colors apart", () => {
        expectOnlyProblem(
            problemsOf(checks({ name: "errors", query: 'sum(rate(app_errors_total{service="{service}"}[{window}]))', max: 1 })),
            "switchyard:rollout.analysis.checks[0].query",
            '"sum(rate(app_errors_total{service=\\"{service}\\"}[{window}]))"',
            /uses \{color\}/,
        );
    });

    it("refuses a placeholder that does not exist", () => {
        expectOnlyProblem(
            problemsOf(checks({ name: "errors", query: 'sum(rate(e{svc="{svc}",color="{color}"}[1m]))', max: 1 })),
            "switchyard:rollout.analysis.checks[0].query",
            '"sum(rate(e{svc=\\"{svc}\\",color=\\"{color}\\"}[1m]))"',
            /\{svc\} is none of them/,
        );
    });

    it("requires exactly one of min or max on a custom check", () => {
        const query = 'sum(rate(e{color="{color}"}[{window}]))';
        expectOnlyProblem(problemsOf(checks({ name: "e", query })), "switchyard:rollout.analysis.checks[0].max", "nothing (the key is missing)", /exactly one of min or max/);
        expectOnlyProblem(problemsOf(checks({ name: "e", query, min: 1, max: 2 })), "switchyard:rollout.analysis.checks[0].min", "1", /exactly one of min or max/);
    });

    it("requires a query for a check that is no preset", () => {
        expectOnlyProblem(problemsOf(checks({ name: "latency-p90", max: 300 })), "switchyard:rollout.analysis.checks[0].query", "nothing (the key is missing)", /custom check "latency-p90" \(or did you mean the preset "latency-p99"\?\)/);
    });

    it("refuses a preset name on a check with its own query, and the wrong bound on a preset", () => {
        expectOnlyProblem(problemsOf(checks({ name: "success-rate", query: 'x{color="{color}"}', min: 1 })), "switchyard:rollout.analysis.checks[0].name", '"success-rate"', /a name other than a preset's/);
        expectOnlyProblem(problemsOf(checks({ name: "success-rate", max: 99 })), "switchyard:rollout.analysis.checks[0].max", "99", /only min for success-rate/);
        expectOnlyProblem(problemsOf(checks({ name: "latency-p99", min: 100 })), "switchyard:rollout.analysis.checks[0].min", "100", /only max for latency-p99/);
    });

    it("refuses a negative allowance, a non-numeric bound and a repeated name", () => {
        expectOnlyProblem(problemsOf(checks({ name: "latency-p99", maxWorseThanStable: -1 })), "switchyard:rollout.analysis.checks[0].maxWorseThanStable", "-1", /a number >= 0/);
        expectOnlyProblem(problemsOf(checks({ name: "latency-p99", max: "fast" })), "switchyard:rollout.analysis.checks[0].max", '"fast"', /a number/);
        expectOnlyProblem(problemsOf(checks("success-rate", { name: "success-rate", min: 98 })), "switchyard:rollout.analysis.checks[1].name", '"success-rate"', /checks\[0\] is also "success-rate"/);
    });

    it("accepts a bound given as a numeric string, as stack files sometimes quote numbers", () => {
        const { rollout, problems } = read(checks({ name: "latency-p99", max: "300" }));
        expect(problems).to.deep.equal([]);
        expect(rollout.analysis!.checks[0]!.slowerThanMs).to.equal(300);
    });

    it("takes a latency preset's max as a bucket boundary of the source's histogram, and names the ones allowed", () => {
        const withSource = (metrics: string, check: unknown) => ({ analysis: { prometheus: { url: "https://prometheus.example.com" }, metrics, checks: [check] } });
        // The demo app's buckets are in seconds; 250 ms is none of them, but it is one of Envoy's.
        expect(problemsOf(checks({ name: "latency-p99", max: 250 }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].max: got 250; allowed: a latency in ms that is a bucket boundary of the app source's histogram, which counts requests by those alone: " +
                "5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2500, 5000, 10000 (for another bar, a custom check with its own query and per)",
        ]);
        expect(problemsOf(withSource("envoy-gateway", { name: "latency-p95", max: 300 }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].max: got 300; allowed: a latency in ms that is a bucket boundary of the envoy-gateway source's histogram, which counts requests by those alone: " +
                "0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000 (for another bar, a custom check with its own query and per)",
        ]);
        expect(read(withSource("istio", { name: "latency-p99", max: 250 })).rollout.analysis!.checks[0]).to.include({ slowerThanMs: 250, threshold: 1 });
        expect(read(withSource("envoy-gateway", { name: "latency-p95", max: 1000 })).rollout.analysis!.checks[0]).to.include({ slowerThanMs: 1000, threshold: 5, bound: "max" });
        expect(read(withSource("app", "latency-p95")).rollout.analysis!.checks[0], "the preset's own bar").to.include({ slowerThanMs: 500, threshold: 5 });
    });

    it("reads a latency preset's maxWorseThanStable in points of slow requests, below the share the preset allows", () => {
        expect(read(checks({ name: "latency-p99", maxWorseThanStable: 0.99 })).rollout.analysis!.checks[0]!.maxWorseThanStable).to.equal(0.99);
        expect(read(checks({ name: "latency-p95", maxWorseThanStable: 4.5 })).rollout.analysis!.checks[0]!.maxWorseThanStable).to.equal(4.5);
        // 50 read as milliseconds once; as points it would never bite before the bar does, so it is refused, not ignored.
        expect(problemsOf(checks({ name: "latency-p99", maxWorseThanStable: 50 }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].maxWorseThanStable: got 50; allowed: a number of percentage points from 0 to below 1: " +
                "how many more of the candidate's requests than stable's may be slower than the bar (latency-p99 allows 1 % of them to be; not milliseconds)",
        ]);
        expectOnlyProblem(problemsOf(checks({ name: "latency-p99", maxWorseThanStable: 1 })), "switchyard:rollout.analysis.checks[0].maxWorseThanStable", "1", /below 1:/);
        expectOnlyProblem(problemsOf(checks({ name: "latency-p95", maxWorseThanStable: 5 })), "switchyard:rollout.analysis.checks[0].maxWorseThanStable", "5", /below 5:/);
    });

    it("refuses an empty checks list and a check that is neither a name nor an object", () => {
        expectOnlyProblem(problemsOf(checks()), "switchyard:rollout.analysis.checks", "[]", /a non-empty list of checks/);
        expectOnlyProblem(problemsOf(checks(42)), "switchyard:rollout.analysis.checks[0]", "42", /a preset/);
        expectOnlyProblem(problemsOf(checks({ name: "Bad Name", query: 'x{color="{color}"}', max: 1 })), "switchyard:rollout.analysis.checks[0].name", '"Bad Name"', /lowercase name/);
    });
});

describe("rollout config: in the stack", () => {
    const cluster = { name: "east", namespace: "shop", gateway: { name: "gw", namespace: "gw" }, hostnames: ["east.example.com"] };
    const service = (colors: Record<string, unknown>) => ({ name: "cart", port: 8080, ...colors });
    const raw = (rollout: unknown, colors: Record<string, unknown>): RawConfig => ({
        clusters: JSON.stringify([cluster]),
        services: JSON.stringify([service(colors)]),
        rollout: JSON.stringify(rollout),
    });
    const environment = { isSecret: () => false, pathExists: () => true };

    function stackProblems(config: RawConfig): string[] {
        try {
            parseStackConfig(config, environment);
        } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            return (error as ConfigError).problems;
        }
        throw new Error("expected a config error");
    }

    it("is part of the stack model", () => {
        const model = parseStackConfig(raw({ candidate: "blue", steps: [50, 100], maxStep: 50 }, { blue: { image: "r/cart:1.0.0" }, green: { image: "r/cart:0.9.0" } }), environment);
        expect(model.rollout).to.deep.equal({ candidate: "blue", steps: [50, 100], maxStep: 50 });
    });

    it("requires the candidate in every service once analysis is set up, naming the service and key", () => {
        const problems = stackProblems(raw({ candidate: "green", analysis: analysis() }, { blue: { image: "r/cart:1.0.0" } }));
        expect(problems).to.deep.equal([
            "switchyard:services[0].green.image: got nothing (the key is missing); allowed: an image (or build) for green in service cart: " +
                "switchyard:rollout.candidate is green, and a rollout releases it in every service",
        ]);
    });

    it("lets a stack without analysis keep its candidate undeployed while it gets no traffic", () => {
        const model = parseStackConfig(raw({ candidate: "green" }, { blue: { image: "r/cart:1.0.0" } }), environment);
        expect(model.services[0]!.green).to.equal(undefined);
        const problems = new Problems();
        checkRollout({ services: model.services, rollout: { ...model.rollout, candidate: "blue", analysis: read({ analysis: analysis() }).rollout.analysis! } }, problems);
        expect(problems.list, "blue is deployed").to.deep.equal([]);
    });

    it("leaves a service without a valid name to the name's own problem", () => {
        const problems = new Problems();
        checkRollout({ services: [{ name: "" }] as never, rollout: { candidate: "green", steps: [], maxStep: 25, analysis: read({ analysis: analysis() }).rollout.analysis! } }, problems);
        expect(problems.list).to.deep.equal([]);
    });

    it("never echoes a rollout problem when the key holds a secret", () => {
        const problems = stackProblems(raw({ maxStep: "lots" }, { blue: { image: "r/cart:1.0.0" } }));
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^switchyard:rollout\.maxStep: got "lots"/, "the stack marks rollout as plain here");
        const secretProblems = (() => {
            try {
                parseStackConfig(raw({ maxStep: "lots" }, { blue: { image: "r/cart:1.0.0" } }), { ...environment, isSecret: (key) => key === "rollout" });
            } catch (error) {
                return (error as ConfigError).problems;
            }
            return [];
        })();
        expect(secretProblems).to.deep.equal(["switchyard:rollout.maxStep: got [secret]; allowed: an integer from 1 to 100 (the largest rise of the candidate's weight in one update; 100 turns the guard off)"]);
    });
});

describe("rollout: durations", () => {
    it("reads seconds, minutes, hours and their combinations", () => {
        expect(parseDuration("1s")).to.equal(1);
        expect(parseDuration("90s")).to.equal(90);
        expect(parseDuration("5m")).to.equal(300);
        expect(parseDuration("1h")).to.equal(3600);
        expect(parseDuration("1h30m")).to.equal(5400);
        expect(parseDuration("2m30s")).to.equal(150);
        expect(parseDuration("1h0m1s")).to.equal(3601);
    });

    it("refuses zero, signs, fractions, spaces, other units and a wrong order", () => {
        for (const bad of ["0s", "0m0s", "-1m", "+1m", "1.5m", "1 m", "5", "", "1ms", "1d", "1m1h", "m", "s"]) {
            expect(parseDuration(bad), bad).to.equal(undefined);
        }
    });

    it("writes the shortest form, and reads back what it writes", () => {
        expect(formatDuration(1)).to.equal("1s");
        expect(formatDuration(59)).to.equal("59s");
        expect(formatDuration(60)).to.equal("1m");
        expect(formatDuration(90)).to.equal("1m30s");
        expect(formatDuration(3600)).to.equal("1h");
        expect(formatDuration(3661)).to.equal("1h1m1s");
        expect(formatDuration(7200 + 120)).to.equal("2h2m");
        expect(formatDuration(0)).to.equal("0s");
        for (const seconds of [1, 45, 60, 61, 599, 3600, 3601, 86399]) expect(parseDuration(formatDuration(seconds)), String(seconds)).to.equal(seconds);
    });
});

describe("rollout: steps and edits", () => {
    it("converts between the candidate's weight and greenWeight for either candidate", () => {
        expect(candidateWeightOf(30, "green")).to.equal(30);
        expect(candidateWeightOf(30, "blue")).to.equal(70);
        expect(greenWeightForCandidate(5, "green")).to.equal(5);
        expect(greenWeightForCandidate(5, "blue")).to.equal(95);
        expect(greenWeightForCandidate(0, "blue")).to.equal(100);
        expect(stableColorOf("green")).to.equal("blue");
        expect(stableColorOf("blue")).to.equal("green");
    });

    it("finds the next step above the current weight, also from a weight set by hand between steps", () => {
        const steps = [5, 25, 50, 75, 100];
        expect(nextStep(0, steps)).to.equal(5);
        expect(nextStep(5, steps)).to.equal(25);
        expect(nextStep(24, steps)).to.equal(25);
        expect(nextStep(25, steps)).to.equal(50);
        expect(nextStep(99, steps)).to.equal(100);
        expect(nextStep(100, steps)).to.equal(undefined);
    });

    it("moves only the stack's greenWeight on a step, in the candidate's direction", () => {
        expect(stepEdit({ candidate: "green", steps: [], maxStep: 25 }, 25)).to.deep.equal([{ greenWeight: 25 }]);
        expect(stepEdit({ candidate: "blue", steps: [], maxStep: 25 }, 25)).to.deep.equal([{ greenWeight: 75 }]);
    });

    it("rolls back the stack's weight and every override that still gives the candidate traffic", () => {
        const clusters = [{ greenWeight: 10 }, {}, { greenWeight: 0 }, { greenWeight: 100 }];
        const green: RolloutSpec = { candidate: "green", steps: [], maxStep: 25 };
        expect(rollbackEdits({ greenWeight: 25, clusters, cohorts: [] } as never, green)).to.deep.equal([
            { greenWeight: 0 },
            { cluster: 0, greenWeight: 0 },
            { cluster: 3, greenWeight: 0 },
        ]);
        const blue: RolloutSpec = { candidate: "blue", steps: [], maxStep: 25 };
        expect(rollbackEdits({ greenWeight: 75, clusters, cohorts: [] } as never, blue), "blue's traffic is what green does not get").to.deep.equal([
            { greenWeight: 100 },
            { cluster: 0, greenWeight: 100 },
            { cluster: 2, greenWeight: 100 },
        ]);
        expect(rollbackEdits({ greenWeight: 0, clusters: [{}], cohorts: [] } as never, green), "nothing left to roll back").to.deep.equal([]);
    });

    it("points every cohort aimed at the candidate at the stable color, and leaves the others", () => {
        const green: RolloutSpec = { candidate: "green", steps: [], maxStep: 25 };
        const cohorts = [{ color: "green" }, { color: "blue" }, { color: "green" }];
        expect(rollbackEdits({ greenWeight: 0, clusters: [], cohorts } as never, green), "even at weight 0: the cohort still sends users").to.deep.equal([
            { cohort: 0, color: "blue" },
            { cohort: 2, color: "blue" },
        ]);
        const blue: RolloutSpec = { candidate: "blue", steps: [], maxStep: 25 };
        expect(rollbackEdits({ greenWeight: 100, clusters: [], cohorts } as never, blue)).to.deep.equal([{ cohort: 1, color: "green" }]);
    });
});

describe("rollout edits: which kind each is", () => {
    it("tells a cohort's edit from a weight edit, on the stack or a cluster", () => {
        expect(isCohortEdit({ cohort: 0, color: "blue" })).to.equal(true);
        expect(isCohortEdit({ greenWeight: 0 })).to.equal(false);
        expect(isCohortEdit({ cluster: 1, greenWeight: 100 })).to.equal(false);
    });
});

describe("rollout config: evidence settings", () => {
    const withChecks = (...items: unknown[]) => ({ analysis: analysis({ checks: items }) });
    const events = 'sum(increase(conversions_total{color="{color}"}[{window}]))';
    const sessions = 'sum(increase(sessions_total{color="{color}"}[{window}]))';

    it("reads alpha, and refuses one that is no chance a rollback may be wrong", () => {
        expect(read({ analysis: analysis({ alpha: 0.05 }) }).rollout.analysis!.alpha).to.equal(0.05);
        expect(read({ analysis: analysis({ alpha: "0.001" }) }).rollout.analysis!.alpha, "a quoted number").to.equal(0.001);
        expect(read({ analysis: analysis({ alpha: 0.2 }) }).problems).to.deep.equal([]);
        for (const bad of [0, -0.01, 0.21, 1, "often"]) {
            expect(problemsOf({ analysis: analysis({ alpha: bad }) }), String(bad)).to.deep.equal([
                `switchyard:rollout.analysis.alpha: got ${JSON.stringify(bad)}; allowed: a number above 0 and at most 0.2: the chance of rolling back a candidate as good as stable, e.g. 0.01`,
            ]);
        }
    });

    it("reads a custom rate with per: a percentage judged from counts, reported only with gate: false", () => {
        expect(read(withChecks({ name: "conversions", query: events, per: sessions, min: 0, gate: false })).rollout.analysis!.checks).to.deep.equal([
            { name: "conversions", query: events, per: sessions, rate: true, bound: "min", threshold: 0, unit: "%", gate: false },
        ]);
        expect(read(withChecks({ name: "e", query: events, per: sessions, max: 2, gate: true })).rollout.analysis!.checks[0]).to.not.have.property("gate");
        expect(read(withChecks({ name: "success-rate", gate: false })).rollout.analysis!.checks[0]).to.include({ gate: false, rate: true });
        expect(read(withChecks("latency-p99")).rollout.analysis!.checks[0], "slow requests out of requests").to.include({ rate: true });
    });

    it("takes a rate's bar at exactly 0 and 100, any bar on a check without per, and gate given or not, with no problem", () => {
        const accepted = [
            { name: "conversions", query: events, per: sessions, min: 0 },
            { name: "conversions", query: events, per: sessions, max: 100 },
            // Not a rate: its unit is the query's own, so no percentage range applies.
            { name: "queue-depth", query: 'max(queue_depth{color="{color}"})', max: 500 },
            { name: "balance", query: 'min(balance{color="{color}"})', min: -3 },
            { name: "e", query: events, per: sessions, max: 2, gate: true },
            { name: "e", query: events, per: sessions, max: 2, gate: false },
            "success-rate",
        ];
        for (const item of accepted) expect(read(withChecks(item)).problems, JSON.stringify(item)).to.deep.equal([]);
    });

    it("names every way per and gate can be wrong", () => {
        expect(problemsOf(withChecks({ name: "e", query: events, per: "sum(sessions_total)", max: 2 }))).to.deep.equal([
            'switchyard:rollout.analysis.checks[0].per: got "sum(sessions_total)"; allowed: a template that uses {color}, as the query does: each color\'s events are out of its own count',
        ]);
        expect(problemsOf(withChecks({ name: "e", query: events, per: sessions, max: 101 }))).to.deep.equal([
            "switchyard:rollout.analysis.checks[0].max: got 101; allowed: a percentage from 0 to 100: a check with per is a rate, 100 × query / per",
        ]);
        expect(problemsOf(withChecks({ name: "e", query: events, per: sessions, min: -1 }))[0]).to.match(/checks\[0\]\.min: got -1; allowed: a percentage from 0 to 100/);
        expect(problemsOf(withChecks({ name: "success-rate", per: sessions }))).to.deep.equal([
            `switchyard:rollout.analysis.checks[0].per: got ${JSON.stringify(sessions)}; allowed: no per for the preset success-rate: it counts what its metric source counts`,
        ]);
        expect(problemsOf(withChecks({ name: "success-rate", gate: "no" }))).to.deep.equal([
            'switchyard:rollout.analysis.checks[0].gate: got "no"; allowed: true or false: false reports the check without letting it decide a step',
        ]);
        expect(problemsOf(withChecks({ name: "e", query: events, per: 3, max: 1 }))[0]).to.match(/^switchyard:rollout\.analysis\.checks\[0\]\.per: got 3; allowed: a PromQL template counting/);
    });
});
