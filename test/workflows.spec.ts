// The GitHub workflows' own shell steps, run as GitHub runs them (bash -eo pipefail), with the
// commands they call stubbed: a CI step must fail on every exit code it does not handle.

import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "..");

interface Step {
    id?: string;
    name?: string;
    run?: string;
}

function stepOf(workflow: string, job: string, id: string): Step {
    const parsed = parse(readFileSync(join(ROOT, ".github", "workflows", workflow), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
    const step = parsed.jobs[job]!.steps.find((s) => s.id === id);
    if (!step?.run) throw new Error(`${workflow}: job ${job} has no run step ${id}`);
    return step;
}

interface StepRun {
    status: number | null;
    outputs: Record<string, string>;
    stdout: string;
}

/**
 * Runs the step's script in a scratch git checkout holding Pulumi.prod.yaml, with `npx` stubbed to
 * print a last line, optionally edit the stack file, and exit with `code`.
 */
function runAdvanceStep(code: number, options: { edit?: boolean } = {}): StepRun {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-workflow-"));
    try {
        const bin = join(dir, "bin");
        const work = join(dir, "work");
        execFileSync("mkdir", ["-p", bin, work]);
        writeFileSync(join(work, "Pulumi.prod.yaml"), "config:\n  switchyard:greenWeight: 0\n");
        const git = (...args: string[]) =>
            execFileSync("git", args, {
                cwd: work,
                stdio: "ignore",
                env: { ...process.env, GIT_AUTHOR_NAME: "spec", GIT_AUTHOR_EMAIL: "spec@example.com", GIT_COMMITTER_NAME: "spec", GIT_COMMITTER_EMAIL: "spec@example.com" },
            });
        git("init", "-q");
        git("add", "Pulumi.prod.yaml");
        git("commit", "-qm", "prod");
        writeFileSync(
            join(bin, "npx"),
            [
                "#!/usr/bin/env bash",
                `echo "npx $*" >> "${join(dir, "calls")}"`,
                options.edit ? `sed -i 's/greenWeight: 0/greenWeight: 5/' Pulumi.prod.yaml` : "",
                `echo "switchyard prod: the summary line"`,
                `exit ${code}`,
                "",
            ].join("\n"),
        );
        chmodSync(join(bin, "npx"), 0o755);
        const output = join(dir, "output");
        const summary = join(dir, "summary");
        writeFileSync(output, "");
        writeFileSync(summary, "");
        // GitHub's default shell for run steps: bash --noprofile --norc -eo pipefail {0}.
        const script = join(dir, "step.sh");
        writeFileSync(script, stepOf("progressive-rollout.yml", "advance", "advance").run!);
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            cwd: work,
            encoding: "utf8",
            env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, RUNNER_TEMP: dir, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, START: "" },
        });
        const outputs = Object.fromEntries(
            readFileSync(output, "utf8")
                .split("\n")
                .filter((l) => l.includes("="))
                .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        expect(readFileSync(join(dir, "calls"), "utf8")).to.match(/^npx switchyard advance --stack prod --report \S+report\.md\n$/);
        return { status: result.status, outputs, stdout: result.stdout };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("workflows: progressive rollout's switchyard advance step", () => {
    it("passes the outcomes the later steps handle: 0 advanced, 1 rolled back, 2 held, with the code and summary as outputs", () => {
        for (const code of [0, 1, 2]) {
            const run = runAdvanceStep(code, { edit: code !== 2 });
            expect(run.status, `exit ${code}`).to.equal(0);
            expect(run.outputs).to.deep.equal({ code: String(code), summary: "switchyard prod: the summary line", edited: code === 2 ? "false" : "true" });
        }
    });

    it("fails on a usage error (64), saying so, so that a mistyped flag never passes green", () => {
        const run = runAdvanceStep(64);
        expect(run.status).to.equal(64);
        expect(run.stdout).to.match(/^::error title=switchyard advance: usage error::exit 64/m);
        expect(run.outputs.code).to.equal("64");
    });

    it("fails on an error (3) and on any code it does not know", () => {
        for (const code of [3, 4, 127, 255]) {
            const run = runAdvanceStep(code);
            expect(run.status, `exit ${code}`).to.not.equal(0);
            expect(run.stdout, `exit ${code}`).to.match(new RegExp(`^::error title=switchyard advance failed::exit ${code}:`, "m"));
        }
    });
});
