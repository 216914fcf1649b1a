// The program under the providers' real answers, run after run: a first deploy, previews of
// changes (old live status next to the new spec), updates, and states a refresh left with a degraded
// color. Each case is what an operator meets with `pulumi preview`, `pulumi up` and `up --refresh`.

import { expect } from "chai";
import { routeWeights } from "../model/gate.ts";
import { emptyLive, plainValue, type Live, type ProgramRun } from "../harness/mockRuntime.ts";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import { expiredByLifecycle, refreshDegraded } from "../harness/providerModels.ts";
import { loadStackConfig } from "../model/stackFiles.ts";
import { failure, run } from "./operations.ts";
import { TYPES, byName, ofType } from "./support.ts";

/** The weights a route has in the state: what the Gateway routes by after the run. */
function liveWeights(live: Live, route: string): Record<string, number> {
    const entry = [...live.resources.values()].find((e) => e.type === TYPES.httpRoute && e.name === route);
    if (!entry) throw new Error(`no HTTPRoute ${route} in the state`);
    return routeWeights(plainValue(entry.inputs) as Record<string, unknown>, route.split(".")[1]!);
}

/** prod's cohorts, each sent to `color`. */
function cohortsTo(color: string): string {
    const cohorts = JSON.parse(loadStackConfig("prod").config["switchyard:cohorts"]!) as Record<string, unknown>[];
    return JSON.stringify(cohorts.map((cohort) => ({ ...cohort, color })));
}

/** The stack's config with each prod cluster changed by `change`. */
function prodClusters(change: (cluster: Record<string, unknown>, index: number) => Record<string, unknown>): string {
    const clusters = JSON.parse(loadStackConfig("prod").config["switchyard:clusters"]!) as Record<string, unknown>[];
    return JSON.stringify(clusters.map(change));
}

describe("engine: a first deploy", () => {
    it("creates every route through the gate, in preview (no status yet) and in up (after the rollouts)", async () => {
        for (const preview of [true, false]) {
            const deployed = await run("prod", { preview, overrides: { greenWeight: "25" } });
            const routes = ofType(deployed, TYPES.httpRoute);
            expect(routes).to.have.length(6);
            expect(deployed.hookCalls.map((c) => c.kind)).to.deep.equal(Array(6).fill("beforeCreate"));
            expect(deployed.hookCalls.every((c) => c.error === undefined)).to.equal(true);
            expect(routes.every((r) => r.step === "create")).to.equal(true);
        }
    });
});

describe("engine: shifting traffic on a deployed stack", () => {
    let at0: Live;
    let idleAt0: Live;
    before(async () => {
        at0 = (await run("prod", { overrides: { greenWeight: "0" } })).live;
        // Without prod's beta cohort, whose color keeps its full size at any weight.
        idleAt0 = (await run("prod", { overrides: { greenWeight: "0", idleReplicas: "2", cohorts: "[]" } })).live;
    });

    it("updates only the routes, through the gate's beforeUpdate hook, in preview and up", async () => {
        for (const preview of [true, false]) {
            const shifted = await run("prod", { live: at0, preview, overrides: { greenWeight: "25" } });
            const changed = shifted.resources.filter((r) => r.step !== "same");
            expect(changed.map((r) => r.type)).to.deep.equal(Array(6).fill(TYPES.httpRoute));
            expect(shifted.hookCalls.map((c) => `${c.kind} ${c.error ?? "ok"}`)).to.deep.equal(Array(6).fill("beforeUpdate ok"));
        }
    });

    it("previews a shift off weight 0 that scales the idle color up: the old status sits next to the new replica count", async () => {
        // Defect: the program compared the preview's old availableReplicas (1) with the new replicas (3) and threw.
        const preview = await run("prod", { live: idleAt0, preview: true, overrides: { greenWeight: "10", idleReplicas: "2", cohorts: "[]" } });
        const scaled = preview.resources.filter((r) => r.type === TYPES.deployment && r.step === "update");
        expect(scaled.map((r) => r.name).sort()).to.deep.equal(
            ["eks-use1", "gke-euw1"].flatMap((c) => ["cart", "checkout", "storefront"].map((s) => `${c}.${s}.green`)).sort(),
        );
        expect(preview.hookCalls.filter((c) => c.error === undefined)).to.have.length(6);

        const up = await run("prod", { live: idleAt0, overrides: { greenWeight: "10", idleReplicas: "2", cohorts: "[]" } });
        for (const cluster of ["eks-use1", "gke-euw1"]) expect(liveWeights(up.live, `${cluster}.cart`)).to.deep.equal({ blue: 90, green: 10 });
    });

    it("refuses, naming route and weights, a rise of the candidate above rollout.maxStep; a fall is never refused", async () => {
        const tooFar = await failure("prod", { live: at0, preview: true, overrides: { greenWeight: "50" } });
        expect(tooFar.message).to.match(/green would go from 0 % to 50 % \(\+50\) in one update, more than switchyard:rollout\.maxStep \(25\)/);
        expect(tooFar.message).to.include("HTTPRoute shop/");
        const refusedInUp = await failure("prod", { live: at0, overrides: { greenWeight: "50" } });
        expect(refusedInUp.message).to.include("more than switchyard:rollout.maxStep (25)");
        expect(liveWeights(refusedInUp.run.live, "eks-use1.storefront"), "the route keeps its live weights").to.deep.equal({ blue: 100, green: 0 });
        const at25 = (await run("prod", { live: at0, overrides: { greenWeight: "25" } })).live;
        const backTo0 = await run("prod", { live: at25, overrides: { greenWeight: "0" } });
        expect(liveWeights(backTo0.live, "eks-use1.storefront")).to.deep.equal({ blue: 100, green: 0 });
    });
});

