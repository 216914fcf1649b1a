// What the real providers answer the engine, for the resource kinds switchyard registers, modelled
// case by case from their source so the program is tested against the answers it will really get.
// Each model names the provider file it follows. The engine's part is reduced to what decides
// which question a provider is asked: create, update or nothing (same), and whether it is a preview.

import { JSONPathEnvironment } from "json-p3";
import { createHash } from "node:crypto";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc.js";

/**
 * Which provider operation the engine runs for a registration (pulumi/pulumi pkg/resource/deploy/step_generator.go):
 * a replacement is a create of a new object (pkg/resource/deploy/step.go CreateStep with `replacing`,
 * whose hooks get no old inputs) before the old one is deleted.
 */
export type StepKind = "create" | "update" | "replace" | "same";

/** A custom resource as the engine keeps it in the stack's state. */
export interface StateEntry {
    type: string;
    name: string;
    id: string;
    /** Inputs as the program sent them (wire encoding: secrets and unknowns marked). */
    inputs: Record<string, unknown>;
    /** Outputs as the provider returned them (plain values). */
    outputs: Record<string, any>;
    /** Set when the provider reported the object created but not initialized (a partial error); the next update re-awaits it. */
    initError?: string;
    protect: boolean;
    retainOnDelete: boolean;
    /**
     * The beforeDelete hooks the resource was last registered with: the engine keeps a resource's hook
     * names in its state and runs the old state's delete hooks (pkg/resource/deploy/step.go DeleteStep.Apply
     * reads s.old.ResourceHooks), looked up among the hooks the running program registered.
     */
    beforeDelete?: string[];
}

/** One image in an ECR repository. */
export interface RegistryImage {
    digest: string;
    tags: string[];
    /** Order of pushes, for lifecycle rules that count images. */
    pushedAt: number;
}

/** What exists outside Pulumi's state: the clouds and clusters as they are. */
export interface Live {
    /** The stack's state: custom resources by URN. */
    resources: Map<string, StateEntry>;
    /** ECR repositories that exist, by repository name, with their images. */
    registry: Map<string, RegistryImage[]>;
    /** Counter for pushes. */
    pushes: number;
    /**
     * Old objects of replacements not deleted yet, by URN: the engine keeps them in the state marked
     * for deletion (pkg/resource/deploy/step.go CreateStep with pendingDelete) and deletes them after
     * the program's steps, in this run or, when this run failed first, in the next one.
     */
    condemned: Map<string, StateEntry>;
}

/** How the clusters and registries behave while the providers wait on them in this run. */
export interface Behaviour {
    /** Deployments (by resource name) whose pods reach only this many available replicas, whatever the spec asks. */
    unready?: Record<string, number>;
    /** HTTPRoutes (by resource name) their Gateway does not accept, with the reason the Gateway reports. */
    rejectedRoutes?: Record<string, string>;
    /**
     * HTTPRoutes (by resource name) whose Gateway writes its conditions without observedGeneration,
     * which metav1.Condition and gateway-api's CRD leave optional (config/crd/standard/gateway.networking.k8s.io_httproutes.yaml).
     */
    routesWithoutObservedGeneration?: string[];
    /** Images (by resource name) whose docker context digest changed though switchyard's build inputs did not (file modes, symlinks). */
    dockerContextChanged?: string[];
    /**
     * Resources (by name) whose provider refuses the registration before any step, e.g. a failed
     * Check or server-side dry run (pulumi-kubernetes provider/pkg/provider/provider.go Check).
     */
    refusedRegistrations?: Record<string, string>;
    /** Invokes (by token) that fail with this message from the cloud, e.g. an AccessDeniedException. */
    failingInvokes?: Record<string, string>;
}

export function emptyLive(): Live {
    return { resources: new Map(), registry: new Map(), pushes: 0, condemned: new Map() };
}

export function copyLive(live: Live): Live {
    return {
        resources: new Map([...live.resources].map(([urn, entry]) => [urn, structuredClone(entry)])),
        registry: new Map([...live.registry].map(([name, images]) => [name, structuredClone(images)])),
        pushes: live.pushes,
        condemned: new Map([...(live.condemned ?? [])].map(([urn, entry]) => [urn, structuredClone(entry)])),
    };
}

