// The switchyard policies. Resource policies judge what one resource shows and so also stop that
// resource during `pulumi up`; stack policies judge how resources relate (route → Service →
// Deployment, record sets) and gate at preview. Levels and thresholds come from policy/config/*.json.

import type {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
} from "@pulumi/policy";
import {
    CANDIDATE_ANNOTATION,
    CAPACITY_ANNOTATION,
    decodeCapacity,
    describeQueue,
    describeTarget,
    formatNumber,
    judgeColor,
    type CapacityAnnotation,
} from "../model/capacityAnnotation.ts";
import { isFloating, parseImageReference } from "./images.ts";
import {
    ClusterObjects,
    DEPLOYMENT,
    SERVICE,
    candidateOf,
    clusterOf,
    containersOf,
    describe,
    formatLabels,
    isHttpRoute,
    podLabelsOf,
    podSpecOf,
    replicasOf,
    type Deployment,
    type HTTPRoute,
    type Judged,
    type Labels,
    type Service,
} from "./kubernetes.ts";
import { configSchema, settingsOf } from "./settings.ts";

export type {
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";

/** A resource policy with one validation and a schema, so tests and the pack call it the same way. */
export interface ResourceRule extends ResourceValidationPolicy {
    validateResource: ResourceValidation;
    configSchema: PolicyConfigSchema;
}

export interface StackRule extends StackValidationPolicy {
    configSchema: PolicyConfigSchema;
}

export const COLORS = ["blue", "green"] as const;
/** Labels every color's pods carry: the Service selects on app and color, version names the release. */
const COLOR_LABELS = ["app", "color", "version"] as const;
const SELECTOR_LABELS = ["app", "color"] as const;

const ROUTE53_RECORD = "aws:route53/record:Record";
/** Gateway API: backendRef weights are 0..1,000,000. */
const GATEWAY_MAX_WEIGHT = 1_000_000;
/** Route53: weighted records take 0..255. */
const ROUTE53_MAX_WEIGHT = 255;

interface Route53Record {
    name?: string;
    type?: string;
    zoneId?: string;
    setIdentifier?: string;
    ttl?: number;
    healthCheckId?: string;
    weightedRoutingPolicies?: { weight?: unknown }[];
    aliases?: { evaluateTargetHealth?: boolean }[];
}

function isWeight(value: unknown, max: number): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

function weightedPolicies(record: Judged): { weight?: unknown }[] {
    return (record.props as Route53Record).weightedRoutingPolicies ?? [];
}

function recordName(record: Judged): string {
    const props = record.props as Route53Record;
    return `${props.name ?? record.name} (${props.type ?? "?"}${props.setIdentifier ? `, set ${props.setIdentifier}` : ""})`;
}

function checkRouteWeights(route: Judged, report: ReportViolation): void {
    const what = describe(route);
    ((route.props as HTTPRoute).spec?.rules ?? []).forEach((rule, i) => {
        // A redirect rule answers by itself; it needs no backend.
        if ((rule.filters ?? []).some((f) => f.type === "RequestRedirect")) return;
        const refs = rule.backendRefs ?? [];
        if (refs.length === 0) {
            report(
                `${what}: rule ${i} has no backendRefs, so the Gateway has nowhere to send what it matches. ` +
                    `Fix: list every deployed color's Service as a backendRef (weight 0 keeps a color listed without traffic).`,
            );
            return;
        }
        let total = 0;
        let valid = true;
        for (const ref of refs) {
            const weight = ref.weight ?? 1;
            if (!isWeight(weight, GATEWAY_MAX_WEIGHT)) {
                valid = false;
                report(
                    `${what}: rule ${i} sends weight ${JSON.stringify(weight)} to ${ref.name ?? "an unnamed backend"}, ` +
                        `but the Gateway API takes integers from 0 to ${GATEWAY_MAX_WEIGHT}. ` +
                        `Fix: use a whole number in that range (switchyard: greenWeight is 0..100 and blue gets the rest).`,
                );
            } else {
                total += weight;
            }
        }
        if (valid && total === 0) {
            report(
                `${what}: every backendRef of rule ${i} has weight 0 (${refs.map((r) => r.name).join(", ")}), ` +
                    `so the Gateway answers its requests with errors. ` +
                    `Fix: give the color that should serve a weight above 0 (switchyard: greenWeight 0 sends all to blue, 100 all to green).`,
            );
        }
    });
}

function checkRecordWeights(record: Judged, report: ReportViolation): void {
    for (const policy of weightedPolicies(record)) {
        if (!isWeight(policy.weight, ROUTE53_MAX_WEIGHT)) {
            report(
                `Route53 record ${recordName(record)} has weight ${JSON.stringify(policy.weight)}, ` +
                    `but Route53 takes integers from 0 to ${ROUTE53_MAX_WEIGHT}. ` +
                    `Fix: use a whole number in that range (switchyard: clusters[].trafficShare is scaled into it).`,
            );
        }
    }
}

export const trafficWeightsValid: ResourceRule = {
    name: "traffic-weights-valid",
    description:
        "Routing weights are valid: every HTTPRoute rule's backendRef weights are integers from 0 to 1,000,000 " +
        "with a sum above 0, and every Route53 weight is an integer from 0 to 255.",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        if (isHttpRoute(args.type)) checkRouteWeights(args, report);
        else if (args.type === ROUTE53_RECORD) checkRecordWeights(args, report);
    },
};

