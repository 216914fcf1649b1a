// npm run bench [-- --sizes 10x2,50x4,100x4,200x5 --repeat 2]
// npm run bench -- --loaders [--loader-fleet 50x4 --repeat 2]
//
// Measures what evaluating the program costs as the fleet grows. Every run is a fresh process that
// enters through Pulumi's own entry (node_modules/@pulumi/pulumi/cmd/run), as `pulumi preview`
// does, against Pulumi's mock monitor. Per fleet: the program; the floor (the same custom
// resources registered directly, tools/bench/floorProgram.ts); and the flip blast radius (inputs
// that differ between greenWeight 0 and 30). Best of --repeat runs each; at least 2. With
// --loaders: the same program under every way Pulumi can load TypeScript. Prints markdown and
// writes JSON to bench-results/.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fleetStackConfig, type FleetSize } from "./bench/fleet.ts";
import { floorDifferences } from "./bench/floorCheck.ts";
import { LOADERS } from "./bench/loaders.ts";
import { waitForQuiet } from "./bench/quiet.ts";
import { readRecording } from "./bench/recording.ts";
import { fleetTable, loaderTable } from "./bench/report.ts";
import { best, fleetResult, side, targets, type Baseline, type Flip, type LoaderResult } from "./bench/results.ts";
import { measure, type Measurement, type RunSpec } from "./bench/runner.ts";
import { inputChanges, type RegisteredResource } from "./mockRuntime.ts";
import { PROJECT_ROOT } from "./stackFiles.ts";

const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const FLIP_TO = 30;
const BASELINE: FleetSize = { services: 1, clusters: 1 };
const RESULTS_DIR = join(PROJECT_ROOT, "bench-results");
/** A run starts once other processes use at most this share of the CPUs, or after the limit. */
const QUIET_BUSY_SHARE = 0.15;
const QUIET_LIMIT_MS = 60_000;

const { values } = parseArgs({
    options: {
        sizes: { type: "string", default: "10x2,50x4,100x4,200x5" },
        repeat: { type: "string" },
        loaders: { type: "boolean", default: false },
        "loader-fleet": { type: "string", default: "50x4" },
    },
});

function parseSize(text: string): FleetSize {
    const match = /^(\d+)x(\d+)$/.exec(text.trim());
    if (!match) throw new Error(`a fleet size is <services>x<clusters>, e.g. 100x4; got "${text}"`);
    return { services: Number(match[1]), clusters: Number(match[2]) };
}