/** Live as JSON holds it, each Map as its entries in order: what a rehearsal keeps for the next process. */
export interface LiveJson {
    resources: [string, StateEntry][];
    registry: [string, RegistryImage[]][];
    pushes: number;
    condemned: [string, StateEntry][];
}

export function liveToJson(live: Live): LiveJson {
    return { resources: [...live.resources], registry: [...live.registry], pushes: live.pushes, condemned: [...live.condemned] };
}

export function liveFromJson(json: LiveJson): Live {
    return { resources: new Map(json.resources), registry: new Map(json.registry), pushes: json.pushes, condemned: new Map(json.condemned) };
}

/** Thrown by a model where the provider fails the operation; `partial` is what it reports created (a partial error). */
export class ProviderError extends Error {
    readonly partial: Record<string, unknown> | undefined;
    constructor(message: string, partial?: Record<string, unknown>) {
        super(message);
        this.name = "ProviderError";
        this.partial = partial;
    }
}

export function containsUnknown(value: unknown): boolean {
    if (value === unknownValue) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

/** A wire value as plain JS: secrets unwrapped; unknown values dropped, as the SDK's mocks hand inputs over. */
export function plainInputs(value: unknown): unknown {
    if (value === unknownValue) return undefined;
    if (Array.isArray(value)) return value.map(plainInputs);
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[specialSigKey] === specialSecretSig) return plainInputs(record.value);
        return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== unknownValue).map(([k, v]) => [k, plainInputs(v)]));
    }
    return value;
}

export function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        typeof v === "object" && v !== null && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

function digestOf(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

type Plain = Record<string, any>;

export interface ModelRequest {
    type: string;
    name: string;
    step: StepKind;
    preview: boolean;
    /** New inputs in wire encoding (unknowns marked). */
    wire: Record<string, unknown>;
    prior: StateEntry | undefined;
    live: Live;
    behaviour: Behaviour;
    /** AWS region of the provider the resource is registered with. */
    region: string;
}

export interface ModelResponse {
    id: string;
    outputs: Plain;
}

const MOCK_ACCOUNT = "123456789012";

function objectId(inputs: Plain): string {
    const metadata = inputs.metadata as { name?: string; namespace?: string } | undefined;
    return metadata?.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata?.name);
}

function specChanged(request: ModelRequest): boolean {
    return request.prior === undefined || canonical(request.prior.inputs.spec) !== canonical(request.wire.spec);
}

/**
 * kubernetes:apps/v1:Deployment (pulumi-kubernetes provider/pkg/provider/provider.go Create/Update,
 * provider/pkg/await/await.go, provider/pkg/await/deployment.go):
 * - a create preview returns the dry-run object with `status` removed; inputs with unknowns are
 *   returned as they are (no preview possible);
 * - an update preview returns the server's dry-run object: new spec, `metadata.generation` one ahead
 *   when the spec changed, and the live object's old status;
 * - create and update wait until every replica is updated and available (maxUnavailable 0), and fail
 *   with a partial error (the object is kept, with its status) when that never happens;
 * - an unchanged Deployment is not sent to the provider: the engine hands back its state.
 */
function deployment(request: ModelRequest): ModelResponse {
    const inputs = plainInputs(request.wire) as Plain;
    const id = objectId(inputs);
    const replicas: number = inputs.spec?.replicas ?? 1;
    if (request.preview && containsUnknown(request.wire)) return { id, outputs: inputs };
    const priorGeneration: number = request.prior?.outputs.metadata?.generation ?? 0;
    const generation = request.step === "create" ? 1 : priorGeneration + (specChanged(request) ? 1 : 0);
    const metadata = { ...inputs.metadata, generation };
    if (request.preview) {
        if (request.step === "create") return { id, outputs: { ...inputs, metadata } };
        return { id, outputs: { ...inputs, metadata, status: request.prior!.outputs.status } };
    }
    const reached = request.behaviour.unready?.[request.name];
    const available = reached === undefined ? replicas : Math.min(reached, replicas);
    const status = { observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: available, availableReplicas: available };
    const outputs = { ...inputs, metadata, status };
    if (available < replicas) {
        throw new ProviderError(
            `the Kubernetes API server reported that "${id}" failed to fully initialize or become live: ` +
                `Timeout occurred for '${inputs.metadata?.name}': [MinimumReplicasUnavailable] Deployment does not have minimum availability ` +
                `(${available} of ${replicas} replicas available)`,
            outputs,
        );
    }
    return { id, outputs };
}

