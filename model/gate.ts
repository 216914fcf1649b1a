// The readiness gate: whether an HTTPRoute may change from its live weights to new ones, judged
// when the engine is about to create or update the route (a resource hook), because only then are
// the live weights known. Pure: no Pulumi import.
//
// The rules, in order:
// 1. Traffic moving off a color (a drain, a rollback to the stable color, a cohort taken off the
//    candidate) is never held.
// 2. Traffic moving onto the stable color is a rollback: never held; a warning says when the stable
//    color has fewer available replicas than its new share needs.
// 3. Traffic moving onto the candidate is a promotion: it needs at least one available replica and
//    as many as its new share needs, in a status that describes the spec being deployed. A preview
//    of a candidate that rolls (or is created) in the same update passes: during `up` the route
//    waits for that rollout (it depends on the candidate's Deployment) before the hook runs.
// 4. A promotion may raise the candidate's weight by at most rollout.maxStep points per update. A
//    route being created has no live weights: above maxStep it warns. A route being replaced (a
//    namespace move) has no live weights at its create either, but its old object's delete has them,
//    and the live split changes then: rules 1–4 judge it there, from the old route's weights.
// A cohort rule that starts sending its users to the candidate is a promotion too, of a share the
// weights do not tell: it needs at least one available replica, and the candidate's weight's share.
// 5. A release goes to the candidate. The stable color is what rules 1 and 2 return traffic to, so
//    its version does not change in place (a hook on its Deployment): a stack that releases onto
//    the stable color has forgotten to name it the candidate, and the gate would judge its
//    promotion as a rollback and a rollback to the old release as a promotion. A replaced stable
//    Deployment is judged at its old object's delete, whose inputs carry the live version.
// 6. Without ECR's answer a color that builds keeps the image it runs: a Deployment that would need
//    another build tag (or is created) is refused, and everything else goes on, rollbacks included.

import { COLORS, type Color } from "./config/types.ts";
import { parseImageReference } from "./imageReference.ts";
import { colorObjectName, IMAGE_TAG_ANNOTATION } from "./labels.ts";
import { stableColorOf } from "./rollout.ts";

export type Weights = Partial<Record<Color, number>>;

/** What the program knows of a color's Deployment when the route is about to change. */
export type ColorStatus =
    /** No status: a create preview (the provider strips it), or values still unknown in a preview. */
    | { phase: "unknown" }
    /** A status of an older spec: a preview of an update (the dry run keeps the live status). */
    | { phase: "rolling"; available: number }
    /** The status of the spec being deployed: after the provider's await, or an unchanged Deployment (refreshed or not). */
    | { phase: "current"; available: number };

/** Deployment outputs as the Kubernetes provider returns them (only the fields the gate reads). */
export interface DeploymentOutputs {
    metadata?: { generation?: number };
    status?: { observedGeneration?: number; availableReplicas?: number } | null;
}

/**
 * Classifies a Deployment's outputs. The provider answers a preview of an update with the server's
 * dry-run object: the new spec, `metadata.generation` one ahead when the spec changed, and the live
 * object's old status (pulumi-kubernetes provider/pkg/await/await.go Update with Preview); a create
 * preview has no status (provider/pkg/provider/provider.go Create removes it).
 */
export function colorStatus(outputs: DeploymentOutputs | undefined): ColorStatus {
    const status = outputs?.status;
    if (status === undefined || status === null) return { phase: "unknown" };
    const available = status.availableReplicas ?? 0;
    const generation = outputs?.metadata?.generation;
    const observed = status.observedGeneration;
    if (generation !== undefined && (observed === undefined || observed < generation)) return { phase: "rolling", available };
    return { phase: "current", available };
}

export interface ShiftRequest {
    /** How a person names the route in messages, e.g. `HTTPRoute shop/cart on cluster eks-use1`. */
    route: string;
    candidate: Color;
    /** Live weights; undefined when the route is created. */
    before: Weights | undefined;
    after: Weights;
    /** Colors the route's cohort rules send to, live and new (empty when the route is created). */
    cohortsBefore: Color[];
    cohortsAfter: Color[];
    /** Available replicas a color needs to carry a share (percent of this route's traffic). */
    replicasNeeded: (color: Color, share: number) => number;
    status: Partial<Record<Color, ColorStatus>>;
    /** True in a preview (and the preview `pulumi up` runs first). */
    dryRun: boolean;
    /** Most points the candidate's weight may rise in one update (rollout.maxStep); 100 allows any. */
    maxStep: number;
    /** True when `before` are the weights of a replaced route's old object, judged as the engine deletes it. Default: false. */
    replaced?: boolean;
}

export interface ShiftVerdict {
    /** Reasons to stop the route change; empty when it may proceed. */
    refusals: string[];
    /** Printed, never blocking. */
    warnings: string[];
}

function weightOf(weights: Weights | undefined, color: Color): number {
    return weights?.[color] ?? 0;
}