export const dnsWeightsNotAllZero: StackRule = {
    name: "dns-weights-not-all-zero",
    description:
        "The weighted Route53 records of one name are not all at weight 0 (Route53 would then answer with " +
        "every record alike, sending traffic to drained clusters).",
    configSchema: configSchema(),
    validateStack: (args, report) => {
        const sets = new Map<string, PolicyResource[]>();
        for (const resource of args.resources) {
            if (resource.type !== ROUTE53_RECORD || weightedPolicies(resource).length === 0) continue;
            const props = resource.props as Route53Record;
            const key = [props.zoneId, (props.name ?? "").toLowerCase().replace(/\.$/, ""), props.type].join("|");
            sets.set(key, [...(sets.get(key) ?? []), resource]);
        }
        for (const records of sets.values()) {
            if (!records.every((r) => weightedPolicies(r).every((p) => p.weight === 0))) continue;
            const props = records[0]!.props as Route53Record;
            report(
                `Route53 records for ${props.name} (${props.type}) all have weight 0 ` +
                    `(${records.map((r) => (r.props as Route53Record).setIdentifier ?? r.name).join(", ")}): Route53 then ` +
                    `answers with each of them alike, so drained clusters get traffic again. ` +
                    `Fix: give at least one record a weight above 0 (switchyard: a cluster's trafficShare above 0).`,
                records[0]!.urn,
            );
        }
    },
};

const NO_TRAFFIC_SCHEMA = configSchema({
    minReplicas: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "Fewest replicas a color Deployment may run while any route sends it traffic.",
    },
});

/**
 * What a backend gets, as a person reads it: its weight, or, for a rule with header or query matches
 * and no weight (a switchyard cohort), the requests that rule matches, whatever the weights say.
 */
function sendsWhat(route: PolicyResource, backend: { rule: number; ref: { weight?: unknown }; weight: unknown }): string {
    type Match = { headers?: { name?: string }[]; queryParams?: { name?: string }[] };
    const rule = (route.props as HTTPRoute).spec?.rules?.[backend.rule] as { matches?: Match[] } | undefined;
    const conditions = (rule?.matches ?? []).flatMap((m) => [...(m.headers ?? []).map((h) => `header ${h.name}`), ...(m.queryParams ?? []).map((q) => `query ${q.name}`)]);
    if (backend.ref.weight !== undefined || conditions.length === 0) return `sends weight ${JSON.stringify(backend.weight)}`;
    return `sends the requests its rule ${backend.rule} matches (a cohort rule, on ${[...new Set(conditions)].join(", ")}; whatever the weights)`;
}

