// The GitLab rollout job and the Grafana dashboard against one drill: a real Prometheus (Debian's,
// /usr/bin/prometheus) scraping real demo app processes under loads that follow the stack files of
// two temporary GitLab repositories, a healthy candidate and one answering 30 % with 500.
// gitlab-ci-local runs `advance prod` there with its shell executor; then every panel of the
// dashboard, for each metric source, is queried as Grafana would send it once its variables are
// filled. The envoy-gateway and istio panels read a stand-in exporter that publishes the loads'
// counts under Envoy Gateway's and Istio's metric and label names: it proves the queries parse and
// select those names, not that a real Envoy or Istio emits them.

import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { releaseVerdict, type Verdict } from "../model/analysis.ts";
import { METRIC_SOURCES } from "../model/metricQueries.ts";
import { PrometheusClient } from "../cli/prometheus.ts";
import { startLoad, type Load } from "../devtools/drill/load.ts";
import { startDemoApp, startPrometheus, stopAll, type DemoApp, type PrometheusServer, type Running } from "../devtools/drill/processes.ts";
import { drillProject, greenWeightIn } from "../devtools/drill/project.ts";
import { judgeTargets, judgedTargets } from "../cli/switchyard/collect.ts";
import { dashboardText } from "../cli/switchyard/dashboard.ts";
import { loadProjectStack } from "../cli/switchyard/stack.ts";
import { git, jobLog, pipelineRepo, runPipeline, type PipelineRepo } from "./gitlabRunner.ts";

interface Scenario {
    service: string;
    faultRate: number;
    repo?: PipelineRepo;
    load?: Load;
}

// Buckets in milliseconds, as Istio's and Envoy's histograms are; every stand-in request takes 3 ms.
// 300 is the drill stack's latency bar: a panel asks that bucket, and a bucket Prometheus does not
// have is missing data (no series), not "no slow requests".
const BUCKETS = ["1", "5", "25", "300", "+Inf"];

