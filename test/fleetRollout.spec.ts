import { expect } from "chai";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { main } from "../cli/switchyard.ts";
import type { MetricsApi } from "../cli/switchyard/collect.ts";
import { fleetPass, runFleetApprove, type FleetDeployer } from "../cli/switchyard/fleet.ts";
import { fleetDeferredDeployer } from "../cli/switchyard/fleetDeployers.ts";
import { FAILING, HEALTHY } from "./fakeMetrics.ts";
import { fleetIo, fleetMetrics, fleetProject, fleetProjects, type FleetProject } from "./fleetFixture.ts";

/**
 * A backend stand-in shared by runs (it is the stacks, not a run's memory): each stack's applied
 * greenWeight; an apply is what the metrics see from then on.
 */
function fakeBackend(project: FleetProject, metrics: { observe(stack: string): void }): FleetDeployer & { applied: string[]; liveOf: Map<string, number> } {
    const liveOf = new Map<string, number>();
    const applied: string[] = [];
    return {
        name: "the fake backend",
        applied,
        liveOf,
        async apply(stack, reason) {
            const weight = project.weight(stack);
            applied.push(`${stack} ${weight} (${reason})`);
            liveOf.set(stack, weight);
            metrics.observe(stack);
        },
        async live(stack) {
            return liveOf.get(stack);
        },
    };
}

/** Prometheus that must not be asked: a rollback is never held by an analysis. */
const unreachable: MetricsApi = {
    query: async () => expect.fail("a rollback asked Prometheus"),
    queryRange: async () => expect.fail("a rollback asked Prometheus"),
    labelValues: async () => expect.fail("a rollback asked Prometheus"),
};

const record = (p: FleetProject) => parse(readFileSync(join(p.dir, "fleets/prod.release.yaml"), "utf8"));
const rolledBackLine = (p: FleetProject, stack: string) => readFileSync(p.stackFile(stack), "utf8").split("\n").find((l) => l.includes("switchyard:greenWeight:"))!;

