// Changes that do less, or more, than they look: said next to the plan, never refused (what the
// program refuses, the config check refuses). Pure: no Pulumi import.

import { replicasRunning } from "../components/capacity.ts";
import { COLORS, type ClusterSpec, type Color, type ServiceSpec, type StackModel } from "../components/config.ts";
import { cohortColorsOn } from "../components/cohorts.ts";
import { stableColorOf } from "../components/rollout.ts";
import { colorWeights, greenWeightFor } from "../components/traffic.ts";

function servesOn(model: StackModel, cluster: ClusterSpec, color: Color): number {
    return colorWeights(greenWeightFor(model.greenWeight, cluster))[color];
}

function takesTraffic(model: StackModel, service: ServiceSpec, cluster: ClusterSpec, color: Color): boolean {
    return servesOn(model, cluster, color) > 0 || cohortColorsOn(model.cohorts, service.name, cluster.name).includes(color);
}

/** What to tell an operator about moving from the stack as committed (`base`) to the stack as planned. */
export function planWarnings(base: StackModel, planned: StackModel): string[] {
    const warnings: string[] = [];
    const stable = stableColorOf(planned.rollout.candidate);
    // A rollback never waits for a scale-up: it lands on the pods the stable color runs now.
    if (typeof planned.idleReplicas === "number") {
        const idle = planned.services.flatMap((service) =>
            planned.clusters
                .filter((cluster) => service[stable] !== undefined && !takesTraffic(planned, service, cluster, stable))
                .map((cluster) => `${service.name} on ${cluster.name} (${replicasRunning(planned, service, cluster, stable)} of ${service.replicas})`),
        );
        if (idle.length > 0) {
            warnings.push(
                `idleReplicas ${planned.idleReplicas}: a rollback moves all traffic at once onto the stable color (${stable}), which runs ` +
                    `only its idle replicas on ${idle.join(", ")}; the rest start after the route has moved. ` +
                    `A services[].capacity block has the snap-back checked; idleReplicas full avoids it.`,
            );
        }
        for (const service of planned.services) {
            if (planned.idleReplicas > service.replicas) {
                warnings.push(`idleReplicas ${planned.idleReplicas} is above ${service.name}'s replicas (${service.replicas}): its idle color keeps all ${service.replicas}.`);
            }
        }
    }
    for (const service of planned.services) {
        const before = base.services.find((s) => s.name === service.name);
        if (before === undefined || service.replicas >= before.replicas) continue;
        const serving = planned.clusters.flatMap((cluster) =>
            COLORS.filter((color) => service[color] !== undefined && takesTraffic(planned, service, cluster, color)).map(
                (color) => `${color} on ${cluster.name} (${servesOn(planned, cluster, color)} %)`,
            ),
        );
        if (serving.length > 0) {
            warnings.push(
                `${service.name}: replicas ${before.replicas} → ${service.replicas} takes pods from colors that carry traffic: ${serving.join(", ")}. ` +
                    `Nothing holds this but a capacity block (services[].capacity).`,
            );
        }
    }
    for (const cluster of planned.clusters) {
        const was = base.clusters.find((c) => c.name === cluster.name);
        if (was === undefined) continue;
        const from = colorWeights(greenWeightFor(base.greenWeight, was))[stable];
        const to = colorWeights(greenWeightFor(planned.greenWeight, cluster))[stable];
        if (to > from) warnings.push(`${cluster.name}: ${stable} goes from ${from} % to ${to} %, a rollback to the stable color; the readiness gate never holds it.`);
    }
    // The API server prunes fields its CRD does not know (gateway-api added requestMirror.percent in
    // v1.3), and the program cannot see a cluster's CRD version: say so when the percent changes.
    const percent = planned.mirror?.percent ?? 0;
    if (percent > 0 && percent < 100 && percent !== (base.mirror?.percent ?? 0)) {
        warnings.push(
            `mirror.percent ${percent}: a cluster whose Gateway API CRDs are older than v1.3 drops percent without an error and copies ` +
                `100 % of the weighted rule's requests; check with kubectl get crd httproutes.gateway.networking.k8s.io ` +
                `-o jsonpath='{.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version}' on every cluster.`,
        );
    }
    return warnings;
}
