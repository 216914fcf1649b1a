// Each policy of policy/policies.ts called directly, as the policy SDK calls it, on hand-written
// Kubernetes and Route53 objects that pass and objects that must not.

import { Ajv } from "ajv";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
    capacityForEveryShare,
    dnsHealthChecksAndTtl,
    dnsWeightsNotAllZero,
    immutableImages,
    noTrafficToUnreadyColor,
    policies,
    rollbackPossible,
    trafficWeightsValid,
    workloadHygiene,
    type PolicyProviderResource,
    type PolicyResource,
    type ResourceRule,
    type StackRule,
} from "../policy/policies.ts";
import { ConfigError } from "../model/validation.ts";
import { cluster as stackCluster, parse as parseStack, service as stackService } from "./stackFixture.ts";
import { settingsOf } from "../policy/settings.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const RECORD = "aws:route53/record:Record";

function provider(name: string): PolicyProviderResource {
    return { type: "pulumi:providers:kubernetes", name, urn: `urn:pulumi:prod::switchyard::pulumi:providers:kubernetes::${name}`, props: {} };
}
const EKS = provider("eks-use1");
const GKE = provider("gke-euw1");

interface Violation {
    message: string;
    urn: string | undefined;
}

const OPTIONS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

function notApplicable(reason?: string): never {
    throw new Error(`marked not applicable: ${reason}`);
}

/**
 * The SDK awaits a rule; these specs read its reports as soon as it returns. A rule that became
 * async would report after that and pass every "no violation" case, so a promise fails the spec.
 */
function expectSynchronous(returned: unknown, rule: string): void {
    expect(returned, `${rule} returned a promise: await it in judge() and judgeStack()`).to.not.be.instanceOf(Promise);
    expect(returned, rule).to.equal(undefined);
}

/** Calls a resource policy the way the SDK's Analyze handler does; returns what it reported. */
function judge(rule: ResourceRule, type: string, props: object, options: { provider?: PolicyProviderResource; config?: object } = {}): string[] {
    const messages: string[] = [];
    const returned = rule.validateResource(
        {
            type,
            props: props as Record<string, any>,
            urn: `urn:pulumi:prod::switchyard::${type}::judged`,
            name: "judged",
            opts: OPTIONS,
            ...(options.provider ? { provider: options.provider } : {}),
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: <T extends object>() => (options.config ?? {}) as T,
            notApplicable,
        },
        (message) => messages.push(message),
    );
    expectSynchronous(returned, rule.name);
    return messages;
}

let counter = 0;

function resource(type: string, name: string, props: object, owner?: PolicyProviderResource, dependencies: PolicyResource[] = []): PolicyResource {
    return {
        type,
        name,
        urn: `urn:pulumi:prod::switchyard::${type}::${name}-${counter++}`,
        props: props as Record<string, any>,
        opts: OPTIONS,
        ...(owner ? { provider: owner } : {}),
        dependencies,
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
}

/** Calls a stack policy the way the SDK's AnalyzeStack handler does. */
function judgeStack(rule: StackRule, resources: PolicyResource[], config: object = {}): Violation[] {
    const violations: Violation[] = [];
    const returned = rule.validateStack(
        { resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable },
        (message, urn) => violations.push({ message, urn }),
    );
    expectSynchronous(returned, rule.name);
    return violations;
}

// Hand-written objects of a healthy color, in the shape Kubernetes documents.

function container(overrides: Record<string, unknown> = {}): Record<string, any> {
    return {
        name: "app",
        image: "ghcr.io/acme-shop/cart:2.9.0@sha256:2c26bdd7844340f26148d8e40306547edbf8cbd72f2ae0a81e41a8598019946c",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
        ...overrides,
    };
}

function deploymentProps(app: string, color: string, replicas = 3): Record<string, any> {
    const labels = { app, color, version: "2.9.0" };
    return {
        metadata: { name: `${app}-${color}`, namespace: "shop", labels },
        spec: {
            replicas,
            selector: { matchLabels: { app, color } },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            template: { metadata: { labels }, spec: { containers: [container()] } },
        },
    };
}

function serviceProps(app: string, color: string): Record<string, any> {
    return {
        metadata: { name: `${app}-${color}`, namespace: "shop", labels: { app, color } },
        spec: { type: "ClusterIP", selector: { app, color }, ports: [{ port: 80, targetPort: "http" }] },
    };
}

function routeProps(app: string, weights: Record<string, unknown>): Record<string, any> {
    return {
        metadata: { name: app, namespace: "shop" },
        spec: {
            parentRefs: [{ name: "public", namespace: "gateway-system" }],
            rules: [{ backendRefs: Object.entries(weights).map(([color, weight]) => ({ kind: "Service", name: `${app}-${color}`, port: 80, weight })) }],
        },
    };
}

interface Fleet {
    resources: PolicyResource[];
    route: PolicyResource;
    deployments: Record<string, PolicyResource>;
}

/** One service on one cluster: both colors and a route that waits for the colors it sends traffic to. */
function fleet(
    weights: Record<string, number> = { blue: 70, green: 30 },
    options: { cluster?: PolicyProviderResource; app?: string; change?: (objects: Record<string, Record<string, any>>) => void } = {},
): Fleet {
    const cluster = options.cluster ?? EKS;
    const app = options.app ?? "cart";
    const objects: Record<string, Record<string, any>> = { route: routeProps(app, weights) };
    for (const color of Object.keys(weights)) {
        objects[`${color}Deployment`] = deploymentProps(app, color);
        objects[`${color}Service`] = serviceProps(app, color);
    }
    options.change?.(objects);
    const deployments: Record<string, PolicyResource> = {};
    const resources: PolicyResource[] = [];
    for (const color of Object.keys(weights)) {
        if (objects[`${color}Deployment`]) {
            deployments[color] = resource(DEPLOYMENT, `${cluster.name}-${app}-${color}`, objects[`${color}Deployment`]!, cluster);
            resources.push(deployments[color]!);
        }
        if (objects[`${color}Service`]) resources.push(resource(SERVICE, `${cluster.name}-${app}-${color}`, objects[`${color}Service`]!, cluster));
    }
    const live = Object.keys(weights).filter((color) => weights[color]! > 0 && deployments[color]);
    const route = resource(ROUTE, `${cluster.name}-${app}`, objects.route!, cluster, live.map((color) => deployments[color]!));
    resources.push(route);
    return { resources, route, deployments };
}

describe("policy traffic-weights-valid", function () {
    it("passes a split, all traffic on one color, and weights left out (the Gateway API counts them as 1)", function () {
        expect(judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: 70, green: 30 }), { provider: EKS })).to.deep.equal([]);
        expect(judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: 0, green: 1_000_000 }))).to.deep.equal([]);
        expect(judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: undefined, green: 0 }))).to.deep.equal([]);
    });

    it("rejects weights that are not integers from 0 to 1,000,000, naming the route, the cluster and the backend", function () {
        for (const weight of [-1, 1_000_001, 2.5, "50"]) {
            const messages = judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: weight, green: 10 }), { provider: GKE });
            expect(messages, String(weight)).to.have.length(1);
            expect(messages[0]).to.include("HTTPRoute shop/cart on cluster gke-euw1").and.include("cart-blue").and.include("Fix:");
        }
    });

    it("rejects a rule that sends nothing anywhere: all weights 0, or no backendRefs unless it redirects", function () {
        expect(judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: 0, green: 0 }))[0]).to.match(/every backendRef of rule 0 has weight 0/);
        const empty = { metadata: { name: "cart", namespace: "shop" }, spec: { rules: [{ backendRefs: [] }, {}] } };
        expect(judge(trafficWeightsValid, ROUTE, empty)).to.have.length(2);
        const redirect = { metadata: { name: "cart" }, spec: { rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https" } }] }] } };
        expect(judge(trafficWeightsValid, ROUTE, redirect)).to.deep.equal([]);
    });

    it("rejects Route53 weights outside 0..255 and passes those inside", function () {
        for (const weight of [0, 1, 255]) expect(judge(trafficWeightsValid, RECORD, { name: "cart.example.com", weightedRoutingPolicies: [{ weight }] })).to.deep.equal([]);
        for (const weight of [256, -1, 1.5]) {
            expect(judge(trafficWeightsValid, RECORD, { name: "cart.example.com", weightedRoutingPolicies: [{ weight }] })[0], String(weight)).to.include("0 to 255");
        }
    });

    it("leaves other resource types alone", function () {
        expect(judge(trafficWeightsValid, DEPLOYMENT, { spec: { rules: [{ backendRefs: [{ weight: -1 }] }] } })).to.deep.equal([]);
    });
});

