// `npm run bench` command line: what to measure, and where its results go. Only a run with every
// default writes the committed results (latest.json, loaders.json) the docs' tables come from; any
// other run writes a partial file that git ignores. Pure: no process exit, no files.

import { parseArgs } from "node:util";
import type { FleetSize } from "./fleet.ts";

export const DEFAULT_SIZES = "10x2,50x4,100x4,200x5";
export const DEFAULT_LOADER_FLEET = "50x4";
export const DEFAULT_REPEAT = 2;
export const DEFAULT_ANALYSIS_RUNS = 2000;

export const USAGE = `Usage: npm run bench [-- options]

Measures what evaluating the program costs as the fleet grows: each fleet in a fresh process
started through Pulumi's entry against its mock monitor, next to a floor that registers the same
resources with no program around them. Takes about 5 minutes with the defaults.

Options:
  --sizes <list>         fleets as <services>x<clusters>, comma-separated (default ${DEFAULT_SIZES})
  --repeat <n>           runs of each, the best one counts; at least 2 (default ${DEFAULT_REPEAT})
  --loaders              instead: the program under each TypeScript loader Pulumi can use
  --loader-fleet <size>  the fleet for --loaders (default ${DEFAULT_LOADER_FLEET})
  --split                instead: the split fleet's stacks side by side (single, traffic, one cluster,
                         one group) at each --split-sizes fleet, with config sizes and a flip's changes
  --split-sizes <list>   the fleets for --split (default 200x5,1000x5)
  --analysis             instead: seeded request streams judged by the evidence judge and by
                         today's per-sample rule, side by side (docs/progressive-delivery.md)
  --runs <n>             steps per scenario for --analysis (default ${DEFAULT_ANALYSIS_RUNS})
  --docs                 measure nothing: write the tables of the committed bench-results/latest.json
                         and loaders.json into README.md and docs/performance.md
  --help                 print this and exit

A default run (no --sizes, --loader-fleet or --repeat) writes bench-results/latest.json (with
--loaders: loaders.json) and the tables made from it into README.md and docs/performance.md; any
other run writes bench-results/partial.json (partial-loaders.json), which git ignores.

Examples:
  npm run bench
  npm run bench -- --sizes 50x4,300x5 --repeat 3
  npm run bench -- --loaders
  npm run bench -- --split
  npm run bench -- --analysis --runs 500`;

export type BenchCommand =
    | { kind: "help" }
    | { kind: "docs" }
    | { kind: "analysis"; runs: number }
    | { kind: "fleets"; sizes: FleetSize[]; repeat: number; resultsFile: "latest.json" | "partial.json" }
    | { kind: "loaders"; fleet: FleetSize; repeat: number; resultsFile: "loaders.json" | "partial-loaders.json" }
    | { kind: "split"; sizes: FleetSize[]; repeat: number; resultsFile: "split.json" | "partial-split.json" };

export class UsageError extends Error {}

function parseSize(text: string): FleetSize {
    const match = /^(\d+)x(\d+)$/.exec(text.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`a fleet size is <services>x<clusters>, e.g. 100x4; got "${text}"`);
    return { services: Number(match[1]), clusters: Number(match[2]) };
}

function parseRepeat(text: string | undefined): number {
    if (text === undefined) return DEFAULT_REPEAT;
    if (!/^\d+$/.test(text) || Number(text) < 2) throw new UsageError(`--repeat takes a whole number of at least 2 (the second pass measures the flip); got "${text}"`);
    return Number(text);
}

/** Throws UsageError for anything the usage does not allow. */
export function parseBenchArgs(args: string[]): BenchCommand {
    let values;
    try {
        values = parseArgs({
            args,
            options: {
                sizes: { type: "string" },
                repeat: { type: "string" },
                loaders: { type: "boolean", default: false },
                "loader-fleet": { type: "string" },
                docs: { type: "boolean", default: false },
                split: { type: "boolean", default: false },
                "split-sizes": { type: "string" },
                analysis: { type: "boolean", default: false },
                runs: { type: "string" },
                help: { type: "boolean", default: false },
            },
        }).values;
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (values.help) return { kind: "help" };
    if (values.analysis) {
        if (values.docs || values.loaders || values.split || values["split-sizes"] !== undefined || values.sizes !== undefined || values.repeat !== undefined || values["loader-fleet"] !== undefined) {
            throw new UsageError("--analysis runs alone (with --runs)");
        }
        const runs = values.runs ?? String(DEFAULT_ANALYSIS_RUNS);
        if (!/^\d+$/.test(runs) || Number(runs) < 100) throw new UsageError(`--runs takes a whole number of at least 100; got "${runs}"`);
        return { kind: "analysis", runs: Number(runs) };
    }
    if (values.runs !== undefined) throw new UsageError("--runs goes with --analysis");
    const measuring = values.loaders || values.split || values["split-sizes"] !== undefined || values.sizes !== undefined || values.repeat !== undefined || values["loader-fleet"] !== undefined;
    if (values.docs) {
        if (measuring) throw new UsageError("--docs measures nothing: give it alone");
        return { kind: "docs" };
    }
    const isDefault = values.sizes === undefined && values.repeat === undefined && values["loader-fleet"] === undefined;
    const repeat = parseRepeat(values.repeat);
    if (values.split) {
        if (values.loaders || values.sizes !== undefined) throw new UsageError("--split measures its own fleets: give --split-sizes, not --sizes or --loaders");
        const sizes = (values["split-sizes"] ?? "200x5,1000x5").split(",").map(parseSize);
        return { kind: "split", sizes, repeat, resultsFile: values["split-sizes"] === undefined && values.repeat === undefined ? "split.json" : "partial-split.json" };
    }
    if (values["split-sizes"] !== undefined) throw new UsageError("--split-sizes goes with --split");
    if (values.loaders) {
        if (values.sizes !== undefined) throw new UsageError("--sizes does not go with --loaders; use --loader-fleet");
        return { kind: "loaders", fleet: parseSize(values["loader-fleet"] ?? DEFAULT_LOADER_FLEET), repeat, resultsFile: isDefault ? "loaders.json" : "partial-loaders.json" };
    }
    if (values["loader-fleet"] !== undefined) throw new UsageError("--loader-fleet goes with --loaders");
    return { kind: "fleets", sizes: (values.sizes ?? DEFAULT_SIZES).split(",").map(parseSize), repeat, resultsFile: isDefault ? "latest.json" : "partial.json" };
}
