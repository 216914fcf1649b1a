import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { expect } from "chai";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../model/config/keys.ts";
import { parseStackConfig } from "../model/config/parse.ts";
import { inputChanges, runProgram, type ProgramRun, type RegisteredResource } from "../harness/mockRuntime.ts";
import { configText, loadStackConfig, readProjectFile } from "../model/stackFiles.ts";
import program from "../index.ts";
import { TYPES, at, byName, ofType, runStack, runStackExpectingError } from "./support.ts";

// The official schemas, by the type token the Kubernetes provider registers.
const VALIDATORS: Record<string, (object: never) => { validate(): void }> = {
    [TYPES.deployment]: (o) => new Deployment(o),
    [TYPES.service]: (o) => new Service(o),
    [TYPES.namespace]: (o) => new Namespace(o),
    [TYPES.httpRoute]: (o) => new HTTPRoute(o),
};

function validate(resource: RegisteredResource): void {
    const make = VALIDATORS[resource.type];
    if (!make) throw new Error(`no schema for ${resource.type} (${resource.urn})`);
    make(resource.inputs as never).validate();
}

type Backend = { name: string; weight: number; port: number };
/** The weighted rule's backends: it is the last rule, after any cohort rules. */
function backends(route: RegisteredResource): Backend[] {
    const rules = at(route, "spec", "rules") as { backendRefs: Backend[] }[];
    expect(rules).to.not.be.empty;
    return rules[rules.length - 1]!.backendRefs;
}

function weightsOf(route: RegisteredResource): Record<string, number> {
    return Object.fromEntries(backends(route).map((b) => [b.name.split("-").pop()!, b.weight]));
}

/** The provider resource a custom resource is registered through. */
function providerOf(run: ProgramRun, resource: RegisteredResource): RegisteredResource {
    const urn = resource.provider.split("::").slice(0, -1).join("::");
    const provider = run.resources.find((r) => r.urn === urn);
    if (!provider) throw new Error(`${resource.urn} uses provider ${resource.provider}, which the program did not register`);
    return provider;
}

