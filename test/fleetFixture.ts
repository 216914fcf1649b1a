// A temporary copy of the prod fleet (Pulumi.yaml, fleets/prod.yaml, its traffic and cluster stack
// files, app/ as the build context) with the drill's short analysis, for specs that let switchyard
// edit the stack files; optionally with a third cluster in the second wave, one stack at a time, or
// split by service group (web: storefront; backend: cart, checkout), a traffic shard and a stack per
// cluster for each, or cut down for the drill (test/drill.spec.ts): fewer services, no cohort, its
// own checks. Also fake metrics that answer as if each stack applied its own file's weight.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { InstantSample, RangeSeries } from "../cli/prometheus.ts";
import type { MetricsApi } from "../cli/switchyard/collect.ts";
import type { CommandIo } from "../cli/switchyard.ts";
import type { ColorHealth } from "./fakeMetrics.ts";
import { whenChanged } from "../devtools/drill/whenChanged.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** The groups of the grouped fixture, as its fleet file lists them. */
export const FIXTURE_GROUPS = [
    { name: "web", services: ["storefront"] },
    { name: "backend", services: ["cart", "checkout"] },
] as const;

export interface FleetProject {
    dir: string;
    fleetFile: string;
    stackFile(stack: string): string;
    /** The cluster stack that runs `service` on `cluster`: prod-<cluster>, or with groups prod-<cluster>-<group>. */
    stackOf(cluster: string, service: string): string;
    /** The candidate's (green's) weight in a stack file now. */
    weight(stack: string): number;
    /** The color the fleet file's beta cohort sends its users to now. */
    cohortColor(): string;
    remove(): void;
}

/** The prod fleet in a temporary project, which a rehearsal evaluates as its own (not this repository). */
export interface FleetProjectOptions {
    thirdCluster?: boolean;
    groups?: boolean;
    prometheusUrl?: string;
    /** Keep only these services of the fleet file (default: all three). */
    services?: string[];
    /** Keep the beta cohort on the candidate (default true). */
    cohorts?: boolean;
    /** rollout.analysis.checks (default: success-rate and latency-p99 at 300 ms). */
    checks?: unknown[];
    /** rollout.candidate (default green, as prod's fleet file says); blue starts every cluster stack at greenWeight 100. */
    candidate?: "blue" | "green";
}

/**
 * For a describe block: makes fleet projects (fleetProject) and removes each after its test. Call
 * it in the block's body, where it registers its afterEach.
 */
export function fleetProjects(): (options?: FleetProjectOptions) => FleetProject {
    const made: FleetProject[] = [];
    afterEach(() => made.splice(0).forEach((p) => p.remove()));
    return (options = {}) => {
        const p = fleetProject(options);
        made.push(p);
        return p;
    };
}