const label = (size: FleetSize) => `${size.services}×${size.clusters}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const benchStarted = performance.now();
const scratch = mkdtempSync(join(tmpdir(), "switchyard-bench-"));

function step(what: string, spec: RunSpec): Measurement {
    process.stdout.write(`  ${what} … `);
    waitForQuiet({
        maxBusyShare: QUIET_BUSY_SHARE,
        limitMs: QUIET_LIMIT_MS,
        onWait: (busy) => process.stdout.write(`(other processes keep ${Math.round(busy * 100)} % of the CPUs busy; waiting up to ${QUIET_LIMIT_MS / 1000} s) `),
    });
    const result = measure(spec, scratch);
    process.stdout.write(`${seconds(result.wallMs)}, ${Math.round(result.peakRssMiB)} MiB, ${result.customResources} custom resources\n`);
    return result;
}

const programSpec = (size: FleetSize, greenWeight = 0): RunSpec => ({
    stackConfig: fleetStackConfig(size, greenWeight),
    cwd: PROJECT_ROOT,
    program: join(PROJECT_ROOT, "index.ts"),
});

const floorSpec = (size: FleetSize, programRecording: string): RunSpec => ({
    ...programSpec(size),
    program: join(PROJECT_ROOT, "tools/bench/floorProgram.ts"),
    programArgs: [programRecording],
});

function flipOf(size: FleetSize, before: RegisteredResource[], after: RegisteredResource[]): Flip {
    const changes = inputChanges({ resources: before, outputs: {} }, { resources: after, outputs: {} });
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
    program: Measurement[];
    floor: Measurement[];
    registrations: number;
    flip: Flip;
}

/**
 * Program and floor runs alternate, so noise from the machine falls on both alike. Every run
 * records as it goes (streamed to disk, nothing kept in memory): the first program run, at
 * greenWeight 0, is what the floor replays; the second, at greenWeight 30, gives the flip; each
 * floor run is checked against the first.
 */
function measureFleet(size: FleetSize, repeat: number): FleetRuns {
    const recordings = (name: string) => join(scratch, `${size.services}x${size.clusters}-${name}.jsonl`);
    const program: Measurement[] = [];
    const floor: Measurement[] = [];
    let base: RegisteredResource[] = [];
    let flip: Flip | undefined;
    for (let i = 1; i <= repeat; i++) {
        const greenWeight = i === 2 ? FLIP_TO : 0;
        const programRecording = recordings(`program-${i}`);
        program.push(step(`program ${i}/${repeat} (greenWeight ${greenWeight})`, { ...programSpec(size, greenWeight), recordTo: programRecording }));
        if (i === 1) base = readRecording(programRecording);
        if (i === 2) flip = flipOf(size, base, readRecording(programRecording));
        if (i > 1) rmSync(programRecording, { force: true });
        const floorRecording = recordings(`floor-${i}`);
        floor.push(step(`floor   ${i}/${repeat}`, { ...floorSpec(size, recordings("program-1")), recordTo: floorRecording }));
        const differences = floorDifferences(base, readRecording(floorRecording));
        if (differences.length > 0) throw new Error(`the floor did not replay the program:\n${differences.slice(0, 20).join("\n")}`);
        rmSync(floorRecording, { force: true });
    }
    rmSync(recordings("program-1"), { force: true });
    if (!flip) throw new Error("--repeat must be at least 2: the second program run measures the flip");
    return { program, floor, registrations: base.length, flip };
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

function benchFleets(sizes: FleetSize[], repeat: number): void {
    console.log(`Fleets ${sizes.map(label).join(", ")}; best of ${repeat}; baseline ${label(BASELINE)}\n`);
    console.log(`baseline ${label(BASELINE)}`);
    const baseRuns = measureFleet(BASELINE, repeat);
    const baseline: Baseline = {
        size: BASELINE,
        customResources: baseRuns.program[0]!.customResources,
        program: best(baseRuns.program),
        floor: best(baseRuns.floor),
    };
    const fleets = sizes.map((size, i) => {
        console.log(`\n[${i + 1}/${sizes.length}] fleet ${label(size)}  (${seconds(performance.now() - benchStarted)} so far)`);
        const runs = measureFleet(size, repeat);
        const customResources = runs.program[0]!.customResources;
        return fleetResult(
            size,
            { customResources, registrations: runs.registrations },
            side(runs.program, customResources, baseline.program, baseline.customResources),
            side(runs.floor, customResources, baseline.floor, baseline.customResources),
            runs.flip,
        );
    });
    const goals = targets(fleets);
    const elapsed = performance.now() - benchStarted;
    console.log(`\n${fleetTable(fleets)}\n`);
    for (const goal of goals) console.log(`${goal.holds ? "✔" : "✘"} ${goal.name}: ${goal.measured} (target ${goal.limit})`);
    const path = writeResults("latest.json", { machine: machine(), repeat, benchSeconds: Math.round(elapsed / 1000), baseline, fleets, targets: goals });
    console.log(`\nnpm run bench took ${seconds(elapsed)}; results in ${path}`);
}

/** Loaders take turns run by run, so noise from the machine falls on all of them alike. */
function benchLoaders(size: FleetSize, repeat: number): void {
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
    const path = writeResults("loaders.json", { machine: machine(), repeat, fleet: size, benchSeconds: Math.round(elapsed / 1000), loaders: results });
    console.log(`npm run bench -- --loaders took ${seconds(elapsed)}; results in ${path}`);
}

try {
    if (values.loaders) benchLoaders(parseSize(values["loader-fleet"]), Number(values.repeat ?? 2));
    else benchFleets(values.sizes.split(",").map(parseSize), Number(values.repeat ?? 2));
} finally {
    rmSync(scratch, { recursive: true, force: true });
}