const noTrafficToUnreadyColorCheck: StackValidation = (args, report) => {
    const { minReplicas } = settingsOf<{ minReplicas: number }>(NO_TRAFFIC_SCHEMA, args.getConfig());
    const objects = new ClusterObjects(args.resources);
    for (const route of objects.routes) {
        const what = describe(route);
        // A color a cohort rule and the weighted rule both reach is judged once.
        const judged = new Set<string>();
        for (const backend of objects.backendsOf(route)) {
            // Invalid weights are traffic-weights-valid's to report; here only traffic that flows counts.
            if (typeof backend.weight !== "number" || backend.weight <= 0) continue;
            const sends = `${what} ${sendsWhat(route, backend)} to`;
            const target = `${backend.namespace}/${backend.ref.name}`;
            if (!backend.isService) {
                // The Gateway API defaults kind to Service; a group makes it another API's kind (Kind.group, as kubectl names it).
                const kind = `${backend.ref.kind ?? "Service"}${backend.ref.group ? `.${backend.ref.group}` : ""}`;
                report(
                    `${sends} ${kind} ${target}, which is not a core Service: this policy cannot see what serves it. ` +
                        `Fix: route only to the Services of color Deployments.`,
                    route.urn,
                );
                continue;
            }
            if (!backend.service) {
                report(
                    `${sends} Service ${target}, which this stack does not declare on cluster ${clusterOf(route)} ` +
                        `(a Service of that name on another cluster does not count). ` +
                        `Fix: deploy that color on this cluster first, or set its weight to 0.`,
                    route.urn,
                );
                continue;
            }
            const selector = (backend.service.props as Service).spec?.selector ?? {};
            if (backend.deployments.length === 0) {
                report(
                    `${sends} ${describe(backend.service)}, whose selector ${formatLabels(selector)} matches no ` +
                        `Deployment's pod labels on that cluster, so no pod can answer. ` +
                        `Fix: deploy the color (or correct the selector), or set its weight to 0.`,
                    route.urn,
                );
                continue;
            }
            for (const deployment of backend.deployments) {
                if (judged.has(deployment.urn)) continue;
                judged.add(deployment.urn);
                const replicas = replicasOf(deployment);
                if (replicas < minReplicas) {
                    report(
                        `${sends} ${describe(deployment)}, which runs ${replicas} replica(s); a color that takes traffic ` +
                            `needs at least ${minReplicas} (policy config minReplicas) to survive a pod restart. ` +
                            `Fix: raise spec.replicas (switchyard: services[].replicas) before moving weight to it, or set its weight to 0.`,
                        route.urn,
                    );
                }
                const unprobed = containersOf((deployment.props as Deployment).spec?.template?.spec ?? {})
                    .filter(({ container, field }) => field === "containers" && container.readinessProbe === undefined)
                    .map(({ container }) => container.name ?? "(unnamed)");
                if (unprobed.length > 0) {
                    report(
                        `${sends} ${describe(deployment)}, whose container(s) ${unprobed.join(", ")} have no readinessProbe, ` +
                            `so pods get traffic before they can serve it and the rollout wait proves nothing. ` +
                            `Fix: add a readinessProbe (switchyard: services[].healthPath), or set its weight to 0.`,
                        route.urn,
                    );
                }
                const candidate = candidateOf(route);
                const mustAwait = candidate === undefined || podLabelsOf(deployment).color === candidate;
                if (mustAwait && !route.dependencies.some((d) => d.urn === deployment.urn)) {
                    report(
                        `${sends} ${describe(deployment)} without depending on it, so Pulumi may move the weight ` +
                            `before that Deployment's rollout is ready. ` +
                            `Fix: make the route dependsOn ${candidate === undefined ? "the Deployments" : `the candidate's (${candidate}) Deployments`} ` +
                            `it sends traffic to (switchyard: BlueGreenService's route waits for the candidate).`,
                        route.urn,
                    );
                }
            }
        }
    }
};

export const noTrafficToUnreadyColor: StackRule = {
    name: "no-traffic-to-unready-color",
    description:
        "A backend with weight above 0 reaches, on the route's own cluster, a Service whose color Deployments run at " +
        "least minReplicas replicas and have a readinessProbe on every container; the route awaits those of the candidate " +
        "color (its switchyard.io/candidate annotation), or every one when it names no candidate.",
    configSchema: NO_TRAFFIC_SCHEMA,
    validateStack: noTrafficToUnreadyColorCheck,
};

