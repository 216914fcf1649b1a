// The drill against a real Prometheus (Debian's 2.42 at /usr/bin/prometheus) scraping real demo
// app processes, one per color, under a bounded load split by the step's weight. Three services
// run side by side — healthy, faulty, quiet — so the whole drill takes one analysis window, not
// three; then Prometheus is stopped for the last case.

import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { releaseVerdict, type TargetJudgement, type Verdict } from "../model/analysis.ts";
import { PrometheusClient } from "../cli/prometheus.ts";
import { startLoad } from "../devtools/drill/load.ts";
import { startDemoApp, startPrometheus, stopAll, type DemoApp, type PrometheusServer, type Running } from "../devtools/drill/processes.ts";
import { drillProject, greenWeightIn, type DrillProject } from "../devtools/drill/project.ts";
import { judgeTargets, judgedTargets } from "../cli/switchyard/collect.ts";
import { loadProjectStack } from "../cli/switchyard/stack.ts";
import { runSwitchyard } from "./cli.ts";

interface Scenario {
    service: string;
    faultRate: number;
    /** The stable color's fault rate; 0 unless given. */
    stableFaultRate?: number;
    /** Delay added to each of the candidate's requests; 0 unless given. */
    faultDelayMs?: number;
    requestsPerSecond: number;
    /** rollout.analysis.alpha of its stack; the drill stack's default (1 %) unless given. */
    alpha?: number;
    project?: DrillProject;
}

const SCENARIOS = {
    // 400 a second: 20 on the candidate at 5 %, so the ~150 error-free requests that show it within a 5 % bar take seconds.
    healthy: { service: "drill-healthy", faultRate: 0, requestsPerSecond: 400 },
    faulty: { service: "drill-faulty", faultRate: 0.3, requestsPerSecond: 200 },
    // Every candidate request 400 ms late: all of them slower than the drill stack's 300 ms latency bar.
    slow: { service: "drill-slow", faultRate: 0, faultDelayMs: 400, requestsPerSecond: 100 },
    // Both colors fail 2 % of requests: a candidate as good as stable, which noise must not roll back.
    // At the default α (1 % per check) the judge rolls back such a candidate in up to 1 % of steps by
    // design (the seeded simulation in test/judgeSimulation.spec.ts holds that bound), and this spec
    // would fail CI as often; at α = 0.0001 a run fails by chance once in 5,000 (two checks).
    steady: { service: "drill-steady", faultRate: 0.02, stableFaultRate: 0.02, requestsPerSecond: 200, alpha: 0.0001 },
    // Four requests a second: about 8 per sample in all, below the drill stack's minRequests (10) on either color.
    quiet: { service: "drill-quiet", faultRate: 0, requestsPerSecond: 4 },
} satisfies Record<string, Scenario>;