describe("program: dev and prod stack files under Pulumi's mocks", function () {
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        runs.dev = await runStack("dev");
        runs.prod = await runStack("prod");
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every Kubernetes object validates against the official schemas`, () => {
            const objects = runs[stack]!.resources.filter((r) => r.type.startsWith("kubernetes:"));
            expect(objects.length).to.be.greaterThan(4);
            for (const object of objects) validate(object);
        });

        it(`${stack}: every custom resource names an explicit provider, never a default one`, () => {
            const custom = runs[stack]!.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
            expect(custom.length, "every Deployment, Service and route at least").to.be.greaterThan(4);
            for (const resource of custom) {
                expect(resource.provider, resource.urn).to.match(/^urn:pulumi:.+::.+/);
                expect(providerOf(runs[stack]!, resource).name, resource.urn).not.to.match(/^default/);
            }
        });
    }

    it("the schema check itself rejects a broken object", () => {
        const deployment = structuredClone(ofType(runs.prod!, TYPES.deployment)[0]!);
        (deployment.inputs.spec as Record<string, unknown>).replicas = "three";
        expect(() => validate(deployment)).to.throw(/replicas/);
    });

    it("prod: places every service on every cluster, each cluster's objects through that cluster's provider", () => {
        const run = runs.prod!;
        const clusters = ofType(run, TYPES.k8sProvider).map((p) => p.name);
        expect(clusters).to.have.members(["eks-use1", "gke-euw1"]);
        const services = ["storefront", "cart", "checkout"];
        for (const cluster of clusters) {
            const provider = byName(run, TYPES.k8sProvider, cluster);
            expect(provider.inputs.context, "each provider has its own context").to.be.a("string");
            for (const service of services) {
                for (const resource of [
                    byName(run, TYPES.deployment, `${cluster}.${service}.blue`),
                    byName(run, TYPES.deployment, `${cluster}.${service}.green`),
                    byName(run, TYPES.service, `${cluster}.${service}.green`),
                    byName(run, TYPES.httpRoute, `${cluster}.${service}`),
                ]) {
                    expect(providerOf(run, resource).urn, resource.urn).to.equal(provider.urn);
                }
            }
        }
        expect(new Set(ofType(run, TYPES.k8sProvider).map((p) => p.inputs.context)).size).to.equal(2);
    });

    it("prod: color Deployments roll with no unavailable pods and probe the health path; Services select one color", () => {
        expect(ofType(runs.prod!, TYPES.deployment)).to.have.length(12);
        for (const deployment of ofType(runs.prod!, TYPES.deployment)) {
            expect(at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")).to.equal(0);
            const container = (at(deployment, "spec", "template", "spec", "containers") as Record<string, unknown>[])[0]!;
            expect(container.readinessProbe).to.have.nested.property("httpGet.path").that.matches(/^\//);
            expect(container.livenessProbe).to.have.nested.property("httpGet.path");
            expect(container.resources).to.have.nested.property("limits.memory");
            const labels = at(deployment, "spec", "template", "metadata", "labels") as Record<string, string>;
            expect(labels).to.include.keys("app", "color", "version");
            const service = byName(runs.prod!, TYPES.service, deployment.name);
            expect(at(service, "spec", "selector")).to.deep.equal({ app: labels.app, color: labels.color });
        }
    });

    it("exports, per cluster and service, the weights, the image per color and the route, and a summary per cluster", () => {
        const { traffic, summary } = runs.prod!.outputs as {
            traffic: Record<string, Record<string, { blue: { weight: number; image: string }; green: { weight: number; image: string }; route: string }>>;
            summary: Record<string, string>;
        };
        expect(Object.keys(summary)).to.have.members(["eks-use1", "gke-euw1"]);
        expect(summary["eks-use1"]).to.match(/blue 100% \/ green 0%/);
        const cart = traffic["gke-euw1"]!.cart!;
        expect(cart.blue.weight).to.equal(100);
        expect(cart.green.weight).to.equal(0);
        expect(cart.green.image).to.match(/^ghcr\.io\/acme-shop\/cart@sha256:/);
        expect(cart.route).to.equal("shop/cart");
    });

    it("holds back the traffic output until every route's registration is answered, so a refused route never shows as live", async () => {
        // The engine persists a stack's outputs when they arrive (pulumi/pulumi pkg/backend/snapshot.go
        // RegisterResourceOutputs), whatever fails after: each route's entry must depend on that route.
        const dependsOn: Record<string, string[]> = {};
        await runProgram(async () => {
            const outputs = (await program()) as { traffic: Record<string, Record<string, { route: unknown }>> };
            for (const [cluster, services] of Object.entries(outputs.traffic)) {
                for (const [service, { route }] of Object.entries(services)) {
                    // The SDK's own record of what an Output waits for (sdk/nodejs/output.ts allResources).
                    const resources = await (route as { allResources(): Promise<Set<{ __pulumiType: string; __name: string }>> }).allResources();
                    dependsOn[`${cluster}.${service}`] = [...resources].map((r) => `${r.__pulumiType} ${r.__name}`);
                }
            }
            return outputs;
        }, loadStackConfig("prod"));
        expect(Object.keys(dependsOn)).to.have.length(6);
        for (const [route, resources] of Object.entries(dependsOn)) expect(resources, route).to.include(`${TYPES.httpRoute} ${route}`);
    });
});

describe("program: the flip", () => {
    let at0: ProgramRun;
    let at30: ProgramRun;
    before(async () => {
        at0 = await runStack("prod", { greenWeight: "0" });
        at30 = await runStack("prod", { greenWeight: "30" });
    });

    it("changes exactly the HTTPRoutes when greenWeight moves 0 → 30, each now splitting 70/30", () => {
        const changes = inputChanges(at0, at30);
        const routes = ofType(at30, TYPES.httpRoute);
        expect(routes).to.have.length(6);
        expect(changes.map((c) => c.urn).sort()).to.deep.equal(routes.map((r) => r.urn).sort());
        expect(changes.every((c) => c.kind === "changed" && c.keys.join() === "spec")).to.equal(true);
        for (const route of routes) expect(weightsOf(route), route.name).to.deep.equal({ blue: 70, green: 30 });
        expect(at30.resources.map((r) => r.urn).sort(), "no resource renamed, added or removed").to.deep.equal(at0.resources.map((r) => r.urn).sort());
    });

    it("keeps both colors deployed at full replicas at every weight by default", async () => {
        const at100 = await runStack("prod", { greenWeight: "100" });
        for (const run of [at0, at30, at100]) {
            for (const deployment of ofType(run, TYPES.deployment)) {
                const service = deployment.name.split(".")[1]!;
                const replicas = { storefront: 3, cart: 3, checkout: 4 }[service];
                expect(at(deployment, "spec", "replicas"), deployment.name).to.equal(replicas);
            }
            expect(ofType(run, TYPES.deployment)).to.have.length(12);
        }
        expect(ofType(at100, TYPES.httpRoute)).to.have.length(6);
        for (const route of ofType(at100, TYPES.httpRoute)) expect(weightsOf(route)).to.deep.equal({ blue: 0, green: 100 });
    });

    it("moves only the overridden cluster's routes when one cluster canaries first", async () => {
        const config = loadStackConfig("prod");
        const clusters = JSON.parse(config.config["switchyard:clusters"]!) as Record<string, unknown>[];
        clusters[1] = { ...clusters[1], greenWeight: 10 };
        const canary = await runStack("prod", { clusters: JSON.stringify(clusters) });
        const changed = inputChanges(at0, canary);
        expect(changed.map((c) => c.urn.split("::").pop()).sort()).to.deep.equal(["gke-euw1.cart", "gke-euw1.checkout", "gke-euw1.storefront"]);
        expect(ofType(canary, TYPES.httpRoute)).to.have.length(6);
        for (const route of ofType(canary, TYPES.httpRoute)) {
            expect(weightsOf(route)).to.deep.equal(route.name.startsWith("gke-euw1") ? { blue: 90, green: 10 } : { blue: 100, green: 0 });
        }
        expect((canary.outputs.summary as Record<string, string>)["gke-euw1"]).to.match(/cluster override/);
    });

    it("with idleReplicas set, keeps a color at weight 0 warm at idleReplicas and rescales only spec.replicas when it takes traffic", async () => {
        // Without prod's beta cohort: a cohort's color serves at any weight (test/greyRelease.spec.ts).
        const idle0 = await runStack("prod", { idleReplicas: "1", greenWeight: "0", cohorts: "[]" });
        const idle30 = await runStack("prod", { idleReplicas: "1", greenWeight: "30", cohorts: "[]" });
        const idle60 = await runStack("prod", { idleReplicas: "1", greenWeight: "60", cohorts: "[]" });
        expect(ofType(idle0, TYPES.deployment)).to.have.length(12);
        for (const deployment of ofType(idle0, TYPES.deployment)) {
            expect(at(deployment, "spec", "replicas"), deployment.name).to.equal(deployment.name.endsWith(".green") ? 1 : at(byName(at0, TYPES.deployment, deployment.name), "spec", "replicas"));
        }
        const crossing = inputChanges(idle0, idle30);
        for (const change of crossing.filter((c) => c.type === TYPES.deployment)) {
            expect(change.urn).to.match(/\.green$/);
            const before = byName(idle0, TYPES.deployment, change.urn.split("::").pop()!);
            const after = byName(idle30, TYPES.deployment, before.name);
            const { replicas: _r1, ...restBefore } = before.inputs.spec as Record<string, unknown>;
            const { replicas: _r2, ...restAfter } = after.inputs.spec as Record<string, unknown>;
            expect(restAfter, "nothing but spec.replicas changes on a workload").to.deep.equal(restBefore);
        }
        expect(crossing.filter((c) => c.type === TYPES.deployment)).to.have.length(6);
        expect(new Set(crossing.map((c) => c.type))).to.deep.equal(new Set([TYPES.deployment, TYPES.httpRoute]));
        expect(new Set(inputChanges(idle30, idle60).map((c) => c.type)), "a shift between non-zero weights moves routes only").to.deep.equal(new Set([TYPES.httpRoute]));
    });
});

describe("program: what waits for what", () => {
    it("makes each route wait for the candidate (green) while it takes traffic, never for the stable color", async () => {
        const run = await runStack("prod", { greenWeight: "30" });
        const routes = ofType(run, TYPES.httpRoute);
        expect(routes).to.have.length(6);
        for (const route of routes) {
            const green = byName(run, TYPES.deployment, `${route.name}.green`);
            const blue = byName(run, TYPES.deployment, `${route.name}.blue`);
            expect(route.dependencies, `${route.name} waits for green's rollout`).to.include(green.urn);
            expect(route.dependencies, `${route.name} never waits for blue, which a rollback returns to`).not.to.include(blue.urn);
            expect(at(route, "metadata", "annotations", "switchyard.io/candidate")).to.equal("green");
        }
    });

    it("waits for no color at weight 0, and drains the route before a color at weight 0 changes", async () => {
        // Without prod's beta cohort, which sends requests to green at any weight.
        const run = await runStack("prod", { greenWeight: "0", cohorts: "[]" });
        const routes = ofType(run, TYPES.httpRoute);
        expect(routes).to.have.length(6);
        for (const route of routes) {
            const deployments = ofType(run, TYPES.deployment).filter((d) => d.name.startsWith(`${route.name}.`));
            expect(deployments).to.have.length(2);
            for (const deployment of deployments) expect(route.dependencies).not.to.include(deployment.urn);
            expect(byName(run, TYPES.deployment, `${route.name}.green`).dependencies, "the idle color waits for the route").to.include(route.urn);
        }
    });

    it("waits for a Deployment's registration without making a timer an Output's value, which the SDK would walk for unknowns", async () => {
        // containsUnknowns (sdk/nodejs/output.js) enumerates every Output's value; through an Immediate
        // it reaches Node's queue of all pending ones, a walk that grows with the square of the fleet.
        let enumerated = 0;
        const realSetImmediate = globalThis.setImmediate;
        const watched = (...args: Parameters<typeof setImmediate>) =>
            new Proxy(realSetImmediate(...args), {
                ownKeys(target) {
                    enumerated++;
                    return Reflect.ownKeys(target);
                },
            });
        globalThis.setImmediate = Object.assign(watched, realSetImmediate) as typeof setImmediate;
        try {
            const run = await runStack("prod", { greenWeight: "0" });
            expect(run.hookCalls, "the gate waited on the Deployments' registrations").to.have.length(6);
        } finally {
            globalThis.setImmediate = realSetImmediate;
        }
        expect(enumerated).to.equal(0);
    });

    it("binds the gate to every route as a create and an update hook that also runs in previews", async () => {
        const run = await runStack("prod", { greenWeight: "0" });
        expect(run.hookCalls).to.have.length(6);
        expect(run.hookCalls.map((c) => c.hook), "one gate for the whole program").to.deep.equal(Array(6).fill("switchyard-gate"));
        expect(run.hookCalls.map((c) => c.urn).sort(), "called once for each route").to.deep.equal(ofType(run, TYPES.httpRoute).map((r) => r.urn).sort());
        const preview = await runProgram(program, loadStackConfig("prod"), { preview: true });
        expect(preview.hookCalls.map((c) => c.urn).sort(), "onDryRun: the same hooks in a preview").to.deep.equal(run.hookCalls.map((c) => c.urn).sort());
    });

    it("waits, before a route accepts traffic, until its Gateway has accepted it for its current generation", async () => {
        const run = await runStack("prod");
        for (const route of ofType(run, TYPES.httpRoute)) {
            const waitFor = JSON.parse(at(route, "metadata", "annotations", "pulumi.com/waitFor") as string) as string[];
            expect(waitFor).to.have.length(2);
            for (const [i, type] of ["Accepted", "ResolvedRefs"].entries()) {
                expect(waitFor[i]).to.include(`@.type=="${type}" && @.status=="True" && (@.observedGeneration==$.metadata.generation || !@.observedGeneration)`);
                expect(waitFor[i]).to.include('@.parentRef.name=="public" && @.parentRef.namespace=="gateway-system" && @.parentRef.sectionName=="https"');
            }
        }
    });
});

