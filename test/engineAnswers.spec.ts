// The program against what the real engine and providers answer where Pulumi's mocks answer
// otherwise: invoke errors in the engine's words, hook inputs with their secrets lifted, a
// registration that is refused while the gate waits for it, replacements, a Gateway that writes
// no observedGeneration. Each case names the upstream file its harness model follows
// (harness/mockRuntime.ts, harness/providerModels.ts).

import { expect } from "chai";
import { routeWeights } from "../model/gate.ts";
import { plainValue, type Behaviour, type Live } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";
import { failure, run } from "./operations.ts";
import { TYPES } from "./support.ts";


function prodServices(change: (services: Record<string, any>[]) => void): string {
    const services = JSON.parse(loadStackConfig("prod").config["switchyard:services"]!) as Record<string, any>[];
    change(services);
    return JSON.stringify(services);
}

const byService = (services: Record<string, any>[], name: string) => services.find((s) => s.name === name)!;

/** cart's blue (the stable color) on a new release, and optionally a secret env value. */
function cartBlueReleased(secretEnv: boolean): string {
    return prodServices((services) => {
        const cart = byService(services, "cart");
        cart.blue = { image: `ghcr.io/acme-shop/cart@sha256:${"a".repeat(64)}`, version: "3.0.0" };
        if (secretEnv) cart.env = { ...cart.env, DB_PASSWORD: "x" };
    });
}

function liveWeights(live: Live, route: string): Record<string, number> {
    const entry = [...live.resources.values()].find((e) => e.type === TYPES.httpRoute && e.name === route);
    if (!entry) throw new Error(`no HTTPRoute ${route} in the state`);
    return routeWeights(plainValue(entry.inputs) as Record<string, unknown>, route.split(".")[1]!);
}

describe("engine answers: rule 5 with secrets in the stack", () => {
    let deployed: Live;
    before(async () => {
        deployed = (await run("prod", { overrides: { services: prodServices((s) => (byService(s, "cart").env.DB_PASSWORD = "x")) }, secretKeys: ["switchyard:services"] })).live;
    });

    it("refuses a new version on the stable color when services hold a secret (the hook's spec is a secret Output), in preview and up", async () => {
        const operation = { live: deployed, overrides: { services: cartBlueReleased(true) }, secretKeys: ["switchyard:services"] };
        for (const preview of [true, false]) {
            const refused = await failure("prod", { ...operation, preview });
            expect(refused.message, preview ? "preview" : "up").to.include("not changing blue from version 2.8.1 to 3.0.0");
        }
    });
});

describe("engine answers: a registration refused while the gate waits for it", () => {
    it("ends a preview of a shift with the stable color's refusal instead of waiting for its registration", async function () {
        this.timeout(20_000);
        const { live } = await run("prod");
        const refused = await failure("prod", { live, preview: true, overrides: { greenWeight: "5", services: cartBlueReleased(false) } });
        expect(refused.message).to.include("not changing blue from version 2.8.1 to 3.0.0");
    });
});

describe("engine answers: a registration the provider refuses while the gate waits for it", () => {
    it("ends a preview of a shift with the provider's error when a serving color's Check fails", async function () {
        this.timeout(20_000);
        const { live } = await run("prod");
        const checkFailed = "Deployment.apps \"cart-blue\" is invalid: spec.template.spec.containers[0].env[0].valueFrom: Invalid value";
        const refused = await failure("prod", { live, preview: true, overrides: { greenWeight: "5" }, behaviour: { refusedRegistrations: { "eks-use1.cart.blue": checkFailed } } });
        expect(refused.message).to.include(checkFailed);
    });
});

describe("engine answers: ECR's words for a repository that does not exist yet", () => {
    it("deploys a stack with a build on a fresh account, in preview and up: the repository is looked up, not read from an error", async () => {
        const preview = await run("prod", { preview: true });
        expect(preview.resources.filter((r) => r.type === TYPES.image).map((r) => r.name), "the build is planned").to.deep.equal(["storefront.green"]);
        const up = await run("prod");
        expect(up.live.registry.get("shop/storefront"), "one image pushed into the new repository").to.have.length(1);
        const tokens = up.invokes.map((i) => i.token);
        expect(tokens, "no image listing of a repository that is not there").not.to.include("aws:ecr/getImages:getImages");
        const again = await run("prod", { live: up.live });
        expect(again.invokes.map((i) => i.token), "once it exists, its images are listed").to.include("aws:ecr/getImages:getImages");
        expect(again.resources.filter((r) => r.type === TYPES.image), "and the pushed tag is not built again").to.deep.equal([]);
    });
});

