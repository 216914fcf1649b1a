// The drill against a real Prometheus (Debian's 2.42 at /usr/bin/prometheus) scraping real demo
// app processes, one per color, under a bounded load split by the step's weight. The single-stack
// services run side by side — healthy, faulty, slow, steady, quiet — so the whole drill takes one
// analysis window, not five; then Prometheus is stopped for the last case.
//
// Beside them, the same Prometheus scrapes a split fleet: prod's two cluster stacks, each with the
// demo app per color and a load that follows what its stack last applied. Its cases ("fleet: …")
// run between the single-stack ones on purpose: the canary's soak and the second cluster's failure
// ripen while the others run, instead of a second serial window. Each still waits for what it
// needs, with a deadline, so the order saves time and proves nothing.

import { expect } from "chai";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { releaseVerdict, type TargetJudgement, type Verdict } from "../model/analysis.ts";
import { PrometheusClient } from "../cli/prometheus.ts";
import { main, type CommandIo } from "../cli/switchyard.ts";
import { prometheusFromStack, type MetricsFactory } from "../cli/switchyard/commands.ts";
import { judgeClusterStack, loadFleet } from "../cli/switchyard/fleet.ts";
import { rehearsalStateFile } from "../cli/switchyard/fleetDeployers.ts";
import type { StackVerdict } from "../model/waves.ts";
import { appliedGreenPercent, startGateway } from "../devtools/drill/gateway.ts";
import { startLoad } from "../devtools/drill/load.ts";
import { startDemoApp, startPrometheus, stopAll, type DemoApp, type PrometheusServer, type Running } from "../devtools/drill/processes.ts";
import { DRILL_STACK_TEMPLATE, drillProject, greenWeightIn, type DrillProject } from "../devtools/drill/project.ts";
import { judgeTargets, judgedTargets } from "../cli/switchyard/collect.ts";
import { loadProjectStack } from "../cli/switchyard/stack.ts";
import { runSwitchyard } from "./cli.ts";
import { fleetProject, type FleetProject } from "./fleetFixture.ts";

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

/**
 * The fleet: fleets/prod.yaml's two cluster stacks and waves — eks-use1 the canary (soak 6 s here),
 * then gke-euw1 once a person approved — with storefront alone, no cohort (the load sends no
 * cohort header), and the drill stack's checks: its 5 % bars show a healthy candidate in a few
 * hundred requests. eks-use1 gets 400 a second, 20 on the candidate at 5 %, so the ~150 that show
 * it healthy arrive while the single stack's healthy case runs; gke-euw1 200, 10 on the candidate,
 * 20 a sample, above minRequests (10). gke-euw1's green answers 30 % of its requests with 500.
 */
const FLEET_SERVICE = "storefront";
const FLEET_CLUSTERS = {
    "eks-use1": { greenFaultRate: 0, requestsPerSecond: 400 },
    "gke-euw1": { greenFaultRate: 0.3, requestsPerSecond: 200 },
} as const;
type FleetCluster = keyof typeof FLEET_CLUSTERS;
/**
 * Every load stops by itself after this long, and after() stops it sooner: a backstop past the
 * drill's 25 s on two idle cores and its minute when other runs keep the machine busy, when the
 * last cases still need traffic (at 50 s they found none).
 */
