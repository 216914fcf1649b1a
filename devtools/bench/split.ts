// `npm run bench -- --split`: the split fleet's stacks measured side by side at each size — the
// single stack (while its config still fits in the one environment variable the language host
// passes it in), the traffic stack, one cluster stack, and a grouped fleet's traffic and cluster
// stacks of one group — with each stack's config size, a flip's blast radius, and each stack's floor (the same
// resources registered with no program around them). The fleets are prod's fleet file with
// generated clusters and services (bench/fleet.ts), written where the program reads fleet files:
// inside the project, under bench-results/ (git ignores *.tmp). Pure but for those files.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { COLORS } from "../../model/config/types.ts";
import { loadStackConfig, PROJECT_ROOT, type StackConfig } from "../../model/stackFiles.ts";
import { fleetClusters, fleetServices, fleetStackConfig, type FleetSize } from "./fleet.ts";

export const DEFAULT_SPLIT_SIZES = "200x5,1000x5";
/** Linux refuses a single environment variable over 128 KiB (MAX_ARG_STRLEN): the single stack's wall. */
export const ENV_VARIABLE_LIMIT = 128 * 1024;
/** Services per group in the grouped fleet. */
export const GROUP_SIZE = 250;
const FLEET = "bench";

export type StackKind = "single" | "traffic" | "cluster" | "traffic group" | "cluster group";

export interface SplitStack {
    kind: StackKind;
    config: StackConfig;
    /** Outputs of other stacks the stack reads (the traffic stack's images), by full name. */
    stacks?: Record<string, Record<string, unknown>>;
    /** Why the stack cannot run at this size; measured otherwise. */
    impossible?: string;
}

type Entry = Record<string, unknown>;

