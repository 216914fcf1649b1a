// Changes that do less, or more, than they look: said next to the plan, never refused (what the
// program refuses, the config check refuses). Pure: no Pulumi import.

import { replicasRunning } from "../model/capacity.ts";
import { COLORS, type ClusterSpec, type Color, type ServiceSpec, type StackModel } from "../model/config/types.ts";
import { cohortColorsOn, cohortsOn } from "../model/cohorts.ts";
import { stableColorOf } from "../model/rollout.ts";
import { colorWeights, greenWeightFor } from "../model/traffic.ts";
import { closest } from "../model/validation.ts";

function servesOn(model: StackModel, cluster: ClusterSpec, color: Color): number {
    return colorWeights(greenWeightFor(model.greenWeight, cluster))[color];
}

function takesTraffic(model: StackModel, service: ServiceSpec, cluster: ClusterSpec, color: Color): boolean {
    return servesOn(model, cluster, color) > 0 || cohortColorsOn(model.cohorts, service.name, cluster.name).includes(color);
}

/** A color's traffic as a person reads it: its weight, and the cohorts that send to it whatever the weight. */
function trafficOf(model: StackModel, service: ServiceSpec, cluster: ClusterSpec, color: Color): string {
    const cohorts = cohortsOn(model.cohorts, service.name, cluster.name).filter((c) => c.color === color).map((c) => `cohort ${c.name}`);
    return [`${servesOn(model, cluster, color)} %`, ...cohorts].join(", ");
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
                (color) => `${color} on ${cluster.name} (${trafficOf(planned, service, cluster, color)})`,
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
        if (was.namespace !== cluster.namespace) warnings.push(namespaceChange(base, cluster, was.namespace, planned.clusters.indexOf(cluster)));
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

/**
 * A cluster's namespace change replaces every switchyard object on it: what happens to traffic
 * meanwhile, what must be ready first, and a did-you-mean when the new name is a typo of the old.
 */
function namespaceChange(base: StackModel, cluster: ClusterSpec, from: string, index: number): string {
    const key = `clusters[${index}].namespace`;
    const typo = closest(cluster.namespace, [from]) === from ? ` Did you mean "${from}"? "${cluster.namespace}" is a near miss of the current namespace.` : "";
    const prepared = cluster.createNamespace
        ? `switchyard creates namespace "${cluster.namespace}" and deletes "${from}" at the end of the update`
        : `namespace "${cluster.namespace}" must exist first (createNamespace: false)${cluster.imagePullSecrets.length > 0 ? `, with the pull secret(s) ${cluster.imagePullSecrets.join(", ")} in it` : ""}`;
    return (
        `${cluster.name}: ${key} "${from}" → "${cluster.namespace}" replaces every switchyard object on the cluster ` +
        `(${base.services.length} service(s): Deployments, Services, HTTPRoutes), shown as +- below.${typo} ` +
        `Traffic meanwhile: Pulumi creates each new object before it deletes the old one, and the new routes wait for their colors' pods; ` +
        `while both routes claim the same hostnames the Gateway keeps serving the older route (Gateway API gives a conflict to the oldest), ` +
        `so requests stay on the pods in "${from}" until its routes are deleted at the end of the update, then go to "${cluster.namespace}" at the same weights. ` +
        `Before applying: the Gateway's listener must allow routes from "${cluster.namespace}" (allowedRoutes.namespaces), or the new routes are ` +
        `never Accepted and the update fails with the old ones still serving; ${prepared}.`
    );
}

const KUBERNETES_TYPE = /^kubernetes:/;

/**
 * Why the Kubernetes provider replaces an object rather than updating it: a new name or namespace
 * (both are immutable in the API). Undefined for an update in place. `before` and `after` are the
 * resource's inputs as the plan diffs them.
 */
export function replacementOf(type: string, before: unknown, after: unknown): string | undefined {
    if (!KUBERNETES_TYPE.test(type)) return undefined;
    const metadata = (inputs: unknown) => ((inputs as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata ?? {});
    const changed = (["namespace", "name"] as const).filter((field) => JSON.stringify(metadata(before)[field]) !== JSON.stringify(metadata(after)[field]));
    if (changed.length === 0) return undefined;
    return changed.map((field) => `metadata.${field} ${JSON.stringify(metadata(before)[field]) ?? "(none)"} → ${JSON.stringify(metadata(after)[field]) ?? "(none)"}`).join(", ");
}

/** Names that usually hold credentials: a value under one of them belongs in a secret. */
const SECRET_NAME = /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

/**
 * A hint for each env value given in plaintext under a name that looks like a secret's. A warning,
 * not a refusal: the name is only a guess (TOKEN_URL and PASSWORD_MIN_LENGTH are plain
 * settings), and the value is already in the stack file's history by the time anyone reads this.
 * `config` is the stack file's config as written (full keys), where a secret is `{secure: ...}`.
 */
export function secretLookingEnv(config: Readonly<Record<string, unknown>>, project: string): string[] {
    const services = config[`${project}:services`];
    if (!Array.isArray(services)) return [];
    return services.flatMap((service, index) => {
        const env = (service as { env?: unknown } | null)?.env;
        if (typeof env !== "object" || env === null || Array.isArray(env)) return [];
        return Object.entries(env as Record<string, unknown>)
            .filter(([name, value]) => SECRET_NAME.test(name) && !(typeof value === "object" && value !== null && "secure" in value))
            .map(([name]) => {
                const path = `services[${index}].env.${name}`;
                return (
                    `${path} is plaintext in the stack file, and its name looks like a secret's. Store it encrypted: ` +
                    `pulumi config set --secret --path '${path}' <value> (in the plan: --set-secret '${path}=<value>').`
                );
            });
    });
}

/** Hooks of this program that refuse a change (gate.ts): the route gate, the stable color's version, the kept image (components/gateHooks.ts). */
const GUARD_HOOK = /^switchyard-(gate|stable|image)$/;

/**
 * Every change the program's guards refuse in one run, reason first: the engine prefixes a hook's
 * error with the resource's URN and stops at the first, which buries the reason and hides the rest.
 * Undefined when no guard refused.
 */
export function guardRefusals(hookCalls: readonly { hook: string; error?: string }[]): string | undefined {
    const refusals = [...new Set(hookCalls.filter((c) => c.error !== undefined && GUARD_HOOK.test(c.hook)).flatMap((c) => c.error!.split("\n")))];
    if (refusals.length === 0) return undefined;
    return `the readiness gate refuses ${refusals.length === 1 ? "this change" : `${refusals.length} changes`}, so \`pulumi up\` would stop at the first:\n${refusals.map((r) => `  - ${r}`).join("\n")}`;
}
