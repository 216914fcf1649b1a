// The policy pack as the Pulumi CLI runs it: started through run-policy-pack, configured from
// policy/config/<stack>.json, and fed the resources a mocked run of the real program registers.

import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import program from "../index.ts";
import { runProgram, type RegisteredResource } from "../harness/mockRuntime.ts";
import { loadStackConfig, type StackConfig } from "../model/stackFiles.ts";
import {
    POLICY_DIR,
    PolicyConfigError,
    PolicyPackProcess,
    parsePolicyPackConfig,
    readPolicyPackConfig,
    reconcilePolicyPackConfig,
    type AnalyzerInfo,
    type Diagnostic,
    type PolicyConfig,
} from "../harness/policyPackProcess.ts";

const PROD_CONFIG = join(POLICY_DIR, "config", "prod.json");
const DEV_CONFIG = join(POLICY_DIR, "config", "dev.json");

/** The policies docs/policy.md promises, by name. */
const POLICY_NAMES = [
    "capacity-for-every-share",
    "dns-health-checks-and-ttl",
    "dns-weights-not-all-zero",
    "immutable-images",
    "no-traffic-to-unready-color",
    "rollback-possible",
    "traffic-weights-valid",
    "workload-hygiene",
];

interface Variant {
    stack: StackConfig;
    resources: RegisteredResource[];
}

async function variant(stack: string, overrides: Record<string, string> = {}): Promise<Variant> {
    const config = loadStackConfig(stack, overrides);
    return { stack: config, resources: (await runProgram(program, config)).resources };
}

/** `pulumi config set services '<json>'` with the stack file's services changed by `change`. */
function servicesWith(stack: string, change: (services: Record<string, any>[]) => void): Record<string, string> {
    const services = JSON.parse(loadStackConfig(stack).config["switchyard:services"]!) as Record<string, any>[];
    change(services);
    return { services: JSON.stringify(services) };
}

function service(services: Record<string, any>[], name: string): Record<string, any> {
    const found = services.find((s) => s.name === name);
    if (!found) throw new Error(`the stack file has no service ${name}`);
    return found;
}

type Change = (inputs: Record<string, any>, resource: RegisteredResource) => void;

/** A copy of a run with changes to registered resources' wire inputs: what the program cannot produce. */
function altered(base: Variant, type: string, changes: Record<string, Change>): Variant {
    const resources = structuredClone(base.resources);
    for (const [name, change] of Object.entries(changes)) {
        const resource = resources.find((r) => r.type === type && r.name === name);
        if (!resource) throw new Error(`the run registered no ${type} named ${name}`);
        change(resource.wireInputs, resource);
    }
    return { stack: base.stack, resources };
}

