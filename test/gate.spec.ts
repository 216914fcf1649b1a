import { expect } from "chai";
import {
    colorStatus,
    judgeColorUpdate,
    judgeShift,
    proportionalReplicas,
    routeCohortColors,
    routeWeights,
    deploymentVersion,
    deploymentImageTag,
    isMovedFrom,
    judgeKeptImage,
    liveImageTag,
    type ColorStatus,
    type ColorUpdate,
    type ShiftRequest,
} from "../model/gate.ts";

const ready = (available: number): ColorStatus => ({ phase: "current", available });

/** cart on eks-use1, 3 replicas per color, candidate green; a share needs the same fraction of 3. */
function shift(overrides: Partial<ShiftRequest>): ReturnType<typeof judgeShift> {
    return judgeShift({
        route: "HTTPRoute shop/cart on cluster eks-use1",
        candidate: "green",
        before: { blue: 100, green: 0 },
        after: { blue: 75, green: 25 },
        cohortsBefore: [],
        cohortsAfter: [],
        replicasNeeded: (_color, share) => proportionalReplicas(3, share),
        status: { blue: ready(3), green: ready(3) },
        dryRun: false,
        maxStep: 25,
        ...overrides,
    });
}

describe("gate: what a Deployment's outputs say", () => {
    it("has nothing to judge in a create preview, where the provider strips the status", () => {
        expect(colorStatus(undefined)).to.deep.equal({ phase: "unknown" });
        expect(colorStatus({ metadata: { generation: 1 } })).to.deep.equal({ phase: "unknown" });
        expect(colorStatus({ metadata: { generation: 1 }, status: null })).to.deep.equal({ phase: "unknown" });
    });

    it("reads an update preview's old status, one generation behind the new spec, as rolling", () => {
        expect(colorStatus({ metadata: { generation: 4 }, status: { observedGeneration: 3, availableReplicas: 1 } })).to.deep.equal({ phase: "rolling", available: 1 });
        expect(colorStatus({ metadata: { generation: 4 }, status: { availableReplicas: 2 } }), "no observedGeneration yet").to.deep.equal({ phase: "rolling", available: 2 });
    });

    it("reads a status of the current generation as current, degraded or not", () => {
        expect(colorStatus({ metadata: { generation: 4 }, status: { observedGeneration: 4, availableReplicas: 1 } })).to.deep.equal({ phase: "current", available: 1 });
        expect(colorStatus({ metadata: { generation: 4 }, status: { observedGeneration: 5, availableReplicas: 3 } })).to.deep.equal({ phase: "current", available: 3 });
        expect(colorStatus({ status: { observedGeneration: 2 } }), "no available replicas reported").to.deep.equal({ phase: "current", available: 0 });
        expect(colorStatus({ status: { availableReplicas: 2 } }), "no generation on either side: nothing says it is behind").to.deep.equal({ phase: "current", available: 2 });
    });
});

