// A stack file as git has it: the plan's baseline, and the hand edits a command would edit on top of.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { changedPaths } from "../model/configEdits.ts";
import { stackFileConfig } from "../model/stackFiles.ts";

export type Committed = { text: string } | { missing: string };

/** The file's text at a revision (`HEAD`, a branch, a commit), or why git cannot give it. */
export function committedText(file: string, revision = "HEAD"): Committed {
    try {
        const text = execFileSync("git", ["show", `${revision}:./${basename(file)}`], {
            cwd: dirname(file),
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
        });
        return { text };
    } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
        return { missing: stderr.split("\n")[0] || (error as Error).message };
    }
}

/** The config paths a stack file on disk changes against HEAD; empty when it is committed as it is, or not in git. */
export function uncommittedPaths(file: string, project: string): string[] {
    const committed = committedText(file);
    if (!("text" in committed)) return [];
    return changedPaths(stackFileConfig(committed.text, project), stackFileConfig(readFileSync(file, "utf8"), project), project);
}

/**
 * The files under `paths` (folders or files, relative to `dir`) that differ between `revision` and
 * the work tree, untracked ones included; undefined when git cannot say (not a repository, no such revision).
 */
export function changedUnder(dir: string, paths: string | readonly string[], revision = "HEAD"): string[] | undefined {
    const folder = typeof paths === "string" ? [paths] : [...paths];
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    try {
        const changed = git("diff", "--name-only", revision, "--", ...folder);
        const untracked = git("ls-files", "--others", "--exclude-standard", "--", ...folder);
        return [...changed.split("\n"), ...untracked.split("\n")].filter((line) => line !== "");
    } catch {
        return undefined;
    }
}