describe("policy dns-weights-not-all-zero", function () {
    const record = (name: string, set: string, weight: number | undefined, zoneId = "Z1") =>
        resource(RECORD, `${name}-${set}`, { zoneId, name, type: "CNAME", setIdentifier: set, ...(weight === undefined ? {} : { weightedRoutingPolicies: [{ weight }] }) });

    it("passes a set with one cluster drained and another serving", function () {
        expect(judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "eks", 0), record("cart.example.com", "gke", 1)])).to.deep.equal([]);
    });

    it("reports a set whose weights are all 0 once, on its first record, naming its members", function () {
        const records = [record("cart.example.com", "eks", 0), record("Cart.example.com.", "gke", 0), record("pay.example.com", "eks", 3)];
        const violations = judgeStack(dnsWeightsNotAllZero, records);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn).to.equal(records[0]!.urn);
        expect(violations[0]!.message).to.include("cart.example.com").and.include("eks").and.include("gke").and.include("trafficShare");
    });

    it("tells sets apart by zone and leaves unweighted records out", function () {
        expect(judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "eks", 0), record("cart.example.com", "gke", 4, "Z2")])).to.have.length(1);
        expect(judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "eks", 0), record("cart.example.com", "direct", undefined)])).to.have.length(1);
    });
});

describe("policy no-traffic-to-unready-color", function () {
    it("passes colors that run enough replicas, probe readiness and are awaited by the route", function () {
        expect(judgeStack(noTrafficToUnreadyColor, fleet().resources)).to.deep.equal([]);
    });

    it("needs 2 replicas by default (the schema's default) and what the config says otherwise", function () {
        const oneReplica = fleet({ blue: 100, green: 0 }, { change: (o) => (o.blueDeployment!.spec.replicas = 1) });
        const violations = judgeStack(noTrafficToUnreadyColor, oneReplica.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn, "reported on the route whose weight would move").to.equal(oneReplica.route.urn);
        expect(violations[0]!.message).to.include("Deployment shop/cart-blue on cluster eks-use1").and.include("1 replica").and.include("at least 2");
        expect(judgeStack(noTrafficToUnreadyColor, oneReplica.resources, { minReplicas: 1 })).to.deep.equal([]);
        const unset = fleet({ blue: 100 }, { change: (o) => delete o.blueDeployment!.spec.replicas });
        expect(judgeStack(noTrafficToUnreadyColor, unset.resources), "Kubernetes runs 1 replica when none is set").to.have.length(1);
    });

    it("does not judge a color at weight 0: idle colors may run fewer replicas", function () {
        const idle = fleet({ blue: 100, green: 0 }, { change: (o) => (o.greenDeployment!.spec.replicas = 1) });
        expect(judgeStack(noTrafficToUnreadyColor, idle.resources)).to.deep.equal([]);
    });

    it("stops traffic to a color whose containers have no readinessProbe", function () {
        const unprobed = fleet({ blue: 50, green: 50 }, { change: (o) => delete o.greenDeployment!.spec.template.spec.containers[0].readinessProbe });
        const violations = judgeStack(noTrafficToUnreadyColor, unprobed.resources);
        expect(violations.map((v) => v.message)).to.have.length(1);
        expect(violations[0]!.message).to.include("cart-green").and.include("readinessProbe");
    });

    it("stops traffic the route would move without waiting for the color's rollout", function () {
        const { resources, route } = fleet({ blue: 50, green: 50 });
        route.dependencies = route.dependencies.filter((d) => !d.name.endsWith("green"));
        const violations = judgeStack(noTrafficToUnreadyColor, resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.include("cart-green").and.include("dependsOn");
    });

    it("asks a route that names its candidate to await that color only, and only while it takes traffic", function () {
        const annotate = (o: Record<string, Record<string, any>>) => (o.route!.metadata.annotations = { "switchyard.io/candidate": "green" });
        const gated = fleet({ blue: 70, green: 30 }, { change: annotate });
        gated.route.dependencies = gated.route.dependencies.filter((d) => d.name.endsWith("green"));
        expect(judgeStack(noTrafficToUnreadyColor, gated.resources), "the stable blue need not be awaited").to.deep.equal([]);

        const ungated = fleet({ blue: 70, green: 30 }, { change: annotate });
        ungated.route.dependencies = ungated.route.dependencies.filter((d) => d.name.endsWith("blue"));
        const violations = judgeStack(noTrafficToUnreadyColor, ungated.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.include("cart-green").and.include("candidate's (green)");
    });

    it("resolves Services and Deployments on the route's own cluster and namespace only", function () {
        // eks has the whole service; gke has a route and Services but its green Deployment lives on eks only.
        const eks = fleet({ blue: 50, green: 50 });
        const gke = fleet({ blue: 50, green: 50 }, { cluster: GKE, change: (o) => delete o.greenDeployment });
        const violations = judgeStack(noTrafficToUnreadyColor, [...eks.resources, ...gke.resources]);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn).to.equal(gke.route.urn);
        expect(violations[0]!.message).to.include("cluster gke-euw1").and.include("matches no Deployment");

        const elsewhere = fleet({ blue: 100 }, { change: (o) => (o.blueService!.metadata.namespace = "other") });
        expect(judgeStack(noTrafficToUnreadyColor, elsewhere.resources)[0]!.message).to.include("does not declare");
    });

    it("follows a backendRef into the namespace it names", function () {
        const crossNamespace = fleet({ blue: 100 }, {
            change: (o) => {
                o.route!.spec.rules[0].backendRefs[0].namespace = "payments";
                o.blueService!.metadata.namespace = "payments";
                o.blueDeployment!.metadata.namespace = "payments";
            },
        });
        expect(judgeStack(noTrafficToUnreadyColor, crossNamespace.resources)).to.deep.equal([]);
    });

    it("stops traffic to a backend it cannot follow: not a Service, or a Service without a selector", function () {
        const notService = fleet({ blue: 100 }, {
            change: (o) => Object.assign(o.route!.spec.rules[0].backendRefs[0], { group: "multicluster.x-k8s.io", kind: "ServiceImport" }),
        });
        expect(judgeStack(noTrafficToUnreadyColor, notService.resources)[0]!.message).to.include("ServiceImport");
        const noSelector = fleet({ blue: 100 }, { change: (o) => delete o.blueService!.spec.selector });
        expect(judgeStack(noTrafficToUnreadyColor, noSelector.resources)).to.have.length(1);
    });
});

describe("policy rollback-possible", function () {
    it("passes a service with both colors behind its route, one of them at weight 0", function () {
        expect(judgeStack(rollbackPossible, fleet({ blue: 100, green: 0 }).resources)).to.deep.equal([]);
    });

    it("reports a route that reaches one color only, and says which is missing", function () {
        const blueOnly = fleet({ blue: 100 });
        const violations = judgeStack(rollbackPossible, blueOnly.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn).to.equal(blueOnly.route.urn);
        expect(violations[0]!.message).to.include("only blue").and.include("no green").and.include("services[].green");
    });

    it("reports a route that waits for the stable color: a rollback to it would be held", function () {
        const annotate = (o: Record<string, Record<string, any>>) => (o.route!.metadata.annotations = { "switchyard.io/candidate": "blue" });
        const waitsForStable = fleet({ blue: 40, green: 60 }, { change: annotate });
        expect(waitsForStable.route.dependencies.map((d) => d.name)).to.have.members(["eks-use1-cart-blue", "eks-use1-cart-green"]);
        const violations = judgeStack(rollbackPossible, waitsForStable.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn).to.equal(waitsForStable.route.urn);
        expect(violations[0]!.message).to.include("cart-green").and.include("stable color").and.include("candidate (blue)");

        const candidateOnly = fleet({ blue: 40, green: 60 }, { change: annotate });
        candidateOnly.route.dependencies = candidateOnly.route.dependencies.filter((d) => d.name.endsWith("blue"));
        expect(judgeStack(rollbackPossible, candidateOnly.resources)).to.deep.equal([]);
        expect(judgeStack(rollbackPossible, fleet({ blue: 40, green: 60 }).resources), "a route naming no candidate is not judged for it").to.deep.equal([]);
    });

    it("does not count a color scaled to 0 replicas or deployed on another cluster", function () {
        const scaledAway = fleet({ blue: 100, green: 0 }, { change: (o) => (o.greenDeployment!.spec.replicas = 0) });
        expect(judgeStack(rollbackPossible, scaledAway.resources)).to.have.length(1);
        const eks = fleet({ blue: 100, green: 0 });
        const gke = fleet({ blue: 100, green: 0 }, { cluster: GKE, change: (o) => delete o.greenDeployment });
        expect(judgeStack(rollbackPossible, [...eks.resources, ...gke.resources]).map((v) => v.urn)).to.deep.equal([gke.route.urn]);
    });
});

describe("policy immutable-images", function () {
    const withImage = (image: string, type = DEPLOYMENT) => {
        const props = deploymentProps("cart", "blue");
        props.spec.template.spec.containers[0].image = image;
        return judge(immutableImages, type, props, { provider: EKS });
    };
    const digest = "sha256:2c26bdd7844340f26148d8e40306547edbf8cbd72f2ae0a81e41a8598019946c";

    it("passes images pinned by digest, with or without a tag", function () {
        expect(withImage(`ghcr.io/acme-shop/cart@${digest}`)).to.deep.equal([]);
        expect(withImage(`ghcr.io/acme-shop/cart:2.9.0@${digest}`)).to.deep.equal([]);
        expect(withImage(`registry.local:5000/cart@${digest}`)).to.deep.equal([]);
    });

    it("rejects latest, untagged and malformed references, even where digests are not required", function () {
        for (const image of ["ghcr.io/acme-shop/cart:latest", "ghcr.io/acme-shop/cart", "registry.local:5000/cart", "nginx", "Not An Image"]) {
            const props = deploymentProps("cart", "blue");
            props.spec.template.spec.containers[0].image = image;
            const messages = judge(immutableImages, DEPLOYMENT, props, { config: { requireDigests: false } });
            expect(messages, image).to.have.length(1);
            expect(messages[0]).to.include(image).and.include("Deployment shop/cart-blue");
        }
    });

    it("requires digests by default (the schema's default) and accepts release tags when the config allows", function () {
        expect(withImage("ghcr.io/acme-shop/cart:2.9.0")[0]).to.include("requireDigests");
        expect(withImage("registry.local:5000/cart:2.9.0")[0]).to.include("registry.local:5000/cart@sha256:<digest>");
        const props = deploymentProps("cart", "blue");
        props.spec.template.spec.containers[0].image = "ghcr.io/acme-shop/cart:2.9.0";
        expect(judge(immutableImages, DEPLOYMENT, props, { config: { requireDigests: false } })).to.deep.equal([]);
    });

    it("looks into every workload kind's pod spec, init containers included", function () {
        const pod = { spec: { initContainers: [container({ name: "migrate", image: "flyway/flyway:latest" })], containers: [container()] } };
        expect(judge(immutableImages, "kubernetes:core/v1:Pod", pod)[0]).to.include("initContainers migrate");
        const cronJob = { metadata: { name: "report" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [container({ image: "busybox" })] } } } } } };
        expect(judge(immutableImages, "kubernetes:batch/v1:CronJob", cronJob)).to.have.length(1);
        expect(judge(immutableImages, "kubernetes:apps/v1:StatefulSet", { spec: { template: { spec: { containers: [container({ image: "redis" })] } } } })).to.have.length(1);
        expect(judge(immutableImages, SERVICE, { spec: { containers: [container({ image: "redis" })] } })).to.deep.equal([]);
    });
});