const LOAD_SECONDS = 90;
const DRILL_CHECKS = (parse(readFileSync(DRILL_STACK_TEMPLATE, "utf8")) as { config: Record<string, { analysis: { checks: unknown[] } }> }).config["switchyard:rollout"]!.analysis.checks;

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

    let fleet: FleetProject;
    /** When the canary's route at 5 % was applied (its rehearsal state written): the load followed it from then on. */
    let canaryAppliedAt = 0;
    /** Questions the fleet's commands asked Prometheus. */
    let fleetQueries = 0;

    /** The percent of a plain request green gets on the cluster: its route as its stack last applied it, as its Gateway splits. */
    const appliedGreen = (cluster: FleetCluster) => appliedGreenPercent(fleet.dir, `prod-${cluster}`, FLEET_SERVICE);

    const rollbackBegan = () => {
        const file = join(fleet.dir, "fleets/prod.release.yaml");
        return existsSync(file) && (parse(readFileSync(file, "utf8")) as { rolledBack?: unknown } | null)?.rolledBack !== undefined;
    };

    /** Prometheus as the command builds it from the stack, which refuses every question once the release record says a rollback began. */
    const fleetPrometheus: MetricsFactory = async (stack) => {
        const api = await prometheusFromStack(stack);
        const ask = <T>(call: () => Promise<T>): Promise<T> => {
            if (rollbackBegan()) return Promise.reject(new Error("the rollback asked Prometheus"));
            fleetQueries++;
            return call();
        };
        return {
            query: (promql, time) => ask(() => api.query(promql, time)),
            queryRange: (promql, start, end, step) => ask(() => api.queryRange(promql, start, end, step)),
            labelValues: (name, match, start, end) => ask(() => api.labelValues(name, match, start, end)),
        };
    };

    /** `switchyard <args> --fleet prod` in-process, through main(), on the real clock. */
    async function fleetCommand(...args: string[]): Promise<{ code: number; out: string }> {
        const lines: string[] = [];
        const io: CommandIo = {
            out: (line) => lines.push(line),
            err: (line) => lines.push(line),
            progress: () => {},
            now: () => new Date(),
            sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
        };
        const code = await main([...args, "--fleet", "prod", "--cwd", fleet.dir], io, fleetPrometheus);
        return { code, out: lines.join("\n") };
    }

    /** One cluster stack judged on its own, as a pass judges it, against the real Prometheus. */
    function judgeCluster(cluster: FleetCluster, now: number): Promise<StackVerdict> {
        const loaded = loadFleet("prod", fleet.dir);
        const stack = loaded.clusterStacks.find((s) => s.cluster.name === cluster)!;
        return judgeClusterStack(stack, loaded, loaded.model.rollout.analysis!, new PrometheusClient({ url: prometheus.url }), now);
    }

    /** Polls until `ready` holds for the clusters' verdicts judged at the same moment; fails with the last ones after `timeoutMs`. */
    async function waitForClusters(ready: (verdicts: Record<FleetCluster, StackVerdict>) => boolean, what: string, timeoutMs: number): Promise<Record<FleetCluster, StackVerdict>> {
        const deadline = Date.now() + timeoutMs;
        let last = "";
        while (Date.now() < deadline) {
            const now = Date.now() / 1000;
            const [eks, gke] = await Promise.all([judgeCluster("eks-use1", now), judgeCluster("gke-euw1", now)]);
            const verdicts = { "eks-use1": eks, "gke-euw1": gke };
            if (ready(verdicts)) return verdicts;
            last = Object.entries(verdicts).map(([c, v]) => `${c} ${v.verdict}: ${v.reasons.join("; ")}`).join("\n");
            await new Promise((done) => setTimeout(done, 500));
        }
        throw new Error(`never ${what} within ${timeoutMs / 1000} s; last:\n${last}`);
    }

    before(async function () {
        this.timeout(30_000);
        const version = (color: "blue" | "green") => (color === "green" ? "1.5.0" : "1.4.0");
        const starts = Object.values(scenarios).flatMap((s) =>
            (["blue", "green"] as const).map((color) =>
                startDemoApp({
                    service: s.service,
                    color,
                    version: version(color),
                    faultRate: color === "green" ? s.faultRate : ((s as Scenario).stableFaultRate ?? 0),
                    faultDelayMs: color === "green" ? ((s as Scenario).faultDelayMs ?? 0) : 0,
                }),
            ),
        );
        for (const [cluster, c] of Object.entries(FLEET_CLUSTERS)) {
            for (const color of ["blue", "green"] as const) {
                starts.push(startDemoApp({ service: FLEET_SERVICE, color, cluster, version: version(color), faultRate: color === "green" ? c.greenFaultRate : 0 }));
            }
        }
        const started = await Promise.allSettled(starts);
        const apps = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        running.push(...apps);
        const failed = started.find((s) => s.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        prometheus = await startPrometheus(apps, "drill");
        running.push(prometheus);
        fleet = fleetProject({ prometheusUrl: prometheus.url, services: [FLEET_SERVICE], cohorts: false, checks: DRILL_CHECKS });
        for (const [cluster, c] of Object.entries(FLEET_CLUSTERS) as [FleetCluster, (typeof FLEET_CLUSTERS)[FleetCluster]][]) {
            const app = (color: string) => apps.find((a: DemoApp) => a.service === FLEET_SERVICE && a.cluster === cluster && a.color === color)!;
            running.push(
                startGateway({ dir: fleet.dir, stack: `prod-${cluster}`, service: FLEET_SERVICE, blueUrl: app("blue").url, greenUrl: app("green").url, requestsPerSecond: c.requestsPerSecond, maxSeconds: LOAD_SECONDS }),
            );
        }
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
                maxSeconds: LOAD_SECONDS,
            });
            running.push(load);
        }
    });

    after(async function () {
        this.timeout(20_000);
        await stopAll(running);
        await Promise.all(projects.map((p) => p.remove()));
        fleet?.remove();
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

    it("fleet: the canary cluster takes 5 % on --start, applied under the mocks, and the rest does not follow at once", async () => {
        // A release starts on clusters Prometheus already scrapes: every fleet app is up there.
        const api = new PrometheusClient({ url: prometheus.url });
        const deadline = Date.now() + 20_000;
        const scraped = async () => (await api.query('count(up{cluster=~"eks-use1|gke-euw1"} == 1)'))[0]?.value ?? 0;
        while ((await scraped()) < 4) {
            if (Date.now() > deadline) expect.fail("Prometheus never scraped the fleet's four apps");
            await new Promise((done) => setTimeout(done, 250));
        }
        const started = await fleetCommand("advance", "--start", "--rehearse");
        expect(started.code, started.out).to.equal(0);
        expect([fleet.weight("prod-eks-use1"), fleet.weight("prod-gke-euw1")]).to.deep.equal([5, 0]);
        // What each cluster's Gateway is given: eks-use1's route sends green 5 %, gke-euw1's nothing.
        expect([appliedGreen("eks-use1"), appliedGreen("gke-euw1")]).to.deep.equal([5, 0]);
        canaryAppliedAt = statSync(rehearsalStateFile(fleet.dir, "prod-eks-use1")).mtimeMs / 1000;
        const early = await fleetCommand("advance", "--rehearse");
        expect(early.code, early.out).to.equal(2);
        expect([fleet.weight("prod-eks-use1"), fleet.weight("prod-gke-euw1")]).to.deep.equal([5, 0]);
    });

    it("moves a healthy candidate from 5 % to 25 % once it was live and healthy for the window", async () => {
        const { project } = scenarios.healthy;
        const before = readFileSync(project!.file, "utf8");
        await waitForVerdict(scenarios.healthy, "pass", 40_000);
        const report = join(project!.dir, "report.md");
        // The command judges its own window, a moment after this process saw a pass: near the bar's
        // evidence (a busy machine sends fewer requests) it may hold (exit 2, nothing written) once
        // more, as a scheduled advance would, and move on a later run. A rollback, or no move
        // within the deadline, fails.
        let run = await advance(project!, "--report", report);
        for (const deadline = Date.now() + 15_000; run.code === 2 && Date.now() < deadline; ) {
            expect(readFileSync(project!.file, "utf8"), "a hold writes nothing").to.equal(before);
            await new Promise((done) => setTimeout(done, 1000));
            run = await advance(project!, "--report", report);
        }
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
        // Either test may reject first: against stable, or against the bar (5 %) when the first live
        // sample's few requests on green all failed.
        expect(run.stdout, run.stdout).to.match(/success-rate: green fails [\d.]+ % of [\d,]+ requests \(99 % CI [\d.]+–[\d.]+ %\), blue [\d.]+ % of [\d,]+ .*evidence (above the bar \(5 %\) )?[\de.]+ ≥ 100 → fail/);
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

    it("fleet: the rest cluster takes 5 % once the canary passed its soak on its own cluster's series and a person approved", async () => {
        await waitForClusters((v) => v["eks-use1"].verdict === "pass", "a passing canary", 30_000);
        // Judged as a pass judges it, 3 s after its route moved, from Prometheus's history: over the
        // wave's soak, longer than the analysis window (4 s), so the soak is a window of real
        // samples, not a timer. (Judged later, so the machine's speed cannot move that moment.)
        const soak = (parse(readFileSync(fleet.fleetFile, "utf8")) as { rollout: { waves: { soak: string }[] } }).rollout.waves[0]!.soak;
        const soaking = await judgeCluster("eks-use1", canaryAppliedAt + 3);
        expect(soaking.verdict, soaking.reasons.join("; ")).to.equal("inconclusive");
        expect(soaking.reasons.join("; ")).to.match(new RegExp(`^storefront: live for [24]s of the ${soak} window`));
        const held = await fleetCommand("advance", "--rehearse");
        expect(held.code, held.out).to.equal(2);
        expect(held.out, held.out).to.match(/wave rest waits for a person: switchyard approve --wave rest \(its step to 5 %\)/);
        expect(fleet.weight("prod-gke-euw1")).to.equal(0);
        const approved = await fleetCommand("approve", "--wave", "rest", "--by", "drill");
        expect(approved.code, approved.out).to.equal(0);
        const moved = await fleetCommand("advance", "--rehearse");
        expect(moved.code, moved.out).to.equal(0);
        expect([fleet.weight("prod-eks-use1"), fleet.weight("prod-gke-euw1")]).to.deep.equal([5, 5]);
        expect([appliedGreen("eks-use1"), appliedGreen("gke-euw1")]).to.deep.equal([5, 5]);
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

    it("fleet: rolls back both cluster stacks when the rest cluster's green answers 30 % with 500, blaming that cluster alone, and asks Prometheus nothing once the rollback began", async () => {
        // The same moment, each cluster on its own series: the failure is gke-euw1's, and eks-use1 alone passes.
        await waitForClusters((v) => v["gke-euw1"].verdict === "fail" && v["eks-use1"].verdict === "pass", "gke-euw1 failing beside a passing eks-use1", 20_000);
        fleetQueries = 0;
        const run = await fleetCommand("advance", "--rehearse");
        expect(run.code, run.out).to.equal(1);
        expect(fleetQueries, "the failure was Prometheus's finding").to.be.above(0);
        expect([fleet.weight("prod-eks-use1"), fleet.weight("prod-gke-euw1")]).to.deep.equal([0, 0]);
        for (const stack of ["prod-eks-use1", "prod-gke-euw1"]) {
            const line = readFileSync(fleet.stackFile(stack), "utf8").split("\n").find((l) => l.includes("switchyard:greenWeight:"))!;
            expect(line, stack).to.match(/^ {2}switchyard:greenWeight: 0 {2}# switchyard rolled back \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: prod-gke-euw1: storefront: success-rate: green fails [\d.]+ % of [\d,]+ requests/);
        }
        const record = parse(readFileSync(join(fleet.dir, "fleets/prod.release.yaml"), "utf8")) as { rolledBack: { reason: string; pending?: string[] } };
        expect(record.rolledBack.reason).to.match(/^prod-gke-euw1: storefront: success-rate: green fails/);
        expect(record.rolledBack.reason).to.not.include("eks-use1");
        expect(record.rolledBack.pending, "every stack applied its rollback").to.equal(undefined);
        // Both Gateways were given routes that send green nothing: the loads are back on blue.
        expect([appliedGreen("eks-use1"), appliedGreen("gke-euw1")]).to.deep.equal([0, 0]);
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