describe("program: config and secrets", () => {
    it("fails on bad config before registering any resource but the root stack", async () => {
        const failure = await runStackExpectingError("prod", { greenWeight: "150" });
        expect(failure.message).to.match(/switchyard:greenWeight: got "150"/);
        expect(failure.resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });

    it("passes a kubeconfig to every cluster provider as a secret", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
        const config = loadStackConfig("prod", { kubeconfig });
        const run = await runProgram(program, { ...config, secretKeys: [...config.secretKeys, "switchyard:kubeconfig"] });
        const providers = ofType(run, TYPES.k8sProvider);
        expect(providers).to.have.length(2);
        for (const provider of providers) {
            expect(provider.inputs.kubeconfig).to.equal(kubeconfig);
            expect(provider.secretInputs).to.include("kubeconfig");
        }
        expect(JSON.stringify(run.outputs)).not.to.include("kind: Config");
    });

    it("passes service env values on as secrets when the services key is a secret", async () => {
        const config = loadStackConfig("dev");
        const run = await runProgram(program, { ...config, secretKeys: [...config.secretKeys, "switchyard:services"] });
        expect(ofType(run, TYPES.deployment)).to.have.length(2);
        for (const deployment of ofType(run, TYPES.deployment)) {
            expect(deployment.secretInputs, deployment.name).to.include("spec");
            const [container] = at(deployment, "spec", "template", "spec", "containers") as { env: { name: string; value: string }[] }[];
            expect(container!.env.find((e) => e.name === "PODINFO_UI_MESSAGE")?.value).to.equal("switchyard dev");
        }
        const plain = await runStack("dev");
        expect(ofType(plain, TYPES.deployment)[0]!.secretInputs, "not when the key is plain").to.deep.equal([]);
    });

    it("uses a prepared namespace without creating it when createNamespace is false", async () => {
        const clusters = JSON.parse(loadStackConfig("dev").config["switchyard:clusters"]!) as Record<string, unknown>[];
        const run = await runStack("dev", { clusters: JSON.stringify([{ ...clusters[0], createNamespace: false }]) });
        expect(ofType(run, TYPES.namespace)).to.deep.equal([]);
        expect(ofType(run, TYPES.deployment)).to.have.length(2);
        for (const deployment of ofType(run, TYPES.deployment)) expect(at(deployment, "metadata", "namespace")).to.equal("switchyard");
    });

    it("keeps resource names apart when cluster and service names share dashes", async () => {
        const clusters = JSON.parse(loadStackConfig("dev").config["switchyard:clusters"]!) as Record<string, unknown>[];
        const services = JSON.parse(loadStackConfig("dev").config["switchyard:services"]!) as Record<string, unknown>[];
        const run = await runStack("dev", {
            clusters: JSON.stringify([{ ...clusters[0], name: "local-a" }, { ...clusters[0], name: "local", context: "kind-other" }]),
            services: JSON.stringify([services[0], { ...services[0], name: "a-podinfo" }]),
        });
        expect(ofType(run, TYPES.httpRoute)).to.have.length(4);
        expect(new Set(run.resources.map((r) => r.urn)).size, "runProgram also fails on a repeated URN").to.equal(run.resources.length);
    });

    it("keeps credentials out of the stack files", () => {
        for (const stack of ["dev", "prod"]) {
            const text = readFileSync(new URL(`../Pulumi.${stack}.yaml`, import.meta.url), "utf8");
            expect(text).not.to.match(/client-key-data|client-certificate-data|token:|aws_secret_access_key|password/i);
            const config = (parse(text) as { config: Record<string, unknown> }).config;
            const kubeconfig = config["switchyard:kubeconfig"];
            expect(kubeconfig === undefined || (typeof kubeconfig === "object" && kubeconfig !== null && "secure" in kubeconfig), stack).to.equal(true);
        }
    });

    it("declares every config key the program reads in Pulumi.yaml, with a description and a type Pulumi knows", () => {
        const project = readProjectFile() as unknown as { config: Record<string, { description?: string; type?: string; default?: unknown; value?: unknown }> };
        const declared = Object.keys(project.config).filter((k) => !k.includes(":"));
        expect(declared).to.have.members([...CONFIG_KEYS]);
        const matchesType: Record<string, (v: unknown) => boolean> = {
            string: (v) => typeof v === "string",
            integer: (v) => Number.isInteger(v),
            boolean: (v) => typeof v === "boolean",
        };
        for (const key of declared) {
            const declaration = project.config[key]!;
            expect(declaration.description, key).to.be.a("string").and.not.be.empty;
            expect(declaration.value, `${key}: a project key declares a default, not a value`).to.equal(undefined);
            if (declaration.type === undefined) continue;
            expect(Object.keys(matchesType), `${key}: Pulumi project config types`).to.include(declaration.type);
            if (declaration.default !== undefined) expect(matchesType[declaration.type]!(declaration.default), `${key} default`).to.equal(true);
        }
    });

    it("assumes for every key left unset exactly the default Pulumi.yaml declares", () => {
        const project = readProjectFile() as unknown as { config: Record<string, { default?: unknown }> };
        const dev = loadStackConfig("dev").config;
        const required = { clusters: dev["switchyard:clusters"]!, services: dev["switchyard:services"]! };
        const defaults = Object.fromEntries(
            Object.entries(project.config)
                .filter(([key, d]) => !key.includes(":") && d.default !== undefined)
                .map(([key, d]) => [key, configText(d.default)]),
        );
        expect(Object.keys(defaults)).to.include.members(["greenWeight", "idleReplicas", "kubeconfig", "dns", "images"]);
        const environment = { isSecret: () => false, pathExists: () => true };
        expect(parseStackConfig(required, environment)).to.deep.equal(parseStackConfig({ ...defaults, ...required }, environment));
    });
});

