// Weight math: how greenWeight, per-cluster overrides and traffic shares turn into the numbers
// written to HTTPRoutes and Route53. Pure: no Pulumi import.

export interface ColorWeights {
    blue: number;
    green: number;
}

/** The green percentage on one cluster: its own override, else the stack's greenWeight. */
export function greenWeightFor(stackGreenWeight: number, cluster: { greenWeight?: number }): number {
    return cluster.greenWeight ?? stackGreenWeight;
}

export function colorWeights(greenWeight: number): ColorWeights {
    return { blue: 100 - greenWeight, green: greenWeight };
}

/**
 * Replicas a color runs. A color at weight 0 drops to idleReplicas only when the stack opts in and
 * no cohort sends it requests; with "full" every deployed color keeps its replicas, so a weight
 * change never touches a workload.
 */
export function replicasFor(replicas: number, weight: number, idleReplicas: number | "full", inCohort = false): number {
    if (weight > 0 || inCohort || idleReplicas === "full") return replicas;
    return Math.min(replicas, idleReplicas);
}

/** Route53 accepts weights from 0 to 255. */
export const ROUTE53_MAX_WEIGHT = 255;

function gcd(a: number, b: number): number {
    return b === 0 ? a : gcd(b, a % b);
}

/**
 * Relative cluster shares → Route53 weights. Shares of at most 255 are the weights themselves, so
 * the split is exact and changing one cluster's share rewrites only that cluster's records. Larger
 * shares are first divided by their greatest common divisor (still exact); if the largest is still
 * above 255 they are scaled so it becomes 255 and rounded to the nearest integer: a weight is then
 * within half a unit of exact, except that a positive share is kept at 1 or more.
 * A share of 0 always stays 0 (a drained cluster keeps its record at weight 0).
 */
export function route53Weights(shares: readonly number[]): number[] {
    if (shares.some((s) => !Number.isSafeInteger(s) || s < 0)) {
        throw new RangeError(`traffic shares must be integers >= 0, got ${JSON.stringify(shares)}`);
    }
    const divisor = shares.reduce(gcd, 0);
    if (divisor === 0) throw new RangeError("at least one traffic share must be above 0");
    if (Math.max(...shares) <= ROUTE53_MAX_WEIGHT) return [...shares];
    const reduced = shares.map((s) => s / divisor);
    const largest = Math.max(...reduced);
    if (largest <= ROUTE53_MAX_WEIGHT) return reduced;
    return reduced.map((s) => (s === 0 ? 0 : Math.max(1, Math.round((s * ROUTE53_MAX_WEIGHT) / largest))));
}

/** Fraction of answers each weight receives, as Route53 computes it (weight / sum). */
export function answerFractions(weights: readonly number[]): number[] {
    const total = weights.reduce((a, b) => a + b, 0);
    return weights.map((w) => (total === 0 ? 0 : w / total));
}