describe("gate: promotions onto the candidate", () => {
    it("lets a promotion onto a candidate with enough available replicas through", () => {
        expect(shift({})).to.deep.equal({ refusals: [], warnings: [] });
        expect(shift({ before: { blue: 50, green: 50 }, after: { blue: 25, green: 75 }, status: { blue: ready(0), green: ready(3) } }).refusals).to.deep.equal([]);
    });

    it("needs as many available replicas as the new share: 1 of 3 carries 25 %, not 50 %", () => {
        expect(shift({ status: { green: ready(1) } }).refusals).to.deep.equal([]);
        const refused = shift({ before: { blue: 75, green: 25 }, after: { blue: 50, green: 50 }, status: { green: ready(1) } });
        expect(refused.refusals).to.have.length(1);
        expect(refused.refusals[0]).to.equal(
            "HTTPRoute shop/cart on cluster eks-use1: not moving green from 25 % to 50 %: it has 1 available replica(s) and its new share needs 2. " +
                "Fix its rollout (kubectl rollout status deployment/<service>-green) or keep the weight where it is; moving traffic back to blue is never held.",
        );
        expect(shift({ before: { blue: 75, green: 25 }, after: { blue: 50, green: 50 }, status: { green: ready(2) } }).refusals).to.deep.equal([]);
    });

    it("never moves traffic onto a candidate with no available replica, even for a share that rounds to nothing", () => {
        const tiny = { before: { blue: 100, green: 0 }, after: { blue: 99, green: 1 }, replicasNeeded: () => 0 };
        expect(shift({ ...tiny, status: { green: ready(0) } }).refusals).to.have.length(1);
        expect(shift({ ...tiny, status: { green: ready(1) } }).refusals).to.deep.equal([]);
    });

    it("in a preview, lets a candidate that rolls or is created in the same update pass: the route waits for that rollout during up", () => {
        for (const status of [{ phase: "rolling", available: 1 }, { phase: "unknown" }] as ColorStatus[]) {
            expect(shift({ dryRun: true, status: { green: status } }), status.phase).to.deep.equal({ refusals: [], warnings: [] });
        }
    });

    it("during up, never promotes on a status that does not describe the deployed spec", () => {
        for (const status of [{ phase: "rolling", available: 3 }, { phase: "unknown" }] as ColorStatus[]) {
            const verdict = shift({ status: { green: status } });
            expect(verdict.refusals, status.phase).to.deep.equal([
                "HTTPRoute shop/cart on cluster eks-use1: not moving green from 0 % to 25 %: the status of green's Deployment does not describe " +
                    "the spec being deployed, and missing data never promotes. Run the update again once its rollout is done.",
            ]);
        }
        expect(shift({ status: {} }).refusals, "no status at all").to.have.length(1);
    });

    it("judges a route being created as a promotion from 0 without the step limit, and warns above it (a replacement is judged at its old object's delete)", () => {
        expect(shift({ before: undefined, after: { blue: 75, green: 25 } }), "exactly maxStep").to.deep.equal({ refusals: [], warnings: [] });
        expect(shift({ before: undefined, after: { blue: 75, green: 25 }, status: { green: ready(0) } }).refusals).to.have.length(1);
        expect(shift({ before: undefined, after: { blue: 40, green: 60 } })).to.deep.equal({
            refusals: [],
            warnings: [
                "HTTPRoute shop/cart on cluster eks-use1: created with green at 60 %, more than switchyard:rollout.maxStep (25). A create has " +
                    "no live weights to compare: on a first deploy or a new cluster that is fine; if this route is being replaced " +
                    "(a namespace move), the gate judges the change from its live weights when the engine deletes the old route.",
            ],
        });
        expect(shift({ before: undefined, after: { blue: 40, green: 60 }, status: { green: ready(1) } }).refusals, "readiness still counts").to.have.length(1);
        expect(shift({ before: undefined, after: { blue: 40, green: 60 }, maxStep: 100 }).warnings, "maxStep 100 turns it off").to.deep.equal([]);
    });
});

describe("gate: a replaced route, judged at its old object's delete", () => {
    it("applies maxStep and the promotion rules to the old route's weights, says it is a replacement, and never holds a rollback", () => {
        const jumped = shift({ before: { blue: 75, green: 25 }, after: { blue: 25, green: 75 }, replaced: true });
        expect(jumped.refusals).to.have.length(1);
        expect(jumped.refusals[0]).to.include("green would go from 25 % to 75 % (+50)").and.include("the route is being replaced");
        expect(shift({ before: { blue: 75, green: 25 }, after: { blue: 50, green: 50 }, replaced: true, status: { green: ready(0) } }).refusals, "readiness counts").to.have.length(1);
        expect(shift({ before: { blue: 25, green: 75 }, after: { blue: 100, green: 0 }, replaced: true, status: { green: ready(0), blue: ready(0) } }).refusals, "a rollback").to.deep.equal([]);
    });
});

