// `switchyard:scope`, and the fleet file's `groups` and `rollout.waves`: which part of the fleet a
// stack holds, the service groups that split a crowded cluster's stack, and the waves a release
// walks the clusters in. Stack names follow from them (`<fleet>-traffic`, `<fleet>-<cluster>`,
// `<fleet>-<cluster>-<group>`). Pure.

import { parseDuration } from "../rollout.ts";
import { ObjectReader, isPlainObject, parseStructured, type Problems } from "../validation.ts";
import { PROJECT } from "./keys.ts";
import { DNS_LABEL } from "./patterns.ts";
import type { FleetSpec, GroupSpec, Scope, StackModel, WaveSpec } from "./types.ts";

const SCOPE_KEY = `${PROJECT}:scope`;
const GROUP_KEYS = ["name", "services"] as const;
const WAVE_KEYS = ["name", "clusters", "parallel", "soak", "approval"] as const;
const SCOPE_TEXT = /^(all|traffic|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9]*[a-z0-9])?)?)$/;

/** The scope as written; whether the cluster and group exist is checked against the fleet afterwards. */
export function readScope(raw: string | undefined, problems: Problems): Scope {
    if (raw === undefined || raw === "all") return { kind: "all" };
    if (!SCOPE_TEXT.test(raw)) {
        problems.add(SCOPE_KEY, raw, `"all" (the whole fleet in one stack), "traffic" (what spans clusters), a cluster's name, or <cluster>/<group> and traffic/<group> in a grouped fleet`);
        return { kind: "all" };
    }
    const [cluster, group] = raw.split("/") as [string, string | undefined];
    if (cluster === "traffic") return group === undefined ? { kind: "traffic" } : { kind: "traffic", group };
    return group === undefined ? { kind: "cluster", cluster } : { kind: "cluster", cluster, group };
}

/** The fleet file's `groups`: each a name and the services it holds. */
export function readGroups(raw: string | undefined, file: string, problems: Problems): GroupSpec[] {
    if (raw === undefined) return [];
    const path = `${PROJECT}:groups`;
    const value = parseStructured(path, raw, problems, "a YAML list");
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, value, `a non-empty list of groups in ${file}, each with a name and its services`);
        return [];
    }
    return value.flatMap((item, i) => {
        if (!isPlainObject(item)) {
            problems.add(`${path}[${i}]`, item, "an object with name and services");
            return [];
        }
        const group = new ObjectReader(item, `${path}[${i}]`, problems, GROUP_KEYS);
        return [
            {
                name: group.string("name", "a lowercase DNS label (it names the stacks <fleet>-<cluster>-<group>)", { pattern: DNS_LABEL }) ?? "",
                services: group.stringList("services", "a non-empty list of service names", { minItems: 1 }),
            },
        ];
    });
}

/** The fleet file's `rollout.waves`: ordered groups of clusters; `stacksPerCluster` (one per group) sizes a wave's default parallel. */
export function readWaves(rawRollout: string | undefined, problems: Problems, stacksPerCluster: number): WaveSpec[] | undefined {
    if (rawRollout === undefined) return undefined;
    let rollout: unknown;
    try {
        rollout = JSON.parse(rawRollout);
    } catch {
        return undefined; // the rollout reader reports what does not parse
    }
    if (!isPlainObject(rollout) || rollout.waves === undefined || rollout.waves === null) return undefined;
    const path = `${PROJECT}:rollout.waves`;
    const value = rollout.waves;
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, value, "a non-empty list of waves, each with a name and its clusters");
        return [];
    }
    return value.flatMap((item, i): WaveSpec[] => {
        if (!isPlainObject(item)) {
            problems.add(`${path}[${i}]`, item, "an object with name, clusters, and optional parallel, soak and approval");
            return [];
        }
        const wave = new ObjectReader(item, `${path}[${i}]`, problems, WAVE_KEYS);
        const clusters = wave.stringList("clusters", "a non-empty list of cluster names", { minItems: 1 });
        const soak = wave.raw("soak");
        const soakSeconds = soak === undefined || soak === null || soak === "0" || soak === 0 ? 0 : typeof soak === "string" ? parseDuration(soak) : undefined;
        if (soakSeconds === undefined) wave.problem("soak", "a duration such as 10m or 1h30m (how long the wave stays healthy before the next wave moves), or 0");
        const approval = wave.raw("approval");
        if (approval !== undefined && approval !== null && typeof approval !== "boolean") {
            wave.problem("approval", "true (the wave waits for switchyard approve before each step) or false");
        }
        return [
            {
                name: wave.string("name", "a lowercase DNS label, e.g. canary", { pattern: DNS_LABEL }) ?? "",
                clusters,
                parallel: wave.integer("parallel", { min: 1, meaning: "stacks of the wave that update at once" }, Math.max(1, clusters.length * stacksPerCluster)),
                soakSeconds: soakSeconds ?? 0,
                approval: approval === true,
            },
        ];
    });
}

