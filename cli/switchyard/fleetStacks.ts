// `switchyard stacks --fleet <name> [--json]`: the fleet's stacks — the traffic stack (with groups,
// its shard per group), then each cluster's (or each cluster's group's) — with their scope and wave,
// and which go first for each kind of change. The JSON is the CI matrix
// (.github/workflows/fleet-deploy.yml): one job per stack.

import type { Fleet } from "./fleet.ts";

export interface MatrixStack {
    stack: string;
    scope: string;
    kind: "traffic" | "cluster";
    cluster?: string;
    group?: string;
    wave?: string;
    /** The wave's place in the rollout, from 0. */
    waveIndex?: number;
    approval?: boolean;
}

/** Which stacks go first, per kind of change (docs/scaling.md). */
export const CHANGE_ORDER = {
    build: { order: ["traffic", "clusters"], why: "the traffic stack (with groups, each group's shard) builds and pushes the images its cluster stacks read from its images output" },
    undrain: { order: ["clusters", "traffic"], why: "the cluster's routes serve before Route53 sends it answers again" },
    drain: { order: ["traffic"], why: "Route53 stops answering with the cluster; its own stack need not move" },
    flip: { order: ["clusters"], why: "greenWeight lives in each cluster stack's file: only HTTPRoutes change" },
    rollback: { order: ["clusters"], why: "a rollback is a flip to 0 on every moved cluster stack, all at once (every cluster stack when it moves a cohort of the fleet file)" },
} as const;

export interface FleetMatrix {
    fleet: string;
    file: string;
    traffic: MatrixStack[];
    clusters: MatrixStack[];
    order: typeof CHANGE_ORDER;
}

/** The fleet's stacks in the order a build applies them: the traffic stacks, then the cluster stacks wave by wave. */
export function fleetMatrix(fleet: Fleet): FleetMatrix {
    const byWave = [...fleet.clusterStacks].sort((a, b) => fleet.waves.indexOf(a.wave) - fleet.waves.indexOf(b.wave));
    const clusters = byWave.map((s): MatrixStack => ({
        stack: s.stack.name,
        scope: s.group === undefined ? s.cluster.name : `${s.cluster.name}/${s.group}`,
        kind: "cluster",
        cluster: s.cluster.name,
        ...(s.group === undefined ? {} : { group: s.group }),
        wave: s.wave.name,
        waveIndex: fleet.waves.indexOf(s.wave),
        approval: s.wave.approval,
    }));
    const traffic = fleet.trafficStacks.map((t): MatrixStack => ({
        stack: t.name,
        scope: t.group === undefined ? "traffic" : `traffic/${t.group}`,
        kind: "traffic",
        ...(t.group === undefined ? {} : { group: t.group }),
    }));
    return { fleet: fleet.name, file: fleet.file, traffic, clusters, order: CHANGE_ORDER };
}

export function matrixText(matrix: FleetMatrix): string {
    const rows = [...matrix.traffic, ...matrix.clusters].map(
        (s) => `  ${s.stack.padEnd(28)} ${s.scope.padEnd(20)} ${s.wave === undefined ? "" : `wave ${s.wave}${s.approval ? " (approval)" : ""}`}`.trimEnd(),
    );
    const order = Object.entries(matrix.order).map(([kind, { order, why }]) => `  ${kind.padEnd(9)} ${order.join(" → ")}: ${why}`);
    return [`fleet ${matrix.fleet} (${matrix.file}):`, ...rows, "", "Which stacks go first:", ...order].join("\n");
}