export const rollbackPossible: StackRule = {
    name: "rollback-possible",
    description:
        "Every routed service has both colors deployed behind its HTTPRoute, so traffic can always move back " +
        "to the other color by a weight change alone, and the route does not wait for the stable color, so that " +
        "move is never held.",
    configSchema: configSchema(),
    validateStack: (args, report) => {
        const objects = new ClusterObjects(args.resources);
        for (const route of objects.routes) {
            const reached = new Map<string, string[]>();
            const candidate = candidateOf(route);
            for (const backend of objects.backendsOf(route)) {
                for (const deployment of backend.deployments) {
                    const color = podLabelsOf(deployment).color;
                    if (candidate !== undefined && color !== candidate && route.dependencies.some((d) => d.urn === deployment.urn)) {
                        report(
                            `${describe(route)} depends on ${describe(deployment)}, the stable color a rollback returns to: ` +
                                `Pulumi would hold a rollback until that Deployment's await ends (after a refresh the Kubernetes ` +
                                `provider re-awaits a degraded Deployment, for up to 10 minutes). ` +
                                `Fix: depend only on the candidate (${candidate}) color's Deployments.`,
                            route.urn,
                        );
                    }
                    if (color === undefined || replicasOf(deployment) < 1) continue;
                    reached.set(color, [...(reached.get(color) ?? []), describe(deployment)]);
                }
            }
            const missing = COLORS.filter((color) => !reached.has(color));
            if (missing.length === 0) continue;
            const present = [...reached].map(([color, deployments]) => `${color} (${deployments.join(", ")})`);
            report(
                `${describe(route)} reaches ${present.length > 0 ? `only ${present.join(" and ")}` : "no running color Deployment"}; ` +
                    `with no ${missing.join(" or ")} deployed behind it there is no color to move traffic back to without a new rollout. ` +
                    `Fix: deploy ${missing.join(" and ")} (switchyard: services[].${missing[0]}) with at least one replica ` +
                    `and list its Service in the route, at weight 0 if it should take no traffic yet.`,
                route.urn,
            );
        }
    },
};

/** What the capacity policy needs of a route rule: whether it matches on more than the path. */
interface RuleMatches {
    matches?: { headers?: unknown[]; queryParams?: unknown[]; method?: string }[];
}

/** The weighted rule: the last one that matches every request of the route (no header, query or method condition). */
function weightedRuleOf(route: PolicyResource): number | undefined {
    const rules = ((route.props as { spec?: { rules?: RuleMatches[] } }).spec?.rules ?? []) as RuleMatches[];
    const catchAll = rules.map((rule, i) => ({ rule, i })).filter(({ rule }) =>
        (rule.matches ?? []).every((m) => (m.headers ?? []).length === 0 && (m.queryParams ?? []).length === 0 && m.method === undefined),
    );
    return catchAll.at(-1)?.i;
}

function pods(count: number): string {
    return `${count} replica${count === 1 ? "" : "s"}`;
}

