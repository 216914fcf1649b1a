// Capacity for every share: each color of each service on each cluster is an M/M/c queue (arrivals
// = the service's peak × the color's weight, servers = the pods it runs, each serving podRps), and
// must meet `switchyard:capacity` at its share; the stable color must also take 100 % at once on the
// pods it runs now, since a rollback's snap-back does not wait for a scale-up. Config readers, the
// check that refuses a stack before any resource, rows for the plan, and the Deployment annotations
// the policy pack judges again. Pure: no Pulumi import; the arithmetic is the policy pack's own.

import {
    CAPACITY_ANNOTATION,
    describeQueue,
    describeTarget,
    encodeCapacity,
    formatNumber,
    judgeColor,
    type CapacityTarget,
    type ColorJudgement,
    type ServiceCapacity,
} from "./capacityAnnotation.ts";
import { fewestServers } from "./queueing.ts";
import { cohortColorsOn } from "./cohorts.ts";
import { proportionalReplicas } from "./gate.ts";
import type { ClusterSpec, Color, ServiceSpec, StackModel } from "./config/types.ts";
import { colorWeights, greenWeightFor, replicasFor } from "./traffic.ts";
import { ObjectReader, Problems, isPlainObject, parseStructured } from "./validation.ts";

export type { CapacityTarget, ServiceCapacity } from "./capacityAnnotation.ts";

/**
 * A mean wait in queue of at most 50 ms at peak. The default judges by the queueing model, not by a
 * utilization rule of thumb: the wait is what users feel, and the model lets many pods run busier
 * than few for the same wait. 50 ms is a tenth of the 500 ms p99 latency Flagger checks by default,
 * leaving the rest to the service time and the tail.
 */
export const DEFAULT_CAPACITY_TARGET: CapacityTarget = { maxWaitMs: 50 };

const TARGET_KEYS = ["maxWaitMs", "maxUtilization"] as const;
const SERVICE_CAPACITY_KEYS = ["peakRps", "podRps"] as const;
const CAPACITY_KEY = "switchyard:capacity";
const TARGET_ALLOWED = "an object with exactly one of maxWaitMs (mean wait in queue at peak, in ms) or maxUtilization (share of time pods are busy at peak, below 1)";

const COLORS: readonly Color[] = ["blue", "green"];

/** Accepts a JSON number or a numeric string (stack files often quote numbers). */
function asNumber(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^[0-9]+(\.[0-9]+)?$/.test(value)) return Number(value);
    return undefined;
}

/** `switchyard:capacity`: the target every color must meet; DEFAULT_CAPACITY_TARGET when unset. */
export function readCapacityTarget(raw: string | undefined, problems: Problems): CapacityTarget {
    if (raw === undefined) return DEFAULT_CAPACITY_TARGET;
    const value = parseStructured(CAPACITY_KEY, raw, problems, "a YAML object");
    if (value === undefined) return DEFAULT_CAPACITY_TARGET;
    if (!isPlainObject(value)) {
        problems.add(CAPACITY_KEY, value, TARGET_ALLOWED);
        return DEFAULT_CAPACITY_TARGET;
    }
    const r = new ObjectReader(value, CAPACITY_KEY, problems, TARGET_KEYS);
    if (r.has("maxWaitMs") === r.has("maxUtilization")) {
        if (Object.keys(value).every((key) => (TARGET_KEYS as readonly string[]).includes(key))) problems.add(CAPACITY_KEY, value, TARGET_ALLOWED);
        return DEFAULT_CAPACITY_TARGET;
    }
    if (r.has("maxWaitMs")) {
        const wait = asNumber(r.raw("maxWaitMs"));
        if (wait === undefined || wait <= 0) {
            r.problem("maxWaitMs", "a number of milliseconds above 0: the mean time a request may wait for a pod at peak");
            return DEFAULT_CAPACITY_TARGET;
        }
        return { maxWaitMs: wait };
    }
    const busy = asNumber(r.raw("maxUtilization"));
    if (busy === undefined || busy <= 0 || busy >= 1) {
        r.problem("maxUtilization", "a number above 0 and below 1, e.g. 0.7: the share of time pods may be busy at peak");
        return DEFAULT_CAPACITY_TARGET;
    }
    return { maxUtilization: busy };
}

/** `services[].capacity`, read from the service's reader; undefined when the service sets none. */
export function readServiceCapacity(service: ObjectReader): ServiceCapacity | undefined {
    const c = service.object("capacity", SERVICE_CAPACITY_KEYS, { required: false, allowed: "an object {peakRps, podRps}" });
    if (!c) return undefined;
    const rate = (key: (typeof SERVICE_CAPACITY_KEYS)[number], allowed: string) => {
        const n = asNumber(c.raw(key));
        if (n === undefined || n <= 0) {
            c.problem(key, allowed);
            return undefined;
        }
        return n;
    };
    const peakRps = rate("peakRps", "a number above 0: requests per second the service receives at peak on one cluster");
    const podRps = rate("podRps", "a number above 0: requests per second one pod sustains");
    return peakRps === undefined || podRps === undefined ? undefined : { peakRps, podRps };
}

/**
 * Pods a color runs on a cluster: its full replicas while it takes weighted or cohort traffic,
 * otherwise what idleReplicas leaves it (replicasFor in traffic.ts).
 */
export function replicasRunning(model: Pick<StackModel, "greenWeight" | "idleReplicas" | "cohorts">, service: ServiceSpec, cluster: ClusterSpec, color: Color): number {
    const inCohort = cohortColorsOn(model.cohorts, service.name, cluster.name).includes(color);
    return replicasFor(service.replicas, colorWeights(greenWeightFor(model.greenWeight, cluster))[color], model.idleReplicas, inCohort);
}