describe("engine answers: ECR unavailable", () => {
    const denied = "reading ECR Repositories: operation error ECR: DescribeRepositories, https response error StatusCode: 400, api error AccessDeniedException";
    const ecrDown: Behaviour = { failingInvokes: { "aws:ecr/getRepositories:getRepositories": denied } };
    let at25: Live;
    before(async () => {
        const at0 = (await run("prod")).live;
        at25 = (await run("prod", { live: at0, overrides: { greenWeight: "25" } })).live;
    });
    const image = (live: Live, deployment: string): string => {
        const entry = [...live.resources.values()].find((e) => e.type === TYPES.deployment && e.name === deployment)!;
        return (plainValue(entry.inputs) as any).spec.template.spec.containers[0].image;
    };

    it("rolls back without ECR: only the routes change, the built color keeps the image it runs, nothing is built", async () => {
        for (const preview of [true, false]) {
            const rolledBack = await run("prod", { live: at25, preview, overrides: { greenWeight: "0" }, behaviour: ecrDown });
            expect(rolledBack.resources.filter((r) => r.step !== "same").map((r) => r.type), preview ? "preview" : "up").to.deep.equal(Array(6).fill(TYPES.httpRoute));
            expect(rolledBack.resources.filter((r) => r.type === TYPES.image)).to.deep.equal([]);
            expect(rolledBack.warnings.join("\n")).to.include("ECR did not answer").and.include("AccessDeniedException");
            if (!preview) {
                expect(liveWeights(rolledBack.live, "eks-use1.storefront")).to.deep.equal({ blue: 100, green: 0 });
                expect(image(rolledBack.live, "eks-use1.storefront.green")).to.equal(image(at25, "eks-use1.storefront.green")).and.match(/@sha256:[0-9a-f]{64}$/);
            }
        }
    });

    it("refuses a new build tag without ECR, in preview and up, and leaves the color's image as it runs", async () => {
        const services = prodServices((s) => (byService(s, "storefront").green.build.args = { APP_VERSION: "1.5.9" }));
        for (const preview of [true, false]) {
            const refused = await failure("prod", { live: at25, preview, overrides: { services }, behaviour: ecrDown });
            expect(refused.message).to.match(/Deployment shop\/storefront-green on cluster [\w-]+: not deploying green's build 1\.5\.0-[0-9a-f]{12}: ECR did not answer \(.*AccessDeniedException\)/);
            expect(refused.run.resources.filter((r) => r.type === TYPES.image), "nothing built").to.deep.equal([]);
            if (!preview) expect(image(refused.run.live, "eks-use1.storefront.green")).to.equal(image(at25, "eks-use1.storefront.green"));
        }
    });

    it("refuses to create a building color without ECR (a first deploy), rather than deploy an image it cannot pin", async () => {
        const refused = await failure("prod", { behaviour: ecrDown });
        expect(refused.message).to.include("not deploying green's build").and.include("keeps no image this stack recorded");
    });
});

describe("engine answers: a Gateway that writes no observedGeneration on its conditions", () => {
    const every = ["eks-use1", "gke-euw1"].flatMap((c) => ["storefront", "cart", "checkout"].map((s) => `${c}.${s}`));
    const noGeneration: Behaviour = { routesWithoutObservedGeneration: every };

    it("creates and updates routes there instead of timing out on every update", async () => {
        const at0 = (await run("prod", { behaviour: noGeneration })).live;
        const shifted = await run("prod", { live: at0, overrides: { greenWeight: "5" }, behaviour: noGeneration });
        expect(liveWeights(shifted.live, "gke-euw1.cart")).to.deep.equal({ blue: 95, green: 5 });
    });

    it("still fails the create of a route that Gateway does not accept", async () => {
        const refused = await failure("prod", { behaviour: { ...noGeneration, rejectedRoutes: { "eks-use1.cart": "NotAllowedByListeners" } } });
        expect(refused.message).to.include("eks-use1.cart").and.include("NotAllowedByListeners");
    });
});

describe("engine answers: a replacement (a create with no old inputs, then the old object's delete)", () => {
    // Every cluster moves, so no update of an unmoved object (judged from its old inputs) speaks for the replaced ones.
    const inNamespace = (namespace: string) => {
        const clusters = JSON.parse(loadStackConfig("prod").config["switchyard:clusters"]!) as Record<string, unknown>[];
        return JSON.stringify(clusters.map((c) => ({ ...c, namespace })));
    };
    let at25: Live;
    let at50: Live;
    before(async () => {
        const at0 = (await run("prod")).live;
        at25 = (await run("prod", { live: at0, overrides: { greenWeight: "25" } })).live;
        at50 = (await run("prod", { live: at25, overrides: { greenWeight: "50" } })).live;
    });

    it("refuses a namespace move that jumps the candidate past maxStep, judged from the live weights when the old route is deleted, in preview and up", async () => {
        const operation = { live: at25, overrides: { greenWeight: "75", clusters: inNamespace("shop-v2") } };
        for (const preview of [true, false]) {
            const refused = await failure("prod", { ...operation, preview });
            expect(refused.message, preview ? "preview" : "up").to.include("green would go from 25 % to 75 % (+50) in one update, more than switchyard:rollout.maxStep (25)");
            const routeCalls = refused.run.hookCalls.filter((c) => c.urn.includes("HTTPRoute::"));
            const deletes = routeCalls.filter((c) => c.kind === "beforeDelete");
            expect(routeCalls.slice(0, -deletes.length).every((c) => c.kind === "beforeCreate" && !c.error), "every new route is created first, with no old inputs to judge").to.equal(true);
            expect(deletes.map((c) => Boolean(c.error)), "then the old routes' deletes, after the program, until the first refusal cancels the rest").to.deep.equal([true]);
            if (!preview) {
                const condemned = [...refused.run.live.condemned.values()].filter((e) => e.type === TYPES.httpRoute);
                expect(condemned.map((e) => e.outputs.metadata.namespace), "the old route is kept, its delete refused").to.include("shop");
            }
        }
    });

    it("lets a namespace move pass that keeps the weights or moves them within maxStep, and deletes the old objects", async () => {
        const moved = await run("prod", { live: at25, overrides: { greenWeight: "50", clusters: inNamespace("shop-v2") } });
        expect(liveWeights(moved.live, "eks-use1.cart")).to.deep.equal({ blue: 50, green: 50 });
        expect(moved.live.condemned.size, "every replaced object deleted").to.equal(0);
    });

    it("never holds a rollback that moves too", async () => {
        const rolledBack = await run("prod", { live: at50, overrides: { greenWeight: "0", clusters: inNamespace("shop-v2") } });
        expect(liveWeights(rolledBack.live, "eks-use1.cart"), "a rollback is never held, replaced or not").to.deep.equal({ blue: 100, green: 0 });
        expect(rolledBack.resources.find((r) => r.name === "eks-use1.cart" && r.type === TYPES.httpRoute)!.step).to.equal("replace");
    });

    it("refuses a new version on the stable color's replaced Deployment (rule 5), in preview and up", async () => {
        const operation = { live: at25, overrides: { greenWeight: "25", clusters: inNamespace("shop-v2"), services: cartBlueReleased(false) } };
        for (const preview of [true, false]) {
            const refused = await failure("prod", { ...operation, preview });
            expect(refused.message, preview ? "preview" : "up").to.include("not changing blue from version 2.8.1 to 3.0.0");
        }
    });
});

describe("engine answers: images.repositoryPrefix changed on a deployed stack", () => {
    it("stops before anything changes: the renamed repository is a replacement of a protected resource, as the README's migration says", async () => {
        const built = (await run("prod")).live;
        const images = JSON.stringify({ ...(JSON.parse(loadStackConfig("prod").config["switchyard:images"] ?? "{}") as object), repositoryPrefix: "platform" });
        for (const preview of [true, false]) {
            const refused = await failure("prod", { live: built, preview, overrides: { images } });
            expect(refused.message).to.include('unable to replace resource "urn:pulumi:prod::switchyard::switchyard:aws:ImageRepository$aws:ecr/repository:Repository::storefront"');
            expect(refused.message).to.include("as it is currently marked for protection");
            expect(refused.run.live.registry.has("platform/storefront"), "no repository created under the new prefix").to.equal(false);
        }
    });
});