describe("policy workload-hygiene", function () {
    const judgeDeployment = (change: (props: Record<string, any>) => void) => {
        const props = deploymentProps("cart", "green");
        change(props);
        return judge(workloadHygiene, DEPLOYMENT, props, { provider: EKS });
    };

    it("passes a color Deployment and a color Service", function () {
        expect(judgeDeployment(() => {})).to.deep.equal([]);
        expect(judge(workloadHygiene, SERVICE, serviceProps("cart", "green"))).to.deep.equal([]);
    });

    it("requires cpu and memory requests and limits on every container, naming what is missing", function () {
        const messages = judgeDeployment((p) => (p.spec.template.spec.containers[0].resources = { requests: { cpu: "100m" } }));
        expect(messages).to.have.length(1);
        expect(messages[0]).to.include("requests.memory").and.include("limits.cpu").and.include("limits.memory").and.not.include("requests.cpu");
        const statefulSet = { metadata: { name: "db" }, spec: { template: { spec: { containers: [container({ resources: undefined })] } } } };
        expect(judge(workloadHygiene, "kubernetes:apps/v1:StatefulSet", statefulSet)).to.have.length(1);
    });

    it("requires rolling with maxUnavailable 0", function () {
        expect(judgeDeployment((p) => (p.spec.strategy.rollingUpdate.maxUnavailable = "0%"))).to.deep.equal([]);
        expect(judgeDeployment((p) => (p.spec.strategy.rollingUpdate.maxUnavailable = 1))[0]).to.include("maxUnavailable is 1");
        expect(judgeDeployment((p) => delete p.spec.strategy)[0]).to.include("25%");
        expect(judgeDeployment((p) => (p.spec.strategy = { type: "Recreate" }))[0]).to.include("Recreate");
    });

    it("requires app, color and version on the pods, a selector on app and color only, and one of the two colors", function () {
        expect(judgeDeployment((p) => delete p.spec.template.metadata.labels.version)[0]).to.include("version");
        expect(judgeDeployment((p) => (p.spec.selector.matchLabels = { app: "cart" }))[0]).to.include("matchLabels.color");
        expect(judgeDeployment((p) => (p.spec.selector.matchLabels.version = "2.9.0"))[0]).to.include("selects on version");
        expect(judgeDeployment((p) => (p.metadata.labels = { ...p.metadata.labels, color: "blue" }))[0]).to.include("label color=blue disagrees with its pod template's color=green");
        expect(judgeDeployment((p) => (p.spec.template.metadata.labels = { app: "cart" }))[0]).to.include("lacks label(s) color, version");
        const purple = judgeDeployment((p) => {
            p.spec.template.metadata.labels.color = "purple";
            p.spec.selector.matchLabels.color = "purple";
            p.metadata.labels.color = "purple";
        });
        expect(purple).to.have.length(1);
        expect(purple[0]).to.include("purple");
    });

    it("keeps Pulumi waiting for the rollout: no skipAwait", function () {
        expect(judgeDeployment((p) => (p.metadata.annotations = { "pulumi.com/skipAwait": "true" }))[0]).to.include("skipAwait");
    });

    it("requires a Service to select one color: app and color in the selector, labels that agree", function () {
        const both = serviceProps("cart", "green");
        delete both.spec.selector.color;
        expect(judge(workloadHygiene, SERVICE, both)).to.have.length(1);
        expect(judge(workloadHygiene, SERVICE, both)[0]).to.include("lacks color");
        const disagreeing = serviceProps("cart", "green");
        disagreeing.metadata.labels.color = "blue";
        expect(judge(workloadHygiene, SERVICE, disagreeing)[0]).to.include("label color=blue disagrees with its selector's color=green");
        expect(judge(workloadHygiene, SERVICE, { metadata: { name: "db" }, spec: { type: "ExternalName" } })).to.deep.equal([]);
    });
});

describe("policy dns-health-checks-and-ttl", function () {
    const weighted = (extra: Record<string, unknown>) => ({
        name: "cart.example.com",
        type: "CNAME",
        setIdentifier: "eks-use1",
        ttl: 30,
        records: ["cart.eks-use1.example.com"],
        weightedRoutingPolicies: [{ weight: 2 }],
        healthCheckId: "0d7f0c3e-hc",
        ...extra,
    });

    it("passes a weighted record with a health check and a short TTL", function () {
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({}))).to.deep.equal([]);
    });

    it("reports a weighted record without a health check, unless it is an alias that evaluates target health", function () {
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ healthCheckId: undefined }))[0]).to.include("cart.example.com").and.include("no health check");
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ healthCheckId: "" }))).to.have.length(1);
        const alias = weighted({ healthCheckId: undefined, ttl: undefined, records: undefined, aliases: [{ name: "lb", zoneId: "Z", evaluateTargetHealth: true }] });
        expect(judge(dnsHealthChecksAndTtl, RECORD, alias)).to.deep.equal([]);
    });

    it("caps TTL at 60 s by default (the schema's default) and at what the config says otherwise", function () {
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ ttl: 60 }))).to.deep.equal([]);
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ ttl: 61 }))[0]).to.include("TTL 61 s, above 60 s");
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ ttl: 300 }), { config: { maxTtlSeconds: 300 } })).to.deep.equal([]);
    });

    it("judges only weighted records: a cluster's direct record is not part of the weighted set", function () {
        const direct = { name: "cart.eks-use1.example.com", type: "A", ttl: 3600, records: ["34.120.18.40"] };
        expect(judge(dnsHealthChecksAndTtl, RECORD, direct)).to.deep.equal([]);
    });
});