/** The stack a fleet gives a scope: `prod-traffic`, `prod-eks-use1`, `prod-eks-use1-web`. */
export function stackNameFor(fleet: string, scope: Scope): string {
    if (scope.kind === "all") return fleet;
    if (scope.kind === "traffic") return scope.group === undefined ? `${fleet}-traffic` : `${fleet}-traffic-${scope.group}`;
    return scope.group === undefined ? `${fleet}-${scope.cluster}` : `${fleet}-${scope.cluster}-${scope.group}`;
}

/** The services a stack holds: every one, or its group's. */
export function servicesInScope<T extends { name: string }>(services: readonly T[], scope: Scope, groups: readonly GroupSpec[]): T[] {
    if (scope.kind === "all" || scope.group === undefined) return [...services];
    const members = new Set(groups.find((g) => g.name === scope.group)?.services ?? []);
    return services.filter((s) => members.has(s.name));
}

/** The clusters a stack deploys to: every one, its own, or none for a traffic stack (which holds only what spans them). */
export function clustersInScope<T extends { name: string }>(clusters: readonly T[], scope: Scope): T[] {
    if (scope.kind === "all") return [...clusters];
    return scope.kind === "cluster" ? clusters.filter((c) => c.name === scope.cluster) : [];
}

/** The model cut to what its stack deploys: its clusters and its group's services (what capacity and the plan's warnings are about). */
export function modelInScope(model: StackModel): StackModel {
    return { ...model, clusters: clustersInScope(model.clusters, model.scope), services: servicesInScope(model.services, model.scope, model.fleet?.groups ?? []) };
}

/** Every cross-field rule of scope, groups and waves; `stackName` is checked when the environment knows it. */
export function checkFleetScope(model: Pick<StackModel, "scope" | "fleet" | "clusters" | "services">, problems: Problems, stackName: string | undefined): void {
    const { scope, fleet } = model;
    const clusterNames = model.clusters.map((c) => c.name);
    if (!fleet) {
        if (scope.kind !== "all") {
            problems.add(SCOPE_KEY, scopeText(scope), `"all" while ${PROJECT}:fleet is unset: the stacks of a split fleet share one fleet file`);
        }
        return;
    }
    if (scope.kind === "cluster") {
        const ci = clusterNames.indexOf(scope.cluster);
        if (ci === -1) {
            problems.add(SCOPE_KEY, scopeText(scope), `"all", "traffic", or a cluster of ${fleet.file}: ${clusterNames.join(", ")}`);
        } else if (model.clusters[ci]!.greenWeight !== undefined) {
            problems.add(
                `${PROJECT}:clusters[${ci}].greenWeight`,
                model.clusters[ci]!.greenWeight,
                `nothing while ${stackNameFor(fleet.name, scope)} holds ${scope.cluster}: the cluster stack's own ${PROJECT}:greenWeight is this cluster's weight`,
            );
        }
    }
    if (scope.kind !== "all") {
        const prefix = scope.kind === "traffic" ? "traffic" : scope.cluster;
        const part = scope.kind === "traffic" ? "the traffic stack's services (ECR, DNS)" : "a cluster's services";
        if (scope.group === undefined && fleet.groups.length > 0) {
            problems.add(SCOPE_KEY, scopeText(scope), `${prefix}/<group> (${fleet.groups.map((g) => `${prefix}/${g.name}`).join(", ")}): with groups in ${fleet.file}, ${part} live in its group stacks`);
        } else if (scope.group !== undefined && !fleet.groups.some((g) => g.name === scope.group)) {
            const known = fleet.groups.map((g) => g.name);
            problems.add(SCOPE_KEY, scopeText(scope), known.length > 0 ? `${prefix}/<group> with a group of ${fleet.file}: ${known.join(", ")}` : `${prefix} without /<group>: ${fleet.file} defines no groups`);
        }
    }
    checkGroups(fleet, model.services.map((s) => s.name), problems);
    checkStackNames(fleet, clusterNames, problems);
    checkWaves(fleet, clusterNames, problems);
    const expected = stackNameFor(fleet.name, scope);
    if (stackName !== undefined && stackName !== expected && scope.kind !== "all") {
        problems.add(SCOPE_KEY, scopeText(scope), `the scope of this stack's name (${stackName}); ${fleet.file} names the stack for ${scopeText(scope)} ${expected}`);
    }
}

