import { expect } from "chai";
import { planWarnings, replacementOf, secretLookingEnv, guardRefusals } from "../cli/planWarnings.ts";
import { cluster, parse, service } from "./stackFixture.ts";

describe("plan warnings: changes that do more or less than they look", () => {
    it("says nothing about a plain shift between colors with full replicas", () => {
        expect(planWarnings(parse({ greenWeight: "0" }), parse({ greenWeight: "25" }))).to.deep.equal([]);
    });

    it("warns that with an integer idleReplicas a rollback lands on the stable color's idle pods", () => {
        const promoted = parse({ greenWeight: "100", idleReplicas: "1" });
        expect(planWarnings(promoted, promoted)).to.deep.equal([
            "idleReplicas 1: a rollback moves all traffic at once onto the stable color (blue), which runs only its idle replicas on " +
                "cart on east (1 of 3), cart on west (1 of 3), checkout on east (1 of 3), checkout on west (1 of 3); the rest start after the " +
                "route has moved. A services[].capacity block has the snap-back checked; idleReplicas full avoids it.",
        ]);
        expect(planWarnings(parse({ idleReplicas: "1" }), parse({ idleReplicas: "1" })), "not while the stable color serves").to.deep.equal([]);
        const oneCluster = parse({ greenWeight: "0", idleReplicas: "1", clusters: [cluster("east", { greenWeight: 100 }), cluster("west")] });
        expect(planWarnings(oneCluster, oneCluster)[0]).to.include("on cart on east (1 of 3), checkout on east (1 of 3);");
    });

    it("warns when idleReplicas is above a service's replicas, so its idle color stays whole", () => {
        const mixed = parse({ idleReplicas: "2", services: [service("cart", { replicas: 1 }), service("checkout")] });
        expect(planWarnings(mixed, mixed)).to.deep.equal(["idleReplicas 2 is above cart's replicas (1): its idle color keeps all 1."]);
    });

    it("warns about a replicas cut on a service whose colors carry traffic, naming them and their share", () => {
        const before = parse({ greenWeight: "30" });
        const after = parse({ greenWeight: "30", services: [service("cart", { replicas: 2 }), service("checkout")] });
        expect(planWarnings(before, after)).to.deep.equal([
            "cart: replicas 3 → 2 takes pods from colors that carry traffic: blue on east (70 %), green on east (30 %), blue on west (70 %), " +
                "green on west (30 %). Nothing holds this but a capacity block (services[].capacity).",
        ]);
        expect(planWarnings(after, before), "adding pods is no warning").to.deep.equal([]);
    });

    it("names a move onto the stable color a rollback, per cluster", () => {
        expect(planWarnings(parse({ greenWeight: "50" }), parse({ greenWeight: "20" }))).to.deep.equal([
            "east: blue goes from 50 % to 80 %, a rollback to the stable color; the readiness gate never holds it.",
            "west: blue goes from 50 % to 80 %, a rollback to the stable color; the readiness gate never holds it.",
        ]);
        const withNewCluster = parse({ greenWeight: "20", clusters: [cluster("east"), cluster("west"), cluster("north")] });
        expect(planWarnings(parse({ greenWeight: "50" }), withNewCluster), "a new cluster has no before").to.have.length(2);
    });
});