export interface CapacityEstimate {
    loadRps: number;
    utilization: number;
    /** Infinity when the pods cannot keep up. */
    meanWaitMs: number;
    waitProbability: number;
    replicasNeeded: number;
    meetsTarget: boolean;
}

/** One color of one service on one cluster, as the model sees it: for the plan table. */
export interface CapacityRow extends CapacityEstimate {
    service: string;
    cluster: string;
    color: Color;
    /** The candidate is being released; the stable color is what a rollback returns to. */
    role: "candidate" | "stable";
    /** Percent of the service's weighted traffic on this cluster. */
    weight: number;
    replicas: number;
    /** Stable color only: the same at 100 % of the peak on the replicas it runs now. */
    snapBack?: CapacityEstimate;
}

function estimate(loadRps: number, judgement: ColorJudgement): CapacityEstimate {
    const { metrics } = judgement;
    return {
        loadRps,
        utilization: metrics.utilization,
        meanWaitMs: metrics.meanWaitSeconds * 1000,
        waitProbability: metrics.waitProbability,
        replicasNeeded: judgement.replicasNeeded,
        meetsTarget: judgement.meetsTarget,
    };
}

interface Evaluation {
    serviceIndex: number;
    service: ServiceSpec & { capacity: ServiceCapacity };
    cluster: ClusterSpec;
    row: CapacityRow;
}

function evaluate(model: StackModel, candidate: Color): Evaluation[] {
    const evaluations: Evaluation[] = [];
    model.services.forEach((service, serviceIndex) => {
        const capacity = service.capacity;
        if (capacity === undefined) return;
        for (const cluster of model.clusters) {
            const weights = colorWeights(greenWeightFor(model.greenWeight, cluster));
            for (const color of COLORS.filter((c) => service[c] !== undefined)) {
                const replicas = replicasRunning(model, service, cluster, color);
                const judge = (loadRps: number) => estimate(loadRps, judgeColor({ loadRps, replicas, podRps: capacity.podRps, target: model.capacity }));
                const role = color === candidate ? "candidate" : "stable";
                const row: CapacityRow = {
                    service: service.name,
                    cluster: cluster.name,
                    color,
                    role,
                    weight: weights[color],
                    replicas,
                    ...judge((capacity.peakRps * weights[color]) / 100),
                    ...(role === "stable" ? { snapBack: judge(capacity.peakRps) } : {}),
                };
                evaluations.push({ serviceIndex, service: { ...service, capacity }, cluster, row });
            }
        }
    });
    return evaluations;
}

/** Per service with a capacity block, cluster and deployed color: load, pods, utilization, wait, and pods needed. */
export function capacityRows(model: StackModel, candidate: Color): CapacityRow[] {
    return evaluate(model, candidate).map((e) => e.row);
}

function pods(count: number): string {
    return `${count} pod${count === 1 ? "" : "s"}`;
}

/**
 * Refuses, one line per service × cluster × color, a color that cannot serve its share within the
 * target, and a stable color that could not take the whole peak at once. The line names the key to
 * change (the service's replicas, or idleReplicas when that is what the color runs), the pods it
 * has and the pods it needs.
 */
export function checkCapacity(model: StackModel, candidate: Color, problems: Problems): void {
    for (const { serviceIndex, service, cluster, row } of evaluate(model, candidate)) {
        const failing = row.snapBack ?? row;
        if (failing.meetsTarget) continue;
        const { peakRps, podRps } = service.capacity;
        const load =
            row.snapBack === undefined
                ? `which takes ${row.weight} % of peakRps ${formatNumber(peakRps)} = ${formatNumber(failing.loadRps)} rps`
                : `the stable color, which takes all of peakRps ${formatNumber(peakRps)} rps at once when a rollback snaps traffic back`;
        const queue = describeQueue({
            offeredLoad: failing.loadRps / podRps,
            utilization: failing.utilization,
            waitProbability: failing.waitProbability,
            meanWaitSeconds: failing.meanWaitMs / 1000,
        });
        const idle = row.replicas !== service.replicas;
        problems.add(
            idle ? "switchyard:idleReplicas" : `switchyard:services[${serviceIndex}].replicas`,
            idle ? model.idleReplicas : service.replicas,
            `at least ${failing.replicasNeeded} for ${service.name}'s ${row.color} on cluster ${cluster.name}, ${load}: ` +
                `${pods(row.replicas)} at podRps ${formatNumber(podRps)}: ${queue} (switchyard:capacity ${describeTarget(model.capacity)})`,
        );
    }
}

/**
 * Available pods a color needs before it may take `sharePercent` of a service's traffic on a
 * cluster: by the model when the service has a capacity block, else the same fraction of its
 * replicas, rounded up.
 */
export function replicasNeededForShare(service: Pick<ServiceSpec, "replicas" | "capacity">, sharePercent: number, target: CapacityTarget): number {
    if (service.capacity === undefined) return proportionalReplicas(service.replicas, sharePercent);
    return fewestServers((service.capacity.peakRps * sharePercent) / 100, service.capacity.podRps, target);
}

/**
 * Annotations for the metadata of each color's Deployment (not its pod template), so that the policy
 * pack judges what the program judged. Empty for a service without a capacity block.
 */
export function capacityAnnotations(service: Pick<ServiceSpec, "capacity">, target: CapacityTarget): Record<string, string> {
    return service.capacity === undefined ? {} : { [CAPACITY_ANNOTATION]: encodeCapacity(service.capacity, target) };
}
