import { expect } from "chai";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { drillProject, greenWeightIn, type DrillProject } from "../devtools/drill/project.ts";
import { PULUMI_CLI_MISSING, findPulumiCli } from "../cli/switchyard/commands.ts";
import { CommandError } from "../cli/switchyard/errors.ts";
import { automationDeployer, previewingDeployer, rehearsalDeployer, runRolloutLoop, type AutomationStack, type Deployer, type LoopIo } from "../cli/switchyard/rolloutLoop.ts";
import { FAILING, HEALTHY, fakeMetrics } from "./fakeMetrics.ts";

/** A copy of the drill stack with these values set. */
function project(values: Record<string, unknown>): DrillProject {
    const copy = drillProject({ service: "storefront", prometheusUrl: "http://127.0.0.1:1" });
    const doc = parseDocument(readFileSync(copy.file, "utf8"));
    for (const [path, value] of Object.entries(values)) doc.setIn(["config", ...path.split(".")], value);
    writeFileSync(copy.file, doc.toString());
    return copy;
}

/**
 * A clock that moves only when the loop sleeps, so a rollout of many intervals runs at once. A
 * loop that would wait forever fails after 200 simulated seconds instead of hanging the run.
 */
function fakeIo(): LoopIo & { lines: string[]; progressLines: string[]; slept: number } {
    let clock = Date.parse("2026-05-01T10:00:00Z");
    const io = {
        lines: [] as string[],
        progressLines: [] as string[],
        slept: 0,
        out: (line: string) => io.lines.push(line),
        progress: (line: string) => io.progressLines.push(line),
        now: () => new Date(clock),
        sleep: async (ms: number) => {
            clock += ms;
            io.slept += ms;
            if (io.slept > 200_000) throw new Error("the loop is still waiting after 200 simulated seconds");
        },
    };
    return io;
}

/** Records each apply with the greenWeight the stack file had at that moment; fails the applies whose reason starts with one of `failOn`. */
function fakeDeployer(file: string, ...failOn: string[]): Deployer & { applied: string[]; movingBack: string[] } {
    const applied: string[] = [];
    const movingBack: string[] = [];
    return {
        name: "the fake deployer",
        applied,
        movingBack,
        async apply(reason, movesBack) {
            if (movesBack) movingBack.push(reason);
            if (failOn.some((prefix) => reason.startsWith(prefix))) throw new Error(`update failed (${reason} @ ${greenWeightIn(file)})`);
            applied.push(`${reason} @ ${greenWeightIn(file)}`);
        },
    };
}