describe("fleet rollout: prod's cluster stacks wave by wave", function () {
    this.timeout(60_000);
    const project = fleetProjects();

    it("rehearses prod under the mocks: canary soaks at 5 %, rest takes 5 % once approved, then fails and both clusters roll back at once", async () => {
        const p = project();
        let gkeHealth = HEALTHY;
        const io = fleetIo(() => {
            // A person approves the rest wave's step as soon as it waits for one.
            if (p.weight("prod-eks-use1") === 5 && p.weight("prod-gke-euw1") === 0) runFleetApprove("prod", p.dir, "rest", "alice", { out: () => {}, now: io.now });
            if (p.weight("prod-gke-euw1") === 5) gkeHealth = FAILING;
        });
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "gke-euw1" ? gkeHealth : HEALTHY }));
        const code = await main(["rollout", "--fleet", "prod", "--rehearse", "--cwd", p.dir], io, async () => metrics);
        expect(code, io.errors.join("\n")).to.equal(1);
        const rehearsed = io.lines.filter((l) => l.startsWith("rehearsed prod-eks-use1 (wave") || l.startsWith("rehearsed prod-gke-euw1 (wave") || l.includes("(roll back)"));
        expect(rehearsed.slice(0, 2)).to.deep.equal(["rehearsed prod-eks-use1 (wave canary: green to 5 %): green 5 %", "rehearsed prod-gke-euw1 (wave rest: green to 5 %): green 5 %"]);
        expect(rehearsed.slice(2).sort()).to.deep.equal(["rehearsed prod-eks-use1 (roll back): green 0 %", "rehearsed prod-gke-euw1 (roll back): green 0 %"]);
        // The canary's 6 s soak (three 2 s samples at 5 %) passed before rest moved: not the 4 s window.
        const restMoved = io.lines.findIndex((l) => l.includes("wave rest to 5 %"));
        expect(io.lines[restMoved]).to.match(/^\[10:00:06\]/);
        expect(p.weight("prod-eks-use1")).to.equal(0);
        expect(p.weight("prod-gke-euw1")).to.equal(0);
        expect(rolledBackLine(p, "prod-eks-use1")).to.match(/# switchyard rolled back 2026-05-01T10:00:0\dZ: prod-gke-euw1: storefront: success-rate: green fails 40 % of 5,000 requests .* → fail/);
        expect(record(p).rolledBack.reason).to.match(/^prod-gke-euw1: storefront: success-rate: green fails 40 %/);
        expect(record(p).approvals.map((a: { wave: string; step: number; by: string }) => `${a.wave} ${a.step} ${a.by}`)).to.deep.equal(["rest 5 alice"]);
    });

    it("holds the rest wave for a person's approve, and moves it on the pass after", async () => {
        const p = project();
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const pass = (start = false) => fleetPass({ fleet: "prod", dir: p.dir, api: metrics, deployer: backend, io, start });
        expect((await pass()).decision.action, "a scheduled pass never starts a release").to.equal("hold");
        expect((await pass(true)).exitCode).to.equal(0);
        expect(p.weight("prod-eks-use1")).to.equal(5);
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const held = await pass();
        expect(held.exitCode).to.equal(2);
        expect(held.decision.reasons.at(-1)).to.equal("wave rest waits for a person: switchyard approve --wave rest (its step to 5 %)");
        expect(p.weight("prod-gke-euw1")).to.equal(0);
        expect(await main(["approve", "--fleet", "prod", "--wave", "rest", "--by", "alice", "--cwd", p.dir], io)).to.equal(0);
        expect(io.lines.at(-1)).to.match(/^approved: wave rest may take 5 % \(release [0-9a-f]{12}, by alice\), recorded in .*fleets\/prod\.release\.yaml/);
        const moved = await pass();
        expect(moved.decision).to.include({ action: "advance", wave: "rest", to: 5 });
        expect(p.weight("prod-gke-euw1")).to.equal(5);
        expect(p.weight("prod-eks-use1"), "the canary waits for every wave at 5 %").to.equal(5);
    });

    it("resumes a run stopped between two stacks of a wave: the edited stack is applied, the other follows, nothing else moves", async () => {
        const p = project({ thirdCluster: true });
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const options = { fleet: "prod", dir: p.dir, api: metrics, deployer: backend, io };
        await fleetPass({ ...options, start: true });
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        runFleetApprove("prod", p.dir, "rest", "alice", io);
        // The run dies right after the first stack of the rest wave was edited, before its up.
        const killed = await fleetPass({
            ...options,
            start: false,
            afterEdit: (stack) => {
                if (stack === "prod-gke-euw1") throw new Error("killed");
            },
        }).catch((error: Error) => error);
        expect(killed).to.be.instanceOf(Error).with.property("message").that.includes("killed");
        expect([p.weight("prod-gke-euw1"), p.weight("prod-aks-weu")]).to.deep.equal([5, 0]);
        expect(backend.liveOf.get("prod-gke-euw1"), "its up never ran").to.equal(0);
        backend.applied.length = 0;
        const next = await fleetPass({ ...options, start: false });
        expect(backend.applied).to.deep.equal(["prod-gke-euw1 5 (resume greenWeight 5)", "prod-aks-weu 5 (wave rest: green to 5 %)"]);
        expect(next.decision).to.include({ action: "advance", wave: "rest", to: 5 });
        expect(p.weight("prod-eks-use1")).to.equal(5);
    });

    it("finishes a rollback a stopped run began, without asking Prometheus, and starts nothing after it", async () => {
        const p = project({ thirdCluster: true });
        const io = fleetIo();
        let health = HEALTHY;
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "aks-weu" ? health : HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const options = { fleet: "prod", dir: p.dir, deployer: backend, io };
        await fleetPass({ ...options, api: metrics, start: true });
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        runFleetApprove("prod", p.dir, "rest", "alice", io);
        await fleetPass({ ...options, api: metrics, start: false });
        expect(["prod-eks-use1", "prod-gke-euw1", "prod-aks-weu"].map(p.weight)).to.deep.equal([5, 5, 5]);
        health = FAILING;
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const killed = fleetPass({ ...options, api: metrics, start: false, afterEdit: () => Promise.reject(new Error("killed")) });
        await killed.catch(() => {});
        expect(["prod-eks-use1", "prod-gke-euw1", "prod-aks-weu"].map(p.weight), "one stack edited before the run died").to.deep.equal([0, 5, 5]);
        backend.applied.length = 0;
        const next = await fleetPass({ ...options, api: unreachable, start: true });
        expect(next.exitCode).to.equal(1);
        expect(["prod-eks-use1", "prod-gke-euw1", "prod-aks-weu"].map(p.weight)).to.deep.equal([0, 0, 0]);
        expect(backend.applied.sort()).to.deep.equal(["prod-aks-weu 0 (roll back)", "prod-eks-use1 0 (roll back)", "prod-gke-euw1 0 (roll back)"]);
        const after = await fleetPass({ ...options, api: unreachable, start: false });
        expect(after.decision.action).to.equal("hold");
        expect(after.decision.reasons[0]).to.match(/^the release was rolled back/);
    });

    it("judges a cohort on the candidate at 0 %: its failure rolls the fleet back and aims the cohort at the stable color in the fleet file", async () => {
        const p = project();
        const io = fleetIo();
        let gke = HEALTHY;
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "gke-euw1" ? gke : HEALTHY }), { cohortRequests: 5000 });
        const backend = fakeBackend(p, metrics);
        const options = { fleet: "prod", dir: p.dir, deployer: backend, io };
        expect((await fleetPass({ ...options, api: metrics, start: true })).decision).to.include({ action: "advance", wave: "canary", to: 5 });
        // gke-euw1 gives green 0 %, but the beta cohort sends its users there, and they see errors.
        gke = FAILING;
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        backend.applied.length = 0;
        // The run dies after the fleet file's edit, before any up: the record says what is left to apply.
        const killed = await fleetPass({
            ...options,
            api: metrics,
            start: false,
            afterEdit: (edited) => {
                if (edited === "fleets/prod.yaml") throw new Error("killed");
            },
        }).catch((error: Error) => error);
        expect(killed).to.be.instanceOf(Error).with.property("message").that.includes("killed");
        expect(record(p).rolledBack.reason).to.match(/^prod-gke-euw1: storefront: success-rate: green fails 40 %/);
        expect(record(p).rolledBack.pending).to.have.members(["prod-eks-use1", "prod-gke-euw1"]);
        expect([p.weight("prod-eks-use1"), p.weight("prod-gke-euw1"), p.cohortColor()]).to.deep.equal([0, 0, "blue"]);
        const fleetText = readFileSync(p.fleetFile, "utf8");
        expect(fleetText.split("\n").find((l) => l.includes("color: blue"))).to.match(/^ {4}color: blue {2}# switchyard rolled back 2026-05-01T10:00:\d\dZ: prod-gke-euw1: storefront: success-rate: green fails/);
        expect(fleetText, "the fleet file keeps its comments").to.include("# Beta testers (header x-switchyard-cohort: beta) get the release candidate");
        expect(backend.applied).to.deep.equal([]);
        const next = await fleetPass({ ...options, api: unreachable, start: false });
        expect(next.exitCode).to.equal(1);
        expect(backend.applied.sort(), "every cluster stack reads the fleet file: each applies the cohort's new color").to.deep.equal([
            "prod-eks-use1 0 (roll back)",
            "prod-gke-euw1 0 (roll back)",
        ]);
        expect(record(p).rolledBack.pending).to.equal(undefined);
        const after = await fleetPass({ ...options, api: unreachable, start: false });
        expect(after.decision.action).to.equal("hold");
        expect(backend.applied).to.have.length(2);
    });

    it("holds a passing cohort at 0 % without --start: it was judged on every cluster stack, and no wave moves", async () => {
        const p = project();
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }), { cohortRequests: 5000 });
        const backend = fakeBackend(p, metrics);
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const held = await fleetPass({ fleet: "prod", dir: p.dir, api: metrics, deployer: backend, io, start: false });
        expect(held.exitCode).to.equal(2);
        expect(held.decision.reasons).to.include("the traffic the cohorts send to the candidate passed a full window on prod-eks-use1, prod-gke-euw1; the weights move only with --start");
        expect(metrics.queries.some((q) => q.includes('cluster="gke-euw1"') && q.includes('color="green"'))).to.equal(true);
        expect([p.weight("prod-eks-use1"), p.weight("prod-gke-euw1"), p.cohortColor()]).to.deep.equal([0, 0, "green"]);
        expect(backend.applied.filter((l) => !l.includes("(resume greenWeight 0)")), "only the never-applied stacks' first up").to.deep.equal([]);
    });

    it("rollback --fleet aims every cohort on the candidate at the stable color too, and the next pass applies every cluster stack", async () => {
        const p = project();
        const io = fleetIo();
        expect(await main(["rollback", "--fleet", "prod", "--reason", "INC-9: beta sees errors", "--cwd", p.dir], io)).to.equal(0);
        expect(p.cohortColor()).to.equal("blue");
        expect(readFileSync(p.fleetFile, "utf8")).to.match(/ {4}color: blue {2}# switchyard rolled back 2026-05-01T10:00:00Z: INC-9: beta sees errors\n/);
        expect(io.lines.at(-1)).to.include("cohorts beta to blue in fleets/prod.yaml").and.include("pulumi up --stack prod-eks-use1 & pulumi up --stack prod-gke-euw1");
        expect(record(p).rolledBack).to.include({ reason: "INC-9: beta sees errors" });
        expect(record(p).rolledBack.pending).to.have.members(["prod-eks-use1", "prod-gke-euw1"]);
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const next = await fleetPass({ fleet: "prod", dir: p.dir, api: unreachable, deployer: backend, io, start: false });
        expect(next.exitCode).to.equal(1);
        expect(backend.applied.sort()).to.deep.equal(["prod-eks-use1 0 (roll back)", "prod-gke-euw1 0 (roll back)"]);
        expect(record(p).rolledBack.pending).to.equal(undefined);
        expect(await main(["rollback", "--fleet", "prod", "--cwd", p.dir], io)).to.equal(0);
        expect(io.lines.at(-1)).to.match(/nothing to roll back/);
    });

    it("walks every step to 100 % on both waves in lockstep and exits 0", async () => {
        const p = project();
        const io = fleetIo(() => {
            try {
                runFleetApprove("prod", p.dir, "rest", "alice", { out: () => {}, now: io.now });
            } catch {
                // at 100 %: nothing left to approve
            }
        });
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const { runFleetRollout } = await import("../cli/switchyard/fleet.ts");
        expect(await runFleetRollout({ fleet: "prod", dir: p.dir, api: metrics, deployer: backend, io })).to.equal(0);
        const steps = backend.applied.filter((l) => l.includes("wave")).map((l) => l.replace(/ \(.*/, ""));
        expect(steps).to.deep.equal(["prod-eks-use1 5", "prod-gke-euw1 5", "prod-eks-use1 25", "prod-gke-euw1 25", "prod-eks-use1 50", "prod-gke-euw1 50", "prod-eks-use1 75", "prod-gke-euw1 75", "prod-eks-use1 100", "prod-gke-euw1 100"]);
        expect(record(p).approvals.map((a: { step: number }) => a.step)).to.deep.equal([5, 25, 50, 75, 100]);
    });

    it("refuses, before writing anything, a fleet whose cluster has no stack file, an unknown wave and an approval of a wave without one", async () => {
        const p = project({ thirdCluster: true });
        const io = fleetIo();
        const { rmSync } = await import("node:fs");
        rmSync(p.stackFile("prod-aks-weu"));
        const before = readdirSync(p.dir).sort();
        expect(await main(["advance", "--fleet", "prod", "--start", "--rehearse", "--cwd", p.dir], io, async () => unreachable)).to.equal(3);
        expect(io.errors.join("\n")).to.include(
            "Pulumi.prod-aks-weu.yaml: got no such file; allowed: a stack file with switchyard:fleet: fleets/prod.yaml and switchyard:scope: aks-weu (cluster aks-weu of fleets/prod.yaml)",
        );
        const q = project();
        expect(await main(["approve", "--fleet", "prod", "--wave", "later", "--cwd", q.dir], io)).to.equal(3);
        expect(io.errors.join("\n")).to.include(`--wave: got "later"; allowed: a wave of fleets/prod.yaml: canary, rest`);
        expect(await main(["approve", "--fleet", "prod", "--wave", "canary", "--cwd", q.dir], io)).to.equal(3);
        expect(io.errors.join("\n")).to.include("--wave: got canary; allowed: a wave with approval: true in fleets/prod.yaml: rest");
        expect(await main(["stacks", "--fleet", "qa", "--cwd", q.dir], io)).to.equal(3);
        expect(io.errors.join("\n")).to.include(`--fleet: got "qa"; allowed: a fleet of fleets/<name>.yaml in ${q.dir}: prod`);
        expect(readdirSync(p.dir).sort()).to.deep.equal(before);
        expect(existsSync(join(q.dir, "fleets/prod.release.yaml"))).to.equal(false);
        expect([p.weight("prod-eks-use1"), q.weight("prod-eks-use1")]).to.deep.equal([0, 0]);
    });

    it("prints the fleet's stacks as the CI matrix: traffic, then each cluster with its wave, and the order rules", async () => {
        const io = fleetIo();
        expect(await main(["stacks", "--fleet", "prod", "--json"], io)).to.equal(0);
        const matrix = JSON.parse(io.lines.at(-1)!);
        expect(matrix.traffic).to.deep.equal([{ stack: "prod-traffic", scope: "traffic", kind: "traffic" }]);
        expect(matrix.clusters).to.deep.equal([
            { stack: "prod-eks-use1", scope: "eks-use1", kind: "cluster", cluster: "eks-use1", wave: "canary", waveIndex: 0, approval: false },
            { stack: "prod-gke-euw1", scope: "gke-euw1", kind: "cluster", cluster: "gke-euw1", wave: "rest", waveIndex: 1, approval: true },
        ]);
        expect(matrix.order.build.order).to.deep.equal(["traffic", "clusters"]);
        expect(matrix.order.undrain.order).to.deep.equal(["clusters", "traffic"]);
        expect(matrix.order.flip.order).to.deep.equal(["clusters"]);
        expect(matrix.order.rollback.order).to.deep.equal(["clusters"]);
    });

    it("gives every fleet verb and flag its help with examples", async () => {
        for (const [command, example] of [
            ["approve", "switchyard approve --fleet prod --wave rest"],
            ["stacks", "switchyard stacks --fleet prod --json"],
            ["advance", "switchyard advance --fleet prod --start"],
            ["rollout", "switchyard rollout --fleet prod --rehearse"],
            ["rollback", "switchyard rollback --fleet prod"],
            ["status", "switchyard status --fleet prod"],
        ] as const) {
            const io = fleetIo();
            expect(await main([command, "--help"], io), command).to.equal(0);
            expect(io.lines.join("\n"), command).to.include("Examples:").and.include(example);
        }
        const io = fleetIo();
        expect(await main(["approve", "--fleet", "prod"], io)).to.equal(64);
        expect(io.errors[0]).to.equal("switchyard: --wave <wave> is required\n");
        expect(await main(["stacks", "--stack", "prod"], io)).to.equal(64);
        expect(io.errors.join("\n")).to.include("--fleet <name> is required: stacks acts on a split fleet");
    });
});