const capacityForEveryShareCheck: StackValidation = (args, report) => {
    const objects = new ClusterObjects(args.resources);
    const unreadable = new Set<string>();
    /** The Deployment's capacity annotation; reports one that cannot be read, once. */
    const capacityOf = (deployment: PolicyResource, route: PolicyResource): CapacityAnnotation | undefined => {
        const text = (deployment.props as Deployment).metadata?.annotations?.[CAPACITY_ANNOTATION];
        if (text === undefined) return undefined;
        const decoded = decodeCapacity(text);
        if ("problem" in decoded) {
            if (!unreadable.has(deployment.urn)) {
                report(
                    `${describe(deployment)} carries ${CAPACITY_ANNOTATION} ${JSON.stringify(text)}, which cannot be judged: ${decoded.problem}. ` +
                        `Fix: write {"peakRps":<rps>,"podRps":<rps>,"maxWaitMs":<ms>} or maxUtilization instead of maxWaitMs (switchyard writes it from services[].capacity).`,
                    route.urn,
                );
            }
            unreadable.add(deployment.urn);
            return undefined;
        }
        return decoded;
    };
    for (const route of objects.routes) {
        const what = describe(route);
        const backends = objects.backendsOf(route);
        const candidate = candidateOf(route);
        // The stable color takes the whole peak at once on a rollback: judged at 100 %, which covers its share.
        const atPeak = new Set<string>();
        for (const deployment of new Set(backends.flatMap((b) => b.deployments))) {
            if (candidate !== undefined && podLabelsOf(deployment).color === candidate) continue;
            const capacity = capacityOf(deployment, route);
            if (!capacity) continue;
            atPeak.add(deployment.urn);
            const replicas = replicasOf(deployment);
            const judged = judgeColor({ loadRps: capacity.peakRps, replicas, podRps: capacity.podRps, target: capacity.target });
            if (judged.meetsTarget) continue;
            const why =
                candidate === undefined
                    ? `the route names no candidate (${CANDIDATE_ANNOTATION}), so every color it reaches must take it`
                    : `the stable color, as the route's candidate is ${candidate}`;
            report(
                `${what} can snap back to ${describe(deployment)} (${why}), which must then take all ${formatNumber(capacity.peakRps)} rps of the peak at once, ` +
                    `but it runs ${pods(replicas)} at ${formatNumber(capacity.podRps)} rps each: ${describeQueue(judged.metrics)}; ` +
                    `it needs ${judged.replicasNeeded} for ${describeTarget(capacity.target)}. ` +
                    `Fix: keep that color at ${judged.replicasNeeded} or more replicas (switchyard: services[].replicas, or idleReplicas at weight 0).`,
                route.urn,
            );
        }
        const weightedRule = weightedRuleOf(route);
        const weighted = backends.filter((b) => b.rule === weightedRule && typeof b.weight === "number" && Number.isInteger(b.weight) && b.weight >= 0);
        const total = weighted.reduce((sum, b) => sum + (b.weight as number), 0);
        for (const backend of weighted) {
            const weight = backend.weight as number;
            if (weight === 0 || total === 0) continue;
            for (const deployment of backend.deployments) {
                if (atPeak.has(deployment.urn)) continue;
                const capacity = capacityOf(deployment, route);
                if (!capacity) continue;
                const share = weight / total;
                const replicas = replicasOf(deployment);
                const loadRps = capacity.peakRps * share;
                const judged = judgeColor({ loadRps, replicas, podRps: capacity.podRps, target: capacity.target });
                if (judged.meetsTarget) continue;
                report(
                    `${what} sends ${formatNumber(share * 100)} % of the peak (${formatNumber(loadRps)} of ${formatNumber(capacity.peakRps)} rps) to ` +
                        `${describe(deployment)}, which runs ${pods(replicas)} at ${formatNumber(capacity.podRps)} rps each: ${describeQueue(judged.metrics)}; ` +
                        `it needs ${judged.replicasNeeded} for ${describeTarget(capacity.target)}. ` +
                        `Fix: raise spec.replicas (switchyard: services[].replicas) before moving that weight to it, or move less.`,
                    route.urn,
                );
            }
        }
    }
};

export const capacityForEveryShare: StackRule = {
    name: "capacity-for-every-share",
    description:
        `Every color Deployment with a ${CAPACITY_ANNOTATION} annotation serves the share of its peak that its route's weighted rule sends it, ` +
        `and every color but the route's ${CANDIDATE_ANNOTATION} (all colors when the route names none) could take the whole peak at once on ` +
        `the replicas it runs, within the annotation's target by an M/M/c (Erlang C) queueing model.`,
    configSchema: configSchema(),
    validateStack: capacityForEveryShareCheck,
};

const IMAGES_SCHEMA = configSchema({
    requireDigests: {
        type: "boolean",
        default: true,
        description: "Whether every image must be pinned by digest (repo@sha256:...), not by tag alone.",
    },
});

export const immutableImages: ResourceRule = {
    name: "immutable-images",
    description:
        "Every container image of every Kubernetes workload names fixed content: never `latest` or untagged, " +
        "and pinned by digest where the config requires digests.",
    configSchema: IMAGES_SCHEMA,
    validateResource: (args, report) => {
        const { requireDigests } = settingsOf<{ requireDigests: boolean }>(IMAGES_SCHEMA, args.getConfig());
        const spec = podSpecOf(args);
        if (!spec) return;
        for (const { container, field } of containersOf(spec)) {
            const image = container.image;
            if (typeof image !== "string") continue;
            const where = `${describe(args)}: ${field} ${container.name ?? "(unnamed)"} runs image ${image}`;
            const reference = parseImageReference(image);
            if (!reference) {
                report(`${where}, which is not a valid image reference. Fix: use registry/repository:tag@sha256:<digest>.`);
            } else if (isFloating(reference)) {
                report(
                    `${where}, which names no fixed content (${reference.tag === undefined ? "no tag" : "the latest tag"}): ` +
                        `pods of one color may run different code and a rollback may not bring back what ran before. ` +
                        `Fix: pin a release, ideally by digest: ${reference.repository}:<version>@sha256:<digest>.`,
                );
            } else if (requireDigests && reference.digest === undefined) {
                report(
                    `${where}, pinned by tag only; a tag can be pushed again, so this stack requires digests (policy config requireDigests). ` +
                        `Fix: use ${reference.repository}@sha256:<digest> (switchyard: services[].<color>.image, or a build, which is always pinned by digest).`,
                );
            }
        }
    },
};