describe("plan warnings: what is no reason to warn", () => {
    it("says nothing about idle colors when idleReplicas is full, or equal to a service's replicas", () => {
        const promotedFull = parse({ greenWeight: "100" });
        expect(planWarnings(promotedFull, promotedFull)).to.deep.equal([]);
        const equal = parse({ idleReplicas: "3" });
        expect(planWarnings(equal, equal), "3 of 3 keeps every pod: nothing to say").to.deep.equal([]);
    });

    it("leaves out a service that does not deploy the stable color", () => {
        const greenOnly = parse({ greenWeight: "100", idleReplicas: "1", services: [service("cart", { blue: undefined }), service("checkout")] });
        const [warning] = planWarnings(greenOnly, greenOnly);
        expect(warning).to.include("checkout on east (1 of 3), checkout on west (1 of 3);");
        expect(warning).not.to.include("cart on");
    });

    it("compares each service with its own replicas before, and says nothing of a service that is new", () => {
        const before = parse({ services: [service("cart", { replicas: 5 }), service("checkout")] });
        const after = parse({ services: [service("cart", { replicas: 5 }), service("checkout", { replicas: 2 }), service("search")] });
        expect(planWarnings(before, after)).to.deep.equal([
            "checkout: replicas 3 → 2 takes pods from colors that carry traffic: blue on east (100 %), blue on west (100 %). " +
                "Nothing holds this but a capacity block (services[].capacity).",
        ]);
    });

    it("warns, when the mirror's percent changes, that a Gateway API CRD older than v1.3 copies everything", () => {
        const warnings = planWarnings(parse({ greenWeight: "0" }), parse({ greenWeight: "0", mirror: JSON.stringify({ percent: 10 }) }));
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.match(/^mirror\.percent 10: a cluster whose Gateway API CRDs are older than v1\.3 drops percent without an error and copies 100 %/);
        const mirrored = parse({ greenWeight: "0", mirror: JSON.stringify({ percent: 10 }) });
        expect(planWarnings(mirrored, mirrored), "an unchanged percent says nothing").to.deep.equal([]);
        expect(planWarnings(mirrored, parse({ greenWeight: "0", mirror: JSON.stringify({ percent: 100 }) })), "100 % is what an old CRD does anyway").to.deep.equal([]);
        expect(planWarnings(mirrored, parse({ greenWeight: "0", mirror: JSON.stringify({ percent: 0 }) })), "mirroring nothing copies nothing, whatever the CRD").to.deep.equal([]);
        // The operator runs this command as printed: the annotation Gateway API's CRDs carry their version in.
        expect(warnings[0]).to.include(
            "check with kubectl get crd httproutes.gateway.networking.k8s.io -o jsonpath='{.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version}' on every cluster.",
        );
    });
});

