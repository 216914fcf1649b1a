// The layout's rules (.dependency-cruiser.cjs) hold for the tree, and they bite: a fixture with a
// circle, an upward import and a Pulumi import in the model is refused by exactly those rules.

import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../model/stackFiles.ts";
import { VERDICT_INPUTS } from "../cli/planFleet.ts";

const CRUISER = join(PROJECT_ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const CONFIG = join(PROJECT_ROOT, ".dependency-cruiser.cjs");
const ROOTS = ["index.ts", "model", "components", "program", "policy", "harness", "cli", "devtools", "bin", "test"];

interface Violation {
    from: string;
    to: string;
    rule: { name: string };
}

interface CruiseResult {
    modules: { source: string; dependencies: { resolved: string; coreModule: boolean }[] }[];
    summary: { violations: Violation[] };
}

/** A violation as a line; a package is named from node_modules on, wherever a symlink put it. */
function line(v: Violation): string {
    return `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*?node_modules\//, "node_modules/")}`;
}

function cruise(cwd: string, roots: string[]): CruiseResult {
    const run = spawnSync(process.execPath, [CRUISER, "--config", CONFIG, "--output-type", "json", ...roots], {
        cwd,
        encoding: "utf8",
        timeout: 30_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.error, "dependency-cruiser ran").to.equal(undefined);
    expect(run.stderr, "dependency-cruiser ran without an error").to.equal("");
    return JSON.parse(run.stdout) as CruiseResult;
}

/** The project's files `roots` load, directly or not (packages aside). */
function reachable(result: CruiseResult, roots: string[]): string[] {
    const bySource = new Map(result.modules.map((m) => [m.source, m]));
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
        const file = queue.pop()!;
        if (seen.has(file) || file.includes("node_modules/")) continue;
        seen.add(file);
        for (const dep of bySource.get(file)?.dependencies ?? []) if (!dep.coreModule) queue.push(dep.resolved);
    }
    return [...seen].sort();
}

describe("layout: imports run down the layers, never in a circle", function () {
    let result: CruiseResult;
    it("holds for every source file of the project", () => {
        result = cruise(PROJECT_ROOT, ROOTS);
        const cruised = new Set(result.modules.map((m) => m.source));
        const tracked = execFileSync("git", ["ls-files", ...ROOTS], { cwd: PROJECT_ROOT, encoding: "utf8" })
            .split("\n")
            .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith(".d.mts"));
        expect(tracked.length, "the project has source files").to.be.greaterThan(100);
        expect(tracked.filter((f) => !cruised.has(f)), "files the check did not read").to.deep.equal([]);
        expect(result.summary.violations.map(line)).to.deep.equal([]);
    });

    it("keeps everything a fleet plan's policy verdict loads under the paths that make the pack run again when they change", () => {
        // The plan (cli/plan.ts evaluates index.ts under harness/) and the pack (policy/index.ts).
        const loaded = reachable(result ?? cruise(PROJECT_ROOT, ROOTS), ["cli/plan.ts", "policy/index.ts"]);
        expect(loaded, "the plan loads the program").to.include.members(["index.ts", "harness/mockRuntime.ts", "model/capacityAnnotation.ts"]);
        const under = (file: string) => VERDICT_INPUTS.some((input) => file === input || file.startsWith(`${input}/`));
        expect(loaded.filter((file) => !under(file)), "loaded, yet outside VERDICT_INPUTS").to.deep.equal([]);
    });

    it("refuses a circle, an upward import and the Pulumi SDK in the model, each by its rule", () => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-layout-"));
        try {
            const files: Record<string, string> = {
                "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", allowImportingTsExtensions: true, noEmit: true } }),
                "model/first.ts": 'import { second } from "./second.ts";\nexport const first = () => second;\n',
                "model/second.ts": 'import { first } from "./first.ts";\nexport const second = () => first;\n',
                "model/sdk.ts": 'import * as pulumi from "@pulumi/pulumi";\nexport const sdk = pulumi;\n',
                "components/route.ts": 'import { verb } from "../cli/verb.ts";\nexport const route = verb;\n',
                "cli/verb.ts": "export const verb = 1;\n",
                "policy/rule.ts": 'import { first } from "../model/first.ts";\nexport const rule = first;\n',
            };
            for (const [path, text] of Object.entries(files)) {
                mkdirSync(dirname(join(dir, path)), { recursive: true });
                writeFileSync(join(dir, path), text);
            }
            symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
            const found = cruise(dir, ["model", "components", "cli", "policy"]).summary.violations.map(line);
            expect(found.sort()).to.deep.equal([
                "components-over-the-model: components/route.ts → cli/verb.ts",
                "model-has-no-pulumi: model/sdk.ts → node_modules/@pulumi/pulumi/index.js",
                "no-circular: model/first.ts → model/second.ts",
            ]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
