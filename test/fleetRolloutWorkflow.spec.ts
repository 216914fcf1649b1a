// The fleet's scheduled rollout (.github/workflows/fleet-rollout.yml): its shell steps run as
// GitHub runs them (bash -eo pipefail) with `npx` stubbed, in scratch git repositories (a clone
// and its origin), and its jobs read as GitHub reads them: one pass that applies nothing itself,
// its edits committed with the verdict, one apply job per listed cluster stack under the lock
// fleet-deploy.yml holds for that stack, and a verdict that is red on a rollback or a failed apply.

import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

interface Step {
    id?: string;
    name?: string;
    run?: string;
    uses?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, string | boolean | number>;
}
interface Job {
    needs?: string | string[];
    if?: string;
    outputs?: Record<string, string>;
    strategy?: { "fail-fast"?: boolean; "max-parallel"?: string; matrix?: { include?: string } };
    concurrency?: { group: string; "cancel-in-progress": boolean };
    steps: Step[];
}
type Workflow = { on: Record<string, unknown>; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };

const read = (file: string) => parse(readFileSync(join(PROJECT_ROOT, ".github/workflows", file), "utf8")) as Workflow;
const workflow = read("fleet-rollout.yml");
const stepOf = (job: string, id: string): Step => {
    const step = workflow.jobs[job]!.steps.find((s) => s.id === id);
    if (!step?.run) throw new Error(`fleet-rollout.yml: job ${job} has no run step ${id}`);
    return step;
};

const IDENTITY = { GIT_AUTHOR_NAME: "spec", GIT_AUTHOR_EMAIL: "spec@example.com", GIT_COMMITTER_NAME: "spec", GIT_COMMITTER_EMAIL: "spec@example.com" };
const HEADLINE = "switchyard --fleet prod: wave canary to 5 % (prod-eks-use1)";

