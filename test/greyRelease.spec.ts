// Grey release by cohort, shadow traffic and capacity, through the whole program: the prod stack
// run under Pulumi's mocks with cohorts, a mirror and capacity blocks.

import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { expect } from "chai";
import { inputChanges, type ProgramRun, type RegisteredResource } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";
import { TYPES, at, byName, ofType, runStack, runStackExpectingError } from "./support.ts";

interface Rule {
    matches: { path: unknown; headers?: { name: string; type: string; value: string }[]; queryParams?: unknown[] }[];
    filters?: { type: string; requestMirror?: { backendRef: { name: string; port: number }; percent: number } }[];
    backendRefs: { name: string; port: number; weight?: number }[];
}

const rulesOf = (route: RegisteredResource) => at(route, "spec", "rules") as Rule[];

/** Cohorts that use every kind of match, scoped in every way. */
const COHORTS = JSON.stringify([
    { name: "beta", color: "green", match: { headers: [{ name: "x-switchyard-cohort", value: "beta" }] } },
    {
        name: "staff",
        color: "green",
        match: [
            { cookie: { name: "staff", value: "1" } },
            { headers: [{ name: "x-employee-id", value: "^e[0-9]{4,}$", type: "RegularExpression" }] },
            { queryParams: [{ name: "preview", value: "true" }] },
        ],
        services: ["storefront"],
    },
    { name: "old-clients", color: "blue", match: { headers: [{ name: "user-agent", value: ".*LegacyApp/1\\..*", type: "RegularExpression" }] }, clusters: ["gke-euw1"] },
]);

describe("grey release: cohorts and shadow traffic on prod's routes", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("prod", { cohorts: COHORTS, mirror: JSON.stringify({ percent: 10 }) });
    });

    it("emits HTTPRoutes with cohort rules and a mirror that validate against the Gateway API schema", () => {
        const routes = ofType(run, TYPES.httpRoute);
        expect(routes).to.have.length(6);
        for (const route of routes) new HTTPRoute(route.inputs as never).validate();
        const rules = routes.map((r) => `${r.name}: ${rulesOf(r).length}`);
        expect(rules).to.have.members([
            "eks-use1.storefront: 3",
            "eks-use1.cart: 2",
            "eks-use1.checkout: 2",
            "gke-euw1.storefront: 4",
            "gke-euw1.cart: 3",
            "gke-euw1.checkout: 3",
        ]);
    });

    it("puts cohort rules first, in config order, each to its color alone, and the weighted rule last", () => {
        const rules = rulesOf(byName(run, TYPES.httpRoute, "gke-euw1.storefront"));
        expect(rules.map((r) => r.backendRefs.map((b) => b.name).join(","))).to.deep.equal([
            "storefront-green",
            "storefront-green",
            "storefront-blue",
            "storefront-blue,storefront-green",
        ]);
        expect(rules[1]!.matches).to.have.length(3);
        expect(rules[1]!.matches[0]!.headers).to.deep.equal([{ name: "Cookie", type: "RegularExpression", value: "^(?:.*;\\s*)?staff=1(?:\\s*;.*)?$" }]);
        expect(rules[3]!.matches).to.deep.equal([{ path: { type: "PathPrefix", value: "/" } }]);
        expect(rules[3]!.backendRefs.map((b) => b.weight)).to.deep.equal([100, 0]);
    });

    it("mirrors 10 % of the weighted rule to the idle candidate at 100/0, and only there", () => {
        const ports: Record<string, number> = { storefront: 8080, cart: 8081, checkout: 8443 };
        for (const route of ofType(run, TYPES.httpRoute)) {
            const rules = rulesOf(route);
            const service = route.name.split(".")[1]!;
            expect(rules.at(-1)!.filters, route.name).to.deep.equal([
                { type: "RequestMirror", requestMirror: { backendRef: { group: "", kind: "Service", name: `${service}-green`, port: ports[service] }, percent: 10 } },
            ]);
            for (const rule of rules.slice(0, -1)) expect(rule.filters, `${route.name} cohort rule`).to.equal(undefined);
        }
    });

    it("sends a cohort's requests to a color at weight 0 only once it is ready, and keeps it at full size", async () => {
        const idle = await runStack("prod", { idleReplicas: "2", greenWeight: "0" });
        for (const route of ofType(idle, TYPES.httpRoute)) {
            const green = byName(idle, TYPES.deployment, `${route.name}.green`);
            expect(route.dependencies, `${route.name} waits for green, which serves prod's beta cohort`).to.include(green.urn);
            expect(green.dependencies, "green is not drained by the route").not.to.include(route.urn);
            expect(at(green, "spec", "replicas")).to.equal(at(byName(idle, TYPES.deployment, `${route.name}.blue`), "spec", "replicas"));
        }
    });
});

