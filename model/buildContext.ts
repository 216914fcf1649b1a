// Content hash of a Docker build, used in the image tag: the same inputs give the same tag, which
// the program then finds in ECR and reuses instead of building again; changed inputs give a new
// tag. It covers what the image is made of as pulumi-docker hashes the context (provider/provider.go
// hashContext): each kept file's path, permission bits and bytes, a symlink's target path, and the
// ignore file the build uses. No Pulumi import.

import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join, posix } from "node:path";
import type { ImageBuild } from "./config/types.ts";

interface IgnoreRule {
    pattern: RegExp;
    /** A `!pattern` line: puts back what earlier lines left out. */
    exception: boolean;
}

/** A .dockerignore pattern as Docker reads it: `*` and `?` within one path segment, `**` across segments. */
function patternToRegExp(pattern: string): RegExp {
    let source = "";
    for (let i = 0; i < pattern.length; i++) {
        const char = pattern[i]!;
        if (char === "*" && pattern[i + 1] === "*") {
            const slash = pattern[i + 2] === "/";
            source += slash ? "(?:.*/)?" : ".*";
            i += slash ? 2 : 1;
        } else if (char === "*") {
            source += "[^/]*";
        } else if (char === "?") {
            source += "[^/]";
        } else if (char === "[") {
            const close = pattern.indexOf("]", i + 1);
            if (close === -1) {
                source += "\\[";
            } else {
                source += `[${pattern.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
                i = close;
            }
        } else {
            source += char.replace(/[.+^${}()|\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${source}$`);
}

/** The ignore file a build reads: `<Dockerfile>.dockerignore` beside the Dockerfile when there is one, else the context's. */
export function ignoreFileOf(contextDir: string, dockerfile: string): string {
    const specific = join(contextDir, `${dockerfile}.dockerignore`);
    return existsSync(specific) ? specific : join(contextDir, ".dockerignore");
}

/** The rules of an ignore file, in file order (the last matching rule wins); none when it does not exist. */
export function readIgnoreRules(ignoreFile: string): IgnoreRule[] {
    let text: string;
    try {
        text = readFileSync(ignoreFile, "utf8");
    } catch {
        return [];
    }
    return text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map((line) => {
            const exception = line.startsWith("!");
            const path = posix.normalize(exception ? line.slice(1).trim() : line).replace(/^\/+|\/+$/g, "");
            return { pattern: patternToRegExp(path), exception };
        });
}

/** Whether Docker leaves a path (relative to the context, `/`-separated) out of the build context. */
export function isIgnored(relativePath: string, rules: IgnoreRule[]): boolean {
    // A rule also matches a file through any of its parent directories.
    const candidates = relativePath.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) {
        if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = !rule.exception;
    }
    return ignored;
}

function listFiles(dir: string, relative: string, rules: IgnoreRule[], out: string[]): void {
    for (const entry of readdirSync(dir).sort()) {
        const path = relative === "" ? entry : `${relative}/${entry}`;
        const absolute = join(dir, entry);
        if (lstatSync(absolute).isDirectory()) listFiles(absolute, path, rules, out);
        else if (!isIgnored(path, rules)) out.push(path);
    }
}

/**
 * sha256 over what Docker builds from: every entry of the context the ignore file keeps (path,
 * permission bits, and the bytes of a file or the target path of a symlink, which the build copies
 * as a link), the Dockerfile (always sent, even when ignored), the build args and the platform.
 */
export function buildContextHash(projectDir: string, build: ImageBuild): string {
    const contextDir = join(projectDir, build.context);
    const files: string[] = [];
    listFiles(contextDir, "", readIgnoreRules(ignoreFileOf(contextDir, build.dockerfile)), files);
    const hash = createHash("sha256");
    for (const file of files) {
        const absolute = join(contextDir, file);
        const entry = lstatSync(absolute);
        hash.update(`${file}\0${(entry.mode & 0o7777).toString(8)}\0`);
        hash.update(entry.isSymbolicLink() ? `-> ${readlinkSync(absolute)}` : readFileSync(absolute));
        hash.update("\0");
    }
    hash.update(readFileSync(join(contextDir, build.dockerfile)));
    const args = Object.keys(build.args).sort().map((k) => [k, build.args[k]]);
    hash.update(JSON.stringify({ dockerfile: build.dockerfile, args, platform: build.platform }));
    return hash.digest("hex");
}
