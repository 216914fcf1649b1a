// Content hash of a Docker build, used as the image tag so that ECR's immutable tags hold: the
// same inputs give the same tag (nothing to push), changed inputs a new one. No Pulumi import.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { ImageBuild } from "../config.ts";

/** Entries of .dockerignore without wildcards; they are left out of the hash as Docker leaves them out of the context. */
function ignoredPrefixes(contextDir: string): string[] {
    let text = "";
    try {
        text = readFileSync(join(contextDir, ".dockerignore"), "utf8");
    } catch {
        return [];
    }
    return text
        .split("\n")
        .map((line) => line.trim().replace(/^\/+|\/+$/g, ""))
        .filter((line) => line !== "" && !line.startsWith("#") && !/[*?[!]/.test(line));
}

function listFiles(dir: string, root: string, ignored: string[], out: string[]): void {
    for (const entry of readdirSync(dir).sort()) {
        const path = join(dir, entry);
        const rel = relative(root, path).split(sep).join("/");
        if (entry === ".git" || ignored.some((p) => rel === p || rel.startsWith(`${p}/`))) continue;
        if (statSync(path).isDirectory()) listFiles(path, root, ignored, out);
        else out.push(rel);
    }
}

/** sha256 over every file in the context (path and bytes), the Dockerfile path, build args and platform. */
export function buildContextHash(projectDir: string, build: ImageBuild): string {
    const contextDir = join(projectDir, build.context);
    const files: string[] = [];
    listFiles(contextDir, contextDir, ignoredPrefixes(contextDir), files);
    const hash = createHash("sha256");
    for (const file of files) {
        hash.update(`${file}\0`);
        hash.update(readFileSync(join(contextDir, file)));
        hash.update("\0");
    }
    const args = Object.keys(build.args).sort().map((k) => [k, build.args[k]]);
    hash.update(JSON.stringify({ dockerfile: build.dockerfile, args, platform: build.platform }));
    return hash.digest("hex");
}
