// How the policy pack reads Kubernetes objects as Pulumi registers them: where each workload keeps
// its pod spec, how an object is named in a message, and how a route's backendRefs resolve to the
// Services and Deployments of its own cluster (its provider) and namespace.

import { expect } from "chai";
import type { PolicyProviderResource, PolicyResource } from "../policy/policies.ts";
import {
    candidateOf,
    ClusterObjects,
    clusterOf,
    containersOf,
    describe as describeObject,
    formatLabels,
    isHttpRoute,
    namespaceOf,
    objectName,
    podLabelsOf,
    podSpecOf,
    replicasOf,
} from "../policy/kubernetes.ts";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

function provider(name: string, namespace?: string): PolicyProviderResource {
    return { type: "pulumi:providers:kubernetes", name, urn: `urn:pulumi:prod::switchyard::pulumi:providers:kubernetes::${name}`, props: namespace ? { namespace } : {} };
}
const EKS = provider("eks-use1");
const GKE = provider("gke-euw1");

function judged(type: string, props: Record<string, any>, owner?: PolicyProviderResource, name = "res"): PolicyResource {
    return {
        type,
        name,
        urn: `urn:pulumi:prod::switchyard::${type}::${name}`,
        props,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        ...(owner ? { provider: owner } : {}),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
}

const podTemplate = (labels: Record<string, string>) => ({ template: { metadata: { labels }, spec: { containers: [{ name: "app" }] } } });

describe("policy kubernetes: objects", () => {
    it("knows HTTPRoutes of v1 and v1beta1 and nothing else", () => {
        expect(isHttpRoute(ROUTE)).to.equal(true);
        expect(isHttpRoute("kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute")).to.equal(true);
        for (const type of ["kubernetes:gateway.networking.k8s.io/v1:GRPCRoute", "kubernetes:gateway.networking.k8s.io/v1:HTTPRouteList", "x-kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"]) {
            expect(isHttpRoute(type), type).to.equal(false);
        }
    });

    it("finds the pod spec of every workload kind, and none in other objects", () => {
        const pod = { containers: [{ name: "app" }] };
        const inTemplate = { spec: { template: { spec: pod } } };
        for (const kind of ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:DaemonSet", "apps/v1:ReplicaSet", "batch/v1:Job", "core/v1:ReplicationController"]) {
            expect(podSpecOf(judged(`kubernetes:${kind}`, inTemplate)), kind).to.equal(pod);
        }
        expect(podSpecOf(judged("kubernetes:core/v1:Pod", { spec: pod }))).to.equal(pod);
        expect(podSpecOf(judged("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } }))).to.equal(pod);
        expect(podSpecOf(judged(SERVICE, { spec: pod }))).to.equal(undefined);
        expect(podSpecOf(judged(DEPLOYMENT, {})), "a Deployment with no spec has no pod spec").to.equal(undefined);
    });

    it("lists init containers before containers, each with its field", () => {
        const listed = containersOf({ containers: [{ name: "app" }], initContainers: [{ name: "migrate" }] });
        expect(listed.map(({ container, field }) => `${field} ${container.name}`)).to.deep.equal(["initContainers migrate", "containers app"]);
        expect(containersOf({})).to.deep.equal([]);
    });

    it("names an object as kind namespace/name on cluster, falling back to the provider's namespace, then default", () => {
        expect(describeObject(judged(DEPLOYMENT, { metadata: { name: "cart-blue", namespace: "shop" } }, EKS))).to.equal("Deployment shop/cart-blue on cluster eks-use1");
        expect(describeObject(judged("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", { metadata: { name: "cart" } }, provider("gke", "apps")))).to.equal("HTTPRoute apps/cart on cluster gke");
        const bare = judged(SERVICE, {}, undefined, "cart-green");
        expect(describeObject(bare)).to.equal("Service default/cart-green on cluster the default provider's cluster");
        expect(namespaceOf(bare)).to.equal("default");
        expect(objectName(bare)).to.equal("cart-green");
        expect(clusterOf(bare)).to.equal("the default provider's cluster");
    });

    it("writes labels as {key=value, ...}", () => {
        expect(formatLabels({ app: "cart", color: "blue" })).to.equal("{app=cart, color=blue}");
        expect(formatLabels({})).to.equal("{}");
    });

    it("reads pod labels and replicas, counting 1 replica where the spec leaves it out as Kubernetes does", () => {
        expect(podLabelsOf(judged(DEPLOYMENT, { spec: podTemplate({ app: "cart" }) }))).to.deep.equal({ app: "cart" });
        expect(podLabelsOf(judged(DEPLOYMENT, {}))).to.deep.equal({});
        expect(podLabelsOf(judged(DEPLOYMENT, { spec: {} }))).to.deep.equal({});
        expect(podLabelsOf(judged(DEPLOYMENT, { spec: { template: {} } }))).to.deep.equal({});
        expect(replicasOf(judged(DEPLOYMENT, { spec: { replicas: 0 } }))).to.equal(0);
        expect(replicasOf(judged(DEPLOYMENT, { spec: {} }))).to.equal(1);
        expect(replicasOf(judged(DEPLOYMENT, {}))).to.equal(1);
    });
});

describe("policy kubernetes: what a route's backends reach", () => {
    const deployment = (name: string, labels: Record<string, string>, owner = EKS, namespace = "shop") =>
        judged(DEPLOYMENT, { metadata: { name, namespace }, spec: podTemplate(labels) }, owner, `${owner.name}-${name}`);
    const service = (name: string, selector: Record<string, string> | undefined, owner = EKS, namespace = "shop") =>
        judged(SERVICE, { metadata: { name, namespace }, spec: selector ? { selector } : {} }, owner, `${owner.name}-${name}`);
    const route = (backendRefs: Record<string, unknown>[], owner = EKS) =>
        judged(ROUTE, { metadata: { name: "cart", namespace: "shop" }, spec: { rules: [{ backendRefs }] } }, owner, `${owner.name}-cart`);

    it("sorts a stack's objects into routes, Services and Deployments; a StatefulSet is not a color Deployment", () => {
        const blue = deployment("cart-blue", { app: "cart", color: "blue" });
        const statefulSet = judged("kubernetes:apps/v1:StatefulSet", { metadata: { name: "cart-db", namespace: "shop" }, spec: podTemplate({ app: "cart", color: "blue" }) }, EKS);
        const svc = service("cart-blue", { app: "cart", color: "blue" });
        const objects = new ClusterObjects([blue, statefulSet, svc, route([{ name: "cart-blue" }])]);
        expect(objects.routes.map((r) => r.name)).to.deep.equal(["eks-use1-cart"]);
        expect(objects.selectedBy(svc)).to.deep.equal([blue]);
    });

    it("selects Deployments whose pod labels carry the whole selector, on the Service's cluster and namespace only", () => {
        const blue = deployment("cart-blue", { app: "cart", color: "blue", version: "1" });
        const objects = new ClusterObjects([
            blue,
            deployment("cart-green", { app: "cart", color: "green" }),
            deployment("cart-blue", { app: "cart", color: "blue" }, GKE),
            deployment("cart-blue-other", { app: "cart", color: "blue" }, EKS, "other"),
        ]);
        expect(objects.selectedBy(service("cart-blue", { app: "cart", color: "blue" }))).to.deep.equal([blue]);
        expect(objects.selectedBy(service("cart-all", {})), "an empty selector selects nothing here").to.deep.equal([]);
        expect(objects.selectedBy(service("cart-none", undefined))).to.deep.equal([]);
    });

    it("resolves each backendRef: weight (1 when left out), namespace, whether it is a Service, and what it reaches", () => {
        const blue = deployment("cart-blue", { app: "cart", color: "blue" });
        const blueService = service("cart-blue", { app: "cart", color: "blue" });
        const paymentsService = service("pay", { app: "pay" }, EKS, "payments");
        const objects = new ClusterObjects([blue, blueService, paymentsService, service("cart-blue", { app: "cart", color: "blue" }, GKE)]);
        const backends = objects.backendsOf(
            route([
                { name: "cart-blue", weight: 70 },
                { name: "cart-blue" },
                { name: "cart-blue", weight: 0, kind: "Service", group: "" },
                { name: "pay", namespace: "payments", weight: 5 },
                { name: "cart-blue", group: "multicluster.x-k8s.io", kind: "ServiceImport", weight: 5 },
                { name: "cart-blue", group: "example.com", weight: 5 },
                { name: "cart-blue", kind: "Backend", weight: 5 },
                { name: "missing", weight: 5 },
            ]),
        );
        expect(backends).to.have.length(8);
        expect(backends.map((b) => b.weight)).to.deep.equal([70, 1, 0, 5, 5, 5, 5, 5]);
        expect(backends.map((b) => b.namespace)).to.deep.equal(["shop", "shop", "shop", "payments", "shop", "shop", "shop", "shop"]);
        expect(backends.map((b) => b.isService)).to.deep.equal([true, true, true, true, false, false, false, true]);
        expect(backends.map((b) => b.service)).to.deep.equal([blueService, blueService, blueService, paymentsService, undefined, undefined, undefined, undefined]);
        expect(backends.map((b) => b.deployments.length)).to.deep.equal([1, 1, 1, 0, 0, 0, 0, 0]);
        expect(backends.every((b) => b.rule === 0)).to.equal(true);
    });

    it("numbers backends by rule and finds none in a route without rules or backendRefs", () => {
        const objects = new ClusterObjects([]);
        const twoRules = judged(ROUTE, { metadata: { name: "cart" }, spec: { rules: [{}, { backendRefs: [{ name: "a" }] }] } }, EKS);
        expect(objects.backendsOf(twoRules).map((b) => b.rule)).to.deep.equal([1]);
        expect(objects.backendsOf(judged(ROUTE, { metadata: { name: "cart" } }, EKS))).to.deep.equal([]);
    });

    it("matches objects with no provider to each other only", () => {
        const blue = judged(DEPLOYMENT, { metadata: { name: "cart-blue", namespace: "shop" }, spec: podTemplate({ app: "cart", color: "blue" }) });
        const svc = judged(SERVICE, { metadata: { name: "cart-blue", namespace: "shop" }, spec: { selector: { app: "cart", color: "blue" } } });
        const objects = new ClusterObjects([blue, svc, deployment("cart-blue", { app: "cart", color: "blue" })]);
        expect(objects.selectedBy(svc)).to.deep.equal([blue]);
        expect(objects.backendsOf(judged(ROUTE, { metadata: { name: "cart", namespace: "shop" }, spec: { rules: [{ backendRefs: [{ name: "cart-blue" }] }] } }))[0]!.service).to.equal(svc);
    });
});

describe("policy kubernetes: the candidate a route names", () => {
    it("reads switchyard.io/candidate when it names blue or green, and nothing else", () => {
        const route = (metadata: unknown) => judged(ROUTE, metadata === undefined ? {} : { metadata }, EKS);
        expect(candidateOf(route({ annotations: { "switchyard.io/candidate": "green" } }))).to.equal("green");
        expect(candidateOf(route({ annotations: { "switchyard.io/candidate": "blue" } }))).to.equal("blue");
        for (const value of ["purple", "Green", "", undefined]) {
            expect(candidateOf(route({ annotations: { "switchyard.io/candidate": value } })), String(value)).to.equal(undefined);
        }
        expect(candidateOf(route({ name: "cart" })), "no annotations").to.equal(undefined);
        expect(candidateOf(route(undefined)), "no metadata").to.equal(undefined);
    });
});