describe("engine: after a refresh found a color degraded", () => {
    let at25: Live;
    let at25Run: ProgramRun;
    before(async () => {
        const at0 = (await run("prod", { overrides: { greenWeight: "0" } })).live;
        at25Run = await run("prod", { live: at0, overrides: { greenWeight: "25" } });
        at25 = at25Run.live;
    });

    it("lists every reason a preview refuses a promotion, one per line", async () => {
        // Every green Deployment degraded, so whichever route the engine reaches first has both reasons.
        const everyGreen = Object.fromEntries(["eks-use1", "gke-euw1"].flatMap((c) => ["storefront", "cart", "checkout"].map((s) => [`${c}.${s}.green`, 1])));
        const refused = await failure("prod", { live: refreshDegraded(at25, everyGreen), preview: true, overrides: { greenWeight: "75" } });
        expect(refused.message).to.match(
            new RegExp(
                "(HTTPRoute shop/\\w+ on cluster [\\w-]+): green would go from 25 % to 75 % \\(\\+50\\) in one update, more than switchyard:rollout\\.maxStep \\(25\\)\\. " +
                    "Move it in steps of at most 25, or raise rollout\\.maxStep \\(100 turns this guard off\\)\\.\n" +
                    "\\1: not moving green from 25 % to 75 %: it has 1 available replica\\(s\\)",
            ),
        );
    });

    it("judges a cohort only when it starts sending its users to the candidate, not while it stays there", async () => {
        // green with no available pod on one cluster, its beta cohort already on it.
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 0 });
        await run("prod", { live: degraded, preview: true, overrides: { greenWeight: "5" } });
        const onBlue = (await run("prod", { live: at25, overrides: { cohorts: cohortsTo("blue") } })).live;
        const arriving = await failure("prod", { live: refreshDegraded(onBlue, { "eks-use1.cart.green": 0 }), preview: true });
        expect(arriving.message).to.include("HTTPRoute shop/cart on cluster eks-use1: not sending a cohort to green: it has 0 available replica(s)");
    });

    it("refuses a promotion onto the degraded candidate in preview, and names it", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 1 });
        const refused = await failure("prod", { live: degraded, preview: true, overrides: { greenWeight: "50" } });
        expect(refused.message).to.include("HTTPRoute shop/cart on cluster eks-use1: not moving green from 25 % to 50 %: it has 1 available replica(s) and its new share needs 2");
    });

    it("judges each route by its own rules through the program's one gate: the degraded service's route is refused, the others pass", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 1 });
        const refused = await failure("prod", { live: degraded, preview: true, overrides: { greenWeight: "50" } });
        const routeUrns = new Map(ofType(at25Run, TYPES.httpRoute).map((r) => [r.urn, r.name]));
        const calls = refused.run.hookCalls.map((c) => ({ hook: c.hook, route: routeUrns.get(c.urn), refused: c.error !== undefined }));
        expect(calls, "every route is judged").to.have.length(6);
        expect(new Set(calls.map((c) => c.route)).size).to.equal(6);
        expect(calls.every((c) => c.hook === "switchyard-gate")).to.equal(true);
        expect(calls.filter((c) => c.refused).map((c) => c.route)).to.deep.equal(["eks-use1.cart"]);
        const error = refused.run.hookCalls.find((c) => c.error !== undefined)!.error!;
        expect(error).to.match(/^HTTPRoute shop\/cart on cluster eks-use1: not moving green from 25 % to 50 %: it has 1 available replica\(s\)/);
    });

    it("holds the promotion in up while the provider re-awaits the degraded candidate, and leaves the route as it was", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 1 });
        const held = await failure("prod", { live: degraded, overrides: { greenWeight: "50" }, behaviour: { unready: { "eks-use1.cart.green": 1 } } });
        expect(held.message).to.match(/eks-use1\.cart\.green.*failed to fully initialize/);
        expect(liveWeights(held.run.live, "eks-use1.cart")).to.deep.equal({ blue: 75, green: 25 });
    });

    it("promotes once the candidate has recovered by the time the provider re-awaits it", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 1 });
        const promoted = await run("prod", { live: degraded, overrides: { greenWeight: "50" } });
        expect(liveWeights(promoted.live, "eks-use1.cart")).to.deep.equal({ blue: 50, green: 50 });
    });

    it("rolls back off a degraded candidate at once (weight to 0, its cohort to blue): the route changes before the candidate's await fails", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 0 });
        const behaviour = { unready: { "eks-use1.cart.green": 0 } };
        const rollback = { greenWeight: "0", cohorts: cohortsTo("blue") };
        await run("prod", { live: degraded, preview: true, overrides: rollback });
        const rolledBack = await failure("prod", { live: degraded, overrides: rollback, behaviour });
        expect(rolledBack.message, "only the degraded Deployment fails").to.match(/eks-use1\.cart\.green.*failed to fully initialize/);
        for (const cluster of ["eks-use1", "gke-euw1"]) {
            for (const service of ["cart", "checkout", "storefront"]) {
                expect(liveWeights(rolledBack.run.live, `${cluster}.${service}`), `${cluster}.${service}`).to.deep.equal({ blue: 100, green: 0 });
            }
        }
    });

    it("rolls back onto a degraded stable color without waiting for it; the preview warns", async () => {
        const degraded = refreshDegraded(at25, { "gke-euw1.checkout.blue": 1 });
        const preview = await run("prod", { live: degraded, preview: true, overrides: { greenWeight: "0" } });
        expect(preview.warnings.join("\n")).to.include(
            "HTTPRoute shop/checkout on cluster gke-euw1: rolling back to blue (75 % → 100 %) although it has 1 available replica(s) and its share needs 4",
        );
        const behaviour = { unready: { "gke-euw1.checkout.blue": 1 } };
        const rolledBack = await failure("prod", { live: degraded, overrides: { greenWeight: "0" }, behaviour });
        expect(rolledBack.message, "what fails is blue's own await, after the route moved").to.match(/gke-euw1\.checkout\.blue.*failed to fully initialize/);
        expect(liveWeights(rolledBack.run.live, "gke-euw1.checkout")).to.deep.equal({ blue: 100, green: 0 });
    });

    it("previews a fixed image for the degraded candidate without holding anything", async () => {
        const degraded = refreshDegraded(at25, { "eks-use1.cart.green": 1 });
        const services = JSON.parse(loadStackConfig("prod").config["switchyard:services"]!) as Record<string, any>[];
        services.find((s) => s.name === "cart")!.green.image = `ghcr.io/acme-shop/cart@sha256:${"e".repeat(64)}`;
        const preview = await run("prod", { live: degraded, preview: true, overrides: { greenWeight: "25", services: JSON.stringify(services) } });
        expect(preview.resources.filter((r) => r.step === "update").map((r) => r.name).sort()).to.deep.equal(["eks-use1.cart.green", "gke-euw1.cart.green"]);
        expect(preview.hookCalls).to.deep.equal([]);
    });

    it("drains a cluster whose colors are degraded: its DNS records wait for nothing on that cluster", async () => {
        const sick = { "eks-use1.cart.blue": 1, "eks-use1.cart.green": 1 };
        const degraded = refreshDegraded(at25, sick);
        const drained = await failure("prod", {
            live: degraded,
            overrides: { greenWeight: "25", clusters: prodClusters((c, i) => (i === 0 ? { ...c, trafficShare: 0 } : c)) },
            behaviour: { unready: sick },
        });
        const weightOf = (name: string) => {
            const entry = [...drained.run.live.resources.values()].find((e) => e.type === TYPES.record && e.name === name)!;
            return (entry.outputs.weightedRoutingPolicies as { weight: number }[])[0]!.weight;
        };
        for (const service of ["cart", "checkout", "storefront"]) expect(weightOf(`${service}.eks-use1`), service).to.equal(0);
    });
});

