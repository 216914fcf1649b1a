// The ways a user can have Pulumi load this TypeScript program, each as the language host would
// start it, for `npm run bench -- --loaders`. Every loader goes through the SDK's real entry.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../../model/stackFiles.ts";
import { PROGRAM_SOURCES } from "../../model/projectDir.ts";

export interface LoadedProgram {
    cwd: string;
    program: string;
    nodeArgs?: string[];
    env?: Record<string, string>;
    keepSourceMapSupport?: boolean;
    /** Time the user waits before every run with this loader (a build), in ms. */
    buildMs?: number;
}

export interface Loader {
    id: string;
    /** What a user configures to get this loader. */
    setup: string;
    /** `unavailable`, with the reason, when the loader is not installed here. */
    prepare(scratchDir: string): LoadedProgram | { unavailable: string };
}

/** Where `npm run bench -- --loaders` looks for tsx when the project does not depend on it. */
export const TSX_CACHE = join(homedir(), ".cache", "switchyard-bench");

function resolveTsx(): string | undefined {
    for (const base of [PROJECT_ROOT, TSX_CACHE]) {
        try {
            return createRequire(join(base, "package.json")).resolve("tsx");
        } catch {
            // not installed under this base; try the next
        }
    }
    return undefined;
}

/** A copy of the program compiled to JavaScript in place (index.js beside index.ts), as `tsc` would leave it. */
function compiledCopy(scratchDir: string): LoadedProgram {
    const dir = join(scratchDir, "compiled");
    mkdirSync(dir, { recursive: true });
    for (const entry of [...PROGRAM_SOURCES, "app", "Pulumi.yaml", "package.json", "tsconfig.json"]) {
        cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
    }
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    const started = performance.now();
    const tsc = spawnSync(
        process.execPath,
        [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", dir, "--noEmit", "false", "--rewriteRelativeImportExtensions", "true"],
        { encoding: "utf8" },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    return { cwd: dir, program: join(dir, "index.js"), buildMs: performance.now() - started };
}

const native = (): LoadedProgram => ({ cwd: PROJECT_ROOT, program: join(PROJECT_ROOT, "index.ts") });
const TS_NODE = { PULUMI_NODEJS_TYPESCRIPT: "true" };

export const LOADERS: Loader[] = [
    { id: "native", setup: "`typescript: false`, main: index.ts (shipped)", prepare: native },
    {
        id: "native+sms",
        setup: "same, source-map-support left formatting every stack (before program/stackTraces.ts)",
        prepare: () => ({ ...native(), keepSourceMapSupport: true }),
    },
    { id: "tsc", setup: "`tsc` to JS first, main: index.js", prepare: compiledCopy },
    {
        id: "tsc+sms",
        setup: "same, source-map-support left formatting every stack",
        prepare: (scratch) => ({ ...compiledCopy(join(scratch, "sms")), keepSourceMapSupport: true }),
    },
    {
        id: "tsx",
        setup: "`nodeargs: --import tsx`, tsx a dependency",
        prepare: () => {
            const tsx = resolveTsx();
            if (!tsx) return { unavailable: `tsx not installed; npm install --prefix ${TSX_CACHE} tsx` };
            return { ...native(), nodeArgs: ["--import", pathToFileURL(tsx).href] };
        },
    },
    { id: "ts-node", setup: "`typescript: true` (Pulumi's ts-node, type-checks)", prepare: () => ({ ...native(), env: TS_NODE }) },
    {
        id: "ts-node transpile-only",
        setup: "`typescript: true`, PULUMI_NODEJS_TRANSPILE_ONLY=true",
        prepare: () => ({ ...native(), env: { ...TS_NODE, PULUMI_NODEJS_TRANSPILE_ONLY: "true" } }),
    },
];