const jsonPath = new JSONPathEnvironment();

/**
 * The `pulumi.com/waitFor` annotation as the Kubernetes provider reads it
 * (provider/pkg/metadata/overrides.go ReadyCondition, provider/pkg/jsonpath/jsonpath.go Parse and
 * Matches): a JSON array of expressions or one expression; `jsonpath=` expressions are split on a
 * single `=` into path and expected value (`==` kept), the path is the part in braces with `$`
 * prepended, and a match compares the FIRST selected value's text with the expected value (or only
 * requires something selected when no value is given). RFC 9535 JSONPath, as theory/jsonpath, the
 * library the provider uses. Only jsonpath= expressions are modelled; anything else throws.
 */
export function waitForSatisfied(annotation: string, object: Plain): boolean {
    let expressions: string[];
    try {
        const parsed: unknown = JSON.parse(annotation);
        expressions = Array.isArray(parsed) ? parsed.map(String) : [annotation];
    } catch {
        expressions = [annotation];
    }
    if (expressions.length === 0) throw new Error("at least one condition must be specified");
    return expressions.every((expression) => {
        if (!expression.startsWith("jsonpath=")) throw new Error(`the model knows only jsonpath= conditions, got ${expression}`);
        const placeholder = "\u0000";
        const parts = expression.slice("jsonpath=".length).replaceAll("==", placeholder).split("=");
        if (parts.length > 2) throw new Error(`format should be {.path}=value or {.path}, got ${expression}`);
        const braces = /\{\s*(.*?)\s*\}/.exec(parts[0]!.replaceAll(placeholder, "=="));
        if (!braces) throw new Error(`${parts[0]} should be wrapped in brackets { ... }`);
        const path = braces[1]!.startsWith("$") ? braces[1]! : `$${braces[1]}`;
        const found = jsonPath.query(path, object).values();
        if (found.length === 0) return false;
        if (parts.length === 1) return true;
        const first = found[0];
        if (typeof first === "object" && first !== null) throw new Error(`${path} has a non-primitive value`);
        return String(first) === parts[1]!.replaceAll(placeholder, "==");
    });
}

/**
 * An HTTPRoute (a custom resource: pulumi-kubernetes provider/pkg/await/awaiters.go has no awaiter
 * for it, so it is ready at once unless `pulumi.com/waitFor` says otherwise). The Gateway's
 * controller writes one status.parents entry per parentRef with Accepted and ResolvedRefs for the
 * generation it saw. The provider's await watches the object: it first sees the status left by the
 * previous generation, then the controller's update; a condition satisfied by either passes.
 */
function httpRoute(request: ModelRequest): ModelResponse {
    const inputs = plainInputs(request.wire) as Plain;
    const id = objectId(inputs);
    const priorGeneration: number = request.prior?.outputs.metadata?.generation ?? 0;
    const generation = request.step === "create" ? 1 : priorGeneration + (specChanged(request) ? 1 : 0);
    const metadata = { ...inputs.metadata, generation };
    const previousStatus = request.prior?.outputs.status;
    if (request.preview) return { id, outputs: { ...inputs, metadata, ...(previousStatus ? { status: previousStatus } : {}) } };
    const rejected = request.behaviour.rejectedRoutes?.[request.name];
    const withGeneration = !request.behaviour.routesWithoutObservedGeneration?.includes(request.name);
    const condition = (type: string, ok: boolean, reason: string) => ({
        type,
        status: ok ? "True" : "False",
        reason,
        ...(withGeneration ? { observedGeneration: generation } : {}),
    });
    const status = {
        parents: (inputs.spec?.parentRefs ?? []).map((parentRef: Plain) => ({
            parentRef,
            controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
            conditions: [
                condition("Accepted", rejected === undefined, rejected ?? "Accepted"),
                condition("ResolvedRefs", true, "ResolvedRefs"),
            ],
        })),
    };
    const outputs = { ...inputs, metadata, status };
    const waitFor = inputs.metadata?.annotations?.["pulumi.com/waitFor"] as string | undefined;
    if (waitFor !== undefined) {
        const observed = [previousStatus === undefined ? { ...inputs, metadata } : { ...inputs, metadata, status: previousStatus }, outputs];
        if (!observed.some((object) => waitForSatisfied(waitFor, object))) {
            throw new ProviderError(
                `resource ${id} was not successfully ${request.step === "create" ? "created" : "updated"} by the Kubernetes API server: ` +
                    `Timeout occurred waiting for ${waitFor}; the Gateway reports Accepted=False: ${rejected ?? "no reason"}`,
                outputs,
            );
        }
    }
    return { id, outputs };
}

