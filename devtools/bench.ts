// npm run bench [-- --sizes 10x2,50x4,100x4,200x5 --repeat 2]
// npm run bench -- --loaders [--loader-fleet 50x4 --repeat 2]
// npm run bench -- --docs
//
// Measures what evaluating the program costs as the fleet grows. Every run is a fresh process that
// enters through Pulumi's own entry (node_modules/@pulumi/pulumi/cmd/run), as `pulumi preview`
// does, against Pulumi's mock monitor. Per fleet: the program; the floor (the same custom
// resources registered directly, devtools/bench/floorProgram.ts); and the flip blast radius (inputs
// that differ between greenWeight 0 and 30). Best of --repeat runs each; at least 2. With
// --loaders: the same program under every way Pulumi can load TypeScript. Prints markdown and
// writes JSON to bench-results/: a default run to latest.json (loaders.json), whose tables it
// then writes into README.md and docs/performance.md; any other run to a partial file git ignores.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { ANALYSIS_GRID, analysisTable, compareJudges } from "./bench/analysisSim.ts";
import { renderPerformanceDoc, renderReadme, type FleetBench, type LoaderBench, type SplitBench } from "./bench/docs.ts";
import { fleetStackConfig, type FleetSize } from "./bench/fleet.ts";
import { floorDifferences } from "./bench/floorCheck.ts";
import { LOADERS } from "./bench/loaders.ts";
import { parseBenchArgs, USAGE, UsageError, type BenchCommand } from "./bench/options.ts";
import { waitForQuiet } from "./bench/quiet.ts";
import { readRecording } from "./bench/recording.ts";
import { fleetTable, loaderTable } from "./bench/report.ts";
import { best, fleetResult, side, targets, type Baseline, type Flip, type LoaderResult } from "./bench/results.ts";
import { measure, type Measurement, type RunSpec } from "./bench/runner.ts";
import { splitStacks, splitTable, type SplitRow } from "./bench/split.ts";
import { inputChanges, type RegisteredResource } from "../harness/mockRuntime.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const FLIP_TO = 30;
const BASELINE: FleetSize = { services: 1, clusters: 1 };
const RESULTS_DIR = join(PROJECT_ROOT, "bench-results");
/** A run starts once other processes use at most this share of the CPUs, or after the limit. */
const QUIET_BUSY_SHARE = 0.15;
const QUIET_LIMIT_MS = 60_000;
/** A run during which other processes used more than this share of one CPU is run again, at most twice. */
const NOISY_CPU_SHARE = 0.1;
const NOISY_RETRIES = 2;

let command: BenchCommand;
try {
    command = parseBenchArgs(process.argv.slice(2));
} catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
}
if (command.kind === "help") {
    console.log(USAGE);
    process.exit(0);
}