/** prod's fleet file with the generated fleet, and with groups of GROUP_SIZE services when `grouped`. */
export function benchFleetFile(size: FleetSize, grouped: boolean): Entry {
    const prod = parse(readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8")) as Entry;
    const clusters = fleetClusters(prod.clusters as Entry[], size.clusters);
    const services = fleetServices(prod.services as Entry[], size.services);
    const rollout = { ...(prod.rollout as Entry) };
    delete rollout.waves; // prod's waves name prod's clusters
    const groups = [];
    for (let i = 0; grouped && i < services.length; i += GROUP_SIZE) {
        groups.push({ name: `g${i / GROUP_SIZE}`, services: services.slice(i, i + GROUP_SIZE).map((s) => s.name) });
    }
    return { ...prod, rollout, clusters, services, ...(groups.length > 0 ? { groups } : {}) };
}

/** The images output the traffic stack would give: a pinned ECR reference for every color that builds. */
export function trafficImagesFor(fleet: Entry): Record<string, Record<string, string>> {
    const prefix = String((fleet.images as Entry | undefined)?.repositoryPrefix ?? "switchyard");
    const images: Record<string, Record<string, string>> = {};
    for (const service of fleet.services as Entry[]) {
        for (const color of COLORS) {
            const spec = service[color] as Entry | undefined;
            if (spec?.build === undefined) continue;
            images[String(service.name)] ??= {};
            images[String(service.name)]![color] = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${prefix}/${String(service.name)}:${String(spec.version)}-000000000000@sha256:${"0".repeat(64)}`;
        }
    }
    return images;
}

/** A stack of the bench fleet: prod's split stack file of that kind, pointed at the bench fleet file. */
function splitConfig(template: string, stack: string, fleetFile: string, scope: string, greenWeight: number): StackConfig {
    const config = loadStackConfig(template, { fleet: fleetFile, scope, greenWeight: String(greenWeight) });
    return { ...config, stack };
}

/** Writes the two fleet files of a size (plain and grouped) and returns every stack to measure. */
export function splitStacks(size: FleetSize, dir: string, greenWeight = 0): SplitStack[] {
    const relative = (name: string) => join(dir, name).slice(PROJECT_ROOT.length + 1);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "plain"), { recursive: true });
    mkdirSync(join(dir, "grouped"), { recursive: true });
    const plain = benchFleetFile(size, false);
    const grouped = benchFleetFile(size, true);
    writeFileSync(join(dir, "plain", `${FLEET}.yaml`), stringify(plain, { aliasDuplicateObjects: false }));
    writeFileSync(join(dir, "grouped", `${FLEET}.yaml`), stringify(grouped, { aliasDuplicateObjects: false }));
    const cluster = String((plain.clusters as Entry[])[0]!.name);
    const images = { [`organization/switchyard/${FLEET}-traffic`]: { images: trafficImagesFor(plain) } };
    const groupImages = { [`organization/switchyard/${FLEET}-traffic-g0`]: { images: trafficImagesFor(grouped) } };
    const single = fleetStackConfig(size, greenWeight);
    const singleBytes = JSON.stringify(single.config).length;
    return [
        {
            kind: "single",
            config: single,
            ...(singleBytes > ENV_VARIABLE_LIMIT ? { impossible: `its config is ${Math.round(singleBytes / 1024)} KiB, over the 128 KiB one environment variable may hold (E2BIG)` } : {}),
        },
        { kind: "traffic", config: splitConfig("prod-traffic", `${FLEET}-traffic`, relative(`plain/${FLEET}.yaml`), "traffic", greenWeight) },
        { kind: "cluster", config: splitConfig("prod-eks-use1", `${FLEET}-${cluster}`, relative(`plain/${FLEET}.yaml`), cluster, greenWeight), stacks: images },
        { kind: "traffic group", config: splitConfig("prod-traffic", `${FLEET}-traffic-g0`, relative(`grouped/${FLEET}.yaml`), "traffic/g0", greenWeight) },
        {
            kind: "cluster group",
            config: splitConfig("prod-eks-use1", `${FLEET}-${cluster}-g0`, relative(`grouped/${FLEET}.yaml`), `${cluster}/g0`, greenWeight),
            stacks: groupImages,
        },
    ];
}

export interface SplitRow {
    size: FleetSize;
    kind: StackKind;
    stack: string;
    configBytes: number;
    impossible?: string;
    customResources?: number;
    wallMs?: number;
    peakRssMiB?: number;
    /** The floor's (the SDKs registering the same resources, no program): what any program of this stack costs at least. */
    floorWallMs?: number;
    floorPeakRssMiB?: number;
    /** Resources whose inputs differ between greenWeight 0 and 30, and whether all are HTTPRoutes. */
    flip?: { changed: number; onlyRoutes: boolean };
}

const count = (n: number) => n.toLocaleString("en-US");

export function splitTable(rows: readonly SplitRow[]): string {
    const lines = rows.map((r) =>
        [
            `${r.size.services}×${r.size.clusters}`,
            r.kind,
            `\`${r.stack}\``,
            `${(r.configBytes / 1024).toFixed(1)} KiB`,
            r.impossible ? `cannot run: ${r.impossible}` : count(r.customResources ?? 0),
            r.wallMs === undefined ? "" : `${count(Math.round(r.wallMs))} ms${r.floorWallMs === undefined ? "" : ` / ${count(Math.round(r.floorWallMs))} ms`}`,
            r.peakRssMiB === undefined ? "" : `${count(Math.round(r.peakRssMiB))} MiB${r.floorPeakRssMiB === undefined ? "" : ` / ${count(Math.round(r.floorPeakRssMiB))} MiB`}`,
            r.flip === undefined ? "" : `${count(r.flip.changed)}${r.flip.onlyRoutes ? " HTTPRoutes" : ", not only HTTPRoutes"}`,
        ].join(" | "),
    );
    return [
        "| fleet | stack kind | stack | `PULUMI_CONFIG` | custom resources | evaluation, program / floor | peak RSS, program / floor | flip (greenWeight 0 → 30) changes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ...lines.map((line) => `| ${line} |`),
    ].join("\n");
}