/** Envoy Gateway's (mergeBackends) and Istio's series for the loads' requests, all answered 200. */
function standInSeries(scenarios: readonly Scenario[]): string {
    const lines: string[] = [];
    for (const { service, load } of scenarios) {
        for (const color of ["blue", "green"] as const) {
            const n = load?.sent[color] ?? 0;
            const envoy = `envoy_cluster_name="service/drill/${service}-${color}/8080"`;
            const istio = `reporter="source",destination_workload="${service}-${color}",destination_workload_namespace="drill"`;
            lines.push(`envoy_cluster_upstream_rq{${envoy},envoy_response_code="200"} ${n}`);
            lines.push(`istio_requests_total{${istio},response_code="200"} ${n}`);
            for (const le of BUCKETS) {
                const count = le === "1" ? 0 : n;
                lines.push(`envoy_cluster_upstream_rq_time_bucket{${envoy},le="${le}"} ${count}`);
                lines.push(`istio_request_duration_milliseconds_bucket{${istio},le="${le}"} ${count}`);
            }
            // A histogram's count, as every Prometheus histogram has: what the latency presets count out of.
            lines.push(`envoy_cluster_upstream_rq_time_count{${envoy}} ${n}`);
            lines.push(`istio_request_duration_milliseconds_count{${istio}} ${n}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

describe("drill: the GitLab rollout job and the Grafana dashboard against a real Prometheus", function () {
    this.timeout(90_000);
    const running: Running[] = [];
    const scenarios: Record<"healthy" | "faulty", Scenario> = {
        healthy: { service: "glab-healthy", faultRate: 0 },
        faulty: { service: "glab-faulty", faultRate: 0.3 },
    };
    let prometheus: PrometheusServer;

    before(async function () {
        this.timeout(40_000);
        const started = await Promise.allSettled(
            Object.values(scenarios).flatMap((s) =>
                (["blue", "green"] as const).map((color) => startDemoApp({ service: s.service, color, version: color === "green" ? "1.5.0" : "1.4.0", faultRate: color === "green" ? s.faultRate : 0 })),
            ),
        );
        const apps = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        running.push(...apps);
        const failed = started.find((s) => s.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        // The stand-in exporter, and the metrics files the advance jobs write (a Pushgateway's part).
        const exporter: Server = createServer((_, response) => {
            const files = Object.values(scenarios).map((s) => (s.repo ? join(s.repo.dir, "rollout.prom") : "")).filter((f) => f !== "" && existsSync(f));
            response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
            response.end(standInSeries(Object.values(scenarios)) + files.map((f) => readFileSync(f, "utf8")).join(""));
        });
        // Port 0: the kernel's pick, bound at once (a port found free first may be another spec's by then).
        await new Promise<void>((done) => exporter.listen(0, "127.0.0.1", done));
        const exporterPort = (exporter.address() as AddressInfo).port;
        running.push({ stop: () => new Promise<void>((done) => exporter.close(() => done())) });
        prometheus = await startPrometheus([...apps, { port: exporterPort }], "drill");
        running.push(prometheus);
        for (const scenario of Object.values(scenarios)) {
            // The drill stack as the repository's prod stack: the job runs `switchyard advance --stack prod`.
            const project = drillProject({ stack: "prod", service: scenario.service, prometheusUrl: prometheus.url });
            const text = readFileSync(project.file, "utf8");
            await project.remove();
            scenario.repo = pipelineRepo((dir) => writeFileSync(join(dir, "Pulumi.prod.yaml"), text));
            const file = join(scenario.repo.dir, "Pulumi.prod.yaml");
            const app = (color: string) => apps.find((a: DemoApp) => a.service === scenario.service && a.color === color)!;
            scenario.load = startLoad({ blueUrl: app("blue").url, greenUrl: app("green").url, greenWeight: () => greenWeightIn(file), requestsPerSecond: 200, maxSeconds: 80 });
            running.push(scenario.load);
        }
    });

    after(async function () {
        this.timeout(20_000);
        await stopAll(running);
        for (const scenario of Object.values(scenarios)) scenario.repo?.remove();
    });

    async function waitForVerdict(scenario: Scenario, wanted: Verdict, timeoutMs: number): Promise<void> {
        const stack = loadProjectStack("prod", scenario.repo!.dir);
        const api = new PrometheusClient({ url: prometheus.url });
        const deadline = Date.now() + timeoutMs;
        let last = "";
        while (Date.now() < deadline) {
            const judgements = await judgeTargets(judgedTargets(stack.model, stack.model.rollout), stack.model.rollout.analysis!, api, Date.now() / 1000);
            if (releaseVerdict(judgements) === wanted) return;
            last = judgements.map((j) => `${j.verdict}: ${j.reasons.join("; ")}`).join("\n");
            await new Promise((done) => setTimeout(done, 500));
        }
        throw new Error(`${scenario.service} never reached ${wanted} within ${timeoutMs / 1000} s; last:\n${last}`);
    }

    /** The stack file and the last commit as the bare origin holds them: what GitLab would hold. */
    const origin = (repo: PipelineRepo) => ({
        stackFile: git(repo.origin, "show", "main:Pulumi.prod.yaml"),
        subject: git(repo.origin, "log", "-1", "--format=%s", "main"),
        body: git(repo.origin, "log", "-1", "--format=%b", "main"),
        commits: Number(git(repo.origin, "rev-list", "--count", "main")),
    });

    it("advance prod commits the next step with the verdict and pushes it, once the step passed its window", async () => {
        const { repo } = scenarios.healthy;
        await waitForVerdict(scenarios.healthy, "pass", 30_000);
        const run = await runPipeline(repo!.dir, "schedule", ["advance prod"], { SWITCHYARD_ROLLOUT: "prod" });
        expect(run.jobs.get("advance prod"), run.output.slice(-3000)).to.equal("pass");
        const pushed = origin(repo!);
        expect(pushed.commits, "one commit on the project's").to.equal(2);
        expect(pushed.stackFile).to.match(/^ {2}switchyard:greenWeight: 25 #/m);
        expect(pushed.subject).to.match(/^switchyard prod: advanced green 5 % → 25 % — /);
        expect(pushed.body).to.match(/^### switchyard advance: stack prod: advanced green 5 % → 25 %/);
        const env = readFileSync(join(repo!.dir, "rollout.env"), "utf8");
        expect(env).to.match(/^ADVANCE_CODE=0\nADVANCE_EDITED=true\nADVANCE_COMMIT=[0-9a-f]{40}\n$/);
        expect(env).to.include(git(repo!.origin, "rev-parse", "main"));
    });

    it("advance prod commits a rollback and fails the pipeline with the reason", async () => {
        const { repo } = scenarios.faulty;
        await waitForVerdict(scenarios.faulty, "fail", 20_000);
        const run = await runPipeline(repo!.dir, "schedule", ["advance prod"], { SWITCHYARD_ROLLOUT: "prod" });
        expect(run.jobs.get("advance prod"), run.output.slice(-3000)).to.equal(1);
        expect(run.code).to.not.equal(0);
        expect(jobLog(run, "advance prod")).to.match(/^release rolled back: switchyard prod: rolled back green 5 % → 0 % — glab-faulty on drill: /m);
        const pushed = origin(repo!);
        expect(pushed.stackFile).to.match(/^ {2}switchyard:greenWeight: 0 {2}# switchyard rolled back /m);
        expect(pushed.subject).to.match(/^switchyard prod: rolled back green 5 % → 0 %/);
        expect(readFileSync(join(repo!.dir, "rollout.env"), "utf8")).to.match(/^ADVANCE_CODE=1\nADVANCE_EDITED=true\n/);
    });

    it("advance prod then holds at 0 % (a schedule never restarts a rolled-back release): no commit, the job passes", async () => {
        const { repo } = scenarios.faulty;
        const before = origin(repo!);
        const run = await runPipeline(repo!.dir, "schedule", ["advance prod"], { SWITCHYARD_ROLLOUT: "prod" });
        expect(run.jobs.get("advance prod"), run.output.slice(-3000)).to.equal("pass");
        expect(jobLog(run, "advance prod")).to.match(/^switchyard advance: nothing to commit or apply: switchyard prod: held green at 0 %/m);
        expect(origin(repo!)).to.deep.equal(before);
        expect(readFileSync(join(repo!.dir, "rollout.env"), "utf8")).to.equal("ADVANCE_CODE=2\nADVANCE_EDITED=false\n");
    });

    it("every panel's query of the dashboard, for each metric source, parses and returns series for the demo apps", async () => {
        const { repo, service } = scenarios.healthy;
        const api = new PrometheusClient({ url: prometheus.url });
        const stack = loadProjectStack("prod", repo!.dir);
        // The advance job's metrics file must have been scraped: its weight is the step it committed.
        const deadline = Date.now() + 10_000;
        while ((await api.query(`switchyard_weight_percent{service="${service}",role="candidate"} == 25`)).length === 0) {
            if (Date.now() > deadline) throw new Error("Prometheus never scraped the advance job's metrics file");
            await new Promise((done) => setTimeout(done, 250));
        }
        let queries = 0;
        for (const source of METRIC_SOURCES) {
            const dashboard = JSON.parse(dashboardText("prod", stack.model, source)) as { templating: { list: { name: string; current?: { value: string } }[] }; panels: { type: string; title: string; targets?: { expr: string }[] }[] };
            // Grafana's part: each variable replaced by its current value (the generator's defaults for this stack).
            const values = new Map(dashboard.templating.list.filter((v) => v.current).map((v) => [v.name, v.current!.value]));
            expect(values.get("service")).to.equal(service);
            const fill = (expr: string) => expr.replace(/\$([a-z]+)/g, (whole, name: string) => values.get(name) ?? whole);
            const panels = dashboard.panels.filter((p) => p.type !== "row");
            expect(panels.map((p) => p.title)).to.include.members(["Configured weight beside observed share", "Step verdict over time", "Failing samples per check"]);
            for (const panel of panels) {
                for (const target of panel.targets!) {
                    const expr = fill(target.expr);
                    expect(expr, `${source}: ${panel.title}`).to.not.include("$");
                    const series = await api.query(expr);
                    expect(series, `${source}: ${panel.title}: ${expr}`).to.not.be.empty;
                    expect(series.every((s) => Number.isFinite(s.value)), `${source}: ${panel.title}: ${expr}`).to.equal(true);
                    queries++;
                }
            }
        }
        expect(queries).to.equal(3 * 11);
    });
});