describe("grey release: a greenWeight flip", () => {
    let at0: ProgramRun;
    let at30: ProgramRun;
    before(async () => {
        const overrides = { cohorts: COHORTS, mirror: JSON.stringify({ percent: 10 }) };
        at0 = await runStack("prod", { ...overrides, greenWeight: "0" });
        at30 = await runStack("prod", { ...overrides, greenWeight: "30" });
    });

    it("changes only the HTTPRoutes, and in each only the weighted rule's backendRefs: cohort rules stay as they are", () => {
        const changes = inputChanges(at0, at30);
        expect(changes.map((c) => c.type)).to.deep.equal(Array(6).fill(TYPES.httpRoute));
        for (const change of changes) {
            const name = change.urn.split("::").pop()!;
            const before = rulesOf(byName(at0, TYPES.httpRoute, name));
            const after = rulesOf(byName(at30, TYPES.httpRoute, name));
            expect(after.length, name).to.equal(before.length);
            expect(after.slice(0, -1), `${name}: cohort rules`).to.deep.equal(before.slice(0, -1));
            const { backendRefs: refsBefore, ...weightedBefore } = before.at(-1)!;
            const { backendRefs: refsAfter, ...weightedAfter } = after.at(-1)!;
            expect(weightedAfter, `${name}: the weighted rule's matches and mirror`).to.deep.equal(weightedBefore);
            expect(refsBefore.map((b) => b.weight)).to.deep.equal([100, 0]);
            expect(refsAfter.map((b) => b.weight)).to.deep.equal([70, 30]);
        }
    });

    it("moves the mirror to blue once green takes the larger share, and drops it at 50/50", async () => {
        const overrides = { cohorts: COHORTS, mirror: JSON.stringify({ percent: 10 }) };
        const at70 = await runStack("prod", { ...overrides, greenWeight: "70" });
        const at50 = await runStack("prod", { ...overrides, greenWeight: "50" });
        const mirrored = (r: ProgramRun) => ofType(r, TYPES.httpRoute).map((route) => rulesOf(route).at(-1)!.filters?.[0]?.requestMirror?.backendRef.name ?? "none");
        expect(new Set(mirrored(at30).map((n) => n.split("-").pop()))).to.deep.equal(new Set(["green"]));
        expect(new Set(mirrored(at70).map((n) => n.split("-").pop()))).to.deep.equal(new Set(["blue"]));
        expect(new Set(mirrored(at50))).to.deep.equal(new Set(["none"]));
    });
});

describe("grey release: capacity before any resource", () => {
    it("refuses a snap-back that overloads: storefront's blue kept at one idle pod while green takes 100 %", async () => {
        const failure = await runStackExpectingError("prod", { idleReplicas: "1", greenWeight: "100" });
        expect(failure.resources.map((r) => r.type), "nothing registered but the stack").to.deep.equal(["pulumi:pulumi:Stack"]);
        const lines = failure.message.split("\n").filter((line) => line.startsWith("  - "));
        expect(lines).to.have.length(2);
        for (const cluster of ["eks-use1", "gke-euw1"]) {
            expect(failure.message).to.include(
                `switchyard:idleReplicas: got 1; allowed: at least 2 for storefront's blue on cluster ${cluster}, the stable color, which takes all of peakRps 240 rps at once`,
            );
        }
        expect(failure.message).to.include("1 pod at podRps 150: cannot keep up (utilization 160 %)");
    });

    it("refuses it on the canary cluster alone when only that cluster moved", async () => {
        const clusters = JSON.parse(loadStackConfig("prod").config["switchyard:clusters"]!) as Record<string, unknown>[];
        clusters[1] = { ...clusters[1], greenWeight: 100 };
        const failure = await runStackExpectingError("prod", { idleReplicas: "1", clusters: JSON.stringify(clusters) });
        expect(failure.message).to.include("storefront's blue on cluster gke-euw1").and.not.include("cluster eks-use1");
    });

    it("accepts the same move with two idle pods, which take storefront's peak with an 11.9 ms mean wait", async () => {
        const run = await runStack("prod", { idleReplicas: "2", greenWeight: "100" });
        expect(at(byName(run, TYPES.deployment, "eks-use1.storefront.blue"), "spec", "replicas")).to.equal(2);
    });
});
