// Child process of the benchmark. Starts a program the way the Pulumi language host does — through
// the SDK's own entry, node_modules/@pulumi/pulumi/cmd/run, with the stack's config in the
// environment — against Pulumi's mock monitor instead of the engine, and on exit writes what it
// measured to a JSON file. One program run per process, so every measurement starts cold.

import * as pulumi from "@pulumi/pulumi";
import { openSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { installMocks, type RegisteredResource } from "../../harness/mockRuntime.ts";

export interface HostJob {
    /** What the language host passes as the program: the entry file or the project directory. */
    program: string;
    /** Arguments the program sees after its own path in process.argv. */
    programArgs?: string[];
    project: string;
    stack: string;
    /** Runs as `pulumi preview` (dry run) when true, as `pulumi up` otherwise. */
    preview: boolean;
    /**
     * Appends every registration to this file as a JSON line the moment it is answered: nothing is
     * kept in memory, so a recorded run costs about what an unrecorded one does.
     */
    recordTo?: string;
    /**
     * Keeps source-map-support formatting every stack, as Pulumi's entry leaves it, by making the
     * program's reset (program/stackTraces.ts) a no-op: measures what that reset saves.
     */
    keepSourceMapSupport?: boolean;
    resultTo: string;
    /** Other stacks' outputs by full name, which the program's StackReferences read. */
    stacks?: Record<string, Record<string, unknown>>;
}

export interface HostResult {
    exitCode: number;
    registrations: number;
    customResources: number;
    /** User and system CPU time of the whole process, all threads (GC included), in ms. */
    cpuMs: number;
    /** Peak resident set size of the whole process, in MiB. */
    peakRssMiB: number;
}

interface CountingMonitor {
    registerResource(request: { getCustom(): boolean }, callback: (error: unknown, response: unknown) => void): void;
}

const job = JSON.parse(process.argv[2]!) as HostJob;
const recording = job.recordTo === undefined ? undefined : openSync(job.recordTo, "w");
const record = recording === undefined ? undefined : (r: RegisteredResource) => writeSync(recording, `${JSON.stringify(r)}\n`);
await installMocks(job.project, job.stack, job.preview, record, job.stacks ? { stacks: job.stacks } : {});

// Counting only: cheap enough to leave on in timed runs, for the program and the floor alike.
const result: HostResult = { exitCode: -1, registrations: 0, customResources: 0, cpuMs: 0, peakRssMiB: 0 };
const monitor = pulumi.runtime.getMonitor() as unknown as CountingMonitor;
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (request, callback) => {
    register(request, (error, response) => {
        result.registrations++;
        if (request.getCustom()) result.customResources++;
        callback(error, response);
    });
};

process.on("exit", (code) => {
    result.exitCode = code;
    const usage = process.resourceUsage();
    result.cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    result.peakRssMiB = usage.maxRSS / 1024;
    writeFileSync(job.resultTo, JSON.stringify(result));
});

// The argv the language host gives the entry; the stack's config is already in PULUMI_CONFIG.
process.argv = [
    process.argv[0]!,
    "run",
    "--monitor=mock",
    `--project=${job.project}`,
    `--stack=${job.stack}`,
    ...(job.preview ? ["--dry-run"] : []),
    job.program,
    ...(job.programArgs ?? []),
];
createRequire(import.meta.url)("@pulumi/pulumi/cmd/run");
// cmd/run installed source-map-support synchronously and starts the program on a later turn.
if (job.keepSourceMapSupport) {
    // Non-configurable, so the program's delete fails; code that swaps in its own formatter and
    // restores it still works.
    let formatter = Error.prepareStackTrace;
    Object.defineProperty(Error, "prepareStackTrace", {
        configurable: false,
        get: () => formatter,
        set: (next: typeof formatter) => {
            formatter = next;
        },
    });
}