describe("gate: rollout.maxStep", () => {
    it("refuses a rise of the candidate by more than maxStep, naming the route, both weights and the key", () => {
        const verdict = shift({ before: { blue: 95, green: 5 }, after: { blue: 50, green: 50 } });
        expect(verdict.refusals).to.deep.equal([
            "HTTPRoute shop/cart on cluster eks-use1: green would go from 5 % to 50 % (+45) in one update, more than switchyard:rollout.maxStep (25). " +
                "Move it in steps of at most 25, or raise rollout.maxStep (100 turns this guard off).",
        ]);
    });

    it("allows exactly maxStep and turns off at 100", () => {
        expect(shift({ before: { blue: 75, green: 25 }, after: { blue: 50, green: 50 } }).refusals).to.deep.equal([]);
        expect(shift({ before: { blue: 75, green: 25 }, after: { blue: 49, green: 51 } }).refusals).to.have.length(1);
        expect(shift({ before: { blue: 100, green: 0 }, after: { blue: 0, green: 100 }, maxStep: 100 }).refusals).to.deep.equal([]);
    });

    it("applies in previews too, where it matters most", () => {
        expect(shift({ dryRun: true, before: { blue: 100, green: 0 }, after: { blue: 50, green: 50 }, status: { green: { phase: "unknown" } } }).refusals).to.have.length(1);
    });
});

describe("gate: rollbacks and drains are never held", () => {
    it("never refuses moving traffic off the candidate, whatever its state", () => {
        for (const after of [{ blue: 100, green: 0 }, { blue: 60, green: 40 }]) {
            const verdict = shift({ before: { blue: 50, green: 50 }, after, status: { blue: ready(3), green: ready(0) } });
            expect(verdict.refusals, JSON.stringify(after)).to.deep.equal([]);
        }
    });

    it("rolls back onto a degraded stable color with a warning instead of a refusal", () => {
        const verdict = shift({ before: { blue: 30, green: 70 }, after: { blue: 100, green: 0 }, status: { blue: ready(1), green: ready(3) } });
        expect(verdict.refusals).to.deep.equal([]);
        expect(verdict.warnings).to.deep.equal([
            "HTTPRoute shop/cart on cluster eks-use1: rolling back to blue (30 % → 100 %) although it has 1 available replica(s) and its share needs 3; the rollback is not held.",
        ]);
        expect(shift({ before: { blue: 30, green: 70 }, after: { blue: 100, green: 0 }, status: { blue: ready(3) } }).warnings, "no warning when it can").to.deep.equal([]);
        expect(shift({ before: { blue: 30, green: 70 }, after: { blue: 100, green: 0 }, status: { blue: ready(0) } }).refusals, "not even with none available").to.deep.equal([]);
    });

    it("treats blue as the candidate when the release is on blue", () => {
        const onBlue = { candidate: "blue" as const, before: { blue: 0, green: 100 }, after: { blue: 25, green: 75 } };
        expect(shift({ ...onBlue, status: { blue: ready(0) } }).refusals).to.have.length(1);
        expect(shift({ ...onBlue, before: { blue: 25, green: 75 }, after: { blue: 0, green: 100 }, status: { blue: ready(0), green: ready(1) } }).refusals).to.deep.equal([]);
    });

    it("warns only when traffic really moves onto the stable color, and only on a status that describes its spec", () => {
        expect(shift({ before: { blue: 50, green: 50 }, after: { blue: 50, green: 50 }, status: { blue: ready(0) } }), "no weight moved").to.deep.equal({ refusals: [], warnings: [] });
        const back = { before: { blue: 30, green: 70 }, after: { blue: 100, green: 0 } };
        expect(shift({ ...back, status: { blue: { phase: "rolling", available: 1 } } }).warnings, "a rolling stable color in a preview").to.deep.equal([]);
        expect(shift({ ...back, status: {} }), "no status for it at all").to.deep.equal({ refusals: [], warnings: [] });
    });

    it("does not warn about a stable color that takes traffic on a route being created", () => {
        expect(shift({ before: undefined, after: { blue: 100, green: 0 }, status: { blue: ready(0) } })).to.deep.equal({ refusals: [], warnings: [] });
    });
});

