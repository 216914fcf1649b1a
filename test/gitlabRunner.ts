// Runs jobs of .gitlab-ci.yml with gitlab-ci-local (the npm registry's GitLab-compatible runner)
// and its shell executor, in a temporary git repository holding the project's tracked files, the
// way a GitLab runner's clone holds them. Every run is bounded in time.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dirname, "..");
const GITLAB_CI_LOCAL = createRequire(import.meta.url).resolve("gitlab-ci-local/dist/index.js");

export function git(dir: string, ...args: string[]): string {
    const run = spawnSync("git", args, { cwd: dir, encoding: "utf8", timeout: 20_000 });
    if (run.status !== 0) throw new Error(`git ${args.join(" ")} in ${dir} exited ${run.status}: ${run.stderr}`);
    return run.stdout.trim();
}

export interface PipelineRepo {
    /** The runner's clone: the project's files, committed on main, origin a bare repository. */
    dir: string;
    /** The bare repository the clone pushes to, as GitLab's would receive it. */
    origin: string;
    remove(): void;
}

/**
 * A repository with the project's tracked files (as they are in the work tree) and .gitlab-ci.yml,
 * committed on main and pushed to a bare origin. node_modules are links to the project's, so the
 * jobs' `test -d node_modules || npm ci` finds them installed, as a cache hit would.
 */
export function pipelineRepo(edit?: (dir: string) => void): PipelineRepo {
    const root = mkdtempSync(join(tmpdir(), "switchyard-gitlab-"));
    const dir = join(root, "clone");
    const origin = join(root, "origin.git");
    mkdirSync(dir);
    const files = git(PROJECT_ROOT, "ls-files", "-z").split("\0").filter((f) => f !== "" && existsSync(join(PROJECT_ROOT, f)));
    if (!files.includes(".gitlab-ci.yml")) files.push(".gitlab-ci.yml");
    for (const file of files) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        cpSync(join(PROJECT_ROOT, file), join(dir, file), { verbatimSymlinks: true });
    }
    for (const modules of ["node_modules", "policy/node_modules", "app/node_modules"]) {
        if (existsSync(join(PROJECT_ROOT, modules))) symlinkSync(join(PROJECT_ROOT, modules), join(dir, modules));
    }
    edit?.(dir);
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", origin);
    // GitLab accepts push options (ci.skip); a bare repository only when told to.
    git(origin, "config", "receive.advertisePushOptions", "true");
    git(dir, "init", "--quiet", "--initial-branch=main");
    git(dir, "config", "user.name", "developer");
    git(dir, "config", "user.email", "developer@example.com");
    git(dir, "add", "--", ...files);
    git(dir, "commit", "--quiet", "-m", "the project as merged");
    git(dir, "remote", "add", "origin", origin);
    git(dir, "push", "--quiet", "origin", "main");
    git(dir, "remote", "set-head", "origin", "main");
    return { dir, origin, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface PipelineRun {
    /** gitlab-ci-local's own exit code: 0 when every job passed. */
    code: number | null;
    output: string;
    /** Per job: "pass", or the exit code it failed with. */
    jobs: Map<string, "pass" | number>;
}

/** Runs the named jobs (all jobs of the pipeline when none) as a pipeline of `source` would. */
export function runPipeline(dir: string, source: string, jobs: string[], variables: Record<string, string> = {}, timeoutMs = 60_000): Promise<PipelineRun> {
    const args = [
        GITLAB_CI_LOCAL,
        "--force-shell-executor",
        "--no-color",
        // The pipeline's source is what a GitLab server sets; gitlab-ci-local is told, and told that we know.
        "--ignore-predefined-vars", "CI_PIPELINE_SOURCE",
        "--variable", `CI_PIPELINE_SOURCE=${source}`,
        ...Object.entries(variables).flatMap(([name, value]) => ["--variable", `${name}=${value}`]),
        ...jobs,
    ];
    // A token or push URL of the developer's own must not reach a job the spec did not give one.
    const env = { ...process.env, SWITCHYARD_PROMETHEUS_TOKEN: "", SWITCHYARD_PUSH_TOKEN: "" };
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // detached: the runner and the jobs' shells are one process group, killed together on a timeout.
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => {
            clearTimeout(timer);
            const results = new Map<string, "pass" | number>();
            for (const match of output.matchAll(/^ (PASS|FAIL) {2}(.+)$/gm)) results.set(match[2]!.trim(), match[1] === "PASS" ? "pass" : Number.NaN);
            for (const match of output.matchAll(/^(.+?) finished in [^\n]*? FAIL (\d+)/gm)) results.set(match[1]!.trim(), Number(match[2]));
            done({ code, output, jobs: results });
        });
    });
}

/** The lines one job printed, without the runner's prefix. */
export function jobLog(run: PipelineRun, job: string): string {
    const prefix = `${job} > `;
    return run.output
        .split("\n")
        .filter((line) => line.startsWith(prefix))
        .map((line) => line.slice(prefix.length))
        .join("\n");
}