function checkResources(resource: Judged, report: ReportViolation): void {
    const spec = podSpecOf(resource);
    if (!spec) return;
    for (const { container, field } of containersOf(spec)) {
        const missing: string[] = [];
        for (const kind of ["requests", "limits"] as const) {
            for (const quantity of ["cpu", "memory"]) {
                if (container.resources?.[kind]?.[quantity] === undefined) missing.push(`${kind}.${quantity}`);
            }
        }
        if (missing.length > 0) {
            report(
                `${describe(resource)}: ${field} ${container.name ?? "(unnamed)"} sets no ${missing.join(", ")}, so the scheduler ` +
                    `cannot reserve room for both colors and one color can starve the other. ` +
                    `Fix: set resources.requests and resources.limits for cpu and memory (switchyard: services[].resources).`,
            );
        }
    }
}

function isZero(value: number | string | undefined): boolean {
    return value === 0 || value === "0" || value === "0%";
}

function checkLabelsAgree(what: string, own: Labels | undefined, expected: Labels, source: string, report: ReportViolation): void {
    for (const key of COLOR_LABELS) {
        const value = own?.[key];
        if (value !== undefined && expected[key] !== undefined && value !== expected[key]) {
            report(`${what}: label ${key}=${value} disagrees with ${source} ${key}=${expected[key]}. Fix: give both the same value.`);
        }
    }
}

function checkColorDeployment(deployment: Judged, report: ReportViolation): void {
    const what = describe(deployment);
    const spec = (deployment.props as Deployment).spec;
    const podLabels = podLabelsOf(deployment);
    const missing = COLOR_LABELS.filter((key) => podLabels[key] === undefined);
    if (missing.length > 0) {
        report(
            `${what}: pod template lacks label(s) ${missing.join(", ")}; Services select a color by app and color, ` +
                `and version tells which release a pod runs. Fix: label spec.template with app, color and version.`,
        );
    }
    if (podLabels.color !== undefined && !(COLORS as readonly string[]).includes(podLabels.color)) {
        report(`${what}: color label is "${podLabels.color}"; switchyard's colors are ${COLORS.join(" and ")}. Fix: use one of them.`);
    }
    const matchLabels = spec?.selector?.matchLabels ?? {};
    for (const key of SELECTOR_LABELS) {
        if (matchLabels[key] === undefined || matchLabels[key] !== podLabels[key]) {
            report(
                `${what}: spec.selector.matchLabels.${key} is ${matchLabels[key] ?? "missing"} but the pods' ${key} is ` +
                    `${podLabels[key] ?? "missing"}, so the Deployment does not own exactly one color's pods. ` +
                    `Fix: select on app and color with the pod template's values.`,
            );
        }
    }
    if (matchLabels.version !== undefined) {
        report(
            `${what}: spec.selector selects on version; a Deployment's selector cannot change, so every release would ` +
                `replace the Deployment and drop its pods. Fix: select on app and color only.`,
        );
    }
    checkLabelsAgree(what, deployment.props.metadata?.labels, podLabels, "its pod template's", report);
    const strategy = spec?.strategy;
    if (strategy?.type === "Recreate") {
        report(`${what}: strategy Recreate stops every pod of the color before starting new ones. Fix: use RollingUpdate with maxUnavailable: 0.`);
    } else if (!isZero(strategy?.rollingUpdate?.maxUnavailable)) {
        report(
            `${what}: rollingUpdate.maxUnavailable is ${strategy?.rollingUpdate?.maxUnavailable ?? "unset (Kubernetes default 25%)"}, ` +
                `so a rollout takes serving pods away from a color that may carry traffic. Fix: set strategy.rollingUpdate.maxUnavailable to 0.`,
        );
    }
    if (deployment.props.metadata?.annotations?.["pulumi.com/skipAwait"] === "true") {
        report(
            `${what}: pulumi.com/skipAwait is "true", so Pulumi no longer waits for its rollout and a route may shift ` +
                `traffic to pods that are not ready. Fix: remove the annotation.`,
        );
    }
}