describe("engine: the Gateway's verdict on a route", () => {
    it("fails the up on a route its Gateway does not accept, at create and at update", async () => {
        const rejected = { rejectedRoutes: { "gke-euw1.cart": "NotAllowedByListeners" } };
        const created = await failure("prod", { behaviour: rejected });
        expect(created.message).to.include("urn:pulumi:prod::switchyard::").and.include("gke-euw1.cart").and.include("NotAllowedByListeners");
        const at0 = (await run("prod")).live;
        const updated = await failure("prod", { live: at0, overrides: { greenWeight: "5" }, behaviour: rejected });
        expect(updated.message).to.include("NotAllowedByListeners");
    });
});

describe("engine: images built into ECR", () => {
    let built: ProgramRun;
    before(async () => {
        built = await run("prod");
    });

    const greenBuild = (run: Pick<ProgramRun, "resources">) => run.resources.filter((r) => r.type === TYPES.image);
    const imageIn = (live: Live, deployment: string): string => {
        const entry = [...live.resources.values()].find((e) => e.type === TYPES.deployment && e.name === deployment)!;
        return (entry.outputs.spec.template.spec.containers as { image: string }[])[0]!.image;
    };
    function servicesWith(change: (storefront: Record<string, any>) => void): string {
        const services = JSON.parse(loadStackConfig("prod").config["switchyard:services"]!) as Record<string, any>[];
        change(services.find((s) => s.name === "storefront")!);
        return JSON.stringify(services);
    }

    it("never pushes a tag twice: once the build's tag is in ECR, the color runs it and nothing is built, whatever pulumi-docker would think", async () => {
        expect(greenBuild(built)).to.have.length(1);
        const again = await run("prod", { live: built.live, behaviour: { dockerContextChanged: ["storefront.green"] } });
        expect(greenBuild(again), "no build resource once the tag exists").to.deep.equal([]);
        expect(again.deleted.filter((urn) => urn.includes("docker:index/image:Image")), "the finished build leaves the state").to.have.length(1);
        expect(again.resources.filter((r) => r.step !== "same").map((r) => r.type), "and nothing else changes").to.deep.equal([]);
        expect(imageIn(again.live, "eks-use1.storefront.green")).to.equal(imageIn(built.live, "eks-use1.storefront.green"));
        const tokens = (r: ProgramRun) => r.invokes.filter((i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken");
        expect(tokens(built), "a push needs a registry token").to.have.length(1);
        expect(tokens(again), "nothing to push asks ECR for no token").to.deep.equal([]);
    });

    it("builds nothing while ECR cannot list a repository's images: the color keeps the image it runs and nothing else changes", async () => {
        const denied = "reading ECR Images: AccessDeniedException: User is not authorized to perform: ecr:ListImages";
        const kept = await run("prod", { live: built.live, behaviour: { failingInvokes: { "aws:ecr/getImages:getImages": denied } } });
        expect(kept.warnings.join("\n")).to.include(`invocation of aws:ecr/getImages:getImages returned an error: ${denied}`);
        expect(greenBuild(kept), "nothing built").to.deep.equal([]);
        expect(kept.resources.filter((r) => r.step !== "same").map((r) => r.name), "nothing changes").to.deep.equal([]);
        expect(imageIn(kept.live, "gke-euw1.storefront.green")).to.equal(imageIn(built.live, "gke-euw1.storefront.green"));
    });

    it("previews a new build with its digest unknown, and the color's Deployments as updates the gate lets through", async () => {
        const services = servicesWith((s) => (s.green.build.args = { APP_VERSION: "1.5.2" }));
        const preview = await run("prod", { live: built.live, preview: true, overrides: { services, greenWeight: "25" } });
        const rolling = preview.resources.filter((r) => r.type === TYPES.deployment && r.step === "update");
        expect(rolling.map((r) => r.name).sort()).to.deep.equal(["eks-use1.storefront.green", "gke-euw1.storefront.green"]);
        for (const deployment of rolling) expect(JSON.stringify(deployment.wireInputs), "the image is not known before the build").to.include(unknownValue);
        expect(preview.hookCalls.filter((c) => c.error !== undefined)).to.deep.equal([]);
        expect(preview.hookCalls).to.have.length(6);
    });

    it("goes back to an image already in ECR when app/ goes back to earlier content, without building", async () => {
        const bumped = await run("prod", { live: built.live, overrides: { services: servicesWith((s) => (s.green.build.args = { APP_VERSION: "1.5.1" })) } });
        expect(greenBuild(bumped)).to.have.length(1);
        const reverted = await run("prod", { live: bumped.live });
        expect(greenBuild(reverted)).to.deep.equal([]);
        expect(imageIn(reverted.live, "gke-euw1.storefront.green")).to.equal(imageIn(built.live, "gke-euw1.storefront.green"));
    });

    it("after an up that was cut off between the push and the checkpoint, the next up uses the pushed image instead of pushing it again", async () => {
        const interrupted = await failure("prod", { behaviour: { unready: { "gke-euw1.storefront.green": 1 } } });
        expect(interrupted.run.live.registry.get("shop/storefront")).to.have.length(1);
        // The push happened; the engine was stopped before it wrote the build into the state.
        const cut = interrupted.run.live;
        for (const [urn, entry] of cut.resources) if (entry.type === TYPES.image) cut.resources.delete(urn);
        const resumed = await run("prod", { live: cut });
        expect(greenBuild(resumed)).to.deep.equal([]);
        expect(resumed.live.registry.get("shop/storefront"), "still one image").to.have.length(1);
    });

    it("keeps the repository and its lifecycle policy when the promoted color is frozen to the image it runs", async () => {
        const frozen = imageIn(built.live, "eks-use1.storefront.green");
        const services = servicesWith((s) => (s.green = { image: frozen, version: "1.5.0" }));
        const after = await run("prod", { live: built.live, overrides: { services } });
        const kept = after.resources.filter((r) => r.type.startsWith("aws:ecr/")).map((r) => `${r.type} ${r.step}`);
        expect(kept).to.have.members(["aws:ecr/repository:Repository same", "aws:ecr/lifecyclePolicy:LifecyclePolicy same"]);
        expect(after.resources.filter((r) => r.type === TYPES.deployment && r.step !== "same"), "the frozen color does not roll").to.deep.equal([]);
        expect(after.deleted.map((urn) => urn.split("::").pop()), "only the finished build and the docker provider it used").to.have.members(["storefront.green", "docker"]);
    });

    it("never lets the lifecycle policy expire an image a color runs, however many builds came after it", async () => {
        const live = emptyLive();
        // blue's image was pushed first; forty builds followed before this release.
        live.registry.set("shop/storefront", [
            { digest: "sha256:4c5b78e70f5437ea7f96518e61e360a0c279f8bbb1d0428716539d1c5f66d4ec", tags: ["1.4.0-9f2c6a1d3b7e"], pushedAt: 1 },
            ...Array.from({ length: 40 }, (_, i) => ({ digest: `sha256:${String(i).padStart(64, "0")}`, tags: [`1.4.${i + 1}-build`], pushedAt: i + 2 })),
        ]);
        live.pushes = 41;
        const released = await run("prod", { live });
        const policy = String(byName(released, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "storefront").inputs.policy);
        const images = released.live.registry.get("shop/storefront")!;
        const expired = expiredByLifecycle(policy, images);
        const runs = [imageIn(released.live, "eks-use1.storefront.blue"), imageIn(released.live, "eks-use1.storefront.green")];
        for (const image of runs) expect(expired.map((i) => i.digest), image).not.to.include(image.split("@")[1]);
        expect(images.length - expired.length, "the newest 30 (both live images among them) plus the older live one").to.equal(31);
        const keepLastOnly = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 } }] });
        expect(expiredByLifecycle(keepLastOnly, images).map((i) => i.tags[0]), "what keep-last-30 alone would do").to.include("1.4.0-9f2c6a1d3b7e");
    });
});