describe("drill: switchyard advance against a real Prometheus", function () {
    this.timeout(60_000);
    const running: Running[] = [];
    const projects: DrillProject[] = [];
    let prometheus: PrometheusServer;
    const scenarios: Record<keyof typeof SCENARIOS, Scenario> = structuredClone(SCENARIOS);

    /** The release's verdict, judged in-process, `looks` times half a second apart. */
    async function lookRepeatedly(scenario: Scenario, looks: number, reasons: string[] = []): Promise<Verdict[]> {
        const stack = loadProjectStack(scenario.project!.stack, scenario.project!.dir);
        const api = new PrometheusClient({ url: prometheus.url });
        const verdicts: Verdict[] = [];
        for (let look = 0; look < looks; look++) {
            const judgements = await judgeTargets(judgedTargets(stack.model, stack.model.rollout), stack.model.rollout.analysis!, api, Date.now() / 1000);
            verdicts.push(releaseVerdict(judgements));
            reasons.push(...judgements.filter((j) => j.verdict === "fail").flatMap((j) => j.reasons));
            await new Promise((done) => setTimeout(done, 500));
        }
        return verdicts;
    }

    before(async function () {
        this.timeout(30_000);
        const starts = Object.values(scenarios).flatMap((s) =>
            (["blue", "green"] as const).map((color) =>
                startDemoApp({
                    service: s.service,
                    color,
                    version: color === "green" ? "1.5.0" : "1.4.0",
                    faultRate: color === "green" ? s.faultRate : ((s as Scenario).stableFaultRate ?? 0),
                    faultDelayMs: color === "green" ? ((s as Scenario).faultDelayMs ?? 0) : 0,
                }),
            ),
        );
        const started = await Promise.allSettled(starts);
        const apps = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        running.push(...apps);
        const failed = started.find((s) => s.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        prometheus = await startPrometheus(apps, "drill");
        running.push(prometheus);
        for (const scenario of Object.values(scenarios)) {
            const app = (color: string) => apps.find((a: DemoApp) => a.service === scenario.service && a.color === color)!;
            scenario.project = drillProject({ service: scenario.service, prometheusUrl: prometheus.url, ...(scenario.alpha === undefined ? {} : { alpha: scenario.alpha }) });
            projects.push(scenario.project);
            const file = scenario.project.file;
            const load = startLoad({
                blueUrl: app("blue").url,
                greenUrl: app("green").url,
                greenWeight: () => greenWeightIn(file),
                requestsPerSecond: scenario.requestsPerSecond,
                maxSeconds: 50,
            });
            running.push(load);
        }
    });

    after(async function () {
        this.timeout(20_000);
        await stopAll(running);
        await Promise.all(projects.map((p) => p.remove()));
    });

    /** Polls the release's verdict in-process until it is `wanted`; the drill then asks the real command. */
    async function waitForVerdict(scenario: Scenario, wanted: Verdict, timeoutMs: number): Promise<TargetJudgement[]> {
        const stack = loadProjectStack(scenario.project!.stack, scenario.project!.dir);
        const api = new PrometheusClient({ url: prometheus.url });
        const deadline = Date.now() + timeoutMs;
        let last = "";
        while (Date.now() < deadline) {
            const judgements = await judgeTargets(judgedTargets(stack.model, stack.model.rollout), stack.model.rollout.analysis!, api, Date.now() / 1000);
            if (releaseVerdict(judgements) === wanted) return judgements;
            last = judgements.map((j) => `${j.verdict}: ${j.reasons.join("; ")}`).join("\n");
            await new Promise((done) => setTimeout(done, 500));
        }
        throw new Error(`${scenario.service} never reached ${wanted} within ${timeoutMs / 1000} s; last:\n${last}`);
    }

    function advance(project: DrillProject, ...extra: string[]) {
        return runSwitchyard(["advance", "--stack", project.stack, "--cwd", project.dir, ...extra]);
    }

    it("moves a healthy candidate from 5 % to 25 % once it was live and healthy for the window", async () => {
        const { project } = scenarios.healthy;
        const before = readFileSync(project!.file, "utf8");
        await waitForVerdict(scenarios.healthy, "pass", 40_000);
        const report = join(project!.dir, "report.md");
        const run = await advance(project!, "--report", report);
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        expect(greenWeightIn(project!.file)).to.equal(25);
        expect(readFileSync(project!.file, "utf8"), "one value changes, nothing else").to.equal(
            before.replace("switchyard:greenWeight: 5 #", "switchyard:greenWeight: 25 #"),
        );
        expect(run.stdout.trim().split("\n").at(-1)).to.match(/^switchyard drill: advanced green 5 % → 25 % — /);
        const markdown = readFileSync(report, "utf8");
        expect(markdown).to.match(/^### switchyard advance: stack drill: advanced green 5 % → 25 %/);
        expect(markdown).to.include("| drill-healthy | drill | success-rate |");
    });

    it("rolls back to 0 % at once when the candidate answers 30 % of requests with 500, within two samples", async () => {
        const { project } = scenarios.faulty;
        const [judged] = await waitForVerdict(scenarios.faulty, "fail", 20_000);
        const run = await advance(project!);
        expect(run.code, run.stdout + run.stderr).to.equal(1);
        expect(greenWeightIn(project!.file)).to.equal(0);
        const line = readFileSync(project!.file, "utf8").split("\n").find((l) => l.includes("switchyard:greenWeight"))!;
        expect(line).to.match(/^ {2}switchyard:greenWeight: 0 {2}# switchyard rolled back \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: drill-faulty on drill: success-rate: green fails [\d.]+ % of [\d,]+ requests/);
        expect(run.stdout, run.stdout).to.match(/success-rate: green fails [\d.]+ % of [\d,]+ requests \(99 % CI [\d.]+–[\d.]+ %\), blue [\d.]+ % of [\d,]+ .*evidence [\de.]+ ≥ 100 → fail/);
        // Today's rule needed failureLimit (2) failing samples; the evidence needs no more.
        const failedAt = judged!.rates.find((r) => r.check.name === "success-rate")!.finding.failedAt!;
        expect(failedAt + 1, "live samples until the evidence rejected").to.be.at.most(2);
    });

    it("rolls back a candidate slower than the latency bar, counted from the histogram's bucket at 300 ms", async () => {
        const { project } = scenarios.slow;
        await waitForVerdict(scenarios.slow, "fail", 20_000);
        const run = await advance(project!);
        expect(run.code, run.stdout + run.stderr).to.equal(1);
        expect(greenWeightIn(project!.file)).to.equal(0);
        expect(run.stdout, run.stdout).to.match(/latency-p95: green answers [\d.]+ % of [\d,]+ requests slower than 300 ms \(99 % CI [\d.]+–[\d.]+ %\), blue 0 % of [\d,]+ .* → fail/);
    });

    it("does not roll back a candidate that fails as often as stable (2 % each), look after look", async () => {
        const { project } = scenarios.steady;
        // Judged in-process look after look, as a scheduled job would, each half a second apart.
        const reasons: string[] = [];
        const verdicts = await lookRepeatedly(scenarios.steady, 12, reasons);
        expect(verdicts, `never fail: ${reasons.join("; ")}`).to.not.include("fail");
        const run = await advance(project!);
        expect(run.code, run.stdout + run.stderr).to.not.equal(1);
        expect(run.stdout).to.match(/success-rate: green fails [\d.]+ % of [\d,]+ requests .* blue [\d.]+ % of [\d,]+/);
    });

    it("holds when too little traffic reaches the colors to judge, and writes nothing", async () => {
        const { project } = scenarios.quiet;
        const before = readFileSync(project!.file, "utf8");
        const run = await advance(project!);
        expect(run.code, run.stdout + run.stderr).to.equal(2);
        expect(run.stdout).to.match(/fewer than minRequests \(10\)/);
        expect(readFileSync(project!.file, "utf8")).to.equal(before);
    });

    it("exits 3 with the stack file untouched when Prometheus is down", async () => {
        const project = drillProject({ stack: "drill", service: scenarios.healthy.service, prometheusUrl: prometheus.url });
        projects.push(project);
        const before = readFileSync(project.file, "utf8");
        await prometheus.stop();
        const run = await advance(project);
        expect(run.code, run.stdout + run.stderr).to.equal(3);
        expect(run.stderr).to.match(/^switchyard advance: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
        expect(readFileSync(project.file, "utf8")).to.equal(before);
        writeFileSync(join(project.dir, "checked"), "");
    });
});