/** `level policy resource-name`, sorted: what a reader of `pulumi preview` output checks. */
function summary(diagnostics: Diagnostic[]): string[] {
    return diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName} ${d.urn.slice(d.urn.lastIndexOf("::") + 2)}`).sort();
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const RECORD = "aws:route53/record:Record";

describe("policy pack: started and driven as the Pulumi CLI does", function () {
    let starting: Promise<PolicyPackProcess> | undefined;
    let pack: PolicyPackProcess;
    let info: AnalyzerInfo;
    const runs: Record<string, Variant> = {};
    const prodConfig = () => readPolicyPackConfig(PROD_CONFIG);
    const devConfig = () => readPolicyPackConfig(DEV_CONFIG);
    const check = (v: Variant, config: Record<string, PolicyConfig>) => pack.check({ ...v, config });

    before(async function () {
        // ts-node type-checks the pack on start, as under the CLI: most of this file's time, so the
        // program runs meanwhile (one after the other: the SDK's mock state is per process).
        this.timeout(60000);
        starting = PolicyPackProcess.start(loadStackConfig("prod"));
        // Handled here so that a failed start surfaces at `await starting`, not inside a program run.
        starting.catch(() => {});
        const prodClusters = JSON.parse(loadStackConfig("prod").config["switchyard:clusters"]!) as Record<string, unknown>[];
        const prodDns = JSON.parse(loadStackConfig("prod").config["switchyard:dns"]!) as Record<string, unknown>;
        const variants: Record<string, [string, Record<string, string>]> = {
            prod: ["prod", {}],
            dev: ["dev", {}],
            // eks-use1 splits 70/30 while gke-euw1 canaries to 100 % green, its idle blue kept at two replicas
            // (storefront's capacity block needs two to take a rollback's whole peak).
            moving: ["prod", { greenWeight: "30", idleReplicas: "2", clusters: JSON.stringify(prodClusters.map((c, i) => (i === 1 ? { ...c, greenWeight: 100 } : c))) }],
            cartOneReplica: ["prod", servicesWith("prod", (s) => (service(s, "cart").replicas = 1))],
            // Without prod's beta cohort, which would route to the missing green.
            // Without the rollout analysis, which would refuse a service without the candidate color.
            storefrontBlueOnly: ["prod", { ...servicesWith("prod", (s) => delete service(s, "storefront").green), cohorts: "[]", rollout: "{}" }],
            cartByTag: [
                "prod",
                { requireImageDigests: "false", ...servicesWith("prod", (s) => (service(s, "cart").blue.image = "ghcr.io/acme-shop/cart:2.8.1")) },
            ],
            dnsTtl300: ["prod", { dns: JSON.stringify({ ...prodDns, ttl: 300 }) }],
        };
        for (const [name, [stack, overrides]] of Object.entries(variants)) runs[name] = await variant(stack, overrides);
        pack = await starting;
        info = await pack.getAnalyzerInfo();
    });

    after(async function () {
        // Also when before() failed half-way: a pack left running would keep mocha from exiting.
        const started = await starting?.catch(() => undefined);
        await started?.stop();
    });

    it("describes itself: name, the version in policy/package.json, every policy with a description and a config schema", function () {
        const { version } = JSON.parse(readFileSync(join(POLICY_DIR, "package.json"), "utf8")) as { version: string };
        expect(info.name).to.equal("switchyard");
        expect(info.version).to.equal(version);
        expect(info.supportsConfig).to.equal(true);
        expect(info.policies.map((p) => p.name).sort()).to.deep.equal(POLICY_NAMES);
        for (const policy of info.policies) {
            expect(policy.description.length, policy.name).to.be.greaterThan(40);
            expect(policy.configSchema, policy.name).to.not.equal(undefined);
        }
    });

    it("fails closed: run without a config file, every policy is mandatory", function () {
        const levels = Object.values(reconcilePolicyPackConfig(info, {})).map((c) => c.enforcementLevel);
        expect(new Set(levels)).to.deep.equal(new Set(["mandatory"]));
    });

    it("has config files the CLI accepts against the schemas the pack reports", function () {
        for (const file of [PROD_CONFIG, DEV_CONFIG]) {
            expect(() => reconcilePolicyPackConfig(info, readPolicyPackConfig(file)), file).to.not.throw();
        }
    });

    it("keeps every policy mandatory in prod.json unless the entry gives a reason, and advisory in dev.json", function () {
        const prodFile = prodConfig();
        const devFile = devConfig();
        expect(Object.keys(prodFile).sort(), "prod.json names every policy and no other").to.deep.equal(POLICY_NAMES);
        expect(Object.keys(devFile).sort(), "dev.json names every policy and no other").to.deep.equal(POLICY_NAMES);
        for (const [name, entry] of Object.entries(prodFile)) {
            if (entry.enforcementLevel !== "mandatory") {
                expect(entry.properties?.reason, `prod.json lowers ${name}; say why in "reason"`).to.be.a("string").and.not.equal("");
            }
        }
        for (const [name, entry] of Object.entries(devFile)) expect(entry.enforcementLevel, name).to.equal("advisory");
    });

    it("rejects config the CLI would reject: a threshold outside its schema or an unknown level", function () {
        const invalid = [
            { "no-traffic-to-unready-color": { minReplicas: 0 } },
            { "no-traffic-to-unready-color": { minReplicas: 1.5 } },
            { "immutable-images": { requireDigests: "yes" } },
            { "dns-health-checks-and-ttl": { maxTtlSeconds: "60" } },
            { "rollback-possible": { enforcementLevel: "mandatory", reason: "" } },
        ];
        for (const config of invalid) {
            expect(() => reconcilePolicyPackConfig(info, parsePolicyPackConfig(JSON.stringify(config))), JSON.stringify(config)).to.throw(
                PolicyConfigError,
                Object.keys(config)[0]!,
            );
        }
        expect(() => parsePolicyPackConfig(JSON.stringify({ "rollback-possible": "strict" }))).to.throw(PolicyConfigError, /strict/);
    });

    it("passes the prod stack under prod.json with no violation at all", async function () {
        expect(summary(await check(runs.prod!, prodConfig()))).to.deep.equal([]);
    });

    it("passes prod while traffic moves: a 70/30 split, a cluster canary at 100 % green, idle colors kept at two replicas", async function () {
        expect(summary(await check(runs.moving!, prodConfig()))).to.deep.equal([]);
    });

    it("passes the dev stack under dev.json with no mandatory violation", async function () {
        const diagnostics = await check(runs.dev!, devConfig());
        expect(diagnostics.filter((d) => d.enforcementLevel === "mandatory")).to.deep.equal([]);
    });

    it("holds the dev stack to prod's rules under prod.json: one replica and tags instead of digests are mandatory violations", async function () {
        expect(summary(await check(runs.dev!, prodConfig()))).to.deep.equal([
            "mandatory immutable-images local.podinfo.blue",
            "mandatory immutable-images local.podinfo.green",
            "mandatory no-traffic-to-unready-color local.podinfo",
        ]);
    });

    it("stops traffic to a color that runs one replica (services[].replicas 1 in prod)", async function () {
        const diagnostics = await check(runs.cartOneReplica!, prodConfig());
        // Each route sends to blue by weight and to green by prod's beta cohort: both are judged.
        expect(summary(diagnostics)).to.deep.equal([
            "mandatory no-traffic-to-unready-color eks-use1.cart",
            "mandatory no-traffic-to-unready-color eks-use1.cart",
            "mandatory no-traffic-to-unready-color gke-euw1.cart",
            "mandatory no-traffic-to-unready-color gke-euw1.cart",
        ]);
        const messages = diagnostics.map((d) => d.message).join("\n");
        expect(messages).to.match(/cart-blue.*1 replica.*at least 2/).and.match(/cart-green.*1 replica.*at least 2/);
    });

    it("stops a service deployed in one color only: nothing to roll back to", async function () {
        expect(summary(await check(runs.storefrontBlueOnly!, prodConfig()))).to.deep.equal([
            "mandatory rollback-possible eks-use1.storefront",
            "mandatory rollback-possible gke-euw1.storefront",
        ]);
    });

    it("stops an image pinned by tag only where prod requires digests", async function () {
        expect(summary(await check(runs.cartByTag!, prodConfig()))).to.deep.equal([
            "mandatory immutable-images eks-use1.cart.blue",
            "mandatory immutable-images gke-euw1.cart.blue",
        ]);
    });

    it("stops weighted DNS records cached longer than the maximum TTL, and judges only the weighted ones", async function () {
        const unsafe = runs.dnsTtl300!;
        const weighted = unsafe.resources.filter((r) => r.type === RECORD && r.wireInputs.weightedRoutingPolicies !== undefined).map((r) => r.name);
        expect(weighted).to.have.length(6);
        expect(summary(await check(unsafe, prodConfig()))).to.deep.equal(weighted.map((name) => `mandatory dns-health-checks-and-ttl ${name}`).sort());
    });

    describe("what the program cannot produce, made from its prod resources", function () {
        it("stops HTTPRoute weights outside the Gateway API's range or summing to 0", async function () {
            // The weighted rule is the last, after prod's cohort rule.
            const refs = (inputs: Record<string, any>) => inputs.spec.rules.at(-1).backendRefs as Record<string, any>[];
            const unsafe = altered(runs.prod!, ROUTE, {
                "eks-use1.cart": (inputs) => refs(inputs).forEach((r) => (r.weight = 0)),
                "gke-euw1.cart": (inputs) => (refs(inputs)[0]!.weight = 2_000_000),
                "eks-use1.checkout": (inputs) => (refs(inputs)[1]!.weight = -5),
                "gke-euw1.checkout": (inputs) => (refs(inputs)[0]!.weight = 99.5),
            });
            expect(summary(await check(unsafe, prodConfig()))).to.deep.equal([
                "mandatory traffic-weights-valid eks-use1.cart",
                "mandatory traffic-weights-valid eks-use1.checkout",
                "mandatory traffic-weights-valid gke-euw1.cart",
                "mandatory traffic-weights-valid gke-euw1.checkout",
            ]);
        });

        it("stops a Route53 record set whose weights are all 0, not one drained cluster", async function () {
            const drain: Change = (inputs) => (inputs.weightedRoutingPolicies[0].weight = 0);
            const oneDrained = altered(runs.prod!, RECORD, { "cart.eks-use1": drain });
            expect(summary(await check(oneDrained, prodConfig()))).to.deep.equal([]);
            const diagnostics = await check(altered(oneDrained, RECORD, { "cart.gke-euw1": drain }), prodConfig());
            expect(summary(diagnostics)).to.deep.equal(["mandatory dns-weights-not-all-zero cart.eks-use1"]);
            expect(diagnostics[0]!.message).to.include("cart.shop.example.com").and.include("eks-use1").and.include("gke-euw1");
        });

        it("stops a Route53 weight outside 0..255 and a weighted record without a health check", async function () {
            const unsafe = altered(runs.prod!, RECORD, {
                "checkout.gke-euw1": (inputs) => (inputs.weightedRoutingPolicies[0].weight = 256),
                "storefront.eks-use1": (inputs) => delete inputs.healthCheckId,
            });
            expect(summary(await check(unsafe, prodConfig()))).to.deep.equal([
                "mandatory dns-health-checks-and-ttl storefront.eks-use1",
                "mandatory traffic-weights-valid checkout.gke-euw1",
            ]);
        });

        it("stops traffic to a color without a readiness probe, or a candidate the route does not wait for", async function () {
            let unsafe = altered(runs.moving!, DEPLOYMENT, {
                "eks-use1.checkout.blue": (inputs) => delete inputs.spec.template.spec.containers[0].readinessProbe,
            });
            unsafe = altered(unsafe, ROUTE, {
                "gke-euw1.cart": (_inputs, route) => {
                    expect(route.dependencies.some((urn) => urn.endsWith("Deployment::gke-euw1.cart.green")), "the program awaits the candidate").to.equal(true);
                    route.dependencies = route.dependencies.filter((urn) => !urn.endsWith("Deployment::gke-euw1.cart.green"));
                },
            });
            const diagnostics = await check(unsafe, prodConfig());
            expect(summary(diagnostics)).to.deep.equal([
                "mandatory no-traffic-to-unready-color eks-use1.checkout",
                "mandatory no-traffic-to-unready-color gke-euw1.cart",
            ]);
            expect(diagnostics.map((d) => d.message).join("\n")).to.include("readinessProbe").and.include("dependsOn");
        });

        it("stops a route that waits for the stable color, which would hold a rollback", async function () {
            const blue = runs.moving!.resources.find((r) => r.type === DEPLOYMENT && r.name === "eks-use1.storefront.blue")!;
            const unsafe = altered(runs.moving!, ROUTE, { "eks-use1.storefront": (_inputs, route) => route.dependencies.push(blue.urn) });
            const diagnostics = await check(unsafe, prodConfig());
            expect(summary(diagnostics)).to.deep.equal(["mandatory rollback-possible eks-use1.storefront"]);
            expect(diagnostics[0]!.message).to.include("storefront-blue").and.include("rollback");
        });

        it("resolves backends on the route's own cluster: a color on another cluster does not count", async function () {
            const resources = runs.prod!.resources.filter((r) => !(r.type === DEPLOYMENT && r.name === "gke-euw1.cart.blue"));
            const diagnostics = await check({ stack: runs.prod!.stack, resources }, prodConfig());
            expect(summary(diagnostics)).to.deep.equal([
                "mandatory no-traffic-to-unready-color gke-euw1.cart",
                "mandatory rollback-possible gke-euw1.cart",
            ]);
            expect(diagnostics.find((d) => d.policyName === "no-traffic-to-unready-color")!.message).to.include("gke-euw1");
        });

        it("stops images that can change under a running color: latest, untagged", async function () {
            const unsafe = altered(runs.prod!, DEPLOYMENT, {
                "gke-euw1.checkout.green": (inputs) => (inputs.spec.template.spec.containers[0].image = "ghcr.io/acme-shop/checkout:latest"),
                "eks-use1.checkout.green": (inputs) => (inputs.spec.template.spec.containers[0].image = "ghcr.io/acme-shop/checkout"),
            });
            expect(summary(await check(unsafe, prodConfig()))).to.deep.equal([
                "mandatory immutable-images eks-use1.checkout.green",
                "mandatory immutable-images gke-euw1.checkout.green",
            ]);
        });

        it("stops workloads without limits, rolling with unavailable pods, selecting on version or missing a label", async function () {
            const unsafe = altered(runs.prod!, DEPLOYMENT, {
                "eks-use1.cart.green": (inputs) => delete inputs.spec.template.spec.containers[0].resources.limits,
                "gke-euw1.cart.green": (inputs) => (inputs.spec.strategy.rollingUpdate.maxUnavailable = 1),
                "eks-use1.checkout.green": (inputs) => delete inputs.spec.strategy,
                "gke-euw1.checkout.green": (inputs) => (inputs.spec.selector.matchLabels.version = inputs.spec.template.metadata.labels.version),
                "eks-use1.storefront.green": (inputs) => delete inputs.spec.template.metadata.labels.version,
            });
            expect(summary(await check(unsafe, prodConfig()))).to.deep.equal([
                "mandatory workload-hygiene eks-use1.cart.green",
                "mandatory workload-hygiene eks-use1.checkout.green",
                "mandatory workload-hygiene eks-use1.storefront.green",
                "mandatory workload-hygiene gke-euw1.cart.green",
                "mandatory workload-hygiene gke-euw1.checkout.green",
            ]);
        });

        it("stops a Service that selects both colors", async function () {
            const unsafe = altered(runs.prod!, SERVICE, { "eks-use1.cart.green": (inputs) => delete inputs.spec.selector.color });
            expect(summary(await check(unsafe, prodConfig()))).to.deep.equal(["mandatory workload-hygiene eks-use1.cart.green"]);
        });
    });

    describe("the emergency override: a reviewed change to policy/config/prod.json", function () {
        it("turns one policy advisory and leaves every other mandatory", async function () {
            const config = {
                ...prodConfig(),
                "rollback-possible": { enforcementLevel: "advisory" as const, properties: { reason: "INC-1234: storefront green image lost" } },
            };
            const withBrokenCart = altered(runs.storefrontBlueOnly!, DEPLOYMENT, { "eks-use1.cart.blue": (inputs) => (inputs.spec.replicas = 1) });
            expect(summary(await check(withBrokenCart, config))).to.deep.equal([
                "advisory rollback-possible eks-use1.storefront",
                "advisory rollback-possible gke-euw1.storefront",
                "mandatory no-traffic-to-unready-color eks-use1.cart",
            ]);
        });

        it("switches one policy off with disabled", async function () {
            const config = { ...prodConfig(), "rollback-possible": { enforcementLevel: "disabled" as const, properties: { reason: "INC-1234" } } };
            expect(summary(await check(runs.storefrontBlueOnly!, config))).to.deep.equal([]);
        });
    });
});
