// The benchmark tables in README.md and docs/performance.md, generated from the committed results
// (bench-results/latest.json and loaders.json) between `<!-- bench:<name> -->` and
// `<!-- /bench:<name> -->` markers. Pure: text in, text out; a spec checks the committed documents
// are what this makes from the committed results.

import type { FleetSize } from "./fleet.ts";
import { fleetTable, loaderTable } from "./report.ts";
import type { Baseline, FleetResult, LoaderResult, Target } from "./results.ts";
import { splitTable, type SplitRow } from "./split.ts";

export interface Machine {
    date: string;
    commit: string;
    node: string;
    pulumi: string;
    cpus: number;
    cpu: string;
    memoryGiB: number;
}

/** bench-results/latest.json */
export interface FleetBench {
    machine: Machine;
    repeat: number;
    benchSeconds: number;
    baseline: Baseline;
    fleets: FleetResult[];
    targets: Target[];
}

/** bench-results/loaders.json */
export interface LoaderBench {
    machine: Machine;
    repeat: number;
    fleet: FleetSize;
    benchSeconds: number;
    loaders: LoaderResult[];
}

/** bench-results/split.json */
export interface SplitBench {
    machine: Machine;
    repeat: number;
    benchSeconds: number;
    rows: SplitRow[];
}

const count = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const label = (size: FleetSize) => `${size.services}×${size.clusters}`;

function machineLine(machine: Machine, repeat: number, benchSeconds: number, command: string): string {
    return (
        `Measured at commit ${machine.commit} on ${machine.date.slice(0, 10)}: ${machine.cpus} vCPU (${machine.cpu}), ${machine.memoryGiB} GiB, ` +
        `Node ${machine.node.replace(/^v/, "")}, @pulumi/pulumi ${machine.pulumi}, best of ${repeat}; \`${command}\` took ${benchSeconds} s.`
    );
}

/** The README's short table: one row per fleet, and the cost of a run in one sentence. */
export function readmeBlock(bench: FleetBench): string {
    const rows = bench.fleets.map((f) =>
        [
            label(f.size),
            count(f.customResources),
            seconds(f.program.wallMs),
            seconds(f.floor.wallMs),
            `${f.timeRatio.toFixed(2)}×`,
            `${count(Math.round(f.program.peakRssMiB))} / ${count(Math.round(f.floor.peakRssMiB))} MiB`,
            f.flip.onlyRoutes ? `${count(f.flip.changed)} HTTPRoutes` : `${count(f.flip.changed)}, not only HTTPRoutes`,
        ].join(" | "),
    );
    const largest = bench.fleets[bench.fleets.length - 1]!;
    return [
        machineLine(bench.machine, bench.repeat, bench.benchSeconds, "npm run bench"),
        "",
        "| fleet (services × clusters) | custom resources | program | floor | time ratio | peak RSS program / floor | flip changes |",
        "|---|---|---|---|---|---|---|",
        ...rows.map((row) => `| ${row} |`),
        "",
        `A run costs about ${seconds(bench.baseline.program.wallMs)} to start (${label(bench.baseline.size)}), then ` +
            `${largest.program.marginalMsPerResource.toFixed(1)} ms and ${(largest.program.marginalKiBPerResource / 1024).toFixed(2)} MiB ` +
            `per custom resource at ${label(largest.size)}.`,
    ].join("\n");
}

export function fleetsBlock(bench: FleetBench): string {
    return [machineLine(bench.machine, bench.repeat, bench.benchSeconds, "npm run bench"), "", fleetTable(bench.fleets)].join("\n");
}

export function targetsBlock(bench: FleetBench): string {
    const rows = bench.targets.map((t) => `| ${t.name} | ${t.limit} | ${t.measured} | ${t.holds ? "holds" : "MISSED"} |`);
    return ["| target | limit | measured | |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function loadersBlock(bench: LoaderBench): string {
    return [machineLine(bench.machine, bench.repeat, bench.benchSeconds, "npm run bench -- --loaders"), "", loaderTable(bench.loaders, label(bench.fleet))].join("\n");
}

/** Replaces what stands between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`; a missing marker is an error. */
export function replaceBlock(text: string, name: string, content: string): string {
    const open = `<!-- bench:${name} -->\n`;
    const close = `\n<!-- /bench:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close, start);
    if (start === -1 || end === -1) throw new Error(`no block ${open.trim()} … ${close.trim()}`);
    return `${text.slice(0, start + open.length)}${content}${text.slice(end)}`;
}

export function renderReadme(text: string, fleets: FleetBench): string {
    return replaceBlock(text, "readme", readmeBlock(fleets));
}

export function splitBlock(bench: SplitBench): string {
    return [machineLine(bench.machine, bench.repeat, bench.benchSeconds, "npm run bench -- --split"), "", splitTable(bench.rows)].join("\n");
}

export function renderPerformanceDoc(text: string, fleets: FleetBench, loaders: LoaderBench, split: SplitBench): string {
    let out = replaceBlock(text, "fleets", fleetsBlock(fleets));
    out = replaceBlock(out, "targets", targetsBlock(fleets));
    out = replaceBlock(out, "split", splitBlock(split));
    return replaceBlock(out, "loaders", loadersBlock(loaders));
}