/** A scope as `switchyard:scope` writes it: all, traffic, traffic/web, eks-use1, eks-use1/web. */
export function scopeText(scope: Scope): string {
    if (scope.kind === "all") return "all";
    const name = scope.kind === "traffic" ? "traffic" : scope.cluster;
    return scope.group === undefined ? name : `${name}/${scope.group}`;
}

function checkGroups(fleet: FleetSpec, services: string[], problems: Problems): void {
    if (fleet.groups.length === 0) return;
    const seenGroup = new Set<string>();
    const owner = new Map<string, string>();
    fleet.groups.forEach((group, gi) => {
        if (group.name !== "" && seenGroup.has(group.name)) problems.add(`${PROJECT}:groups[${gi}].name`, group.name, "a name no other group has");
        seenGroup.add(group.name);
        group.services.forEach((service, si) => {
            const at = `${PROJECT}:groups[${gi}].services[${si}]`;
            if (!services.includes(service)) problems.add(at, service, `a service of ${fleet.file}: ${services.join(", ")}`);
            else if (owner.has(service)) problems.add(at, service, `a service in no other group (group ${owner.get(service)} holds it)`);
            else owner.set(service, group.name);
        });
    });
    const left = services.filter((s) => s !== "" && !owner.has(s));
    if (left.length > 0) problems.add(`${PROJECT}:groups`, left, "groups that hold every service: these are in none, so no stack would deploy them");
}

/**
 * Every stack of the fleet gets a name of its own (`prod-traffic-web` is the web group's traffic
 * shard, so no cluster may make it too), and no cluster is named like a scope word.
 */
function checkStackNames(fleet: FleetSpec, clusters: string[], problems: Problems): void {
    const groups = [...new Set(fleet.groups.map((g) => g.name).filter((g) => g !== ""))];
    const parts: (string | undefined)[] = groups.length > 0 ? groups : [undefined];
    const holder = new Map<string, string>();
    for (const group of parts) {
        const scope: Scope = group === undefined ? { kind: "traffic" } : { kind: "traffic", group };
        holder.set(stackNameFor(fleet.name, scope), scopeText(scope));
    }
    const seen = new Set<string>();
    clusters.forEach((cluster, ci) => {
        // A repeated or missing name has its problem line already.
        if (cluster === "" || seen.has(cluster)) return;
        seen.add(cluster);
        const at = `${PROJECT}:clusters[${ci}].name`;
        if (cluster === "all" || cluster === "traffic") {
            problems.add(at, cluster, `a name other than all and traffic in a fleet: ${SCOPE_KEY} reads those as the whole fleet and its traffic stack`);
            return;
        }
        for (const group of parts) {
            const scope: Scope = group === undefined ? { kind: "cluster", cluster } : { kind: "cluster", cluster, group };
            const stack = stackNameFor(fleet.name, scope);
            const other = holder.get(stack);
            if (other !== undefined) {
                problems.add(at, cluster, `a name whose stacks no other part of ${fleet.file} has: ${stack} would be the stack of both ${scopeText(scope)} and ${other}`);
                return;
            }
            holder.set(stack, scopeText(scope));
        }
    });
}

function checkWaves(fleet: FleetSpec, clusters: string[], problems: Problems): void {
    const inWave = new Map<string, string>();
    const names = new Set<string>();
    fleet.waves.forEach((wave, wi) => {
        if (wave.name !== "" && names.has(wave.name)) problems.add(`${PROJECT}:rollout.waves[${wi}].name`, wave.name, "a name no other wave has");
        names.add(wave.name);
        wave.clusters.forEach((cluster, ci) => {
            const at = `${PROJECT}:rollout.waves[${wi}].clusters[${ci}]`;
            if (!clusters.includes(cluster)) problems.add(at, cluster, `a cluster of ${fleet.file}: ${clusters.join(", ")}`);
            else if (inWave.has(cluster)) problems.add(at, cluster, `a cluster in no other wave (wave ${inWave.get(cluster)} holds it)`);
            else inWave.set(cluster, wave.name);
        });
    });
    const left = clusters.filter((c) => c !== "" && !inWave.has(c));
    if (fleet.waves.length > 0 && left.length > 0) {
        problems.add(`${PROJECT}:rollout.waves`, fleet.waves.map((w) => w.name), `waves that hold every cluster; not in any: ${left.join(", ")}`);
    }
}