describe("program: no ambient provider", () => {
    // Pulumi.yaml sets pulumi:disable-default-providers ["*"]; the engine then refuses any resource or
    // invoke that names no provider, and the harness does the same, so a forgotten { provider } fails here.
    it("is refused a resource or an invoke that names no provider, as the engine refuses them", async () => {
        const { ProgramError } = await import("../harness/mockRuntime.ts");
        const aws = await import("@pulumi/aws");
        const config = loadStackConfig("prod");
        const resource = await runProgram(() => new aws.ecr.Repository("bare", {}), config).then(
            () => expect.fail("a resource without a provider must be refused"),
            (error: unknown) => error,
        );
        expect(resource).to.be.instanceOf(ProgramError);
        expect((resource as Error).message).to.match(/Default provider for 'aws' disabled\. 'urn:pulumi:prod::switchyard::[^']*aws:ecr\/repository:Repository::bare' must use an explicit provider\./);
        const invoke = await runProgram(async () => aws.ecr.getImages({ repositoryName: "x" }), config).then(
            () => expect.fail("an invoke without a provider must be refused"),
            (error: unknown) => error,
        );
        expect((invoke as Error).message).to.include("Default provider for 'aws' disabled. 'aws:ecr/getImages:getImages' must use an explicit provider.");
    });
});