// storefront at peak: 240 rps on one cluster, 150 rps per pod, at most 50 ms mean wait. By hand:
// 1 pod cannot keep up (ρ = 1.6); 2 pods: ρ = 0.8, P(wait) = 2ρ²/(1 + ρ) = 0.711, Wq = 0.711/(300 − 240) s = 11.9 ms.
const CAPACITY = '{"peakRps":240,"podRps":150,"maxWaitMs":50}';

/** Puts CAPACITY on both colors' Deployments, these replicas, and the route's candidate. */
function annotate(o: Record<string, Record<string, any>>, replicas: Record<string, number> = {}, candidate?: string): void {
    for (const color of ["blue", "green"]) {
        const deployment = o[`${color}Deployment`];
        if (!deployment) continue;
        deployment.metadata.annotations = { "switchyard.io/capacity": CAPACITY };
        if (replicas[color] !== undefined) deployment.spec.replicas = replicas[color];
    }
    if (candidate !== undefined) o.route!.metadata.annotations = { "switchyard.io/candidate": candidate };
}

describe("policy capacity-for-every-share", function () {

    it("passes colors that serve their share and a stable color that could take the whole peak", function () {
        const healthy = fleet({ blue: 70, green: 30 }, { change: (o) => annotate(o, {}, "green") });
        expect(judgeStack(capacityForEveryShare, healthy.resources)).to.deep.equal([]);
        const idleCandidate = fleet({ blue: 100, green: 0 }, { change: (o) => annotate(o, { green: 1 }, "green") });
        expect(judgeStack(capacityForEveryShare, idleCandidate.resources), "an idle candidate takes nothing yet").to.deep.equal([]);
    });

    it("judges only Deployments that carry the capacity annotation", function () {
        const small = fleet({ blue: 100, green: 0 }, { change: (o) => (o.blueDeployment!.spec.replicas = 1) });
        expect(judgeStack(capacityForEveryShare, small.resources)).to.deep.equal([]);
    });

    it("stops a stable color that could not take a rollback's whole peak on the replicas it runs now", function () {
        const canary = fleet({ blue: 0, green: 100 }, { change: (o) => annotate(o, { blue: 1 }, "green") });
        const violations = judgeStack(capacityForEveryShare, canary.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.urn).to.equal(canary.route.urn);
        expect(violations[0]!.message)
            .to.include("Deployment shop/cart-blue on cluster eks-use1")
            .and.include("all 240 rps of the peak at once")
            .and.include("1 replica at 150 rps each: cannot keep up (utilization 160 %)")
            .and.include("it needs 2 for maxWaitMs 50");
        const twoIdle = fleet({ blue: 0, green: 100 }, { change: (o) => annotate(o, { blue: 2 }, "green") });
        expect(judgeStack(capacityForEveryShare, twoIdle.resources), "2 pods wait 11.9 ms").to.deep.equal([]);
    });

    it("stops a stable color scaled to no pod at all: a rollback would have nothing to snap back to", function () {
        const none = fleet({ blue: 0, green: 100 }, { change: (o) => annotate(o, { blue: 0 }, "green") });
        const violations = judgeStack(capacityForEveryShare, none.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.include("Deployment shop/cart-blue").and.include("it runs 0 replicas at 150 rps each: no pod to serve it; it needs 2 for maxWaitMs 50");
    });

    it("judges every color at the whole peak when the route names no candidate", function () {
        const unnamed = fleet({ blue: 100, green: 0 }, { change: (o) => annotate(o, { green: 1 }) });
        const violations = judgeStack(capacityForEveryShare, unnamed.resources);
        expect(violations.map((v) => v.message)).to.have.length(1);
        expect(violations[0]!.message).to.include("cart-green").and.include("names no candidate");
    });

    it("stops a candidate too small for the share the weighted rule sends it, weights taken relative to their sum", function () {
        // 700:300 sends the candidate blue 70 % = 168 rps; one pod cannot keep up, two wait 3 ms.
        const blueCandidate = fleet({ blue: 700, green: 300 }, { change: (o) => annotate(o, { blue: 1 }, "blue") });
        const violations = judgeStack(capacityForEveryShare, blueCandidate.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.include("sends 70 % of the peak (168 of 240 rps) to Deployment shop/cart-blue").and.include("it needs 2");
    });

    it("counts only the weighted rule for shares: a cohort's volume is not known", function () {
        const withCohort = fleet({ blue: 100, green: 0 }, {
            change: (o) => {
                annotate(o, { green: 1 }, "green");
                o.route!.spec.rules.unshift({
                    matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ name: "x-switchyard-cohort", value: "beta" }] }],
                    backendRefs: [{ kind: "Service", name: "cart-green", port: 80 }],
                });
            },
        });
        expect(judgeStack(capacityForEveryShare, withCohort.resources)).to.deep.equal([]);
    });

    it("refuses exactly what the program's own check refuses, over replicas, idle replicas and weights", function () {
        let cases = 0;
        let refused = 0;
        for (const replicas of [1, 2, 3]) {
            for (const idleReplicas of ["full", "1", "2"]) {
                for (const greenWeight of [0, 30, 60, 100]) {
                    let programRefuses = false;
                    try {
                        parseStack({
                            greenWeight: String(greenWeight),
                            idleReplicas,
                            clusters: [stackCluster("eks-use1")],
                            services: [stackService("cart", { replicas, capacity: { peakRps: 240, podRps: 150 } })],
                        });
                    } catch (error) {
                        expect(error).to.be.instanceOf(ConfigError);
                        programRefuses = true;
                    }
                    // What the program would run: full replicas with traffic, idleReplicas (if lower) without.
                    const running = (weight: number) => (weight > 0 || idleReplicas === "full" ? replicas : Math.min(replicas, Number(idleReplicas)));
                    const weights = { blue: 100 - greenWeight, green: greenWeight };
                    const { resources } = fleet(weights, { change: (o) => annotate(o, { blue: running(weights.blue), green: running(weights.green) }, "green") });
                    const packRefuses = judgeStack(capacityForEveryShare, resources).length > 0;
                    expect(packRefuses, `replicas ${replicas}, idleReplicas ${idleReplicas}, greenWeight ${greenWeight}`).to.equal(programRefuses);
                    cases++;
                    if (programRefuses) refused++;
                }
            }
        }
        expect(cases).to.equal(36);
        expect(refused, "both outcomes occur").to.be.within(1, 35);
    });

    it("stops a capacity annotation it cannot read, once though it is judged for its share and its snap-back", function () {
        const broken = fleet({ blue: 70, green: 30 }, {
            change: (o) => {
                annotate(o, {});
                o.greenDeployment!.metadata.annotations["switchyard.io/capacity"] = '{"peakRps":240,"podRps":0,"maxWaitMs":50}';
            },
        });
        const violations = judgeStack(capacityForEveryShare, broken.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.include("cart-green").and.include("cannot be judged: peakRps and podRps must be numbers above 0");
    });
});