export function fleetProject(options: FleetProjectOptions = {}): FleetProject {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-fleet-"));
    cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    cpSync(join(ROOT, "app"), join(dir, "app"), { recursive: true, filter: (source) => !source.includes("node_modules") });
    const fleetFile = join(dir, "fleets/prod.yaml");
    const stackFile = (stack: string) => join(dir, `Pulumi.${stack}.yaml`);
    mkdirSync(join(dir, "fleets"), { recursive: true });
    const doc = parseDocument(readFileSync(join(ROOT, "fleets/prod.yaml"), "utf8"));
    doc.setIn(["rollout", "analysis"], {
        prometheus: { url: options.prometheusUrl ?? "http://127.0.0.1:1" },
        metrics: "app",
        interval: "2s",
        window: "4s",
        minRequests: 10,
        failureLimit: 2,
        checks: options.checks ?? ["success-rate", { name: "latency-p99", max: 300 }],
    });
    doc.setIn(["rollout", "waves", 0, "soak"], "6s");
    if (options.services) {
        const services = doc.get("services") as { items: { get(key: string): unknown }[] };
        services.items = services.items.filter((item) => options.services!.includes(String(item.get("name"))));
    }
    if (options.cohorts === false) doc.delete("cohorts");
    /** Each part's stack file as prod's has it: traffic and every cluster. */
    const parts = new Map(["traffic", "eks-use1", "gke-euw1"].map((part) => [part, readFileSync(join(ROOT, `Pulumi.prod-${part}.yaml`), "utf8")]));
    if (options.thirdCluster) {
        const gke = (doc.toJS().clusters as Record<string, unknown>[]).find((c) => c.name === "gke-euw1")!;
        doc.addIn(["clusters"], { ...gke, name: "aks-weu", context: "aks-weu", hostnames: ["aks-weu.shop.example.com"] });
        doc.addIn(["rollout", "waves", 1, "clusters"], "aks-weu");
        doc.setIn(["rollout", "waves", 1, "parallel"], 1);
        parts.set("aks-weu", parts.get("gke-euw1")!.replaceAll("gke-euw1", "aks-weu"));
    }
    if (options.groups) doc.set("groups", FIXTURE_GROUPS.map((g) => ({ name: g.name, services: [...g.services] })));
    if (options.candidate === "blue") {
        doc.setIn(["rollout", "candidate"], "blue");
        for (const [part, text] of parts) parts.set(part, text.replace("switchyard:greenWeight: 0", "switchyard:greenWeight: 100"));
    }
    for (const [part, text] of parts) {
        if (!options.groups) {
            writeFileSync(stackFile(`prod-${part}`), text);
            continue;
        }
        for (const group of FIXTURE_GROUPS) writeFileSync(stackFile(`prod-${part}-${group.name}`), text.replace(`switchyard:scope: ${part}`, `switchyard:scope: ${part}/${group.name}`));
    }
    writeFileSync(fleetFile, doc.toString());
    const groupOf = (service: string) => FIXTURE_GROUPS.find((g) => (g.services as readonly string[]).includes(service))!.name;
    return {
        dir,
        fleetFile,
        stackFile,
        stackOf: (cluster, service) => (options.groups ? `prod-${cluster}-${groupOf(service)}` : `prod-${cluster}`),
        weight: (stack) => Number(valueIn(stackFile(stack), ["config", "switchyard:greenWeight"]) ?? 0),
        cohortColor: () => String(valueIn(fleetFile, ["cohorts", 0, "color"])),
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
}

/**
 * A value of a YAML file as it is now, parsed again only when its text changed: the fakes ask at
 * every query, and parsing the fleet file each time made one rollout spec take a minute.
 */
const documentIn = whenChanged((text) => parseDocument(text));
function valueIn(file: string, path: readonly (string | number)[]): unknown {
    return documentIn(file).getIn(path);
}

/**
 * Each cluster stack answers as if it applied its own file's weight from the moment this fake first
 * saw it there (read at every query, on the command's clock), so a step is live only from then on:
 * a soak is waited for, not read off a history that was never there. `health` may change over time.
 * With `cohortRequests`, green also gets that many requests per sample while the fleet file aims the
 * beta cohort at green (from the moment this fake saw it there), at any weight.
 */
export function fleetMetrics(
    project: FleetProject,
    now: () => Date,
    health: (cluster: string) => { blue: ColorHealth; green: ColorHealth },
    options: { cohortRequests?: number } = {},
): MetricsApi & { queries: string[]; observe(stack: string): void } {
    const queries: string[] = [];
    const history = new Map<string, { since: number; weight: number; cohort: boolean }[]>();
    const cohortRequests = options.cohortRequests ?? 0;
    const observe = (stack: string) => {
        const changes = history.get(stack) ?? [{ since: -Infinity, weight: 0, cohort: project.cohortColor() === "green" }];
        const current = project.weight(stack);
        const cohort = project.cohortColor() === "green";
        const last = changes.at(-1)!;
        if (last.weight !== current || last.cohort !== cohort) changes.push({ since: now().getTime() / 1000, weight: current, cohort });
        history.set(stack, changes);
        return changes;
    };
    const answer = (promql: string, time: number): number | undefined => {
        queries.push(promql);
        const cluster = /cluster="([^"]+)"/.exec(promql)?.[1];
        const service = /service="([^"]+)"/.exec(promql)?.[1];
        const color = /color="(blue|green)"/.exec(promql)?.[1] as "blue" | "green" | undefined;
        if (!cluster || !service || !color) throw new Error(`the fake answers the app preset's queries only: ${promql}`);
        const changes = observe(project.stackOf(cluster, service));
        const { weight, cohort } = changes.filter((c) => c.since <= time).at(-1)!;
        // The beta cohort's requests go to green while the fleet file aims it there, whatever the weight.
        const requests = 100_000 * (color === "green" ? weight / 100 : 1 - weight / 100) + (color === "green" && cohort ? cohortRequests : 0);
        if (requests === 0) return undefined;
        if (promql.startsWith("sum(increase(http_requests_total")) return requests;
        if (promql.startsWith("100 * (sum(increase(http_requests_total")) return health(cluster)[color].successRate;
        if (promql.startsWith("sum(increase(http_request_duration_seconds_count")) return requests;
        if (promql.startsWith("100 * (sum(increase(http_request_duration_seconds_count")) return health(cluster)[color].slowPercent;
        throw new Error(`no fake answer for ${promql}`);
    };
    return {
        queries,
        observe: (stack) => void observe(stack),
        async query(promql: string, time?: number): Promise<InstantSample[]> {
            const value = answer(promql, time ?? now().getTime() / 1000);
            return value === undefined ? [] : [{ labels: {}, value }];
        },
        async queryRange(promql: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
            const values = new Map<number, number>();
            for (let time = start; time <= end; time += step) {
                const value = answer(promql, time);
                if (value !== undefined) values.set(time, value);
            }
            return values.size === 0 ? [] : [{ labels: {}, values }];
        },
        // Every cluster runs the demo app, so its counter is there; no other label is asked.
        async labelValues(name: string, match: string): Promise<string[]> {
            if (name === "__name__") return match === "http_requests_total" ? [match] : [];
            throw new Error(`the fleet's fake knows no values of label ${name} (asked on ${match})`);
        },
    };
}

/** A clock that moves only when the command sleeps; `onSleep` runs after each simulated second. */
export function fleetIo(onSleep: () => void | Promise<void> = () => {}): CommandIo & { lines: string[]; errors: string[]; slept: number } {
    let clock = Date.parse("2026-05-01T10:00:00Z");
    const io = {
        lines: [] as string[],
        errors: [] as string[],
        slept: 0,
        out: (line: string) => io.lines.push(line),
        err: (line: string) => io.errors.push(line),
        progress: () => {},
        now: () => new Date(clock),
        sleep: async (ms: number) => {
            clock += ms;
            io.slept += ms;
            if (io.slept > 600_000) throw new Error("still waiting after 600 simulated seconds");
            await onSleep();
        },
    };
    return io;
}