/** Judges one route change. A change that moves no traffic onto the candidate is never refused. */
export function judgeShift(request: ShiftRequest): ShiftVerdict {
    const { route, candidate, before, after } = request;
    const verdict: ShiftVerdict = { refusals: [], warnings: [] };
    const stable = stableColorOf(candidate);

    const stableBefore = weightOf(before, stable);
    const stableAfter = weightOf(after, stable);
    if (stableAfter > stableBefore && before !== undefined) {
        const status = request.status[stable];
        const needed = request.replicasNeeded(stable, stableAfter);
        if (status?.phase === "current" && status.available < needed) {
            verdict.warnings.push(
                `${route}: rolling back to ${stable} (${stableBefore} % → ${stableAfter} %) although it has ${status.available} ` +
                    `available replica(s) and its share needs ${needed}; the rollback is not held.`,
            );
        }
    }

    const from = weightOf(before, candidate);
    const to = weightOf(after, candidate);
    const cohortArrives = request.cohortsAfter.includes(candidate) && !request.cohortsBefore.includes(candidate);
    if (to <= from && !cohortArrives) return verdict;
    if (before === undefined && to > request.maxStep) {
        // A create has no live weights: the engine's create-replacement passes no old inputs either,
        // so a first deploy and a replaced route look alike here; the replaced route is judged later.
        verdict.warnings.push(
            `${route}: created with ${candidate} at ${to} %, more than switchyard:rollout.maxStep (${request.maxStep}). A create has ` +
                `no live weights to compare: on a first deploy or a new cluster that is fine; if this route is being replaced ` +
                `(a namespace move), the gate judges the change from its live weights when the engine deletes the old route.`,
        );
    }
    const replacing = request.replaced ? " (the route is being replaced: these are its old object's weights, judged as it is deleted)" : "";
    if (before !== undefined && to - from > request.maxStep) {
        verdict.refusals.push(
            `${route}: ${candidate} would go from ${from} % to ${to} % (+${to - from}) in one update, more than ` +
                `switchyard:rollout.maxStep (${request.maxStep})${replacing}. Move it in steps of at most ${request.maxStep}, ` +
                `or raise rollout.maxStep (100 turns this guard off).`,
        );
    }
    const status = request.status[candidate] ?? { phase: "unknown" };
    const needed = Math.max(1, request.replicasNeeded(candidate, to));
    const promoting = to > from ? `moving ${candidate} from ${from} % to ${to} %` : `sending a cohort to ${candidate}`;
    if (status.phase === "unknown" || status.phase === "rolling") {
        if (!request.dryRun) {
            verdict.refusals.push(
                `${route}: not ${promoting}: the status of ${candidate}'s Deployment does not describe the spec being ` +
                    `deployed, and missing data never promotes. Run the update again once its rollout is done.`,
            );
        }
        return verdict;
    }
    if (status.available < needed) {
        verdict.refusals.push(
            `${route}: not ${promoting}: it has ${status.available} available replica(s) and its new share needs ${needed}. ` +
                `Fix its rollout (kubectl rollout status deployment/<service>-${candidate}) or keep the weight where it is; ` +
                `moving traffic back to ${stable} is never held.`,
        );
    }
    return verdict;
}

/** Replicas a share needs when nothing better is known: the same fraction of the color's full replicas. */
export function proportionalReplicas(fullReplicas: number, share: number): number {
    return Math.ceil((fullReplicas * share) / 100);
}

interface RouteInputs {
    spec?: { rules?: { backendRefs?: { name?: string; weight?: number }[] }[] };
}

/**
 * Each color's weight in an HTTPRoute's inputs as the engine hands them to a hook. The weighted rule
 * is the last one (rules for cohorts come first and send to one color each); a backendRef without a
 * weight has weight 1, as in Gateway API.
 */
export function routeWeights(inputs: Record<string, unknown>, service: string): Weights {
    const rules = (inputs as RouteInputs).spec?.rules ?? [];
    const refs = rules[rules.length - 1]?.backendRefs ?? [];
    const weights: Weights = {};
    for (const color of COLORS) {
        const ref = refs.find((r) => r.name === colorObjectName(service, color));
        if (ref) weights[color] = ref.weight ?? 1;
    }
    return weights;
}

/** The colors the cohort rules (every rule before the weighted last one) of an HTTPRoute's inputs send to. */
export function routeCohortColors(inputs: Record<string, unknown>, service: string): Color[] {
    const rules = (inputs as RouteInputs).spec?.rules ?? [];
    const names = new Set(rules.slice(0, -1).flatMap((rule) => (rule.backendRefs ?? []).map((ref) => ref.name)));
    return COLORS.filter((color) => names.has(colorObjectName(service, color)));
}

interface DeploymentInputs {
    metadata?: { labels?: Record<string, unknown> };
}