/**
 * docker:index/image:Image (pulumi-docker provider/image.go): its digest is unknown in a preview of a
 * build that will run; `up` builds and pushes. Builds are not reproducible, so each build has a new
 * digest. ECR refuses a tag that exists in a repository with immutable tags.
 */
function dockerImage(request: ModelRequest): ModelResponse {
    const inputs = plainInputs(request.wire) as Plain;
    const id = `${request.name}-id`;
    if (request.preview) return { id, outputs: inputs };
    const imageName = String(inputs.imageName);
    const colon = imageName.lastIndexOf(":");
    const repositoryUrl = imageName.slice(0, colon);
    const tag = imageName.slice(colon + 1);
    const repositoryName = repositoryUrl.slice(repositoryUrl.indexOf("/") + 1);
    const images = request.live.registry.get(repositoryName);
    if (!images) throw new ProviderError(`name unknown: The repository with name '${repositoryName}' does not exist in the registry`);
    if (images.some((image) => image.tags.includes(tag))) {
        throw new ProviderError(
            `tag invalid: The image tag '${tag}' already exists in the '${repositoryName}' repository and cannot be overwritten because the repository is immutable.`,
        );
    }
    request.live.pushes += 1;
    const digest = `sha256:${digestOf([imageName, inputs.build, request.live.pushes])}`;
    images.push({ digest, tags: [tag], pushedAt: request.live.pushes });
    return { id, outputs: { ...inputs, repoDigest: `${repositoryUrl}@${digest}` } };
}

