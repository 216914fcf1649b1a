// What the benchmark reports, and the arithmetic from raw runs to it: best of N, the per-resource
// cost above a one-service baseline, ratios to the floor, and the issue's targets. Pure.

import type { FleetSize } from "./fleet.ts";
import type { Measurement } from "./runner.ts";

export interface Run {
    wallMs: number;
    peakRssMiB: number;
}

/** One run as kept in the JSON: what the best-of is taken from, and how noisy the machine was. */
export interface RunRecord extends Run {
    cpuMs: number;
    othersCpuMs: number;
}

export interface SideResult extends Run {
    /** Cost of each custom resource beyond the baseline fleet's: fixed start-up cost taken out. */
    marginalMsPerResource: number;
    marginalKiBPerResource: number;
    runs: RunRecord[];
}

export interface Flip {
    /** Resources whose inputs differ between greenWeight 0 and 30. */
    changed: number;
    /** S×C: one HTTPRoute per service per cluster. */
    expected: number;
    onlyRoutes: boolean;
    byType: Record<string, number>;
}

export interface FleetResult {
    size: FleetSize;
    customResources: number;
    /** Custom resources, components and the stack: every RegisterResource call. */
    registrations: number;
    program: SideResult;
    floor: SideResult;
    timeRatio: number;
    rssRatio: number;
    marginalTimeRatio: number;
    marginalRssRatio: number;
    flip: Flip;
}

export interface LoaderResult {
    id: string;
    setup: string;
    unavailable?: string;
    wallMs?: number;
    peakRssMiB?: number;
    relativeToNative?: number;
    buildMs?: number;
    runs?: RunRecord[];
}

export interface Target {
    name: string;
    limit: string;
    measured: string;
    holds: boolean;
}

export interface Baseline {
    size: FleetSize;
    customResources: number;
    program: Run;
    floor: Run;
}

export function best(runs: Measurement[]): Run & { runs: RunRecord[] } {
    const kept = runs.map((r) => ({
        wallMs: Math.round(r.wallMs),
        peakRssMiB: Math.round(r.peakRssMiB),
        cpuMs: Math.round(r.cpuMs),
        othersCpuMs: Math.round(r.othersCpuMs),
    }));
    return {
        wallMs: Math.min(...kept.map((r) => r.wallMs)),
        peakRssMiB: Math.min(...kept.map((r) => r.peakRssMiB)),
        runs: kept,
    };
}

export function side(runs: Measurement[], customResources: number, baseline: Run, baselineResources: number): SideResult {
    const b = best(runs);
    const extra = customResources - baselineResources;
    return {
        ...b,
        marginalMsPerResource: (b.wallMs - baseline.wallMs) / extra,
        marginalKiBPerResource: ((b.peakRssMiB - baseline.peakRssMiB) * 1024) / extra,
    };
}

export function fleetResult(
    size: FleetSize,
    counts: { customResources: number; registrations: number },
    program: SideResult,
    floor: SideResult,
    flip: Flip,
): FleetResult {
    return {
        size,
        ...counts,
        program,
        floor,
        timeRatio: program.wallMs / floor.wallMs,
        rssRatio: program.peakRssMiB / floor.peakRssMiB,
        marginalTimeRatio: program.marginalMsPerResource / floor.marginalMsPerResource,
        marginalRssRatio: program.marginalKiBPerResource / floor.marginalKiBPerResource,
        flip,
    };
}

const label = (size: FleetSize) => `${size.services}×${size.clusters}`;
const isSize = (size: FleetSize, s: number, c: number) => size.services === s && size.clusters === c;

/** The issue's targets, evaluated on whichever of their fleets were measured. */
export function targets(fleets: FleetResult[]): Target[] {
    const out: Target[] = [];
    const at100 = fleets.find((f) => isSize(f.size, 100, 4));
    if (at100) {
        out.push(
            { name: "time per resource vs floor, 100×4 (whole run)", limit: "≤ 1.5×", measured: `${at100.timeRatio.toFixed(2)}×`, holds: at100.timeRatio <= 1.5 },
            { name: "peak RSS per resource vs floor, 100×4 (whole run)", limit: "≤ 1.5×", measured: `${at100.rssRatio.toFixed(2)}×`, holds: at100.rssRatio <= 1.5 },
            {
                name: "time per resource vs floor, 100×4 (marginal)",
                limit: "≤ 1.5×",
                measured: `${at100.marginalTimeRatio.toFixed(2)}×`,
                holds: at100.marginalTimeRatio <= 1.5,
            },
            {
                name: "memory per resource vs floor, 100×4 (marginal)",
                limit: "≤ 1.5×",
                measured: `${at100.marginalRssRatio.toFixed(2)}×`,
                holds: at100.marginalRssRatio <= 1.5,
            },
        );
    }
    const small = fleets.find((f) => isSize(f.size, 50, 4));
    const large = fleets.find((f) => isSize(f.size, 200, 5));
    if (small && large) {
        const drift = large.program.marginalMsPerResource / small.program.marginalMsPerResource - 1;
        out.push({
            name: `marginal time per resource, ${label(large.size)} vs ${label(small.size)}`,
            limit: "within ±15 %",
            measured: `${drift >= 0 ? "+" : ""}${(drift * 100).toFixed(1)} %`,
            holds: Math.abs(drift) <= 0.15,
        });
    }
    for (const f of fleets) {
        out.push({
            name: `flip blast radius, ${label(f.size)}`,
            limit: `= ${f.flip.expected} HTTPRoutes`,
            measured: `${f.flip.changed} changed${f.flip.onlyRoutes ? ", all HTTPRoutes" : `: ${JSON.stringify(f.flip.byType)}`}`,
            holds: f.flip.changed === f.flip.expected && f.flip.onlyRoutes,
        });
    }
    return out;
}
