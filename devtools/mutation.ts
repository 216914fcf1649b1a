// npm run mutation [-- --module <path> ... --concurrency <n> --report <dir>]
//
// Mutation testing of the pure modules with StrykerJS: one Stryker pass per module of
// devtools/mutation/modules.ts, each mutant judged by that module's specs alone. Prints a table of
// every module's mutants, killed, survived and score, the surviving mutants, and exits 1 when a
// module scores below MINIMUM_SCORE. Writes nothing in the project unless --report names a directory.

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MINIMUM_SCORE, MUTATION_MODULES } from "./mutation/modules.ts";
import { formatScore, mutationTable, passes, summarize, type ModuleSummary, type MutationReport } from "./mutation/report.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const USAGE = `Usage: npm run mutation [-- options]

Mutates each pure module with StrykerJS and runs that module's specs against every mutant.
Exits 1 when a module's mutation score is below ${MINIMUM_SCORE} %, 2 on a usage error.

Options:
  --module <path>      mutate only this module (repeatable); one of:
                       ${Object.keys(MUTATION_MODULES).join("\n                       ")}
  --concurrency <n>    mocha processes at once (default 2, one per core here)
  --report <dir>       keep Stryker's JSON report of each module in <dir>
  --help               print this and exit

Example:
  npm run mutation -- --module model/traffic.ts --report /tmp/mutation`;

function usageError(message: string): never {
    console.error(`${message}\n\n${USAGE}`);
    process.exit(2);
}

function readOptions() {
    try {
        return parseArgs({
            options: {
                module: { type: "string", multiple: true },
                concurrency: { type: "string", default: "2" },
                report: { type: "string" },
                help: { type: "boolean", default: false },
            },
        }).values;
    } catch (error) {
        usageError((error as Error).message);
    }
}

const options = readOptions();
if (options.help) {
    console.log(USAGE);
    process.exit(0);
}
const modules = options.module ?? Object.keys(MUTATION_MODULES);
for (const module of modules) {
    if (!MUTATION_MODULES[module]) usageError(`${module} is not in devtools/mutation/modules.ts`);
}
const concurrency = Number(options.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) usageError(`--concurrency takes a whole number >= 1, got ${options.concurrency}`);

const { default: baseConfig, mochaCommand } = (await import(join(PROJECT_ROOT, "stryker.config.mjs"))) as {
    default: Record<string, unknown>;
    mochaCommand: (specs: readonly string[]) => string;
};
const STRYKER = join(PROJECT_ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js");
const scratch = mkdtempSync(join(tmpdir(), "switchyard-mutation-"));
const reportDir = options.report === undefined ? undefined : resolve(options.report);

/** One Stryker process for one module; its output goes to a log that is printed when it fails. */
function runStryker(configFile: string, log: string): Promise<number> {
    return new Promise((done, fail) => {
        const out = createWriteStream(log);
        const child = spawn(process.execPath, [STRYKER, "run", configFile], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.pipe(out);
        child.stderr.pipe(out);
        child.on("error", fail);
        child.on("close", (code) => out.end(() => done(code ?? 1)));
    });
}

async function mutateModule(module: string, index: number): Promise<ModuleSummary> {
    const name = module.replace(/[/.]/g, "-");
    const reportFile = join(reportDir ?? scratch, `${name}.json`);
    const configFile = join(scratch, `${name}.stryker.json`);
    const log = join(scratch, `${name}.log`);
    writeFileSync(
        configFile,
        JSON.stringify({
            ...baseConfig,
            mutate: [module],
            commandRunner: { command: mochaCommand(MUTATION_MODULES[module]!) },
            concurrency,
            reporters: ["json"],
            jsonReporter: { fileName: reportFile },
            tempDirName: join(scratch, `sandbox-${index}`),
            logLevel: "warn",
        }),
    );
    process.stdout.write(`${module} (${MUTATION_MODULES[module]!.join(", ")}) … `);
    const started = performance.now();
    const code = await runStryker(configFile, log);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0 || !existsSync(reportFile)) {
        throw new Error(`Stryker failed on ${module} (exit ${code}):\n${readFileSync(log, "utf8")}`);
    }
    const summary = summarize(module, JSON.parse(readFileSync(reportFile, "utf8")) as MutationReport, seconds);
    console.log(`${summary.mutants} mutants, ${formatScore(summary.score)}, ${Math.round(seconds)} s`);
    return summary;
}

let exitCode = 0;
try {
    if (reportDir) mkdirSync(reportDir, { recursive: true });
    const summaries: ModuleSummary[] = [];
    const broken: string[] = [];
    for (const [i, module] of modules.entries()) {
        try {
            summaries.push(await mutateModule(module, i));
        } catch (error) {
            // One module whose specs fail without a mutant must not hide the others' scores.
            console.log("failed");
            console.error(error instanceof Error ? error.message : error);
            broken.push(module);
        }
    }
    console.log(`\n${mutationTable(summaries)}\n`);
    for (const summary of summaries) {
        if (summary.errors > 0) console.log(`${summary.module}: ${summary.errors} mutant(s) ended in a runtime or compile error (not scored)`);
        if (summary.survivors.length === 0) continue;
        console.log(`Surviving in ${summary.module} (kill them with a spec, or say in docs/testing.md why they are harmless):`);
        for (const s of summary.survivors) console.log(`  ${s.where} ${s.mutator}: ${s.original}  →  ${s.replacement}`);
    }
    const failing = summaries.filter((s) => !passes(s, MINIMUM_SCORE));
    const total = summaries.reduce((sum, s) => sum + s.seconds, 0);
    console.log(`\n${summaries.length} module(s) in ${Math.round(total)} s${reportDir ? `; JSON reports in ${reportDir}` : ""}`);
    if (broken.length > 0) {
        console.log(`Stryker failed on ${broken.join(", ")}: its specs must pass before mutants can be judged`);
        exitCode = 1;
    }
    if (failing.length > 0) {
        console.log(`Below ${MINIMUM_SCORE} %: ${failing.map((s) => `${s.module} (${formatScore(s.score)})`).join(", ")}`);
        exitCode = 1;
    }
} catch (error) {
    console.error(error instanceof Error ? error.message : error);
    exitCode = 1;
} finally {
    rmSync(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