describe("rollout loop", () => {
    const projects: DrillProject[] = [];
    afterEach(async () => {
        await Promise.all(projects.splice(0).map((p) => p.remove()));
    });

    it("starts a release at 0 %, walks every step after a passing window, and exits 0 once 100 % passed", async () => {
        const p = project({ "switchyard:greenWeight": 0 });
        projects.push(p);
        const deployer = fakeDeployer(p.file);
        const io = fakeIo();
        const code = await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: HEALTHY }), deployer, io });
        expect(code).to.equal(0);
        expect(deployer.applied).to.deep.equal(["start at 5 % @ 5", "step to 25 % @ 25", "step to 50 % @ 50", "step to 75 % @ 75", "step to 100 % @ 100"]);
        expect(greenWeightIn(p.file)).to.equal(100);
        // Five samples, 2 s apart on the drill stack: one per step after the start, and one at 100 %.
        expect(io.slept).to.equal(5 * 2000);
        expect(io.progressLines.filter((l) => l !== "")).to.have.length(10);
        expect(io.progressLines[0]).to.equal("green at 5 % (steps 5 → 25 → 50 → 75 → 100) · next sample in 2s");
        expect(io.lines.at(-1)).to.match(/^switchyard drill: complete: green serves 100 %/);
    });

    it("rolls back at once when the candidate fails, applies the rollback, and exits 1", async () => {
        const p = project({ "switchyard:greenWeight": 25 });
        projects.push(p);
        const deployer = fakeDeployer(p.file);
        const io = fakeIo();
        const code = await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: FAILING }), deployer, io });
        expect(code).to.equal(1);
        expect(deployer.applied, "the rollback is decided before anything else is applied").to.deep.equal(["roll back @ 0"]);
        expect(io.slept).to.equal(0);
        const line = readFileSync(p.file, "utf8").split("\n").find((l) => l.includes("switchyard:greenWeight:"))!;
        // The success rate is judged by evidence: 40 % errors on the candidate against 0.1 % fail at the first sample.
        expect(line).to.match(/^ {2}switchyard:greenWeight: 0 {2}# switchyard rolled back 2026-05-01T10:00:00Z: storefront on drill: success-rate: green fails 40 % of 250 requests \(99 % CI \d+–\d+ %\), blue 0\.10 % of 750 .* → fail$/);
        expect(io.lines.join("\n")).to.include("success-rate: green fails 40 % of 250 requests");
    });

    it("rolls back a failure found after a step, applying the step first", async () => {
        const p = project({ "switchyard:greenWeight": 5 });
        projects.push(p);
        const deployer = fakeDeployer(p.file);
        let green = HEALTHY;
        const api = fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, get green() { return green; } });
        const io = fakeIo();
        const sleep = io.sleep;
        io.sleep = async (ms) => {
            await sleep(ms);
            if (greenWeightIn(p.file) === 25) green = FAILING;
        };
        expect(await runRolloutLoop({ stackName: p.stack, dir: p.dir, api, deployer, io })).to.equal(1);
        expect(deployer.applied, "a full healthy window at 5 % steps at once").to.deep.equal(["step to 25 % @ 25", "roll back @ 0"]);
        expect(deployer.movingBack, "only the rollback is applied whatever its preview says").to.deep.equal(["roll back"]);
    });

    it("puts the stack file back when applying a step fails, so it keeps saying what is live", async () => {
        const p = project({ "switchyard:greenWeight": 5 });
        projects.push(p);
        const before = readFileSync(p.file, "utf8");
        const deployer = fakeDeployer(p.file, "step to 25 %");
        try {
            await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: HEALTHY }), deployer, io: fakeIo() });
            expect.fail("the loop should fail");
        } catch (error) {
            expect(error).to.be.instanceOf(CommandError);
            expect((error as Error).message).to.equal(
                `the fake deployer failed (step to 25 %). ${p.file} is back as it was, and applied again, so what is live matches it.\nupdate failed (step to 25 % @ 25)`,
            );
        }
        expect(readFileSync(p.file, "utf8")).to.equal(before);
        // A failed update is partial: the file as it was is applied again, which moves back whatever moved.
        expect(deployer.applied).to.deep.equal(["put back the file after: step to 25 % @ 5"]);
        expect(deployer.movingBack).to.deep.equal(["put back the file after: step to 25 %"]);
    });

    it("says live may differ from the file when applying it as it was fails too", async () => {
        const p = project({ "switchyard:greenWeight": 5 });
        projects.push(p);
        const deployer = fakeDeployer(p.file, "step to 25 %", "put back");
        const failed = await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: HEALTHY }), deployer, io: fakeIo() }).then(
            () => expect.fail("the loop should fail"),
            (error: Error) => error,
        );
        expect(failed.message).to.equal(
            `the fake deployer failed (step to 25 %). ${p.file} is back as it was, but applying it failed too, so some routes may still carry the step: ` +
                `run pulumi up --refresh once the cause is fixed.\nupdate failed (step to 25 % @ 25)\nupdate failed (put back the file after: step to 25 % @ 5)`,
        );
        expect(greenWeightIn(p.file)).to.equal(5);
    });

    it("keeps waiting while the window is inconclusive", async () => {
        const p = project({ "switchyard:greenWeight": 5 });
        projects.push(p);
        const io = fakeIo();
        let samples = 0;
        // Prometheus knows the drill stack's cluster and service: seeing nothing yet is no traffic, not a config mistake.
        const api = fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: HEALTHY }, 1000, { __name__: ["http_requests_total"], cluster: ["drill"], service: ["storefront"] });
        // Six queries per analysis (two colors, requests and two checks): the first three analyses see nothing.
        const quietFirst = { ...api, queryRange: (q: string, s: number, e: number, step: number) => (samples++ < 3 * 6 ? Promise.resolve([]) : api.queryRange(q, s, e, step)) };
        const deployer = fakeDeployer(p.file, "step to 50 %");
        await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: quietFirst, deployer, io }).catch(() => undefined);
        // The first analysis and the next two samples hold; the third sample sees traffic and steps to 25 %.
        expect(deployer.applied).to.deep.equal(["apply the current step @ 5", "step to 25 % @ 25", "put back the file after: step to 50 % @ 25"]);
        expect(io.lines.filter((l) => / hold · /.test(l))).to.have.length(2);
    });

    it("rehearses each step under Pulumi's mocks, where only the HTTPRoute changes", async () => {
        const p = project({ "switchyard:greenWeight": 0, "switchyard:rollout.steps": [50, 100], "switchyard:rollout.maxStep": 50 });
        projects.push(p);
        const lines: string[] = [];
        const deployer = await rehearsalDeployer(p.stack, p.dir, (line) => lines.push(line));
        const io = fakeIo();
        const code = await runRolloutLoop({ stackName: p.stack, dir: p.dir, api: fakeMetrics(() => greenWeightIn(p.file), { blue: HEALTHY, green: HEALTHY }), deployer, io });
        expect(code).to.equal(0);
        expect(lines).to.deep.equal([
            "rehearsed (start at 50 %): storefront@drill blue 50 / green 50",
            "rehearsed (step to 100 %): storefront@drill blue 0 / green 100 · 1 resources change (HTTPRoute)",
        ]);
    });

    it("rehearses each step against the state the one before left, so the gate judges it as pulumi up would", async () => {
        const p = project({ "switchyard:greenWeight": 5 });
        projects.push(p);
        const deployer = await rehearsalDeployer(p.stack, p.dir, () => undefined);
        await deployer.apply("start at 5 %");
        // A hand edit past rollout.maxStep (25): refused against the live 5 %, as the preview of pulumi up would.
        const doc = parseDocument(readFileSync(p.file, "utf8"));
        doc.setIn(["config", "switchyard:greenWeight"], 100);
        writeFileSync(p.file, doc.toString());
        const refused = await deployer.apply("step to 100 %").then(
            () => expect.fail("a rise of 95 points should be refused"),
            (error: Error) => error,
        );
        expect(refused.message).to.include("green would go from 5 % to 100 % (+95) in one update, more than switchyard:rollout.maxStep (25)");
    });
});