describe("advance --fleet --defer-apply: the pass hands its stacks to CI's apply jobs", function () {
    this.timeout(60_000);
    const project = fleetProjects();
    const setUp = (options: Parameters<typeof fleetProject>[0] = {}) => {
        const p = project(options);
        const io = fleetIo();
        let failing = false;
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: failing && cluster === "gke-euw1" ? FAILING : HEALTHY }));
        const backend = fakeBackend(p, metrics);
        // Every stack deployed at 0 % before the release, as CI's deploy left them.
        for (const name of readdirSync(p.dir).map((f) => /^Pulumi\.(prod-(?!traffic).+)\.yaml$/.exec(f)?.[1]).filter((n) => n !== undefined)) backend.liveOf.set(name, 0);
        const file = join(p.dir, "apply.json");
        const pass = (start = false, api: MetricsApi = metrics) => fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fleetDeferredDeployer(backend.live, file), io, start });
        const handedOn = () => JSON.parse(readFileSync(file, "utf8")) as { parallel: number; stacks: { stack: string; reason: string }[] };
        /** What CI's apply jobs do with the list, but for the stacks whose job fails. */
        const applyJobs = async (failed: string[] = []) => {
            for (const { stack, reason } of handedOn().stacks) if (!failed.includes(stack)) await backend.apply(stack, reason, 1);
        };
        return { p, io, backend, pass, handedOn, applyJobs, fail: () => (failing = true) };
    };

    it("lists the stacks a pass moves, with why and at most the wave's parallel at once, and applies none itself", async () => {
        const { p, io, backend, pass, handedOn, applyJobs } = setUp({ groups: true });
        const first = await pass(true);
        expect(first.decision).to.include({ action: "advance", wave: "canary", to: 5 });
        expect(handedOn()).to.deep.equal({
            parallel: 2,
            stacks: [
                { stack: "prod-eks-use1-web", reason: "wave canary: green to 5 %" },
                { stack: "prod-eks-use1-backend", reason: "wave canary: green to 5 %" },
            ],
        });
        expect(backend.applied, "nothing applied by the pass").to.deep.equal([]);
        expect(io.lines).to.include("prod-eks-use1-web: wave canary: green to 5 %, to apply (the apply jobs that read " + join(p.dir, "apply.json") + ")");
        // The file is committed and the jobs apply it; one job fails: the next pass hands that stack on again, first.
        await applyJobs(["prod-eks-use1-backend"]);
        const next = await pass();
        expect(handedOn().stacks).to.deep.equal([{ stack: "prod-eks-use1-backend", reason: "resume greenWeight 5" }]);
        expect(next.decision.action, "the step is not live everywhere in its wave: nothing moves on").to.equal("hold");
    });

    it("hands a rollback's every moved stack on at once, and hands on again a rolled-back stack whose apply did not land", async () => {
        const { p, io, pass, handedOn, applyJobs, fail } = setUp();
        await pass(true);
        await applyJobs();
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        runFleetApprove("prod", p.dir, "rest", "alice", io);
        await pass();
        await applyJobs();
        expect(["prod-eks-use1", "prod-gke-euw1"].map(p.weight)).to.deep.equal([5, 5]);
        fail();
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const rolledBack = await pass();
        expect(rolledBack.exitCode).to.equal(1);
        expect(handedOn()).to.deep.equal({ parallel: 2, stacks: [{ stack: "prod-eks-use1", reason: "roll back" }, { stack: "prod-gke-euw1", reason: "roll back" }] });
        // gke-euw1's apply job fails: the next pass, which never asks Prometheus, hands it on again.
        await applyJobs(["prod-gke-euw1"]);
        const again = await pass(false, unreachable);
        expect(again.decision.action).to.equal("rollback");
        expect(handedOn().stacks).to.deep.equal([{ stack: "prod-gke-euw1", reason: "roll back" }]);
        await applyJobs();
        const settled = await pass(false, unreachable);
        expect(settled.decision.action).to.equal("hold");
        expect(handedOn().stacks, "nothing left to apply").to.deep.equal([]);
    });

    it("is refused with rollout, with --rehearse, with --stack and without a file, before anything is read", async () => {
        const io = fleetIo();
        for (const [args, message] of [
            [["rollout", "--fleet", "prod", "--defer-apply", "a.json"], "Unknown option '--defer-apply'"],
            [["advance", "--stack", "prod", "--defer-apply", "a.json"], "--defer-apply goes with --fleet"],
            [["advance", "--fleet", "prod", "--rehearse", "--defer-apply", "a.json"], "give --rehearse or --defer-apply, not both"],
            [["advance", "--fleet", "prod", "--defer-apply", ""], "--defer-apply needs a file"],
        ] as const) {
            io.errors.length = 0;
            expect(await main([...args], io, async () => unreachable), args.join(" ")).to.equal(64);
            expect(io.errors[0], args.join(" ")).to.include(message);
        }
    });
});
