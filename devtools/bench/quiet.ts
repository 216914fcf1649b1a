// Keeps other processes' work out of measurements: on a shared 2-core machine one busy neighbour
// doubles a run's time. Waits for the CPUs to go quiet before a run, and tells afterwards how much
// CPU the rest of the machine used during it. Linux only (/proc/stat); elsewhere both are no-ops.

import { existsSync, readFileSync } from "node:fs";

const STAT = "/proc/stat";
/** /proc/stat counts in USER_HZ ticks, 100 per second on Linux. */
const MS_PER_TICK = 10;

function cpuTimes(): { busy: number; total: number } {
    const fields = readFileSync(STAT, "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { busy: total - idle, total };
}

function sleep(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Share of all CPUs that was busy over `sampleMs`, while this process itself sleeps. */
function busyShare(sampleMs: number): number {
    const before = cpuTimes();
    sleep(sampleMs);
    const after = cpuTimes();
    return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/** CPU time every process on the machine has used so far, in ms; 0 where /proc/stat is missing. */
export function machineBusyMs(): number {
    return existsSync(STAT) ? cpuTimes().busy * MS_PER_TICK : 0;
}

/** Returns how long it waited. */
export function waitForQuiet(options: { maxBusyShare: number; limitMs: number; onWait?: (busy: number) => void }): number {
    if (!existsSync(STAT)) return 0;
    const started = performance.now();
    let announced = false;
    for (;;) {
        const busy = busyShare(500);
        if (busy <= options.maxBusyShare || performance.now() - started > options.limitMs) break;
        if (!announced) options.onWait?.(busy);
        announced = true;
    }
    return performance.now() - started;
}