const label = (size: FleetSize) => `${size.services}×${size.clusters}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const benchStarted = performance.now();
const scratch = mkdtempSync(join(tmpdir(), "switchyard-bench-"));

function step(what: string, spec: RunSpec): Measurement {
    for (let attempt = 0; ; attempt++) {
        process.stdout.write(`  ${what} … `);
        waitForQuiet({
            maxBusyShare: QUIET_BUSY_SHARE,
            limitMs: QUIET_LIMIT_MS,
            onWait: (busy) => process.stdout.write(`(other processes keep ${Math.round(busy * 100)} % of the CPUs busy; waiting up to ${QUIET_LIMIT_MS / 1000} s) `),
        });
        const result = measure(spec, scratch);
        const noise = result.othersCpuMs / result.wallMs;
        const summary = `${seconds(result.wallMs)}, ${Math.round(result.peakRssMiB)} MiB, ${result.customResources} custom resources`;
        if (noise > NOISY_CPU_SHARE && attempt < NOISY_RETRIES) {
            process.stdout.write(`${summary}; discarded: other processes used ${Math.round(noise * 100)} % of a CPU meanwhile\n`);
            continue;
        }
        process.stdout.write(`${summary}${noise > NOISY_CPU_SHARE ? ` (noisy: others used ${Math.round(noise * 100)} % of a CPU)` : ""}\n`);
        return result;
    }
}

const programSpec = (size: FleetSize, greenWeight = 0): RunSpec => ({
    stackConfig: fleetStackConfig(size, greenWeight),
    cwd: PROJECT_ROOT,
    program: join(PROJECT_ROOT, "index.ts"),
});

const floorSpec = (size: FleetSize, programRecording: string): RunSpec => ({
    ...programSpec(size),
    program: join(PROJECT_ROOT, "devtools/bench/floorProgram.ts"),
    programArgs: [programRecording],
});

function flipOf(size: FleetSize, before: RegisteredResource[], after: RegisteredResource[]): Flip {
    const changes = inputChanges({ resources: before }, { resources: after });
    const byType: Record<string, number> = {};
    for (const change of changes) byType[change.type] = (byType[change.type] ?? 0) + 1;
    return {
        changed: changes.length,
        expected: size.services * size.clusters,
        onlyRoutes: changes.every((c) => c.type === HTTPROUTE && c.kind === "changed"),
        byType,
    };
}

interface FleetRuns {
    size: FleetSize;
    program: Measurement[];
    floor: Measurement[];
    /** The first program run's recording (greenWeight 0): what every floor run replays. */
    recording: string;
    base: RegisteredResource[];
    flip?: Flip;
}

/**
 * One pass: the program, then the floor. Pass 1 runs at greenWeight 0 and its recording is what
 * the floor replays; pass 2 runs at greenWeight 30 and gives the flip; later passes at 0 again.
 * Every run records as it goes (streamed to disk, nothing kept in memory) and each floor run is
 * checked against pass 1.
 */
function runPass(fleet: FleetRuns, pass: number, repeat: number): void {
    const greenWeight = pass === 2 ? FLIP_TO : 0;
    const programRecording = pass === 1 ? fleet.recording : join(scratch, "program.jsonl");
    fleet.program.push(step(`program ${pass}/${repeat} (greenWeight ${greenWeight})`, { ...programSpec(fleet.size, greenWeight), recordTo: programRecording }));
    if (pass === 1) fleet.base = readRecording(programRecording);
    if (pass === 2) fleet.flip = flipOf(fleet.size, fleet.base, readRecording(programRecording));
    const floorRecording = join(scratch, "floor.jsonl");
    fleet.floor.push(step(`floor   ${pass}/${repeat}`, { ...floorSpec(fleet.size, fleet.recording), recordTo: floorRecording }));
    const differences = floorDifferences(fleet.base, readRecording(floorRecording));
    if (differences.length > 0) throw new Error(`the floor did not replay the program:\n${differences.slice(0, 20).join("\n")}`);
}

function machine(): Record<string, unknown> {
    const pulumiVersion = (JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
    let commit = "unknown";
    try {
        commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
    } catch {
        // not a git checkout
    }
    return {
        date: new Date().toISOString(),
        commit,
        node: process.version,
        pulumi: pulumiVersion,
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round(totalmem() / 2 ** 30),
    };
}

function writeResults(name: string, data: unknown): string {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, name);
    writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
    return path;
}

const README = join(PROJECT_ROOT, "README.md");
const PERFORMANCE_DOC = join(PROJECT_ROOT, "docs/performance.md");

/** Writes the committed results' tables into README.md and docs/performance.md. */
function writeDocs(): void {
    const fleets = JSON.parse(readFileSync(join(RESULTS_DIR, "latest.json"), "utf8")) as FleetBench;
    const loaders = JSON.parse(readFileSync(join(RESULTS_DIR, "loaders.json"), "utf8")) as LoaderBench;
    const split = JSON.parse(readFileSync(join(RESULTS_DIR, "split.json"), "utf8")) as SplitBench;
    writeFileSync(README, renderReadme(readFileSync(README, "utf8"), fleets));
    writeFileSync(PERFORMANCE_DOC, renderPerformanceDoc(readFileSync(PERFORMANCE_DOC, "utf8"), fleets, loaders, split));
    console.log(`Tables of bench-results/latest.json, loaders.json and split.json written into README.md and docs/performance.md`);
}

/** Passes over all fleets rather than repeats back to back: a noisy minute then spoils one run of each, not every run of one. */
function benchFleets(sizes: FleetSize[], repeat: number, resultsFile: string): void {
    console.log(`Fleets ${sizes.map(label).join(", ")}; best of ${repeat}; baseline ${label(BASELINE)}`);
    const runs: FleetRuns[] = [BASELINE, ...sizes].map((size) => ({
        size,
        program: [],
        floor: [],
        recording: join(scratch, `${size.services}x${size.clusters}.jsonl`),
        base: [],
    }));
    for (let pass = 1; pass <= repeat; pass++) {
        for (const fleet of runs) {
            console.log(`\npass ${pass}/${repeat}, fleet ${label(fleet.size)}${fleet.size === BASELINE ? " (baseline)" : ""}  (${seconds(performance.now() - benchStarted)} so far)`);
            runPass(fleet, pass, repeat);
        }
    }
    const [base, ...measured] = runs;
    const baseline: Baseline = {
        size: BASELINE,
        customResources: base!.program[0]!.customResources,
        program: best(base!.program),
        floor: best(base!.floor),
    };
    const fleets = measured.map((fleet) => {
        const customResources = fleet.program[0]!.customResources;
        return fleetResult(
            fleet.size,
            { customResources, registrations: fleet.base.length },
            side(fleet.program, customResources, baseline.program, baseline.customResources),
            side(fleet.floor, customResources, baseline.floor, baseline.customResources),
            fleet.flip!,
        );
    });
    const goals = targets(fleets);
    const elapsed = performance.now() - benchStarted;
    console.log(`\n${fleetTable(fleets)}\n`);
    for (const goal of goals) console.log(`${goal.holds ? "✔" : "✘"} ${goal.name}: ${goal.measured} (target ${goal.limit})`);
    const path = writeResults(resultsFile, { machine: machine(), repeat, benchSeconds: Math.round(elapsed / 1000), baseline, fleets, targets: goals });
    console.log(`\nnpm run bench took ${seconds(elapsed)}; results in ${path}`);
    if (resultsFile === "latest.json") writeDocs();
}

/** Loaders take turns run by run, so noise from the machine falls on all of them alike. */
function benchLoaders(size: FleetSize, repeat: number, resultsFile: string): void {
    console.log(`Loaders on fleet ${label(size)}; best of ${repeat}\n`);
    const prepared = LOADERS.map((loader) => {
        console.log(`${loader.id}: ${loader.setup}`);
        const loaded = loader.prepare(join(scratch, loader.id.replace(/\W+/g, "-")));
        if ("unavailable" in loaded) console.log(`  skipped: ${loaded.unavailable}`);
        return { loader, loaded, runs: [] as Measurement[] };
    });
    for (let i = 1; i <= repeat; i++) {
        for (const { loader, loaded, runs } of prepared) {
            if ("unavailable" in loaded) continue;
            runs.push(
                step(`${loader.id} ${i}/${repeat}`, {
                    ...programSpec(size),
                    cwd: loaded.cwd,
                    program: loaded.program,
                    ...(loaded.nodeArgs ? { nodeArgs: loaded.nodeArgs } : {}),
                    ...(loaded.env ? { env: loaded.env } : {}),
                    ...(loaded.keepSourceMapSupport ? { keepSourceMapSupport: true } : {}),
                }),
            );
        }
    }
    const results: LoaderResult[] = prepared.map(({ loader, loaded, runs }) =>
        "unavailable" in loaded
            ? { id: loader.id, setup: loader.setup, unavailable: loaded.unavailable }
            : { id: loader.id, setup: loader.setup, ...best(runs), ...(loaded.buildMs === undefined ? {} : { buildMs: Math.round(loaded.buildMs) }) },
    );
    const native = results.find((r) => r.id === "native")?.wallMs;
    for (const r of results) if (r.wallMs !== undefined && native) r.relativeToNative = r.wallMs / native;
    const elapsed = performance.now() - benchStarted;
    console.log(`\n${loaderTable(results, label(size))}\n`);
    const path = writeResults(resultsFile, { machine: machine(), repeat, fleet: size, benchSeconds: Math.round(elapsed / 1000), loaders: results });
    console.log(`npm run bench -- --loaders took ${seconds(elapsed)}; results in ${path}`);
    if (resultsFile === "loaders.json") writeDocs();
}

/**
 * The split fleet's stacks at each size, in passes (pass 1 at greenWeight 0 recorded, pass 2 at 30
 * recorded for the flip, later passes at 0), each stack in a fresh process like the others here.
 */
function benchSplit(sizes: FleetSize[], repeat: number, resultsFile: string): void {
    console.log(`Split fleets ${sizes.map(label).join(", ")}; best of ${repeat}`);
    const rows: SplitRow[] = [];
    for (const size of sizes) {
        const dir = join(RESULTS_DIR, `split-${label(size).replace("×", "x")}.tmp`);
        const byKind = new Map<string, { measurements: Measurement[]; floor: Measurement[]; base?: RegisteredResource[]; flip?: SplitRow["flip"]; failed?: string }>();
        try {
            for (let pass = 1; pass <= repeat; pass++) {
                const greenWeight = pass === 2 ? FLIP_TO : 0;
                for (const stack of splitStacks(size, dir, greenWeight)) {
                    const state = byKind.get(stack.kind) ?? { measurements: [], floor: [] };
                    byKind.set(stack.kind, state);
                    if (stack.impossible || state.failed) continue;
                    // Pass 1's recording is kept: every floor run of this stack replays it.
                    const baseRecording = join(scratch, `split-${stack.kind.replace(/\W+/g, "-")}-base.jsonl`);
                    const recordTo = pass === 1 ? baseRecording : pass === 2 ? join(scratch, `split-${stack.kind.replace(/\W+/g, "-")}.jsonl`) : undefined;
                    console.log(`