describe("plan warnings: namespaces, cohorts and secret-looking env", () => {
    it("says what a namespace change replaces and what traffic does meanwhile, with a did-you-mean for a near miss", () => {
        const before = parse();
        const after = parse({ clusters: [cluster("east", { namespace: "sohp" }), cluster("west", { namespace: "payments" })] });
        const warnings = planWarnings(before, after);
        expect(warnings).to.have.length(2);
        expect(warnings[0]).to.match(/^east: clusters\[0\]\.namespace "shop" → "sohp" replaces every switchyard object on the cluster \(2 service\(s\)/);
        expect(warnings[0]).to.include('Did you mean "shop"?');
        expect(warnings[1]).to.match(/^west: clusters\[1\]\.namespace "shop" → "payments" /);
        expect(warnings[1], "a real rename is no typo").not.to.include("Did you mean");
        for (const w of warnings) expect(w).to.include("the Gateway keeps serving the older route").and.include("allowedRoutes.namespaces");
        expect(warnings[0]).to.include('switchyard creates namespace "sohp"');
        const prepared = parse({ clusters: [cluster("east", { namespace: "shop2", createNamespace: false, imagePullSecrets: ["ecr"] }), cluster("west")] });
        expect(planWarnings(before, prepared)[0]).to.include('namespace "shop2" must exist first (createNamespace: false), with the pull secret(s) ecr in it');
        const twoSecrets = parse({ clusters: [cluster("east", { namespace: "shop2", createNamespace: false, imagePullSecrets: ["ecr", "ghcr"] }), cluster("west")] });
        expect(planWarnings(before, twoSecrets)[0]).to.include("with the pull secret(s) ecr, ghcr in it");
        const noSecrets = parse({ clusters: [cluster("east", { namespace: "shop2", createNamespace: false }), cluster("west")] });
        expect(planWarnings(before, noSecrets)[0]).to.match(/must exist first \(createNamespace: false\)\.$/);
        // What traffic does meanwhile, in the order it happens: both routes, the old one serving, then the switch.
        expect(warnings[0]).to.include("Traffic meanwhile: Pulumi creates each new object before it deletes the old one, and the new routes wait for their colors' pods; ");
        expect(warnings[0]).to.include('so requests stay on the pods in "shop" until its routes are deleted at the end of the update, then go to "sohp" at the same weights. ');
        expect(warnings[1], "no did-you-mean for a name that is no near miss").to.include("(2 service(s): Deployments, Services, HTTPRoutes), shown as +- below. Traffic meanwhile:");
    });

    it("names the cohort when a color takes traffic through one, not only its weight", () => {
        const beta = [{ name: "beta", color: "green", match: { headers: [{ name: "x-beta", value: "1" }] } }];
        const cut = planWarnings(parse({ cohorts: beta }), parse({ cohorts: beta, services: [service("cart", { replicas: 2 }), service("checkout")] }));
        expect(cut[0]).to.include("takes pods from colors that carry traffic: blue on east (100 %), green on east (0 %, cohort beta), blue on west (100 %), green on west (0 %, cohort beta)");
    });

    it("calls a Kubernetes object with a new name or namespace a replacement, and anything else an update", () => {
        const meta = (namespace: string, name = "cart") => ({ metadata: { name, namespace }, spec: { replicas: 1 } });
        expect(replacementOf("kubernetes:apps/v1:Deployment", meta("shop"), meta("sohp"))).to.equal('metadata.namespace "shop" → "sohp"');
        expect(replacementOf("kubernetes:core/v1:Service", meta("shop"), meta("shop", "cart-2"))).to.equal('metadata.name "cart" → "cart-2"');
        expect(replacementOf("kubernetes:apps/v1:Deployment", meta("shop"), { ...meta("shop"), spec: { replicas: 2 } })).to.equal(undefined);
        expect(replacementOf("aws:route53/record:Record", meta("shop"), meta("sohp")), "not the Kubernetes provider").to.equal(undefined);
        expect(replacementOf("kubernetes:core/v1:Service", { metadata: { namespace: "shop" } }, meta("shop")), "a name given where there was none").to.equal('metadata.name (none) → "cart"');
        expect(replacementOf("kubernetes:core/v1:Service", meta("shop"), { metadata: {} }), "both gone").to.equal('metadata.namespace "shop" → (none), metadata.name "cart" → (none)');
    });

    it("hints at a secret for a plaintext env value whose name looks like one, never for a secure one", () => {
        const config = {
            "switchyard:services": [
                { name: "api", env: { DB_PASSWORD: "hunter2", api_token: "x", CLIENT_SECRET: { secure: "v1:abc" }, LOG_LEVEL: "debug", STRIPE_API_KEY: "sk" } },
                { name: "web" },
            ],
        };
        expect(secretLookingEnv(config, "switchyard").map((w) => w.split(" ")[0])).to.deep.equal(["services[0].env.DB_PASSWORD", "services[0].env.api_token", "services[0].env.STRIPE_API_KEY"]);
        const spelled = { "switchyard:services": [{ name: "api", env: { APIKEY: "a", ACCESSKEY: "b", PRIVATEKEY: "c", ACCESS_KEY_ID: "d", MONKEY: "e" } }] };
        expect(secretLookingEnv(spelled, "switchyard").map((w) => w.split(" ")[0]), "with or without the underscore").to.deep.equal([
            "services[0].env.APIKEY",
            "services[0].env.ACCESSKEY",
            "services[0].env.PRIVATEKEY",
            "services[0].env.ACCESS_KEY_ID",
        ]);
        expect(secretLookingEnv(config, "switchyard")[0]).to.equal(
            "services[0].env.DB_PASSWORD is plaintext in the stack file, and its name looks like a secret's. Store it encrypted: " +
                "pulumi config set --secret --path 'services[0].env.DB_PASSWORD' <value> (in the plan: --set-secret 'services[0].env.DB_PASSWORD=<value>').",
        );
        expect(secretLookingEnv(config, "switchyard").join(" "), "the value is never printed").not.to.include("hunter2");
        expect(secretLookingEnv({}, "switchyard")).to.deep.equal([]);
    });
});

describe("plan: every refusal of the program's guards, reason first", () => {
    it("lists every refused change once, without the engine's URN prefix, and ignores other hooks and passing calls", () => {
        const maxStep = (route: string) => `HTTPRoute shop/${route} on cluster east: green would go from 0 % to 100 % (+100) in one update, more than switchyard:rollout.maxStep (25).`;
        const text = guardRefusals([
            { hook: "switchyard-gate", error: maxStep("cart") },
            { hook: "switchyard-gate" },
            { hook: "switchyard-gate", error: `${maxStep("checkout")}\nnot moving green: 0 available replica(s)` },
            { hook: "switchyard-stable", error: maxStep("cart") },
            { hook: "someone-else", error: "not ours" },
            { hook: "switchyard-gate.east.cart", error: "a hook name with more after the gate's is not the gate's" },
            { hook: "my-switchyard-gate", error: "nor one with more before it" },
        ]);
        expect(text).to.equal(
            "the readiness gate refuses 3 changes, so `pulumi up` would stop at the first:\n" +
                `  - ${maxStep("cart")}\n  - ${maxStep("checkout")}\n  - not moving green: 0 available replica(s)`,
        );
        expect(guardRefusals([{ hook: "switchyard-image", error: "Deployment x: not deploying" }])).to.equal(
            "the readiness gate refuses this change, so `pulumi up` would stop at the first:\n  - Deployment x: not deploying",
        );
        expect(guardRefusals([{ hook: "switchyard-gate" }, { hook: "other", error: "x" }])).to.equal(undefined);
    });
});