describe("program: each color and its component", () => {
    it("deploys a service with one color as that color alone, behind a route that names it alone", async () => {
        const services = JSON.parse(loadStackConfig("dev").config["switchyard:services"]!) as Record<string, unknown>[];
        delete services[0]!.green;
        const blueOnly = await runStack("dev", { services: JSON.stringify(services) });
        expect(ofType(blueOnly, TYPES.deployment).map((d) => d.name)).to.deep.equal(["local.podinfo.blue"]);
        expect(ofType(blueOnly, TYPES.service).map((s) => s.name)).to.deep.equal(["local.podinfo.blue"]);
        const [route] = ofType(blueOnly, TYPES.httpRoute);
        expect((at(route!, "spec", "rules") as { backendRefs: { name: string }[] }[]).at(-1)!.backendRefs.map((b) => b.name)).to.deep.equal(["podinfo-blue"]);
    });

    it("puts the capacity annotation on the Deployments of a service with a capacity block, and on no other", async () => {
        const run = await runStack("prod");
        for (const deployment of ofType(run, TYPES.deployment)) {
            const annotation = at(deployment, "metadata", "annotations", "switchyard.io/capacity");
            if (deployment.name.includes(".storefront.")) expect(JSON.parse(annotation as string), deployment.name).to.include({ peakRps: 240, podRps: 150 });
            else expect(annotation, deployment.name).to.equal(undefined);
        }
    });

    it("keeps each object under its component, so its URN stays what earlier updates deployed", async () => {
        const run = await runStack("prod");
        const parentType = (resource: RegisteredResource) => run.resources.find((r) => r.urn === resource.parent)?.type;
        const deployment = byName(run, TYPES.deployment, "eks-use1.cart.green");
        expect(parentType(deployment)).to.equal("switchyard:kubernetes:ColorEnvironment");
        expect(parentType(run.resources.find((r) => r.urn === deployment.parent)!)).to.equal("switchyard:kubernetes:BlueGreenService");
        const route = byName(run, TYPES.httpRoute, "eks-use1.cart");
        expect(parentType(route)).to.equal("switchyard:kubernetes:WeightedRoute");
        expect(parentType(run.resources.find((r) => r.urn === route.parent)!)).to.equal("switchyard:kubernetes:BlueGreenService");
    });
});
