// npm run mutation's module map and its arithmetic from Stryker's JSON report to the table.

import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { MINIMUM_SCORE, MUTATION_MODULES } from "../devtools/mutation/modules.ts";
import { changedPart, formatScore, mutationTable, passes, summarize, type MutantStatus, type MutationReport, type ReportMutant } from "../devtools/mutation/report.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

function mutant(id: number, status: MutantStatus, line = 1, column = 1, length = 1, replacement = "x"): ReportMutant {
    return { id: String(id), mutatorName: "StringLiteral", replacement, status, location: { start: { line, column }, end: { line, column: column + length } } };
}

/** The project files a file loads, directly or through the files it imports (relative imports only). */
function importClosure(file: string, seen = new Set<string>()): Set<string> {
    for (const [, spec] of readFileSync(join(PROJECT_ROOT, file), "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec!));
        if (!seen.has(target) && existsSync(join(PROJECT_ROOT, target))) {
            seen.add(target);
            importClosure(target, seen);
        }
    }
    return seen;
}

describe("mutation testing: the module map", () => {
    it("names modules and specs that exist, one of the specs loading the module through its imports", () => {
        const modules = Object.entries(MUTATION_MODULES);
        expect(modules.length).to.be.at.least(9);
        for (const [module, specs] of modules) {
            expect(existsSync(join(PROJECT_ROOT, module)), module).to.equal(true);
            expect(specs.length, module).to.be.greaterThan(0);
            for (const spec of specs) expect(spec, module).to.match(/^test\/[A-Za-z]+\.spec\.ts$/);
            expect(specs.some((spec) => importClosure(spec).has(module)), `${module}: none of ${specs.join(", ")} loads it`).to.equal(true);
        }
        expect(MINIMUM_SCORE).to.equal(90);
    });
});

describe("mutation testing: from Stryker's report to the table", () => {
    const source = 'const a = "x";\nconst b = a === "y";\n';
    const report = (mutants: ReportMutant[]): MutationReport => ({ files: { "m.ts": { source, mutants } } });

    it("scores killed and timed-out mutants as detected, over every mutant that ran; errors and ignored ones do not count", () => {
        const summary = summarize(
            "m.ts",
            report([
                mutant(1, "Killed"),
                mutant(2, "Killed"),
                mutant(3, "Timeout"),
                mutant(4, "Survived", 2, 11, 9, "a !== \"y\""),
                mutant(5, "NoCoverage", 1, 11, 3, '""'),
                mutant(6, "RuntimeError"),
                mutant(7, "Ignored"),
            ]),
            12.4,
        );
        expect(summary).to.deep.include({ module: "m.ts", mutants: 6, killed: 2, survived: 1, timeout: 1, noCoverage: 1, errors: 1, seconds: 12.4 });
        expect(summary.score).to.equal(60);
        expect(summary.survivors).to.deep.equal([
            { where: "m.ts:1:11", mutator: "StringLiteral", original: '"x"', replacement: '""' },
            { where: "m.ts:2:11", mutator: "StringLiteral", original: 'a === "y"', replacement: 'a !== "y"' },
        ]);
    });

    it("fails a module below the minimum, and one where no mutant ran", () => {
        const at = (killed: number, survived: number) => summarize("m.ts", report([...Array(killed)].map((_, i) => mutant(i, "Killed")).concat([...Array(survived)].map((_, i) => mutant(100 + i, "Survived")))), 1);
        expect(passes(at(9, 1), 90)).to.equal(true);
        expect(passes(at(8, 1), 90), "88.9 %").to.equal(false);
        expect(passes(summarize("other.ts", report([mutant(1, "Killed")]), 1), 90), "no mutants of other.ts").to.equal(false);
        expect(summarize("other.ts", report([]), 1).score).to.equal(undefined);
    });

    it("shows scores floored to a tenth, so that 89.96 % never reads as a passing 90.0 %", () => {
        expect(formatScore(89.96)).to.equal("89.9 %");
        expect(formatScore(100)).to.equal("100.0 %");
        expect(formatScore(undefined)).to.equal("n/a");
    });

    it("prints one row per module with its counts, score and whole seconds", () => {
        const summary = summarize("m.ts", report([mutant(1, "Killed"), mutant(2, "Survived")]), 7.6);
        expect(mutationTable([summary]).split("\n")).to.deep.equal([
            "| module | mutants | killed | survived | timeout | no coverage | score | time |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            "| m.ts | 2 | 1 | 1 | 0 | 0 | 50.0 % | 8 s |",
        ]);
    });

    it("cuts a long mutated text to the part that changed", () => {
        const regex = `/^(${"a".repeat(50)})(b+)(${"c".repeat(50)})$/`;
        // 12 characters either side of the change: "aaaaaaaaa)(b" before, ")(cccccccccc" after.
        expect(changedPart(regex, regex.replace("(b+)", "(b)"))).to.deep.equal([`…${"a".repeat(9)})(b+)(${"c".repeat(10)}…`, `…${"a".repeat(9)})(b)(${"c".repeat(10)}…`]);
        expect(changedPart("short", "")).to.deep.equal(["short", ""]);
    });
});