${label(size)} ${stack.kind} (${stack.config.stack}), pass ${pass}/${repeat}, greenWeight ${greenWeight}  (${seconds(performance.now() - benchStarted)} so far)`);
                    try {
                        state.measurements.push(
                            step(stack.kind, {
                                stackConfig: stack.config,
                                cwd: PROJECT_ROOT,
                                program: join(PROJECT_ROOT, "index.ts"),
                                ...(stack.stacks ? { stacks: stack.stacks } : {}),
                                ...(recordTo ? { recordTo } : {}),
                            }),
                        );
                    } catch (error) {
                        // A stack too large for one process (the heap) is a result, not a crash of the bench.
                        state.failed = String((error as Error).message).split("\n").find((l) => /heap|memory|E2BIG/i.test(l)) ?? String(error).slice(0, 200);
                        console.log(`  failed: ${state.failed}`);
                        continue;
                    }
                    if (pass === 1) state.base = readRecording(recordTo!);
                    if (pass === 2) {
                        const changes = inputChanges({ resources: state.base! }, { resources: readRecording(recordTo!) });
                        state.flip = { changed: changes.length, onlyRoutes: changes.every((c) => c.type === HTTPROUTE && c.kind === "changed") };
                    }
                    // The floor of this stack: the SDKs registering the same resources with no program around them.
                    const floorRecording = join(scratch, "split-floor.jsonl");
                    state.floor.push(
                        step(`${stack.kind} floor`, {
                            stackConfig: stack.config,
                            cwd: PROJECT_ROOT,
                            program: join(PROJECT_ROOT, "devtools/bench/floorProgram.ts"),
                            programArgs: [baseRecording],
                            ...(stack.stacks ? { stacks: stack.stacks } : {}),
                            recordTo: floorRecording,
                        }),
                    );
                    const differences = floorDifferences(state.base!, readRecording(floorRecording));
                    if (differences.length > 0) throw new Error(`the floor did not replay ${stack.config.stack}:\n${differences.slice(0, 20).join("\n")}`);
                }
            }
            for (const stack of splitStacks(size, dir)) {
                const state = byKind.get(stack.kind)!;
                const row: SplitRow = { size, kind: stack.kind, stack: stack.config.stack, configBytes: JSON.stringify(stack.config.config).length };
                const impossible = stack.impossible ?? state.failed;
                if (impossible) row.impossible = impossible;
                else {
                    const fastest = best(state.measurements);
                    const floor = best(state.floor);
                    Object.assign(row, {
                        customResources: state.measurements[0]!.customResources,
                        wallMs: fastest.wallMs,
                        peakRssMiB: fastest.peakRssMiB,
                        floorWallMs: floor.wallMs,
                        floorPeakRssMiB: floor.peakRssMiB,
                        ...(state.flip ? { flip: state.flip } : {}),
                    });
                }
                rows.push(row);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }
    const elapsed = performance.now() - benchStarted;
    console.log(`\n${splitTable(rows)}\n`);
    const path = writeResults(resultsFile, { machine: machine(), repeat, benchSeconds: Math.round(elapsed / 1000), rows });
    console.log(`npm run bench -- --split took ${seconds(elapsed)}; results in ${path}`);
    if (resultsFile === "split.json") writeDocs();
}

/** Seeded streams through both judges: a simulation, so no quiet machine is needed and no results file is written. */
function benchAnalysis(runs: number): void {
    const seed = 20;
    // Twelve windows of samples: as far back as the judge's evidence reaches.
    const maxSamples = 60;
    console.log(`Analysis: ${runs} steps per scenario, seed ${seed}, at most ${maxSamples} samples (1 m each) per step\n`);
    const rows = ANALYSIS_GRID.map((scenario) => {
        const started = performance.now();
        const result = compareJudges(scenario, runs, seed, maxSamples);
        console.log(`  ${scenario.requestsPerSecond} rps at ${scenario.weight} %, ${scenario.candidateErrors} vs ${scenario.stableErrors}: ${seconds(performance.now() - started)}`);
        return { scenario, result };
    });
    console.log(`\n${analysisTable(rows)}\n\nnpm run bench -- --analysis took ${seconds(performance.now() - benchStarted)}`);
}

try {
    if (command.kind === "analysis") benchAnalysis(command.runs);
    else if (command.kind === "docs") writeDocs();
    else if (command.kind === "split") benchSplit(command.sizes, command.repeat, command.resultsFile);
    else if (command.kind === "loaders") benchLoaders(command.fleet, command.repeat, command.resultsFile);
    else benchFleets(command.sizes, command.repeat, command.resultsFile);
} finally {
    rmSync(scratch, { recursive: true, force: true });
}
