// The fleet's CI (.github/workflows/fleet-deploy.yml) as GitHub would read it: one job per stack
// from the matrix `switchyard stacks --fleet prod --json` prints, a lock per stack, traffic before
// clusters for a build, clusters alone for a flip or a rollback, each stack previewed under the
// policy pack before its up.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const workflow = parse(readFileSync(join(PROJECT_ROOT, ".github/workflows/fleet-deploy.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: Record<string, { needs?: string | string[]; if?: string; strategy?: { "fail-fast"?: boolean; matrix?: { include?: string } }; concurrency?: { group: string; "cancel-in-progress": boolean }; steps: { run?: string; uses?: string; with?: Record<string, string> }[]; outputs?: Record<string, string> }>;
};
const needs = (job: string) => [workflow.jobs[job]!.needs ?? []].flat();
const changeOf = (paths: string[], cwd = PROJECT_ROOT) =>
    spawnSync("sh", [join(PROJECT_ROOT, ".github/scripts/fleet-change.sh"), "prod"], { input: paths.join("\n") + "\n", encoding: "utf8", cwd }).stdout.trim();

/** The kind of a push whose last commit turns the fleet file from `before` into `after`, in a repository of its own. */
function fleetFileChange(before: string, after: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-fleet-change-"));
    const git = (...args: string[]) => {
        const run = spawnSync("git", ["-c", "user.name=spec", "-c", "user.email=spec@example.com", ...args], { cwd: dir, encoding: "utf8" });
        if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
    };
    try {
        git("init", "-q");
        spawnSync("mkdir", ["fleets"], { cwd: dir });
        writeFileSync(join(dir, "fleets/prod.yaml"), before);
        git("add", ".");
        git("commit", "-qm", "before");
        if (after === undefined) return changeOf(["fleets/prod.yaml"], dir);
        writeFileSync(join(dir, "fleets/prod.yaml"), after);
        git("commit", "-qam", "after");
        return changeOf(["fleets/prod.yaml", "Pulumi.prod-eks-use1.yaml"], dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("fleet CI workflow", () => {
    it("builds its matrix from switchyard stacks --fleet prod --json, traffic and clusters apart", () => {
        const stacks = workflow.jobs.stacks!;
        expect(stacks.steps.map((s) => s.run ?? "").join("\n")).to.include("node bin/switchyard.mjs stacks --fleet prod --json > stacks.json");
        expect(stacks.outputs).to.include({ traffic: "${{ steps.matrix.outputs.traffic }}", clusters: "${{ steps.matrix.outputs.clusters }}" });
        expect(workflow.jobs.traffic!.strategy!.matrix!.include).to.equal("${{ fromJSON(needs.stacks.outputs.traffic) }}");
        expect(workflow.jobs.clusters!.strategy!.matrix!.include).to.equal("${{ fromJSON(needs.stacks.outputs.clusters) }}");
    });

    it("runs the traffic stack only for a build, and the cluster stacks after it, or without it when it is skipped", () => {
        expect(needs("traffic")).to.deep.equal(["stacks"]);
        expect(workflow.jobs.traffic!.if).to.equal("needs.stacks.outputs.change == 'build'");
        expect(needs("clusters")).to.have.members(["stacks", "traffic"]);
        expect(workflow.jobs.clusters!.if).to.equal("always() && needs.stacks.result == 'success' && (needs.traffic.result == 'success' || needs.traffic.result == 'skipped')");
        expect(workflow.jobs.clusters!.strategy!["fail-fast"], "one cluster's failure never cancels another's rollback").to.equal(false);
    });

    it("holds one lock per stack, never cancelling an update half-way", () => {
        for (const job of ["traffic", "clusters"]) {
            expect(workflow.jobs[job]!.concurrency).to.deep.equal({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
        }
    });

    it("previews each stack on its own under the policy pack before its up", () => {
        for (const job of ["traffic", "clusters"]) {
            const pulumi = workflow.jobs[job]!.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
            expect(pulumi.map((s) => s.with!.command)).to.deep.equal(["preview", "up"]);
            for (const step of pulumi) {
                expect(step.with).to.include({ "stack-name": "${{ vars.PULUMI_ORG }}/switchyard/${{ matrix.stack }}", policyPacks: "policy", policyPackConfigs: "policy/config/prod.json" });
            }
        }
    });

    it("calls a push that only edits cluster stack files a flip, and anything else a build", () => {
        expect(changeOf(["Pulumi.prod-eks-use1.yaml", "Pulumi.prod-gke-euw1.yaml", "fleets/prod.release.yaml"])).to.equal("flip");
        expect(changeOf(["Pulumi.prod-eks-use1.yaml", "app/server.mjs"])).to.equal("build");
        expect(changeOf(["Pulumi.prod-traffic.yaml"])).to.equal("build");
        const classify = workflow.jobs.stacks!.steps.find((s) => s.run?.includes("fleet-change.sh"))!.run!;
        expect(classify, "the whole push, from the commit before it").to.include('git diff --name-only "$base" HEAD | .github/scripts/fleet-change.sh prod "$base"');
        expect(classify).to.include('if git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then base="$BEFORE"; else base=""; fi');
        expect(classify, "a push it cannot diff is a build").to.match(/elif \[ -z "\$base" \]; then\n\s+change=build/);
        expect(workflow.jobs.stacks!.steps.find((s) => s.run?.includes("fleet-change.sh"))!).to.have.nested.property("env.BEFORE", "${{ github.event.before }}");
    });

    it("calls a push that edits a traffic shard's file (a grouped fleet) a build, and one of group cluster stacks' files only a flip", () => {
        expect(changeOf(["Pulumi.prod-traffic-web.yaml"])).to.equal("build");
        expect(changeOf(["Pulumi.prod-eks-use1-web.yaml", "Pulumi.prod-traffic-backend.yaml"])).to.equal("build");
        expect(changeOf(["Pulumi.prod-eks-use1-web.yaml", "Pulumi.prod-gke-euw1-backend.yaml", "fleets/prod.release.yaml"])).to.equal("flip");
    });

    it("calls a fleet file edit that only moves cohorts' colors (a rollback) a flip, and any other fleet file edit a build", () => {
        const fleet = (color: string, replicas = 3) =>
            ["services:", "  - name: cart", `    replicas: ${replicas}`, "cohorts:", "  - name: beta", `    color: ${color}`, "    match: { headers: [{ name: x-cohort, value: beta }] }", ""].join("\n");
        const rolledBack = fleet("blue  # switchyard rolled back 2026-12-03T12:00:00Z: cart on eks-use1: success-rate failed");
        expect(fleetFileChange(fleet("green"), rolledBack), "a rollback's cohort edit").to.equal("flip");
        expect(fleetFileChange(fleet("green"), fleet("blue")), "a cohort moved by hand").to.equal("flip");
        expect(fleetFileChange(fleet('"green"'), fleet('"blue"  # switchyard rolled back 2026-12-03T12:00:00Z: x')), "a quoted color").to.equal("flip");
        const flow = (color: string, note = "") => ["cohorts:", ...(note ? [`  # ${note}`] : []), `  - { name: beta, color: ${color}, match: { headers: [{ name: x, value: b }] } }`, ""].join("\n");
        expect(fleetFileChange(flow("green"), flow("blue", "switchyard rolled back 2026-12-03T12:00:00Z: x")), "a flow mapping's line holds other keys too").to.equal("build");
        expect(fleetFileChange(fleet("green"), fleet("green") + "# switchyard rolled back 2026-12-03T12:00:00Z: x\nreplicas: 4\n"), "a note beside another change").to.equal("build");
        expect(fleetFileChange(fleet("green"), fleet("blue", 4)), "a cohort and a replica count").to.equal("build");
        expect(fleetFileChange(fleet("green"), fleet("green", 4)), "a replica count").to.equal("build");
        expect(fleetFileChange(fleet("green"), undefined), "no commit before HEAD to diff against").to.equal("build");
    });

    it("leaves the single-stack deploy as it was", () => {
        const single = parse(readFileSync(join(PROJECT_ROOT, ".github/workflows/deploy-prod.yml"), "utf8"));
        expect(single.concurrency.group).to.equal("deploy-prod");
        expect(single.jobs.up.steps.at(-1).with["stack-name"]).to.equal("${{ vars.PULUMI_ORG }}/switchyard/prod");
    });
});