describe("rollout --rehearse: the project it evaluates", () => {
    const projects: DrillProject[] = [];
    after(() => Promise.all(projects.map((p) => p.remove())));

    it("evaluates the program against the --cwd project, not this repository: a build context only this repository has is missing there", async () => {
        // The copy has Pulumi.yaml and the stack file, no app/ folder; this repository has app/Dockerfile.
        const p = project({ "switchyard:services": [{ name: "storefront", port: 8080, replicas: 2, healthPath: "/healthz", blue: { image: "ghcr.io/acme-shop/storefront:1.4.0" }, green: { build: { context: "app" }, version: "1.5.0" } }] });
        projects.push(p);
        const deployer = await rehearsalDeployer(p.stack, p.dir, () => undefined);
        const refused = await deployer.apply("start at 5 %").then(
            () => expect.fail("the copy has no app/ to build"),
            (error: Error) => error,
        );
        expect(refused.message).to.include("switchyard:services[0].green.build.context");
        expect(refused.message).to.include("an existing directory relative to the project directory");
    });
});

describe("rollout through the Automation API", () => {
    it("finds the Pulumi CLI only as an executable on PATH", () => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-path-"));
        try {
            expect(findPulumiCli(dir)).to.equal(undefined);
            writeFileSync(join(dir, "pulumi"), "#!/bin/sh\n");
            expect(findPulumiCli(`/nonexistent:${dir}`), "not executable yet").to.equal(undefined);
            chmodSync(join(dir, "pulumi"), 0o755);
            expect(findPulumiCli(`/nonexistent:${dir}`)).to.equal(join(dir, "pulumi"));
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says how to install the Pulumi CLI when it is missing", async () => {
        const path = process.env.PATH;
        process.env.PATH = "/nonexistent";
        try {
            await automationDeployer("prod", ".", () => {}, { packs: [], configs: [] });
            expect.fail("expected the missing CLI to be reported");
        } catch (error) {
            expect(error).to.be.instanceOf(CommandError);
            expect((error as Error).message).to.equal(PULUMI_CLI_MISSING);
        } finally {
            process.env.PATH = path;
        }
        expect(PULUMI_CLI_MISSING).to.match(/^the Pulumi CLI is not installed \(no `pulumi` on PATH\)/);
        expect(PULUMI_CLI_MISSING).to.include("curl -fsSL https://get.pulumi.com | sh");
        expect(PULUMI_CLI_MISSING).to.include("switchyard rollout --rehearse");
    });
});

describe("switchyard rollout: through the Automation API", () => {
    /** An Automation API stack that records each call, and whose preview fails when told to. */
    function automationStack(previewFails: boolean): AutomationStack & { calls: string[] } {
        const calls: string[] = [];
        return {
            calls,
            async preview(opts) {
                calls.push(`preview refresh=${opts.refresh} packs=${(opts.policyPacks ?? []).join(",")}`);
                if (previewFails) throw new Error("before hook \"switchyard-gate\" failed: HTTPRoute shop/cart on cluster eks-use1: not moving green from 25 % to 50 %");
            },
            async up(opts) {
                calls.push(`up refresh=${opts.refresh} packs=${(opts.policyPacks ?? []).join(",")}`);
            },
        };
    }
    const policy = { packs: ["policy"], configs: ["policy/config/prod.json"] };

    it("previews each step before it applies it, with the same refresh and policy packs", async () => {
        const stack = automationStack(false);
        await previewingDeployer(stack, "prod", () => {}, policy).apply("step to 50 %");
        expect(stack.calls).to.deep.equal(["preview refresh=true packs=policy", "up refresh=true packs=policy"]);
    });

    it("applies nothing when the preview of a step is refused, and says why", async () => {
        const stack = automationStack(true);
        try {
            await previewingDeployer(stack, "prod", () => {}, policy).apply("step to 50 %");
            expect.fail("expected the refused preview to stop the step");
        } catch (error) {
            expect(error).to.be.instanceOf(CommandError);
            expect((error as Error).message).to.include('the preview of "step to 50 %" failed, so nothing was applied').and.include("not moving green from 25 % to 50 %");
        }
        expect(stack.calls).to.deep.equal(["preview refresh=true packs=policy"]);
    });

    it("still applies a rollback whose preview fails: nothing holds traffic moving back", async () => {
        const stack = automationStack(true);
        const lines: string[] = [];
        await previewingDeployer(stack, "prod", (line) => lines.push(line), policy).apply("roll back", true);
        expect(stack.calls).to.deep.equal(["preview refresh=true packs=policy", "up refresh=true packs=policy"]);
        expect(lines.join("\n")).to.include("applying it anyway, since it moves traffic back");
    });
});