function checkColorService(service: Judged, report: ReportViolation): void {
    const props = service.props as Service;
    if (props.spec?.type === "ExternalName") return;
    const what = describe(service);
    const selector = props.spec?.selector ?? {};
    const missing = SELECTOR_LABELS.filter((key) => selector[key] === undefined);
    if (missing.length > 0) {
        report(
            `${what}: selector ${formatLabels(selector)} lacks ${missing.join(" and ")}, so it can pick up pods of both colors ` +
                `(or none) and its weight no longer means one color. Fix: select on app and color.`,
        );
    }
    if (selector.color !== undefined && !(COLORS as readonly string[]).includes(selector.color)) {
        report(`${what}: selector color is "${selector.color}"; switchyard's colors are ${COLORS.join(" and ")}. Fix: use one of them.`);
    }
    checkLabelsAgree(what, props.metadata?.labels, selector, "its selector's", report);
}

export const workloadHygiene: ResourceRule = {
    name: "workload-hygiene",
    description:
        "Workloads set cpu and memory requests and limits; every Deployment is one color (labels app, color, version; " +
        "selector on app and color) that rolls with maxUnavailable 0 and is awaited; every Service selects one color.",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        checkResources(args, report);
        if (args.type === DEPLOYMENT) checkColorDeployment(args, report);
        if (args.type === SERVICE) checkColorService(args, report);
    },
};

/** A present property, read without tripping the SDK's unknown-value check: an id computed at deploy time counts as set. */
function isSet(object: object, key: string): boolean {
    const value: unknown = Object.getOwnPropertyDescriptor(object, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

const DNS_SCHEMA = configSchema({
    maxTtlSeconds: {
        type: "integer",
        minimum: 1,
        default: 60,
        description: "Longest TTL, in seconds, a weighted record may have: how long resolvers keep answering with a failed cluster.",
    },
});

export const dnsHealthChecksAndTtl: ResourceRule = {
    name: "dns-health-checks-and-ttl",
    description:
        "Every weighted Route53 record has a health check (or an alias that evaluates target health) and a TTL " +
        "of at most maxTtlSeconds, so a failed cluster drops out of answers quickly.",
    configSchema: DNS_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== ROUTE53_RECORD || weightedPolicies(args).length === 0) return;
        const { maxTtlSeconds } = settingsOf<{ maxTtlSeconds: number }>(DNS_SCHEMA, args.getConfig());
        const props = args.props as Route53Record;
        const evaluatesTarget = (props.aliases ?? []).some((alias) => alias.evaluateTargetHealth === true);
        if (!isSet(args.props, "healthCheckId") && !evaluatesTarget) {
            report(
                `Route53 record ${recordName(args)} is weighted but has no health check, so Route53 keeps answering ` +
                    `with it while that cluster is down. Fix: set healthCheckId to a Route53 health check on the cluster ` +
                    `(switchyard: dns.healthCheck).`,
            );
        }
        if (typeof props.ttl === "number" && props.ttl > maxTtlSeconds) {
            report(
                `Route53 record ${recordName(args)} has TTL ${props.ttl} s, above ${maxTtlSeconds} s (policy config maxTtlSeconds): ` +
                    `resolvers keep sending clients to a failed or drained cluster that long. Fix: lower ttl (switchyard: dns.ttl).`,
            );
        }
    },
};

/** Every policy of the pack, in the order the docs list them. */
export const policies: (ResourceRule | StackRule)[] = [
    trafficWeightsValid,
    dnsWeightsNotAllZero,
    noTrafficToUnreadyColor,
    rollbackPossible,
    immutableImages,
    workloadHygiene,
    dnsHealthChecksAndTtl,
    capacityForEveryShare,
];