describe("gate: reading weights from an HTTPRoute's inputs", () => {
    const backend = (name: string, weight?: number) => ({ kind: "Service", name, port: 80, ...(weight === undefined ? {} : { weight }) });

    it("reads each color's weight from the last (weighted) rule, ignoring cohort rules before it", () => {
        const inputs = {
            spec: {
                rules: [{ backendRefs: [backend("cart-green", 1)] }, { backendRefs: [backend("cart-blue", 70), backend("cart-green", 30)] }],
            },
        };
        expect(routeWeights(inputs, "cart")).to.deep.equal({ blue: 70, green: 30 });
    });

    it("counts a backendRef without a weight as 1, leaves out colors not listed and other services' backends", () => {
        expect(routeWeights({ spec: { rules: [{ backendRefs: [backend("cart-blue"), backend("cartx-green", 5)] }] } }, "cart")).to.deep.equal({ blue: 1 });
        expect(routeWeights({}, "cart")).to.deep.equal({});
    });

    it("asks for the same fraction of the full replicas, rounded up", () => {
        expect([0, 1, 33, 34, 50, 100].map((share) => proportionalReplicas(3, share))).to.deep.equal([0, 1, 1, 2, 2, 3]);
    });
});

describe("gate: cohorts", () => {
    it("judges a cohort rule that starts sending to the candidate as a promotion, even at weight 0", () => {
        const arrives = { before: { blue: 100, green: 0 }, after: { blue: 100, green: 0 }, cohortsBefore: [], cohortsAfter: ["green" as const] };
        expect(shift({ ...arrives, status: { green: ready(1) } }).refusals).to.deep.equal([]);
        const refused = shift({ ...arrives, status: { green: ready(0) } }).refusals;
        expect(refused).to.have.length(1);
        expect(refused[0]).to.include("not sending a cohort to green: it has 0 available replica(s) and its new share needs 1");
    });

    it("never holds a cohort taken off the candidate, nor a cohort that was already there", () => {
        expect(shift({ before: { blue: 100, green: 0 }, after: { blue: 100, green: 0 }, cohortsBefore: ["green"], cohortsAfter: ["blue"], status: { green: ready(0) } }))
            .to.deep.equal({ refusals: [], warnings: [] });
        expect(shift({ before: { blue: 100, green: 0 }, after: { blue: 100, green: 0 }, cohortsBefore: ["green"], cohortsAfter: ["green"], status: { green: ready(0) } }).refusals)
            .to.deep.equal([]);
    });

    it("reads the colors the cohort rules send to: every rule before the weighted last one", () => {
        const rule = (...names: string[]) => ({ backendRefs: names.map((name) => ({ name, weight: 1 })) });
        const inputs = { spec: { rules: [rule("cart-green"), rule("cart-blue"), rule("cart-blue", "cart-green")] } };
        expect(routeCohortColors(inputs, "cart")).to.deep.equal(["blue", "green"]);
        expect(routeCohortColors({ spec: { rules: [rule("cart-blue", "cart-green")] } }, "cart"), "the weighted rule is no cohort").to.deep.equal([]);
        expect(routeCohortColors({ spec: { rules: [rule("shop-green"), rule("cart-blue")] } }, "cart"), "another service's backend").to.deep.equal([]);
        expect(routeCohortColors({}, "cart"), "inputs without a spec").to.deep.equal([]);
    });
});