function ecrRepository(request: ModelRequest): ModelResponse {
    const inputs = plainInputs(request.wire) as Plain;
    const name = String(inputs.name);
    if (!request.preview && !request.live.registry.has(name)) request.live.registry.set(name, []);
    return {
        id: name,
        outputs: {
            ...inputs,
            registryId: MOCK_ACCOUNT,
            repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${request.region}.amazonaws.com/${name}`,
            arn: `arn:aws:ecr:${request.region}:${MOCK_ACCOUNT}:repository/${name}`,
        },
    };
}

/** The provider's answer to a create or update; for `same` the engine returns the state instead. */
export function respond(request: ModelRequest): ModelResponse {
    if (request.step === "same") return { id: request.prior!.id, outputs: request.prior!.outputs };
    const inputs = plainInputs(request.wire) as Plain;
    switch (request.type) {
        case "kubernetes:apps/v1:Deployment":
            return deployment(request);
        case "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute":
            return httpRoute(request);
        case "docker:index/image:Image":
            return dockerImage(request);
        case "aws:ecr/repository:Repository":
            return ecrRepository(request);
        case "aws:route53/healthCheck:HealthCheck":
            return { id: request.prior?.id ?? digestOf([request.name, inputs.fqdn]).slice(0, 36), outputs: inputs };
        default:
            if (inputs.metadata?.name) return { id: objectId(inputs), outputs: inputs };
            return { id: request.prior?.id ?? `${request.name}-id`, outputs: inputs };
    }
}

/**
 * The inputs a provider's Diff compares. pulumi-docker ignores the registry's username and password
 * (provider/provider.go diffUpdates: an ECR token changes on every run); everything else counts.
 */
export function diffedInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type !== "docker:index/image:Image") return inputs;
    const registry = inputs.registry as Record<string, unknown> | undefined;
    if (registry === undefined) return inputs;
    const { username: _username, password: _password, ...compared } = registry;
    return { ...inputs, registry: compared };
}

function at(value: unknown, path: string[]): unknown {
    return path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value);
}

/**
 * Whether a provider's Diff asks to replace rather than update: a Kubernetes object whose name or
 * namespace changes (pulumi-kubernetes provider/pkg/provider/provider.go Diff, forceNewFields), an
 * ECR repository whose name changes (terraform-provider-aws internal/service/ecr/repository.go, ForceNew).
 */
export function replaces(type: string, wire: Record<string, unknown>, prior: StateEntry): boolean {
    const differs = (path: string[]) => canonical(plainInputs(at(wire, path)) ?? null) !== canonical(plainInputs(at(prior.inputs, path)) ?? null);
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:core/v1:Namespace")) return differs(["metadata", "name"]) || differs(["metadata", "namespace"]);
    if (type === "kubernetes:core/v1:Namespace") return differs(["metadata", "name"]);
    if (type === "aws:ecr/repository:Repository") return differs(["name"]);
    return false;
}

/** What the engine decides for a registration, given the state it has for that URN. */
export function stepFor(type: string, name: string, wire: Record<string, unknown>, prior: StateEntry | undefined, behaviour: Behaviour): StepKind {
    if (prior === undefined) return "create";
    if (prior.initError !== undefined) return "update";
    if (containsUnknown(wire) || canonical(diffedInputs(type, prior.inputs)) !== canonical(diffedInputs(type, wire))) return replaces(type, wire, prior) ? "replace" : "update";
    if (type === "docker:index/image:Image" && behaviour.dockerContextChanged?.includes(name)) return "update";
    return "same";
}

/**
 * `pulumi refresh` of Deployments whose pods are no longer all available: the provider's Read runs
 * the Deployment's readiness check and returns the live object with a partial error
 * (provider/pkg/provider/provider.go Read, provider/pkg/await/await.go Read), which the engine keeps
 * as the state's outputs and init errors; the next update then re-awaits the Deployment
 * (pkg/resource/deploy/step_generator.go: "an empty update step to attempt to continue awaiting").
 */
export function refreshDegraded(live: Live, available: Record<string, number>): Live {
    const next = copyLive(live);
    for (const [name, count] of Object.entries(available)) {
        const entry = [...next.resources.values()].find((e) => e.type === "kubernetes:apps/v1:Deployment" && e.name === name);
        if (!entry) throw new Error(`no Deployment named ${name} in the state`);
        const status = entry.outputs.status as Plain;
        entry.outputs = { ...entry.outputs, status: { ...status, readyReplicas: count, availableReplicas: count } };
        entry.initError = `[MinimumReplicasUnavailable] Deployment does not have minimum availability (${count} of ${status.replicas})`;
    }
    return next;
}

export { MOCK_ACCOUNT };

interface LifecycleRule {
    rulePriority: number;
    selection: { tagStatus: "tagged" | "untagged" | "any"; tagPatternList?: string[]; tagPrefixList?: string[]; countType: string; countNumber: number };
}

function wildcard(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/**
 * The images an ECR lifecycle policy expires, following the documented evaluation rules (AWS ECR
 * User Guide, "Lifecycle policy evaluation rules"): rules apply in rulePriority order; a tagged rule
 * selects an image when every pattern (or prefix) in its list matches one of the image's tags; with
 * imageCountMoreThan N the selected images beyond the N most recently pushed are marked; an image
 * that a higher-priority rule selected is never expired by a lower one, though it still counts in
 * that rule's N. Only imageCountMoreThan rules are modelled.
 */
export function expiredByLifecycle(policy: string, images: RegistryImage[]): RegistryImage[] {
    const rules = ((JSON.parse(policy) as { rules: LifecycleRule[] }).rules ?? []).sort((a, b) => a.rulePriority - b.rulePriority);
    const selectedBefore = new Set<RegistryImage>();
    const expired = new Set<RegistryImage>();
    for (const rule of rules) {
        const { selection } = rule;
        if (selection.countType !== "imageCountMoreThan") throw new Error(`the model knows only imageCountMoreThan, got ${selection.countType}`);
        const selected = images.filter((image) => {
            if (selection.tagStatus === "untagged") return image.tags.length === 0;
            if (selection.tagStatus === "any") return true;
            const patterns = (selection.tagPatternList ?? []).map(wildcard);
            const prefixes = selection.tagPrefixList ?? [];
            return (
                image.tags.length > 0 &&
                patterns.every((p) => image.tags.some((tag) => p.test(tag))) &&
                prefixes.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)))
            );
        });
        const newestFirst = [...selected].sort((a, b) => b.pushedAt - a.pushedAt);
        for (const image of newestFirst.slice(selection.countNumber)) {
            if (!selectedBefore.has(image)) expired.add(image);
        }
        for (const image of selected) selectedBefore.add(image);
    }
    return images.filter((image) => expired.has(image));
}