describe("policy capacity-for-every-share: which rule carries the shares, and what it says", function () {
    /** CAPACITY's numbers: 1 pod cannot take the whole peak; 2 can. */
    const annotated = (weights: Record<string, unknown>, replicas: Record<string, number>, candidate: string | undefined, change?: (o: Record<string, Record<string, any>>) => void) =>
        fleet(weights as Record<string, number>, {
            change: (o) => {
                annotate(o, replicas, candidate);
                change?.(o);
            },
        });
    const cohortRule = (match: Record<string, unknown>, weight?: number) => ({
        matches: [{ path: { type: "PathPrefix", value: "/" }, ...match }],
        backendRefs: [{ kind: "Service", name: "cart-green", port: 80, ...(weight === undefined ? {} : { weight }) }],
    });

    for (const [what, match] of [
        ["a header", { headers: [{ name: "x-switchyard-cohort", value: "beta" }] }],
        ["a query parameter", { queryParams: [{ name: "cohort", value: "beta" }] }],
        ["a method", { method: "POST" }],
    ] as const) {
        it(`takes the last rule that matches every request as the weighted one, not a later rule on ${what}`, function () {
            // The weighted rule sends green nothing; a cohort rule after it sends green its one backend (weight 1 of 1).
            const late = annotated({ blue: 100, green: 0 }, { green: 1 }, "green", (o) => o.route!.spec.rules.push(cohortRule(match)));
            expect(judgeStack(capacityForEveryShare, late.resources)).to.deep.equal([]);
        });
    }

    it("takes a rule whose matches name only a path, or that has no matches, as matching every request", function () {
        for (const matches of [[{ path: { type: "PathPrefix", value: "/" } }], undefined]) {
            const catchAll = annotated({ blue: 0, green: 100 }, { green: 1 }, "green", (o) => {
                if (matches) o.route!.spec.rules[0].matches = matches;
                o.route!.spec.rules.unshift(cohortRule({ headers: [{ name: "x-switchyard-cohort", value: "beta" }] }));
            });
            const violations = judgeStack(capacityForEveryShare, catchAll.resources);
            expect(violations, JSON.stringify(matches)).to.have.length(1);
            expect(violations[0]!.message).to.include("sends 100 % of the peak (240 of 240 rps) to Deployment shop/cart-green");
        }
    });

    it("judges no share when no rule matches every request, and leaves weights of a cohort rule out of the sum", function () {
        const cohortsOnly = annotated({ blue: 100, green: 0 }, { green: 1 }, "green", (o) => {
            o.route!.spec.rules = [cohortRule({ headers: [{ name: "x-switchyard-cohort", value: "beta" }] })];
        });
        expect(judgeStack(capacityForEveryShare, cohortsOnly.resources)).to.deep.equal([]);
        // A hand-written cohort backend with weight 300: counted, it would make green's share 75 %.
        const weightedCohort = annotated({ blue: 100, green: 0 }, { green: 1 }, "green", (o) => {
            o.route!.spec.rules.unshift(cohortRule({ headers: [{ name: "x-switchyard-cohort", value: "beta" }] }, 300));
        });
        expect(judgeStack(capacityForEveryShare, weightedCohort.resources)).to.deep.equal([]);
    });

    it("leaves weights that are not whole numbers of 0 or more to traffic-weights-valid", function () {
        for (const weights of [{ blue: 0.25, green: 0.75 }, { blue: 1, green: -3 }, { blue: "100", green: "300" }]) {
            const invalid = annotated(weights, { green: 1 }, "green");
            expect(judgeStack(capacityForEveryShare, invalid.resources), JSON.stringify(weights)).to.deep.equal([]);
        }
    });

    it("says the stable color must take the peak because the route names another candidate, and how many replicas to keep", function () {
        const canary = annotated({ blue: 0, green: 100 }, { blue: 1 }, "green");
        expect(judgeStack(capacityForEveryShare, canary.resources).map((v) => v.message)).to.deep.equal([
            "HTTPRoute shop/cart on cluster eks-use1 can snap back to Deployment shop/cart-blue on cluster eks-use1 (the stable color, as the route's candidate is green), " +
                "which must then take all 240 rps of the peak at once, but it runs 1 replica at 150 rps each: cannot keep up (utilization 160 %): the queue grows without bound; " +
                "it needs 2 for maxWaitMs 50. Fix: keep that color at 2 or more replicas (switchyard: services[].replicas, or idleReplicas at weight 0).",
        ]);
    });

    it("judges a color the route names no candidate for once, at the whole peak, which covers its share", function () {
        const unnamed = annotated({ blue: 100, green: 0 }, { blue: 1 }, undefined);
        const violations = judgeStack(capacityForEveryShare, unnamed.resources);
        expect(violations.map((v) => v.message)).to.have.length(1);
        expect(violations[0]!.message).to.include("can snap back to Deployment shop/cart-blue").and.include("(the route names no candidate (switchyard.io/candidate), so every color it reaches must take it)");
    });

    it("counts replicas in the plural but one, and reads a Deployment without metadata as one without the annotation", function () {
        // 3 pods of 40 rps for 100 % of 240 rps cannot keep up (ρ = 2).
        const three = annotated({ blue: 0, green: 100 }, {}, "green", (o) => (o.greenDeployment!.metadata.annotations["switchyard.io/capacity"] = '{"peakRps":240,"podRps":40,"maxWaitMs":50}'));
        expect(judgeStack(capacityForEveryShare, three.resources)[0]!.message).to.include("which runs 3 replicas at 40 rps each: cannot keep up");
        const bare = annotated({ blue: 0, green: 100 }, { green: 1 }, "green", (o) => delete o.greenDeployment!.metadata);
        expect(judgeStack(capacityForEveryShare, bare.resources)).to.deep.equal([]);
    });

    it("says what to write when an annotation cannot be read", function () {
        const broken = annotated({ blue: 100, green: 0 }, {}, "green", (o) => (o.blueDeployment!.metadata.annotations["switchyard.io/capacity"] = "fast"));
        const [violation] = judgeStack(capacityForEveryShare, broken.resources);
        expect(violation!.message).to.match(
            /^Deployment shop\/cart-blue on cluster eks-use1 carries switchyard\.io\/capacity "fast", which cannot be judged: .*\. Fix: write \{"peakRps":<rps>,"podRps":<rps>,"maxWaitMs":<ms>\} or maxUtilization instead of maxWaitMs \(switchyard writes it from services\[\]\.capacity\)\.$/,
        );
        // A candidate is judged for its share alone: one look at the annotation, one report.
        const candidate = annotated({ blue: 70, green: 30 }, {}, "green", (o) => (o.greenDeployment!.metadata.annotations["switchyard.io/capacity"] = "fast"));
        expect(judgeStack(capacityForEveryShare, candidate.resources).map((v) => v.message)).to.have.length(1);
    });

    it("says how far the candidate falls short of its share, and what to do", function () {
        const small = annotated({ blue: 25, green: 75 }, { green: 1 }, "green");
        expect(judgeStack(capacityForEveryShare, small.resources).map((v) => v.message)).to.deep.equal([
            "HTTPRoute shop/cart on cluster eks-use1 sends 75 % of the peak (180 of 240 rps) to Deployment shop/cart-green on cluster eks-use1, " +
                "which runs 1 replica at 150 rps each: cannot keep up (utilization 120 %): the queue grows without bound; it needs 2 for maxWaitMs 50. " +
                "Fix: raise spec.replicas (switchyard: services[].replicas) before moving that weight to it, or move less.",
        ]);
    });
});

describe("the policies as the pack lists them", function () {
    it("are the policies docs/policy.md lists, in its order", function () {
        const docs = readFileSync(join(PROJECT_ROOT, "docs/policy.md"), "utf8");
        const documented = [...docs.matchAll(/^\| `([a-z0-9-]+)` \| (resource|stack) \|/gm)].map((m) => m[1]);
        expect(documented).to.have.length(8);
        expect(policies.map((p) => p.name)).to.deep.equal(documented);
    });

    it("describe themselves in whole sentences", function () {
        expect(policies).to.have.length(8);
        for (const policy of policies) expect(policy.description, policy.name).to.match(/^[A-Z][^]{40,}\.$/);
    });

    it("give every threshold a typed schema with a description and a default, and every policy a reason of at least one character", function () {
        const ajv = new Ajv({ strict: false });
        const valid = (rule: ResourceRule | StackRule, config: object) => ajv.validate({ type: "object", ...rule.configSchema }, config);
        expect(valid(noTrafficToUnreadyColor, { minReplicas: 3 })).to.equal(true);
        for (const minReplicas of [0, 1.5, "2"]) expect(valid(noTrafficToUnreadyColor, { minReplicas }), String(minReplicas)).to.equal(false);
        expect(valid(immutableImages, { requireDigests: false })).to.equal(true);
        expect(valid(immutableImages, { requireDigests: "yes" })).to.equal(false);
        expect(valid(dnsHealthChecksAndTtl, { maxTtlSeconds: 300 })).to.equal(true);
        for (const maxTtlSeconds of [0, "60"]) expect(valid(dnsHealthChecksAndTtl, { maxTtlSeconds }), String(maxTtlSeconds)).to.equal(false);
        expect(policies).to.have.length(8);
        for (const policy of policies) {
            expect(valid(policy, { reason: "INC-1234" }), policy.name).to.equal(true);
            expect(valid(policy, { reason: "" }), policy.name).to.equal(false);
            expect(valid(policy, { reason: 1234 }), policy.name).to.equal(false);
            const properties = Object.entries(policy.configSchema.properties);
            expect(properties.length, policy.name).to.be.greaterThan(0);
            for (const [key, property] of properties) {
                expect(property.description, `${policy.name}.${key}`).to.match(/^[A-Z].{20,}\.$/);
                if (key !== "reason") expect(property.default, `${policy.name}.${key}`).to.not.equal(undefined);
            }
        }
    });

    it("fill in only the defaults a schema has", function () {
        expect(settingsOf(noTrafficToUnreadyColor.configSchema, {})).to.deep.equal({ minReplicas: 2 });
        expect(settingsOf(noTrafficToUnreadyColor.configSchema, { minReplicas: 1, reason: "INC-1" })).to.deep.equal({ minReplicas: 1, reason: "INC-1" });
        expect(settingsOf(rollbackPossible.configSchema, {})).to.deep.equal({});
    });
});