/**
 * The `version` label of a Deployment's own metadata in its inputs as the engine hands them to a
 * hook. Not the pod template's: the SDK lifts a nested secret to its top-level key (sdk/nodejs
 * runtime/rpc.ts deserializeProperty, runtime/callbacks.ts outputtifySecrets), so one secret env
 * value makes the whole `spec` a secret Output, while `metadata` carries no secret.
 */
export function deploymentVersion(inputs: Record<string, unknown> | undefined): string | undefined {
    const version = (inputs as DeploymentInputs | undefined)?.metadata?.labels?.version;
    return typeof version === "string" ? version : undefined;
}

interface AnnotatedInputs {
    metadata?: { annotations?: Record<string, unknown> };
}

/** The build tag a Deployment's inputs record in their own metadata (which no secret hides). */
export function deploymentImageTag(inputs: Record<string, unknown> | undefined): string | undefined {
    const tag = (inputs as AnnotatedInputs | undefined)?.metadata?.annotations?.[IMAGE_TAG_ANNOTATION];
    return typeof tag === "string" ? tag : undefined;
}

interface ContainerInputs {
    spec?: { template?: { spec?: { containers?: { image?: unknown }[] } } };
}

/** The tag a live Deployment runs: its annotation, else its image reference's tag when the spec is plain (a state from before the annotation). */
export function liveImageTag(inputs: Record<string, unknown> | undefined): string | undefined {
    const recorded = deploymentImageTag(inputs);
    if (recorded !== undefined) return recorded;
    const image = (inputs as ContainerInputs | undefined)?.spec?.template?.spec?.containers?.[0]?.image;
    return typeof image === "string" ? parseImageReference(image)?.tag : undefined;
}

export interface KeptImage {
    /** How a person names the Deployment in messages. */
    deployment: string;
    color: Color;
    /** The build tag the stack asks for. */
    tag: string;
    /** The tag the live Deployment records; undefined on a create or before it recorded one. */
    tagBefore: string | undefined;
    /** What ECR answered instead of the tags. */
    ecrError: string;
}

/** Rule 6: with ECR unavailable, a color that builds may change only while it keeps running the tag it runs. */
export function judgeKeptImage(kept: KeptImage): string[] {
    const { deployment, color, tag, tagBefore, ecrError } = kept;
    if (tagBefore === tag) return [];
    const running = tagBefore === undefined ? "no image this stack recorded" : `build ${tagBefore}`;
    return [
        `${deployment}: not deploying ${color}'s build ${tag}: ECR did not answer (${ecrError}), so whether that tag was ` +
            `pushed, and its digest, are unknown; ${color} keeps ${running}. Run again once ECR answers; a change that needs ` +
            `no new image (a shift, a rollback) goes through meanwhile.`,
    ];
}

export interface ColorUpdate {
    /** How a person names the Deployment in messages, e.g. `Deployment shop/cart-blue on cluster eks-use1`. */
    deployment: string;
    color: Color;
    candidate: Color;
    versionBefore: string | undefined;
    versionAfter: string | undefined;
}

/** Rule 5: refuses a new version on the stable color, and a version it cannot read; any other change of a color's Deployment passes. */
export function judgeColorUpdate(update: ColorUpdate): string[] {
    const { deployment, color, candidate, versionBefore, versionAfter } = update;
    if (color === candidate) return [];
    if (versionBefore === undefined || versionAfter === undefined) {
        const missing = versionBefore === undefined ? "live" : "new";
        return [
            `${deployment}: not changing ${color}: the ${missing} Deployment's metadata.labels.version cannot be read, so the ` +
                `guard cannot tell whether a release goes onto ${color}, the stable color (switchyard:rollout.candidate is ${candidate}); ` +
                `an unreadable version is never waved through.`,
        ];
    }
    if (versionBefore === versionAfter) return [];
    return [
        `${deployment}: not changing ${color} from version ${versionBefore} to ${versionAfter}: ${color} is the stable color ` +
            `(switchyard:rollout.candidate is ${candidate}), the one a rollback returns to. A release goes to the candidate: ` +
            `set switchyard:rollout.candidate to ${color} in the same change to release ${versionAfter} on ${color}, ` +
            `or leave ${color} at ${versionBefore}.`,
    ];
}

/** Where a Kubernetes object lives: its namespace and name, as the program declares them. */
export interface ObjectIdentity {
    namespace: string;
    name: string;
}

/**
 * Whether an object being deleted is the old one of a move: it stood under another namespace or
 * name than the object this run declares (a namespace change replaces every object). A delete under
 * the same identity is a destroy (or a delete-before-replace, which keeps the identity), not a move.
 * Inputs without a readable identity count as a move, so the move's rules judge them.
 */
export function isMovedFrom(oldInputs: Record<string, unknown> | undefined, identity: ObjectIdentity): boolean {
    const metadata = (oldInputs?.metadata ?? undefined) as { namespace?: unknown; name?: unknown } | undefined;
    if (typeof metadata?.namespace !== "string" || typeof metadata.name !== "string") return true;
    return metadata.namespace !== identity.namespace || metadata.name !== identity.name;
}
