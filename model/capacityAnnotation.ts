// Capacity as the program writes it onto each color's Deployment and the policy pack reads it back,
// and the one judgement both apply: can `replicas` pods, each sustaining `podRps`, serve `loadRps`
// within the target by the M/M/c model. Pure: imports only the queueing arithmetic beside it.

import { fewestServers, meetsTarget, queueMetrics, type CapacityTarget, type QueueMetrics } from "./queueing.ts";

export type { CapacityTarget, QueueMetrics } from "./queueing.ts";

/**
 * On a color's Deployment (metadata, never the pod template: it must not roll pods), JSON such as
 * `{"peakRps":120,"podRps":80,"maxWaitMs":50}`: the service's peak on one cluster, one pod's
 * sustainable rate, and exactly one of maxWaitMs or maxUtilization. Nothing in it depends on a weight.
 */
export const CAPACITY_ANNOTATION = "switchyard.io/capacity";

/** On an HTTPRoute: the color being released (`blue` or `green`); the other one is the stable color a rollback returns to. */
export const CANDIDATE_ANNOTATION = "switchyard.io/candidate";

export interface ServiceCapacity {
    /** Requests per second the service receives at peak on one cluster. */
    peakRps: number;
    /** Requests per second one pod sustains. */
    podRps: number;
}

export interface CapacityAnnotation extends ServiceCapacity {
    target: CapacityTarget;
}

export function encodeCapacity(capacity: ServiceCapacity, target: CapacityTarget): string {
    return JSON.stringify({ peakRps: capacity.peakRps, podRps: capacity.podRps, ...target });
}

function isPositive(value: unknown): value is number {
    return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** The annotation's content, or why it cannot be read. */
export function decodeCapacity(text: string): CapacityAnnotation | { problem: string } {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return { problem: "it is not JSON" };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "it is not a JSON object" };
    const { peakRps, podRps, maxWaitMs, maxUtilization } = value as Record<string, unknown>;
    if (!isPositive(peakRps) || !isPositive(podRps)) return { problem: "peakRps and podRps must be numbers above 0" };
    if ((maxWaitMs === undefined) === (maxUtilization === undefined)) return { problem: "it must hold exactly one of maxWaitMs and maxUtilization" };
    if (maxWaitMs !== undefined && !isPositive(maxWaitMs)) return { problem: "maxWaitMs must be a number above 0" };
    if (maxUtilization !== undefined && !(isPositive(maxUtilization) && maxUtilization < 1)) {
        return { problem: "maxUtilization must be a number above 0 and below 1" };
    }
    return { peakRps, podRps, target: maxWaitMs !== undefined ? { maxWaitMs: maxWaitMs as number } : { maxUtilization: maxUtilization as number } };
}

export interface ColorLoad {
    /** Requests per second sent to the color. */
    loadRps: number;
    /** Pods the color runs. */
    replicas: number;
    podRps: number;
    target: CapacityTarget;
}

export interface ColorJudgement {
    metrics: QueueMetrics;
    /** Fewest pods that serve the load within the target. */
    replicasNeeded: number;
    meetsTarget: boolean;
}

export function judgeColor(load: ColorLoad): ColorJudgement {
    const metrics = queueMetrics({ arrivalRate: load.loadRps, serviceRate: load.podRps, servers: load.replicas });
    return {
        metrics,
        replicasNeeded: fewestServers(load.loadRps, load.podRps, load.target),
        meetsTarget: meetsTarget(metrics, load.target),
    };
}

/** A number for a message: at most one decimal, none when whole. */
export function formatNumber(value: number): string {
    return String(Math.round(value * 10) / 10);
}

export function describeTarget(target: CapacityTarget): string {
    return "maxWaitMs" in target ? `maxWaitMs ${formatNumber(target.maxWaitMs)}` : `maxUtilization ${target.maxUtilization}`;
}

/** `utilization 75 %, mean wait 16.1 ms`, or that the pods cannot keep up at all. */
export function describeQueue(metrics: QueueMetrics): string {
    if (metrics.utilization === Infinity) return "no pod to serve it";
    const busy = `utilization ${formatNumber(metrics.utilization * 100)} %`;
    if (metrics.utilization >= 1) return `cannot keep up (${busy}): the queue grows without bound`;
    return `${busy}, mean wait ${formatNumber(metrics.meanWaitSeconds * 1000)} ms`;
}
