// Runs one measured program run: a fresh Node process started like the Pulumi language host starts
// one (node [nodeargs] <entry> ..., the stack's config in PULUMI_CONFIG), timed from spawn to exit.

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { StackConfig } from "../../model/stackFiles.ts";
import type { HostJob, HostResult } from "./languageHost.ts";
import { machineBusyMs } from "./quiet.ts";

const HOST = join(import.meta.dirname, "languageHost.ts");

export interface RunSpec {
    stackConfig: StackConfig;
    /** Directory the language host runs the program in (its --pwd). */
    cwd: string;
    program: string;
    programArgs?: string[];
    /** Pulumi.yaml `nodeargs`: flags given to node before the entry. */
    nodeArgs?: string[];
    /** Variables the language host would set, e.g. PULUMI_NODEJS_TYPESCRIPT for `typescript: true`. */
    env?: Record<string, string>;
    keepSourceMapSupport?: boolean;
    recordTo?: string;
    /** Other stacks' outputs by full name, for a stack that reads them (a cluster stack's traffic stack). */
    stacks?: Record<string, Record<string, unknown>>;
}

export interface Measurement extends HostResult {
    /** Spawn to exit, as seen by the parent. */
    wallMs: number;
    /** CPU time the rest of the machine used while the run lasted: noise that landed in wallMs. */
    othersCpuMs: number;
}

// Settings of the environment the benchmark itself runs in must not leak into a measured run.
const INHERITED_EXCLUDED = /^(PULUMI_|NODE_OPTIONS$)/;

export function measure(spec: RunSpec, scratchDir: string): Measurement {
    const resultTo = join(scratchDir, "result.json");
    rmSync(resultTo, { force: true });
    const job: HostJob = {
        program: spec.program,
        ...(spec.programArgs ? { programArgs: spec.programArgs } : {}),
        project: spec.stackConfig.project,
        stack: spec.stackConfig.stack,
        preview: true,
        ...(spec.recordTo ? { recordTo: spec.recordTo } : {}),
        ...(spec.keepSourceMapSupport ? { keepSourceMapSupport: true } : {}),
        ...(spec.stacks ? { stacks: spec.stacks } : {}),
        resultTo,
    };
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined && !INHERITED_EXCLUDED.test(key)) env[key] = value;
    }
    Object.assign(env, spec.env, {
        PULUMI_CONFIG: JSON.stringify(spec.stackConfig.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(spec.stackConfig.secretKeys),
    });
    const busyBefore = machineBusyMs();
    const started = performance.now();
    const child = spawnSync(process.execPath, [...(spec.nodeArgs ?? []), HOST, JSON.stringify(job)], {
        cwd: spec.cwd,
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    const busyDuring = machineBusyMs() - busyBefore;
    if (child.error) throw child.error;
    if (child.status !== 0) {
        throw new Error(`${spec.program} exited with ${child.status}:\n${child.stderr}${child.stdout}`.slice(0, 4000));
    }
    const result = JSON.parse(readFileSync(resultTo, "utf8")) as HostResult;
    return { ...result, wallMs, othersCpuMs: busyDuring === 0 ? 0 : Math.max(0, busyDuring - result.cpuMs) };
}