describe("gate: the stable color keeps its version", () => {
    const update = (change: Partial<ColorUpdate>): string[] =>
        judgeColorUpdate({ deployment: "Deployment shop/cart-blue on cluster eks-use1", color: "blue", candidate: "green", versionBefore: "2.8.1", versionAfter: "3.0.0", ...change });

    it("refuses a new version on the stable color, saying which key releases it", () => {
        expect(update({})).to.deep.equal([
            "Deployment shop/cart-blue on cluster eks-use1: not changing blue from version 2.8.1 to 3.0.0: blue is the stable color " +
                "(switchyard:rollout.candidate is green), the one a rollback returns to. A release goes to the candidate: " +
                "set switchyard:rollout.candidate to blue in the same change to release 3.0.0 on blue, or leave blue at 2.8.1.",
        ]);
        expect(update({ color: "green", candidate: "blue", deployment: "d" })[0]).to.match(/^d: not changing green .*candidate is blue\)/);
    });

    it("passes the candidate's new versions, and any change of the stable color that keeps its version", () => {
        expect(update({ color: "green" }), "the candidate").to.deep.equal([]);
        expect(update({ versionAfter: "2.8.1" }), "same version: replicas, env, resources").to.deep.equal([]);
    });

    it("refuses a stable color whose live or new version it cannot read, and names which one", () => {
        const before = update({ versionBefore: undefined });
        expect(before).to.have.length(1);
        expect(before[0]).to.match(/^Deployment shop\/cart-blue on cluster eks-use1: not changing blue: the live Deployment's metadata\.labels\.version cannot be read/);
        expect(update({ versionAfter: undefined })[0]).to.include("the new Deployment's metadata.labels.version cannot be read");
        expect(update({ color: "green", versionBefore: undefined }), "the candidate is never held by rule 5").to.deep.equal([]);
    });

    it("reads the version label of the Deployment's own metadata, and nothing that is not a string", () => {
        const inputs = (labels: unknown) => ({ metadata: { labels }, spec: { template: { metadata: { labels: { version: "9.9.9" } } } } });
        expect(deploymentVersion(inputs({ app: "cart", version: "2.8.1" }))).to.equal("2.8.1");
        expect(deploymentVersion(inputs({ app: "cart" })), "the pod template's label does not count").to.equal(undefined);
        expect(deploymentVersion(inputs({ version: 3 }))).to.equal(undefined);
        for (const partial of [undefined, {}, { metadata: {} }, { metadata: { labels: null } }]) {
            expect(deploymentVersion(partial as Record<string, unknown> | undefined), JSON.stringify(partial)).to.equal(undefined);
        }
    });
});

describe("gate: without ECR a building color keeps the image it runs", () => {
    const kept = { deployment: "Deployment shop/storefront-green on cluster eks-use1", color: "green" as const, tag: "1.5.0-aaaaaaaaaaaa", ecrError: "AccessDenied" };

    it("passes a change that keeps the tag the live Deployment runs, and refuses another tag or a create, naming both tags and ECR's answer", () => {
        expect(judgeKeptImage({ ...kept, tagBefore: "1.5.0-aaaaaaaaaaaa" })).to.deep.equal([]);
        expect(judgeKeptImage({ ...kept, tagBefore: "1.4.9-bbbbbbbbbbbb" })).to.deep.equal([
            "Deployment shop/storefront-green on cluster eks-use1: not deploying green's build 1.5.0-aaaaaaaaaaaa: ECR did not answer (AccessDenied), " +
                "so whether that tag was pushed, and its digest, are unknown; green keeps build 1.4.9-bbbbbbbbbbbb. Run again once ECR answers; " +
                "a change that needs no new image (a shift, a rollback) goes through meanwhile.",
        ]);
        expect(judgeKeptImage({ ...kept, tagBefore: undefined })[0]).to.include("green keeps no image this stack recorded");
    });

    it("reads the live tag from the Deployment's annotation, else from a plain image reference, never from anything else", () => {
        const annotated = { metadata: { annotations: { "switchyard.io/image-tag": "1.5.0-aaaaaaaaaaaa" } } };
        expect(deploymentImageTag(annotated)).to.equal("1.5.0-aaaaaaaaaaaa");
        expect(deploymentImageTag({ metadata: { annotations: { "switchyard.io/image-tag": 5 } } })).to.equal(undefined);
        const image = (value: unknown) => ({ spec: { template: { spec: { containers: [{ image: value }] } } } });
        expect(liveImageTag({ ...image("r.example/shop/storefront:1.4.0-cccccccccccc@sha256:" + "0".repeat(64)), ...annotated }), "the annotation first").to.equal("1.5.0-aaaaaaaaaaaa");
        expect(liveImageTag(image("r.example/shop/storefront:1.4.0-cccccccccccc@sha256:" + "0".repeat(64)))).to.equal("1.4.0-cccccccccccc");
        expect(liveImageTag(image("r.example/shop/storefront@sha256:" + "0".repeat(64))), "no tag").to.equal(undefined);
        expect(liveImageTag(image({ secret: true })), "a spec the SDK handed as a secret Output").to.equal(undefined);
        expect(liveImageTag(undefined)).to.equal(undefined);
    });
});