describe("policy traffic-weights-valid: what each violation says, and objects it must not trip over", function () {
    it("names the weight, the backend, the range and the Fix", function () {
        const [message] = judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: 2.5, green: 10 }), { provider: GKE });
        expect(message).to.match(/^HTTPRoute shop\/cart on cluster gke-euw1: rule 0 sends weight 2\.5 to cart-blue, but the Gateway API takes integers from 0 to 1000000\. Fix: .*greenWeight/);
        const unnamed = { metadata: { name: "cart", namespace: "shop" }, spec: { rules: [{ backendRefs: [{ kind: "Service", weight: -1 }] }] } };
        expect(judge(trafficWeightsValid, ROUTE, unnamed)[0]).to.include("sends weight -1 to an unnamed backend");
    });

    it("reports an invalid weight once, not also as a rule whose weights are all 0", function () {
        const messages = judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: -1, green: 0 }));
        expect(messages).to.have.length(1);
        expect(messages[0]).to.include("sends weight -1 to cart-blue");
    });

    it("says a rule with weights all 0 sends its requests nowhere, naming the backends, and how to fix it", function () {
        const [message] = judge(trafficWeightsValid, ROUTE, routeProps("cart", { blue: 0, green: 0 }));
        expect(message).to.match(/rule 0 has weight 0 \(cart-blue, cart-green\), so the Gateway answers its requests with errors\. Fix: .*weight above 0.*greenWeight/);
    });

    it("says which rule has no backendRefs, and passes only redirects without them (other filters still need a backend)", function () {
        const noBackends = { metadata: { name: "cart", namespace: "shop" }, spec: { rules: [{ backendRefs: [] }, { filters: [{ type: "RequestHeaderModifier" }] }] } };
        const messages = judge(trafficWeightsValid, ROUTE, noBackends);
        expect(messages).to.have.length(2);
        expect(messages[0]).to.match(/^HTTPRoute shop\/cart on cluster .*: rule 0 has no backendRefs, so the Gateway has nowhere to send what it matches\. Fix: list every deployed color's Service/);
        expect(messages[1]).to.include("rule 1 has no backendRefs");
    });

    it("passes a route with no spec or no rules: nothing is routed", function () {
        expect(judge(trafficWeightsValid, ROUTE, { metadata: { name: "cart" } })).to.deep.equal([]);
        expect(judge(trafficWeightsValid, ROUTE, { metadata: { name: "cart" }, spec: {} })).to.deep.equal([]);
    });

    it("names a Route53 record by name, type and set, and leaves weighted policies of other types alone", function () {
        const record = { name: "cart.example.com", type: "CNAME", setIdentifier: "eks-use1", weightedRoutingPolicies: [{ weight: 256 }] };
        expect(judge(trafficWeightsValid, RECORD, record)[0]).to.match(
            /^Route53 record cart\.example\.com \(CNAME, set eks-use1\) has weight 256, but Route53 takes integers from 0 to 255\. Fix: .*trafficShare/,
        );
        expect(judge(trafficWeightsValid, RECORD, { weightedRoutingPolicies: [{ weight: -1 }] })[0]).to.include("Route53 record judged (?) has weight -1");
        expect(judge(trafficWeightsValid, DEPLOYMENT, { weightedRoutingPolicies: [{ weight: -1 }] })).to.deep.equal([]);
    });
});

describe("policy dns-weights-not-all-zero: sets and messages", function () {
    const record = (name: string, set: string, weight: number | undefined, zoneId = "Z1", type = RECORD) =>
        resource(type, `${name}-${set}`, { zoneId, name, type: "CNAME", setIdentifier: set, ...(weight === undefined ? {} : { weightedRoutingPolicies: [{ weight }] }) });

    it("lists the set's members by set identifier, leaving out its unweighted records, and says drained clusters would get traffic", function () {
        const violations = judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "eks", 0), record("cart.example.com", "direct", undefined), record("cart.example.com", "gke", 0)]);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.match(/^Route53 records for cart\.example\.com \(CNAME\) all have weight 0 \(eks, gke\): .*drained clusters get traffic again\. Fix: .*trafficShare above 0/);
    });

    it("names a record by its resource name when it has no set identifier", function () {
        const unnamed = resource(RECORD, "cart-eks", { zoneId: "Z1", name: "cart.example.com", type: "A", weightedRoutingPolicies: [{ weight: 0 }] });
        expect(judgeStack(dnsWeightsNotAllZero, [unnamed])[0]!.message).to.include("all have weight 0 (cart-eks)");
    });

    it("judges only Route53 records: other resources with weights are not part of a set", function () {
        expect(judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "alb", 0, "Z1", "aws:lb/listenerRule:ListenerRule")])).to.deep.equal([]);
        expect(judgeStack(dnsWeightsNotAllZero, [record("cart.example.com", "eks", 0), record("cart.example.com", "alb", 5, "Z1", "aws:lb/listenerRule:ListenerRule")])).to.have.length(1);
    });

    it("keeps zone, name and type apart even when they would run together", function () {
        expect(judgeStack(dnsWeightsNotAllZero, [record("2cart.example.com", "eks", 0, "Z1"), record("cart.example.com", "gke", 3, "Z12")])).to.have.length(1);
    });
});