/** A clone of a scratch origin whose main holds the fleet's files; removed by `remove`. */
function scratchRepository() {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-fleet-rollout-"));
    const origin = join(dir, "origin.git");
    const work = join(dir, "work");
    const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...IDENTITY } }).trim();
    git(dir, "init", "-q", "--bare", "-b", "main", origin);
    git(dir, "clone", "-q", origin, work);
    mkdirSync(join(work, "fleets"));
    writeFileSync(join(work, "fleets/prod.yaml"), "cohorts:\n  - name: beta\n    color: green\n");
    for (const stack of ["traffic", "eks-use1", "gke-euw1"]) writeFileSync(join(work, `Pulumi.prod-${stack}.yaml`), "config:\n  switchyard:greenWeight: 0\n");
    git(work, "add", ".");
    git(work, "commit", "-qm", "the fleet");
    git(work, "push", "-q", "origin", "HEAD:main");
    return { dir, work, origin, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

interface StepRun {
    status: number | null;
    stdout: string;
    outputs: Record<string, string>;
    calls: string[];
}

/** Runs one step's script in `cwd` with GitHub's shell and files, `npx` stubbed by `npx` (a bash body). */
function runStep(script: string, cwd: string, dir: string, env: Record<string, string>, npx = ""): StepRun {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "npx"), `#!/usr/bin/env bash\necho "npx $*" >> "${join(dir, "calls")}"\n${npx}\n`);
    chmodSync(join(bin, "npx"), 0o755);
    const output = join(dir, "output");
    writeFileSync(output, "");
    writeFileSync(join(dir, "calls"), "");
    const file = join(dir, "step.sh");
    writeFileSync(file, script);
    // GitHub's default shell for run steps: bash --noprofile --norc -eo pipefail {0}.
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
        cwd,
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, RUNNER_TEMP: dir, GITHUB_OUTPUT: output, ...IDENTITY, ...env },
    });
    const outputs = Object.fromEntries(
        readFileSync(output, "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    return { status: result.status, stdout: result.stdout, outputs, calls: readFileSync(join(dir, "calls"), "utf8").split("\n").filter((l) => l !== "") };
}

/** A stub of switchyard advance --fleet: writes the --defer-apply file, edits, prints a pass's lines, exits with `code`. */
function advanceStub(code: number, options: { stacks?: { stack: string; reason: string }[]; parallel?: number; edit?: boolean; record?: boolean } = {}): string {
    const applies = JSON.stringify({ parallel: options.parallel ?? 1, stacks: options.stacks ?? [] });
    return [
        'while [ $# -gt 0 ]; do if [ "$1" = --defer-apply ]; then file="$2"; fi; shift; done',
        code <= 2 ? `printf '%s\\n' '${applies}' > "$file"` : "",
        options.edit ? "sed -i 's/greenWeight: 0/greenWeight: 5/' Pulumi.prod-eks-use1.yaml" : "",
        options.record ? "printf 'approvals: []\\n' > fleets/prod.release.yaml" : "",
        'echo "prod-eks-use1: wave canary: green to 5 %, to apply (the apply jobs)"',
        code <= 2 ? `echo "${HEADLINE}"` : 'echo "switchyard advance: Prometheus at https://prometheus.example: connection refused" >&2',
        code <= 2 ? 'echo "  every wave passed a full window at 0 %"' : "",
        `exit ${code}`,
    ].join("\n");
}

describe("fleet rollout workflow: the switchyard advance --fleet step", () => {
    const canary = [{ stack: "prod-eks-use1", reason: "wave canary: green to 5 %" }];

    it("passes the outcomes the later jobs handle — 0 advanced, 1 rolled back, 2 held — with the verdict's headline, the stacks to apply and how many at once", () => {
        for (const code of [0, 1, 2]) {
            const repo = scratchRepository();
            try {
                const stacks = code === 2 ? [] : code === 1 ? [...canary, { stack: "prod-gke-euw1", reason: "roll back" }] : canary;
                const run = runStep(stepOf("advance", "advance").run!, repo.work, repo.dir, { START: "" }, advanceStub(code, { stacks, parallel: code === 1 ? 2 : 1, edit: code !== 2 }));
                expect(run.status, `exit ${code}: ${run.stdout}`).to.equal(0);
                expect(run.calls).to.deep.equal([`npx switchyard advance --fleet prod --defer-apply ${join(repo.dir, "apply.json")}`]);
                const { head, ...outputs } = run.outputs;
                expect(head).to.equal(repo.git(repo.work, "rev-parse", "HEAD"));
                expect(outputs, `exit ${code}`).to.deep.equal({
                    code: String(code),
                    summary: HEADLINE,
                    edited: code === 2 ? "false" : "true",
                    stacks: JSON.stringify(stacks),
                    parallel: code === 1 ? "2" : "1",
                });
            } finally {
                repo.remove();
            }
        }
    });

    it("starts a release only when a person asked for it, and counts a new release record as an edit", () => {
        const repo = scratchRepository();
        try {
            const run = runStep(stepOf("advance", "advance").run!, repo.work, repo.dir, { START: "--start" }, advanceStub(2, { record: true }));
            expect(run.status).to.equal(0);
            expect(run.calls[0]).to.equal(`npx switchyard advance --fleet prod --start --defer-apply ${join(repo.dir, "apply.json")}`);
            expect(run.outputs.edited, "fleets/prod.release.yaml is new, not yet tracked").to.equal("true");
            expect(stepOf("advance", "advance").env!.START).to.equal("${{ github.event_name == 'workflow_dispatch' && inputs.start && '--start' || '' }}");
        } finally {
            repo.remove();
        }
    });

    it("fails on a usage error (64), saying so, and on an error (3) or any code it does not know, handing no stack on", () => {
        for (const code of [64, 3, 4, 127]) {
            const repo = scratchRepository();
            try {
                const run = runStep(stepOf("advance", "advance").run!, repo.work, repo.dir, { START: "" }, advanceStub(code));
                expect(run.status, `exit ${code}`).to.not.equal(0);
                const title = code === 64 ? "switchyard advance --fleet: usage error::exit 64" : `switchyard advance --fleet failed::exit ${code}:`;
                expect(run.stdout, `exit ${code}`).to.match(new RegExp(`^::error title=${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
                expect(run.outputs.code).to.equal(String(code));
                expect(run.outputs, "no stacks for the apply jobs").to.not.have.any.keys("stacks", "edited");
            } finally {
                repo.remove();
            }
        }
    });
});

describe("fleet rollout workflow: the commit of the pass's edits", () => {
    it("commits every edited stack file and the new release record with the verdict, and pushes them to main", () => {
        const repo = scratchRepository();
        try {
            writeFileSync(join(repo.work, "Pulumi.prod-eks-use1.yaml"), "config:\n  switchyard:greenWeight: 5\n");
            writeFileSync(join(repo.work, "fleets/prod.release.yaml"), "approvals: []\n");
            writeFileSync(join(repo.dir, "advance.log"), `prod-eks-use1: wave canary: green to 5 %, to apply\n${HEADLINE}\n`);
            const run = runStep(stepOf("advance", "commit").run!, repo.work, repo.dir, { SUMMARY: HEADLINE });
            expect(run.status, run.stdout).to.equal(0);
            const pushed = repo.git(repo.origin, "rev-parse", "main");
            expect(run.outputs).to.deep.equal({ commit: pushed });
            expect(repo.git(repo.origin, "log", "-1", "--format=%s", "main")).to.equal(HEADLINE);
            expect(repo.git(repo.origin, "log", "-1", "--format=%b", "main")).to.include("prod-eks-use1: wave canary: green to 5 %, to apply");
            expect(repo.git(repo.origin, "show", "--name-only", "--format=", "main").split("\n").sort()).to.deep.equal(["Pulumi.prod-eks-use1.yaml", "fleets/prod.release.yaml"]);
        } finally {
            repo.remove();
        }
    });

    it("commits a rollback's fleet file edit without a release record on disk, and runs only after an edit", () => {
        const repo = scratchRepository();
        try {
            writeFileSync(join(repo.work, "fleets/prod.yaml"), "cohorts:\n  - name: beta\n    color: blue  # switchyard rolled back\n");
            writeFileSync(join(repo.dir, "advance.log"), "switchyard --fleet prod: rolled back prod-eks-use1 to 0 %\n");
            expect(existsSync(join(repo.work, "fleets/prod.release.yaml"))).to.equal(false);
            const run = runStep(stepOf("advance", "commit").run!, repo.work, repo.dir, { SUMMARY: "switchyard --fleet prod: rolled back prod-eks-use1 to 0 %" });
            expect(run.status, run.stdout).to.equal(0);
            expect(repo.git(repo.origin, "show", "--name-only", "--format=", "main")).to.equal("fleets/prod.yaml");
            expect(stepOf("advance", "commit").if).to.equal("steps.advance.outputs.edited == 'true'");
        } finally {
            repo.remove();
        }
    });
});

describe("fleet rollout workflow: the run's verdict", () => {
    const outcome = (code: number, apply: string) => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-fleet-outcome-"));
        try {
            return runStep(stepOf("outcome", "outcome").run!, dir, dir, { CODE: String(code), APPLY: apply, SUMMARY: "switchyard --fleet prod: the verdict", STACKS: '[{"stack":"prod-gke-euw1"}]' });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    };

    it("is green for a step or a hold whose apply jobs succeeded or were not needed", () => {
        for (const [code, apply] of [[0, "success"], [2, "skipped"], [0, "skipped"]] as const) expect(outcome(code, apply).status, `${code} ${apply}`).to.equal(0);
    });

    it("is red for a rollback, with its reason, once its stacks were applied", () => {
        const run = outcome(1, "success");
        expect(run.status).to.equal(1);
        expect(run.stdout).to.match(/^::error title=release rolled back::switchyard --fleet prod: the verdict$/m);
    });

    it("is red for an apply job that failed or was cancelled, saying what the next pass does and how to take a step back", () => {
        for (const apply of ["failure", "cancelled"]) {
            const step = outcome(0, apply);
            expect(step.status, apply).to.equal(1);
            expect(step.stdout, apply).to.match(/^::error title=step not applied everywhere::.*the next pass applies it again before anything moves on\. To take the step back instead: git revert/m);
            const rollback = outcome(1, apply);
            expect(rollback.status, apply).to.equal(1);
            expect(rollback.stdout, apply).to.match(/^::error title=rollback not applied everywhere::.*prod-gke-euw1/m);
        }
    });
});

describe("fleet rollout workflow: the jobs", () => {
    it("runs every 15 minutes and by hand, one run at a time, never cancelling one half-way", () => {
        expect(workflow.on.schedule).to.deep.equal([{ cron: "*/15 * * * *" }]);
        expect(workflow.on).to.have.nested.property("workflow_dispatch.inputs.start.type", "boolean");
        expect(workflow.concurrency).to.deep.equal({ group: "switchyard-rollout-prod-fleet", "cancel-in-progress": false });
    });

    it("installs the Pulumi CLI for the pass, which reads each stack's live weight, and logs in before it", () => {
        const steps = workflow.jobs.advance!.steps;
        const at = (match: (s: Step) => boolean) => steps.findIndex(match);
        const install = at((s) => s.uses === "pulumi/actions@v7");
        expect(steps[install]!.with, "no command: the CLI only").to.equal(undefined);
        expect(at((s) => s.uses === "pulumi/auth-actions@v1")).to.be.within(0, install);
        expect(install).to.be.below(at((s) => s.id === "advance"));
    });

    it("applies only the stacks the pass listed, one job each under the lock fleet-deploy.yml holds for that stack, at most the wave's parallel at once", () => {
        const apply = workflow.jobs.apply!;
        expect([apply.needs].flat()).to.deep.equal(["advance"]);
        expect(apply.if).to.equal("needs.advance.outputs.stacks != '[]'");
        expect(apply.strategy).to.deep.equal({
            "fail-fast": false,
            "max-parallel": "${{ fromJSON(needs.advance.outputs.parallel) }}",
            matrix: { include: "${{ fromJSON(needs.advance.outputs.stacks) }}" },
        });
        expect(apply.concurrency).to.deep.equal(read("fleet-deploy.yml").jobs.clusters!.concurrency);
        expect(workflow.jobs.advance!.outputs).to.include({
            stacks: "${{ steps.advance.outputs.stacks }}",
            parallel: "${{ steps.advance.outputs.parallel }}",
            commit: "${{ steps.commit.outputs.commit || steps.advance.outputs.head }}",
        });
    });

    it("applies main as it is, holding the pass's commit, each stack previewed under the policy pack before its up", () => {
        const steps = workflow.jobs.apply!.steps;
        expect(steps[0]).to.deep.include({ uses: "actions/checkout@v4", with: { ref: "main", "fetch-depth": 0 } });
        expect(steps.find((s) => s.run?.includes("merge-base"))!.run!.trim()).to.equal('git merge-base --is-ancestor "$COMMIT" HEAD');
        const pulumi = steps.filter((s) => s.uses === "pulumi/actions@v7");
        expect(pulumi.map((s) => s.with!.command)).to.deep.equal(["preview", "up"]);
        for (const step of pulumi) {
            expect(step.with).to.include({ "stack-name": "${{ vars.PULUMI_ORG }}/switchyard/${{ matrix.stack }}", refresh: true, policyPacks: "policy", policyPackConfigs: "policy/config/prod.json" });
        }
    });

    it("gives its verdict after every apply job, whatever they did, once the pass itself succeeded", () => {
        const verdict = workflow.jobs.outcome!;
        expect([verdict.needs].flat()).to.deep.equal(["advance", "apply"]);
        expect(verdict.if).to.equal("always() && needs.advance.result == 'success'");
        expect(verdict.steps.find((s) => s.id === "outcome")!.env).to.deep.equal({
            CODE: "${{ needs.advance.outputs.code }}",
            SUMMARY: "${{ needs.advance.outputs.summary }}",
            APPLY: "${{ needs.apply.result }}",
            STACKS: "${{ needs.advance.outputs.stacks }}",
        });
    });
});
