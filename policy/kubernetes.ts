// The Kubernetes objects the policies judge, as Pulumi registers them: their shapes, how to name
// them in a message, and how an HTTPRoute's backendRefs resolve to Services and Deployments on the
// same cluster. A cluster is a Kubernetes provider: the same names on another provider are other objects.

import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { CANDIDATE_ANNOTATION } from "../model/capacityAnnotation.ts";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";

export function isHttpRoute(type: string): boolean {
    return /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:HTTPRoute$/.test(type);
}

export type Labels = Record<string, string>;

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Labels;
    annotations?: Record<string, string>;
}

export interface Container {
    name?: string;
    image?: string;
    resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    readinessProbe?: unknown;
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
}

export interface PodTemplate {
    metadata?: ObjectMeta;
    spec?: PodSpec;
}

export interface Deployment {
    metadata?: ObjectMeta;
    spec?: {
        replicas?: number;
        selector?: { matchLabels?: Labels };
        strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
        template?: PodTemplate;
    };
}

export interface Service {
    metadata?: ObjectMeta;
    spec?: { type?: string; selector?: Labels };
}

export interface BackendRef {
    group?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    port?: number;
    weight?: unknown;
}

export interface HTTPRouteRule {
    backendRefs?: BackendRef[];
    filters?: { type?: string }[];
}

export interface HTTPRoute {
    metadata?: ObjectMeta;
    spec?: { rules?: HTTPRouteRule[] };
}

/** What every judged resource has, in a resource policy and in a stack policy alike. */
export interface Judged {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
    provider?: PolicyProviderResource;
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export function podSpecOf(resource: Judged): PodSpec | undefined {
    const path = POD_SPEC_PATHS[resource.type];
    if (!path) return undefined;
    let value: any = resource.props;
    for (const key of path) value = value?.[key];
    return value as PodSpec | undefined;
}

/** Every container of a pod spec with the field it sits in, for messages. */
export function containersOf(spec: PodSpec): { container: Container; field: string }[] {
    return [
        ...(spec.initContainers ?? []).map((container) => ({ container, field: "initContainers" })),
        ...(spec.containers ?? []).map((container) => ({ container, field: "containers" })),
    ];
}

/** The cluster's name as the stack calls it: the Kubernetes provider's resource name. */
export function clusterOf(resource: Judged): string {
    return resource.provider?.name ?? "the default provider's cluster";
}

/** Identity of a cluster for matching objects: the provider's URN. */
function clusterKey(resource: Judged): string {
    return resource.provider?.urn ?? "";
}

/** The object's namespace, or the one its provider puts it in when the object names none. */
export function namespaceOf(resource: Judged): string {
    const metadata = resource.props.metadata as ObjectMeta | undefined;
    return metadata?.namespace ?? (resource.provider?.props.namespace as string | undefined) ?? "default";
}

export function objectName(resource: Judged): string {
    return (resource.props.metadata as ObjectMeta | undefined)?.name ?? resource.name;
}

/** `Deployment shop/cart-green on cluster eks-use1`: what a person searches for in kubectl and the stack. */
export function describe(resource: Judged): string {
    const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
    return `${kind} ${namespaceOf(resource)}/${objectName(resource)} on cluster ${clusterOf(resource)}`;
}

export function formatLabels(labels: Labels): string {
    return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ")}}`;
}

/** The candidate color a route names, if it names one of switchyard's colors. */
export function candidateOf(route: Judged): string | undefined {
    const value = (route.props.metadata as ObjectMeta | undefined)?.annotations?.[CANDIDATE_ANNOTATION];
    return value === "blue" || value === "green" ? value : undefined;
}

export function podLabelsOf(deployment: Judged): Labels {
    return (deployment.props as Deployment).spec?.template?.metadata?.labels ?? {};
}

/** Replicas as Kubernetes counts them: 1 when the spec leaves the field out. */
export function replicasOf(deployment: Judged): number {
    return (deployment.props as Deployment).spec?.replicas ?? 1;
}

/** A backendRef and what it reaches on the route's own cluster. */
export interface Backend {
    rule: number;
    ref: BackendRef;
    /** Gateway API default: a backendRef without a weight has weight 1. */
    weight: unknown;
    /** Namespace the ref points into (the route's own unless the ref names one). */
    namespace: string;
    /** True when the ref names a core Service, the only backend this pack can follow. */
    isService: boolean;
    service?: PolicyResource;
    /** Deployments whose pod labels match the Service's selector. */
    deployments: PolicyResource[];
}

/** The Kubernetes objects of a stack, looked up per cluster and namespace. */
export class ClusterObjects {
    readonly routes: PolicyResource[];
    private readonly services: PolicyResource[];
    private readonly deployments: PolicyResource[];

    constructor(resources: PolicyResource[]) {
        this.routes = resources.filter((r) => isHttpRoute(r.type));
        this.services = resources.filter((r) => r.type === SERVICE);
        this.deployments = resources.filter((r) => r.type === DEPLOYMENT);
    }

    private sameCluster(a: Judged, b: Judged, namespace: string): boolean {
        return clusterKey(a) === clusterKey(b) && namespaceOf(b) === namespace;
    }

    /** Deployments on the Service's cluster and namespace whose pod labels carry its whole selector. */
    selectedBy(service: PolicyResource): PolicyResource[] {
        const selector = (service.props as Service).spec?.selector ?? {};
        if (Object.keys(selector).length === 0) return [];
        const namespace = namespaceOf(service);
        return this.deployments.filter((deployment) => {
            if (!this.sameCluster(service, deployment, namespace)) return false;
            const labels = podLabelsOf(deployment);
            return Object.entries(selector).every(([key, value]) => labels[key] === value);
        });
    }

    backendsOf(route: PolicyResource): Backend[] {
        const routeNamespace = namespaceOf(route);
        const backends: Backend[] = [];
        ((route.props as HTTPRoute).spec?.rules ?? []).forEach((rule, index) => {
            for (const ref of rule.backendRefs ?? []) {
                const namespace = ref.namespace ?? routeNamespace;
                const isService = (ref.group ?? "") === "" && (ref.kind ?? "Service") === "Service";
                const service = isService
                    ? this.services.find((s) => this.sameCluster(route, s, namespace) && objectName(s) === ref.name)
                    : undefined;
                backends.push({
                    rule: index,
                    ref,
                    weight: ref.weight ?? 1,
                    namespace,
                    isService,
                    ...(service ? { service } : {}),
                    deployments: service ? this.selectedBy(service) : [],
                });
            }
        });
        return backends;
    }
}