describe("policy no-traffic-to-unready-color: messages and edges", function () {
    it("names the Deployment, its replicas, the minimum and the Fix", function () {
        const oneReplica = fleet({ blue: 100, green: 0 }, { change: (o) => (o.blueDeployment!.spec.replicas = 1) });
        expect(judgeStack(noTrafficToUnreadyColor, oneReplica.resources)[0]!.message).to.match(
            /^HTTPRoute shop\/cart on cluster eks-use1 sends weight 100 to Deployment shop\/cart-blue on cluster eks-use1, which runs 1 replica\(s\); .*at least 2 .*Fix: raise spec\.replicas \(switchyard: services\[\]\.replicas\)/,
        );
    });

    it("leaves weights that are not numbers to traffic-weights-valid", function () {
        const stringWeight = fleet({ blue: 100 }, { change: (o) => ((o.route!.spec.rules[0].backendRefs[0].weight = "100"), (o.blueDeployment!.spec.replicas = 1)) });
        expect(judgeStack(noTrafficToUnreadyColor, stringWeight.resources)).to.deep.equal([]);
    });

    it("counts a backendRef without a weight as weight 1, as the Gateway API does", function () {
        const unweighted = fleet({ blue: 100 }, {
            change: (o) => {
                delete o.route!.spec.rules[0].backendRefs[0].weight;
                o.blueDeployment!.spec.replicas = 1;
            },
        });
        expect(judgeStack(noTrafficToUnreadyColor, unweighted.resources)[0]!.message).to.include("sends weight 1 to Deployment shop/cart-blue");
    });

    it("says a cohort rule sends the requests it matches, not weight 1, when its color cannot take them", function () {
        const cohort = fleet({ blue: 100 }, {
            change: (o) => {
                const rule = o.route!.spec.rules[0];
                delete rule.backendRefs[0].weight;
                rule.matches = [{ path: { type: "PathPrefix", value: "/" }, headers: [{ name: "x-switchyard-cohort", value: "beta" }] }];
                o.blueDeployment!.spec.replicas = 1;
            },
        });
        const message = judgeStack(noTrafficToUnreadyColor, cohort.resources)[0]!.message;
        expect(message).to.include("sends the requests its rule 0 matches (a cohort rule, on header x-switchyard-cohort; whatever the weights) to Deployment shop/cart-blue");
        expect(message).not.to.include("sends weight 1");
    });

    it("names the containers without a readinessProbe, and does not ask init containers for one", function () {
        const unprobed = fleet({ blue: 100 }, {
            change: (o) => {
                const pod = o.blueDeployment!.spec.template.spec;
                pod.initContainers = [container({ name: "migrate", readinessProbe: undefined })];
                pod.containers.push(container({ name: "sidecar", readinessProbe: undefined }), container({ name: "proxy", readinessProbe: undefined }));
            },
        });
        const violations = judgeStack(noTrafficToUnreadyColor, unprobed.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.match(
            /whose container\(s\) sidecar, proxy have no readinessProbe, so pods get traffic before they can serve it and the rollout wait proves nothing\. Fix: add a readinessProbe \(switchyard: services\[\]\.healthPath\)/,
        );
    });

    it("says what a backend that is no Service is, and a Service without a spec matches no Deployment", function () {
        const imported = fleet({ blue: 100 }, { change: (o) => Object.assign(o.route!.spec.rules[0].backendRefs[0], { group: "multicluster.x-k8s.io", kind: "ServiceImport" }) });
        expect(judgeStack(noTrafficToUnreadyColor, imported.resources)[0]!.message).to.match(
            /sends weight 100 to ServiceImport\.multicluster\.x-k8s\.io shop\/cart-blue, which is not a core Service: .*Fix: route only to the Services/,
        );
        // The Gateway API defaults kind to Service: a group alone makes it another API's Service.
        const groupOnly = fleet({ blue: 100 }, {
            change: (o) => {
                const ref = o.route!.spec.rules[0].backendRefs[0];
                delete ref.kind;
                ref.group = "multicluster.x-k8s.io";
            },
        });
        expect(judgeStack(noTrafficToUnreadyColor, groupOnly.resources)[0]!.message).to.include("sends weight 100 to Service.multicluster.x-k8s.io shop/cart-blue, which is not a core Service");
        const kindOnly = fleet({ blue: 100 }, { change: (o) => Object.assign(o.route!.spec.rules[0].backendRefs[0], { kind: "Backend" }) });
        expect(judgeStack(noTrafficToUnreadyColor, kindOnly.resources)[0]!.message).to.include("sends weight 100 to Backend shop/cart-blue, which is not a core Service");
        const noSpec = fleet({ blue: 100 }, { change: (o) => delete o.blueService!.spec });
        const violations = judgeStack(noTrafficToUnreadyColor, noSpec.resources);
        expect(violations).to.have.length(1);
        expect(violations[0]!.message).to.match(/whose selector \{\} matches no Deployment's pod labels .*Fix: deploy the color/);
    });

    it("names the Service a route sends to that the cluster does not declare, and what to do", function () {
        const elsewhere = fleet({ blue: 100 }, { change: (o) => (o.blueService!.metadata.namespace = "other") });
        expect(judgeStack(noTrafficToUnreadyColor, elsewhere.resources)[0]!.message).to.match(
            /sends weight 100 to Service shop\/cart-blue, which this stack does not declare on cluster eks-use1 \(a Service of that name on another cluster does not count\)\. Fix: deploy that color on this cluster first, or set its weight to 0\./,
        );
    });

    it("says the route moves weight before the rollout is ready when it does not depend on the Deployment", function () {
        const { resources, route } = fleet({ blue: 100 });
        route.dependencies = [];
        expect(judgeStack(noTrafficToUnreadyColor, resources)[0]!.message).to.match(
            /without depending on it, so Pulumi may move the weight before that Deployment's rollout is ready\. Fix: make the route dependsOn the Deployments it sends traffic to \(switchyard: BlueGreenService's route waits for the candidate\)\.$/,
        );
        const named = fleet({ blue: 60, green: 40 }, { change: (o) => (o.route!.metadata.annotations = { "switchyard.io/candidate": "green" }) });
        named.route.dependencies = [];
        const violations = judgeStack(noTrafficToUnreadyColor, named.resources);
        expect(violations, "only the candidate must be awaited").to.have.length(1);
        expect(violations[0]!.message).to.include("to Deployment shop/cart-green").and.include("Fix: make the route dependsOn the candidate's (green) Deployments it sends traffic to");
    });

    it("judges a Deployment once though a cohort rule and the weighted rule both reach it", function () {
        const both = fleet({ blue: 100, green: 0 }, {
            change: (o) => {
                o.blueDeployment!.spec.replicas = 1;
                o.route!.spec.rules.unshift({
                    matches: [{ headers: [{ name: "x-switchyard-cohort", value: "beta" }] }],
                    backendRefs: [{ kind: "Service", name: "cart-blue", port: 80 }],
                });
            },
        });
        const violations = judgeStack(noTrafficToUnreadyColor, both.resources);
        expect(violations.map((v) => v.message)).to.have.length(1);
        expect(violations[0]!.message).to.include("which runs 1 replica(s)");
        // Each route judges on its own: the same Deployment behind a second route is reported for that route too.
        const second = resource(ROUTE, "eks-use1-cart-canary", { ...routeProps("cart", { blue: 100 }), metadata: { name: "cart-canary", namespace: "shop" } }, EKS, [both.deployments.blue!]);
        expect(judgeStack(noTrafficToUnreadyColor, [...both.resources, second]).map((v) => v.urn)).to.deep.equal([both.route.urn, second.urn]);
    });

    it("names a container without a name as unnamed, and reads a Deployment whose pod template has no spec", function () {
        const unnamed = fleet({ blue: 100 }, { change: (o) => o.blueDeployment!.spec.template.spec.containers.push({ image: "x" }) });
        expect(judgeStack(noTrafficToUnreadyColor, unnamed.resources)[0]!.message).to.include("whose container(s) (unnamed) have no readinessProbe");
        const noPodSpec = fleet({ blue: 100 }, { change: (o) => delete o.blueDeployment!.spec.template.spec });
        expect(judgeStack(noTrafficToUnreadyColor, noPodSpec.resources), "no containers, so none without a probe").to.deep.equal([]);
    });
});

describe("the policies describe what they guard", function () {
    it("says the route awaits only the candidate, and that a rollback is never held by the stable color", function () {
        expect(noTrafficToUnreadyColor.description).to.include("at least minReplicas replicas and have a readinessProbe on every container; the route awaits those of the candidate color");
        expect(rollbackPossible.description).to.include("by a weight change alone, and the route does not wait for the stable color, so that move is never held.");
        expect(capacityForEveryShare.description).to.include(
            "and every color but the route's switchyard.io/candidate (all colors when the route names none) could take the whole peak at once on the replicas it runs",
        );
    });
});

describe("policy rollback-possible: messages and edges", function () {
    it("counts a color with one replica as one to roll back to", function () {
        expect(judgeStack(rollbackPossible, fleet({ blue: 100, green: 0 }, { change: (o) => (o.greenDeployment!.spec.replicas = 1) }).resources)).to.deep.equal([]);
    });

    it("lists the color Deployments the route reaches and what to deploy", function () {
        const [violation] = judgeStack(rollbackPossible, fleet({ blue: 100 }).resources);
        expect(violation!.message).to.match(
            /^HTTPRoute shop\/cart on cluster eks-use1 reaches only blue \(Deployment shop\/cart-blue on cluster eks-use1\); with no green deployed behind it .*Fix: deploy green \(switchyard: services\[\]\.green\) with at least one replica and list its Service in the route/,
        );
    });

    it("says so when a route reaches no running color at all, or only pods without a color", function () {
        const nothing = fleet({ blue: 100, green: 0 }, { change: (o) => (delete o.blueDeployment, delete o.greenDeployment) });
        expect(judgeStack(rollbackPossible, nothing.resources)[0]!.message).to.match(
            /reaches no running color Deployment; with no blue or green deployed .*Fix: deploy blue and green \(switchyard: services\[\]\.blue\)/,
        );
        const colorless = fleet({ blue: 100, green: 0 }, {
            change: (o) => {
                for (const name of ["blue", "green"]) {
                    delete o[`${name}Deployment`]!.spec.template.metadata.labels.color;
                    o[`${name}Service`]!.spec.selector = { app: "cart" };
                }
            },
        });
        expect(judgeStack(rollbackPossible, colorless.resources)[0]!.message).to.include("reaches no running color Deployment");
    });

    it("says why a route must not wait for the stable color, and which color it may wait for", function () {
        const holding = fleet({ blue: 100, green: 0 }, { change: (o) => (o.route!.metadata.annotations = { "switchyard.io/candidate": "green" }) });
        holding.route.dependencies = [holding.deployments.blue!];
        const violations = judgeStack(rollbackPossible, holding.resources);
        expect(violations.map((v) => v.message)).to.deep.equal([
            "HTTPRoute shop/cart on cluster eks-use1 depends on Deployment shop/cart-blue on cluster eks-use1, the stable color a rollback returns to: " +
                "Pulumi would hold a rollback until that Deployment's await ends (after a refresh the Kubernetes provider re-awaits a degraded " +
                "Deployment, for up to 10 minutes). Fix: depend only on the candidate (green) color's Deployments.",
        ]);
        holding.route.dependencies = [holding.deployments.green!];
        expect(judgeStack(rollbackPossible, holding.resources), "waiting for the candidate is what the route should do").to.deep.equal([]);
    });

    it("lists every Deployment of a color the route reaches", function () {
        const twice = fleet({ blue: 100, green: 0 });
        twice.resources.push(resource(DEPLOYMENT, "eks-use1-cart-blue-2", { ...deploymentProps("cart", "blue"), metadata: { name: "cart-blue-2", namespace: "shop" } }, EKS));
        const gone = twice.resources.filter((r) => r !== twice.deployments.green);
        expect(judgeStack(rollbackPossible, gone)[0]!.message).to.include("only blue (Deployment shop/cart-blue on cluster eks-use1, Deployment shop/cart-blue-2 on cluster eks-use1)");
    });
});

describe("policy immutable-images: messages and edges", function () {
    const judgeImage = (image: string | undefined) => {
        const props = deploymentProps("cart", "blue");
        props.spec.template.spec.containers[0].image = image;
        return judge(immutableImages, DEPLOYMENT, props, { config: { requireDigests: false } });
    };

    it("says whether a floating image has no tag or the latest tag, and how to pin it", function () {
        expect(judgeImage("ghcr.io/acme-shop/cart")[0]).to.match(
            /^Deployment shop\/cart-blue on cluster .*: containers app runs image ghcr\.io\/acme-shop\/cart, which names no fixed content \(no tag\): .*rollback.*Fix: pin a release, ideally by digest: ghcr\.io\/acme-shop\/cart:<version>@sha256:<digest>\./,
        );
        expect(judgeImage("ghcr.io/acme-shop/cart:latest")[0]).to.include("names no fixed content (the latest tag)");
        expect(judgeImage("Not An Image")[0]).to.match(/runs image Not An Image, which is not a valid image reference\. Fix: /);
    });

    it("passes a container without an image (nothing to pin) and names an unnamed container", function () {
        expect(judgeImage(undefined)).to.deep.equal([]);
        const props = deploymentProps("cart", "blue");
        props.spec.template.spec.containers[0] = container({ name: undefined, image: "nginx" });
        expect(judge(immutableImages, DEPLOYMENT, props, { config: { requireDigests: false } })[0]).to.include("containers (unnamed) runs image nginx");
    });
});

describe("policy workload-hygiene: messages and partial objects", function () {
    const judgeDeployment = (change: (props: Record<string, any>) => void) => {
        const props = deploymentProps("cart", "green");
        change(props);
        return judge(workloadHygiene, DEPLOYMENT, props, { provider: EKS });
    };

    it("passes every Kubernetes spelling of maxUnavailable 0: 0, \"0\" and \"0%\"", function () {
        for (const value of [0, "0", "0%"]) expect(judgeDeployment((p) => (p.spec.strategy.rollingUpdate.maxUnavailable = value)), String(value)).to.deep.equal([]);
        expect(judgeDeployment((p) => (p.spec.strategy = { type: "RollingUpdate" }))[0]).to.include("maxUnavailable is unset (Kubernetes default 25%)");
    });

    it("names each missing quantity and explains that one color could starve the other", function () {
        const [message] = judgeDeployment((p) => (p.spec.template.spec.containers[0].resources = { requests: { cpu: "100m" } }));
        expect(message).to.match(/containers app sets no requests\.memory, limits\.cpu, limits\.memory, so the scheduler cannot reserve room for both colors .*Fix: set resources\.requests and resources\.limits .*services\[\]\.resources/);
        const unnamed = judgeDeployment((p) => (p.spec.template.spec.containers[0] = container({ name: undefined, resources: {} })));
        expect(unnamed[0]).to.include("containers (unnamed) sets no");
    });

    it("reports pods without a color label once for the label and once for the selector that names one", function () {
        const messages = judgeDeployment((p) => delete p.spec.template.metadata.labels.color);
        expect(messages).to.have.length(2);
        expect(messages[0]).to.match(/pod template lacks label\(s\) color; .*Fix: label spec\.template with app, color and version\./);
        expect(messages[1]).to.include("spec.selector.matchLabels.color is green but the pods' color is missing");
    });

    it("reports a selector that picks another color's pods, or none, naming both values", function () {
        expect(judgeDeployment((p) => (p.spec.selector.matchLabels.color = "blue"))[0]).to.match(
            /spec\.selector\.matchLabels\.color is blue but the pods' color is green, so the Deployment does not own exactly one color's pods\. Fix: select on app and color/,
        );
        const neither = judgeDeployment((p) => {
            delete p.spec.selector.matchLabels.color;
            delete p.spec.template.metadata.labels.color;
            delete p.metadata.labels.color;
        });
        expect(neither).to.have.length(2);
        expect(neither[1]).to.include("spec.selector.matchLabels.color is missing but the pods' color is missing");
    });

    it("says why selecting on version and skipping the rollout wait are refused", function () {
        expect(judgeDeployment((p) => (p.spec.selector.matchLabels.version = "2.9.0"))[0]).to.match(/every release would replace the Deployment and drop its pods\. Fix: select on app and color only\./);
        expect(judgeDeployment((p) => (p.metadata.annotations = { "pulumi.com/skipAwait": "true" }))[0]).to.match(/traffic to pods that are not ready\. Fix: remove the annotation\./);
        expect(judgeDeployment((p) => (p.spec.strategy.rollingUpdate.maxUnavailable = 1))[0]).to.match(/takes serving pods away from a color that may carry traffic\. Fix: set strategy\.rollingUpdate\.maxUnavailable to 0\./);
    });

    it("checks only labels both sides set: an object without a color label or labels at all agrees", function () {
        expect(judgeDeployment((p) => (p.metadata.labels = { app: "cart" }))).to.deep.equal([]);
        expect(judgeDeployment((p) => delete p.metadata.labels)).to.deep.equal([]);
        const versioned = serviceProps("cart", "green");
        versioned.metadata.labels.version = "2.9.0";
        expect(judge(workloadHygiene, SERVICE, versioned), "a Service may carry a version its selector leaves out").to.deep.equal([]);
    });

    it("judges partial objects without throwing: no metadata, no spec, no selector", function () {
        const anonymous = deploymentProps("cart", "green");
        delete anonymous.metadata;
        expect(judge(workloadHygiene, DEPLOYMENT, anonymous)).to.deep.equal([]);
        expect(judge(workloadHygiene, DEPLOYMENT, {})).to.have.length(4);
        const noSelector = judgeDeployment((p) => delete p.spec.selector);
        expect(noSelector).to.have.length(2);
        expect(noSelector[0]).to.include("spec.selector.matchLabels.app is missing but the pods' app is cart");
        expect(judge(workloadHygiene, SERVICE, {})[0]).to.match(
            /selector \{\} lacks app and color, so it can pick up pods of both colors \(or none\) and its weight no longer means one color\. Fix: select on app and color\./,
        );
        const anonymousService = serviceProps("cart", "green");
        delete anonymousService.metadata;
        expect(judge(workloadHygiene, SERVICE, anonymousService)).to.deep.equal([]);
    });

    it("refuses a Service that selects a color switchyard does not have", function () {
        const purple = serviceProps("cart", "purple");
        const messages = judge(workloadHygiene, SERVICE, purple);
        expect(messages).to.have.length(1);
        expect(messages[0]).to.match(/selector color is "purple"; switchyard's colors are blue and green\. Fix: use one of them\./);
        const deployment = judgeDeployment((p) => {
            for (const labels of [p.spec.template.metadata.labels, p.spec.selector.matchLabels, p.metadata.labels]) labels.color = "purple";
        });
        expect(deployment[0]).to.include('color label is "purple"; switchyard\'s colors are blue and green');
    });
});

describe("policy dns-health-checks-and-ttl: edges", function () {
    const weighted = (extra: Record<string, unknown>) => ({ name: "cart.example.com", type: "CNAME", setIdentifier: "eks-use1", ttl: 30, weightedRoutingPolicies: [{ weight: 2 }], healthCheckId: "hc", ...extra });

    it("reports a health check id that is missing, null or empty, and explains what it costs", function () {
        const { healthCheckId: _, ...without } = weighted({});
        expect(judge(dnsHealthChecksAndTtl, RECORD, without)[0]).to.match(
            /^Route53 record cart\.example\.com \(CNAME, set eks-use1\) is weighted but has no health check, so Route53 keeps answering with it while that cluster is down\. Fix: .*dns\.healthCheck/,
        );
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ healthCheckId: null }))).to.have.length(1);
    });

    it("accepts an alias only when it evaluates target health", function () {
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ healthCheckId: undefined, aliases: [{ name: "lb", evaluateTargetHealth: false }] }))).to.have.length(1);
    });

    it("says how long resolvers keep a too-long answer", function () {
        expect(judge(dnsHealthChecksAndTtl, RECORD, weighted({ ttl: 61 }))[0]).to.match(/TTL 61 s, above 60 s \(policy config maxTtlSeconds\): resolvers keep sending clients to a failed or drained cluster that long\. Fix: lower ttl \(switchyard: dns\.ttl\)\./);
    });

    it("leaves other resource types with weights alone", function () {
        expect(judge(dnsHealthChecksAndTtl, DEPLOYMENT, weighted({ healthCheckId: undefined, ttl: 3600 }))).to.deep.equal([]);
    });
});