describe("gate: which deletes are the old object of a move", () => {
    const declared = { namespace: "shop", name: "cart" };
    const old = (namespace: unknown, name: unknown) => ({ metadata: { namespace, name }, spec: {} });

    it("judges the old object of a namespace or name change", () => {
        expect(isMovedFrom(old("shop-v1", "cart"), declared)).to.equal(true);
        expect(isMovedFrom(old("shop", "cart-2"), declared)).to.equal(true);
    });

    it("never judges a delete under the identity this run declares: a destroy with --run-program, not a move", () => {
        expect(isMovedFrom(old("shop", "cart"), declared)).to.equal(false);
    });

    it("judges inputs whose identity it cannot read, so a move's rules are never skipped for want of them", () => {
        expect(isMovedFrom(undefined, declared)).to.equal(true);
        expect(isMovedFrom({}, declared)).to.equal(true);
        expect(isMovedFrom(old(undefined, "cart"), declared)).to.equal(true);
        expect(isMovedFrom(old("shop", 7), declared)).to.equal(true);
        expect(isMovedFrom({ metadata: null }, declared)).to.equal(true);
    });
});

describe("gate: reading the inputs the engine hands a hook, however partial", () => {
    it("reads no weights and no cohort colors from a route without rules, or with rules without backends", () => {
        expect(routeWeights({}, "cart")).to.deep.equal({});
        expect(routeWeights({ spec: {} }, "cart")).to.deep.equal({});
        expect(routeWeights({ spec: { rules: [{}] } }, "cart")).to.deep.equal({});
        expect(routeCohortColors({ spec: {} }, "cart")).to.deep.equal([]);
        expect(routeCohortColors({ spec: { rules: [{}, { backendRefs: [{ name: "cart-blue" }] }] } }, "cart"), "a cohort rule without backends sends nowhere").to.deep.equal([]);
    });

    it("reads no live tag from a Deployment whose spec or containers are missing, or whose image is no text", () => {
        expect(liveImageTag(undefined)).to.equal(undefined);
        expect(liveImageTag({ metadata: {} })).to.equal(undefined);
        expect(liveImageTag({ spec: {} })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: {} } })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: {} } } })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [] } } } })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [{}] } } } })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [{ image: 7 }] } } } })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [{ image: "ghcr.io/acme/cart@sha256:" + "a".repeat(64) }] } } } }), "a digest has no tag").to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [{ image: "ghcr.io/acme/cart:1.4.0" }] } } } })).to.equal("1.4.0");
        expect(deploymentImageTag({ metadata: {} })).to.equal(undefined);
        expect(liveImageTag({ spec: { template: { spec: { containers: [{ image: "Not A Ref!" }] } } } }), "an image that is no reference").to.equal(undefined);
    });

    it("says nothing of a create when an update above maxStep's value stays within maxStep of its live weights", () => {
        expect(shift({ before: { blue: 75, green: 25 }, after: { blue: 60, green: 40 } })).to.deep.equal({ refusals: [], warnings: [] });
    });

    it("says why an unreadable version is refused, naming the stable color and the key that picks the candidate", () => {
        const [refusal] = judgeColorUpdate({ deployment: "Deployment shop/cart-blue on cluster east", color: "blue", candidate: "green", versionBefore: undefined, versionAfter: "1.5.0" });
        expect(refusal).to.include("so the guard cannot tell whether a release goes onto blue, the stable color (switchyard:rollout.candidate is green); an unreadable version is never waved through.");
    });
});