describe("engine: a release goes to the candidate", () => {
    /** prod's services with cart's blue color on a new release. */
    const blueOnNewRelease = (): string => {
        const services = JSON.parse(loadStackConfig("prod").config["switchyard:services"]!) as Record<string, any>[];
        services.find((s) => s.name === "cart")!.blue = { image: `ghcr.io/acme-shop/cart@sha256:${"a".repeat(64)}`, version: "3.0.0" };
        return JSON.stringify(services);
    };
    const liveVersion = (live: Live, deployment: string): unknown => {
        const entry = [...live.resources.values()].find((e) => e.type === TYPES.deployment && e.name === deployment);
        return (plainValue(entry!.inputs) as any).spec.template.metadata.labels.version;
    };

    it("refuses a new version on the stable color in preview and up, naming the key to set, and leaves that color as it runs", async () => {
        const { live } = await run("prod");
        const services = blueOnNewRelease();
        const refused = await failure("prod", { live, preview: true, overrides: { services } });
        const refusal = (cluster: string) =>
            `Deployment shop/cart-blue on cluster ${cluster}: not changing blue from version 2.8.1 to 3.0.0: blue is the stable color ` +
            "(switchyard:rollout.candidate is green), the one a rollback returns to. A release goes to the candidate: " +
            "set switchyard:rollout.candidate to blue in the same change to release 3.0.0 on blue, or leave blue at 2.8.1.";
        // Both clusters' Deployments are stepped at once: the engine reports whichever refusal comes first.
        expect([refusal("eks-use1"), refusal("gke-euw1")].some((text) => refused.message.includes(text)), refused.message).to.equal(true);
        const judged = refused.run.hookCalls.map((c) => `${c.hook} ${c.urn.split("::").pop()}: ${c.error}`).sort();
        expect(judged, "each Deployment judged by its own cluster's guard").to.deep.equal(
            ["eks-use1", "gke-euw1"].map((cluster) => `switchyard-stable ${cluster}.cart.blue: ${refusal(cluster)}`),
        );
        const held = await failure("prod", { live, overrides: { services } });
        expect(held.message).to.include("not changing blue from version 2.8.1 to 3.0.0");
        for (const cluster of ["eks-use1", "gke-euw1"]) expect(liveVersion(held.run.live, `${cluster}.cart.blue`), cluster).to.equal("2.8.1");
    });

    it("releases onto blue once the stack names blue the candidate, and lets green change while it is the candidate", async () => {
        const { live } = await run("prod");
        const rollout = { ...(JSON.parse(loadStackConfig("prod").config["switchyard:rollout"]!) as Record<string, unknown>), candidate: "blue" };
        const released = await run("prod", { live, overrides: { services: blueOnNewRelease(), rollout: JSON.stringify(rollout) } });
        expect(liveVersion(released.live, "eks-use1.cart.blue")).to.equal("3.0.0");
        const services = JSON.parse(loadStackConfig("prod").config["switchyard:services"]!) as Record<string, any>[];
        services.find((s) => s.name === "cart")!.green.version = "2.9.1";
        const candidateChanged = await run("prod", { live, overrides: { services: JSON.stringify(services) } });
        expect(liveVersion(candidateChanged.live, "eks-use1.cart.green")).to.equal("2.9.1");
    });
});
