// A commit, on no branch, of the project's repository whose tree holds only the given files: the
// --base a plan spec plans against, without touching the working tree, the index or any branch.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const IDENTITY = { GIT_AUTHOR_NAME: "plan spec", GIT_AUTHOR_EMAIL: "spec@example.com", GIT_COMMITTER_NAME: "plan spec", GIT_COMMITTER_EMAIL: "spec@example.com" };

function git(args: string[], input?: string): string {
    return execFileSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8", ...(input === undefined ? {} : { input }), env: { ...process.env, ...IDENTITY } }).trim();
}

/** The tree of `files` (path → text; paths may name folders, e.g. fleets/prod.yaml). */
function treeOf(files: Readonly<Record<string, string>>): string {
    const folders = new Map<string, Record<string, string>>();
    const entries: string[] = [];
    for (const [path, text] of Object.entries(files)) {
        const slash = path.indexOf("/");
        if (slash === -1) {
            entries.push(`100644 blob ${git(["hash-object", "-w", "--stdin"], text)}\t${path}\n`);
            continue;
        }
        const folder = path.slice(0, slash);
        folders.set(folder, { ...folders.get(folder), [path.slice(slash + 1)]: text });
    }
    for (const [folder, inside] of folders) entries.push(`040000 tree ${treeOf(inside)}\t${folder}\n`);
    return git(["mktree"], entries.join(""));
}

export function commitOfFiles(files: Readonly<Record<string, string>>, message: string): string {
    return git(["commit-tree", treeOf(files), "-m", message]);
}

/** `files` and every file under `paths` as the work tree has it (tracked or not, ignored ones aside): a base in which `paths` do not differ. */
export function withPathsAsInWorkTree(files: Readonly<Record<string, string>>, paths: readonly string[]): Record<string, string> {
    const listed = git(["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", ...paths]).split("\0").filter((p) => p !== "" && existsSync(join(PROJECT_ROOT, p)));
    return { ...Object.fromEntries(listed.map((path) => [path, readFileSync(join(PROJECT_ROOT, path), "utf8")])), ...files };
}
