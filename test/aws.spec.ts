import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContextHash } from "../components/aws/buildContext.ts";
import { inputChanges, type ProgramRun, type RegisteredResource } from "../tools/mockRuntime.ts";
import { loadStackConfig } from "../tools/stackFiles.ts";
import { TYPES, at, byName, ofType, runStack } from "./support.ts";

const ZONE = "shop.example.com";
const CLUSTERS = { "eks-use1": { share: 2, direct: "CNAME" }, "gke-euw1": { share: 1, direct: "A" } } as const;
// service name → DNS record label, as Pulumi.prod.yaml sets them
const SERVICES = { storefront: "storefront", cart: "cart", checkout: "pay" } as const;

function weighted(run: ProgramRun): RegisteredResource[] {
    return ofType(run, TYPES.record).filter((r) => r.inputs.weightedRoutingPolicies !== undefined);
}

function prodList(key: "clusters" | "services"): Record<string, unknown>[] {
    return JSON.parse(loadStackConfig("prod").config[`switchyard:${key}`]!) as Record<string, unknown>[];
}

describe("aws: weighted DNS across clusters", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runStack("prod");
    });

    it("gives every service one health-checked weighted record per cluster, weighted by trafficShare", () => {
        expect(weighted(prod)).to.have.length(6);
        for (const [service, label] of Object.entries(SERVICES)) {
            for (const [cluster, { share, direct }] of Object.entries(CLUSTERS)) {
                const record = byName(prod, TYPES.record, `${service}.${cluster}`);
                const directName = `${label}.${cluster}.${ZONE}`;
                expect(record.inputs).to.include({ name: `${label}.${ZONE}`, type: "CNAME", setIdentifier: cluster });
                expect(record.inputs.weightedRoutingPolicies).to.deep.equal([{ weight: share }]);
                expect(record.inputs.records).to.deep.equal([directName]);

                const healthCheck = byName(prod, TYPES.healthCheck, `${service}.${cluster}`);
                expect(record.propertyDependencies.healthCheckId, "the record is tied to its own health check").to.deep.equal([healthCheck.urn]);
                expect(record.inputs.healthCheckId).to.be.a("string").and.not.be.empty;
                const healthPath = (prodList("services").find((s) => s.name === service) as { healthPath: string }).healthPath;
                expect(healthCheck.inputs).to.include({ fqdn: directName, resourcePath: healthPath, type: "HTTPS", port: 443 });

                const directRecord = byName(prod, TYPES.record, `${service}.${cluster}.direct`);
                expect(directRecord.inputs).to.include({ name: directName, type: direct });
                expect(directRecord.inputs.weightedRoutingPolicies).to.equal(undefined);
            }
        }
    });

    it("lets a cluster's records wait for its route and the colors that take traffic there, and replaces a direct record delete-first", async () => {
        const at30 = await runStack("prod", { greenWeight: "30" });
        for (const [run, serving] of [[prod, ["blue"]], [at30, ["blue", "green"]]] as const) {
            expect(weighted(run)).to.have.length(6);
            for (const record of weighted(run)) {
                const [service, cluster] = record.name.split(".") as [string, string];
                for (const color of ["blue", "green"]) {
                    const deployment = byName(run, TYPES.deployment, `${cluster}.${service}.${color}`).urn;
                    if ((serving as readonly string[]).includes(color)) expect(record.dependencies, `${record.name} waits for ${color}`).to.include(deployment);
                    else expect(record.dependencies, `${record.name} ignores idle ${color}`).not.to.include(deployment);
                }
                expect(record.dependencies).to.include(byName(run, TYPES.httpRoute, `${cluster}.${service}`).urn);
                expect(byName(run, TYPES.record, `${service}.${cluster}.direct`).deleteBeforeReplace).to.equal(true);
            }
        }
    });

    it("lets a drained cluster's records wait for nothing on that cluster, so a drain is never held by it", async () => {
        const clusters = prodList("clusters");
        clusters[0] = { ...clusters[0], trafficShare: 0 };
        const drained = await runStack("prod", { clusters: JSON.stringify(clusters) });
        const records = weighted(drained).filter((r) => r.name.endsWith(".eks-use1"));
        expect(records).to.have.length(3);
        for (const record of records) {
            const ownDns = [byName(drained, TYPES.record, `${record.name}.direct`).urn, byName(drained, TYPES.healthCheck, record.name).urn];
            expect(record.dependencies, record.name).to.have.members(ownDns);
        }
    });

    it("routes the public and the per-cluster names on each cluster's HTTPRoute", () => {
        const route = byName(prod, TYPES.httpRoute, "gke-euw1.checkout");
        expect(at(route, "spec", "hostnames")).to.include.members([`pay.${ZONE}`, `pay.gke-euw1.${ZONE}`]);
    });

    it("rewrites only Route53 records when one cluster's trafficShare changes, keeping a drained cluster's records at weight 0", async () => {
        const clusters = prodList("clusters");
        clusters[1] = { ...clusters[1], trafficShare: 0 };
        const drained = await runStack("prod", { clusters: JSON.stringify(clusters) });
        const changes = inputChanges(prod, drained);
        expect(changes).to.have.length(3);
        for (const change of changes) {
            expect(change.type).to.equal(TYPES.record);
            expect(change.urn).to.match(/::[a-z]+\.gke-euw1$/);
        }
        for (const service of Object.keys(SERVICES)) {
            expect(byName(drained, TYPES.record, `${service}.gke-euw1`).inputs.weightedRoutingPolicies).to.deep.equal([{ weight: 0 }]);
        }
        expect(drained.outputs.summary).to.have.property("gke-euw1").that.matches(/\(drained\)/);
    });

    it("touches no AWS resource when greenWeight changes", async () => {
        const flipped = await runStack("prod", { greenWeight: "30" });
        const touched = inputChanges(prod, flipped).filter((c) => c.type.startsWith("aws:") || c.type.startsWith("docker:"));
        expect(touched).to.deep.equal([]);
    });
});

describe("aws: images built into ECR and pinned by digest", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runStack("prod");
    });

    it("pins every prod Deployment's image by digest", () => {
        const deployments = ofType(prod, TYPES.deployment);
        expect(deployments).to.have.length(12);
        for (const deployment of deployments) {
            const [container] = at(deployment, "spec", "template", "spec", "containers") as { image: string }[];
            expect(container!.image, deployment.name).to.match(/@sha256:[0-9a-f]{64}$/);
        }
    });

    it("builds storefront's green into a scanned, immutable ECR repository with bounded history, pushing with ECR's token", () => {
        const repository = byName(prod, "aws:ecr/repository:Repository", "storefront");
        expect(repository.inputs).to.deep.include({ name: "shop/storefront", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
        const policy = JSON.parse(byName(prod, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "storefront").inputs.policy as string);
        expect(policy.rules[0].selection).to.include({ countType: "imageCountMoreThan", countNumber: 30 });
        expect(ofType(prod, TYPES.image).map((i) => i.name), "only the color that builds has an image resource").to.deep.equal(["storefront.green"]);
        const image = byName(prod, TYPES.image, "storefront.green");
        expect(image.inputs.imageName).to.match(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop\/storefront:1\.5\.0-[0-9a-f]{12}$/);
        expect(at(image, "build", "context")).to.equal("app");
        expect(at(image, "registry", "password")).to.equal("mock-ecr-token");
        expect(image.secretInputs, "the registry token stays a secret").to.include("registry");
        for (const cluster of ["eks-use1", "gke-euw1"]) {
            const deployment = byName(prod, TYPES.deployment, `${cluster}.storefront.green`);
            const [container] = at(deployment, "spec", "template", "spec", "containers") as { image: string }[];
            expect(container!.image.startsWith(`${String(image.inputs.imageName).split(":")[0]}@sha256:`), "the Deployment runs the pushed digest").to.equal(true);
        }
    });

    it("changes only that color's Deployments when one color's image is rebuilt", async () => {
        const services = prodList("services");
        const storefront = services[0] as { green: { build: { args: Record<string, string> } } };
        storefront.green.build.args = { APP_VERSION: "1.5.1" };
        const rebuilt = await runStack("prod", { services: JSON.stringify(services) });
        const changed = inputChanges(prod, rebuilt).map((c) => c.urn.split("::").pop()).sort();
        expect(changed).to.deep.equal(["eks-use1.storefront.green", "gke-euw1.storefront.green", "storefront.green"]);
    });
});

describe("aws: build context hash (the image tag)", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "switchyard-context-"));
        mkdirSync(join(dir, "app", "docs"), { recursive: true });
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM scratch\n");
        writeFileSync(join(dir, "app", "server.mjs"), "console.log(1)\n");
        writeFileSync(join(dir, "app", "docs", "notes.md"), "notes\n");
        writeFileSync(join(dir, "app", ".dockerignore"), "docs\n*.md\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const build = { context: "app", dockerfile: "Dockerfile", args: {}, platform: "linux/amd64" };

    it("changes when a file in the context, a build arg or the platform changes", () => {
        const original = buildContextHash(dir, build);
        expect(buildContextHash(dir, build), "stable for the same inputs").to.equal(original);
        writeFileSync(join(dir, "app", "server.mjs"), "console.log(2)\n");
        const edited = buildContextHash(dir, build);
        expect(edited).not.to.equal(original);
        expect(buildContextHash(dir, { ...build, args: { APP_VERSION: "2" } })).not.to.equal(edited);
        expect(buildContextHash(dir, { ...build, platform: "linux/arm64" })).not.to.equal(edited);
    });

    it("ignores what .dockerignore keeps out of the context, wildcards included", () => {
        const original = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "docs", "notes.md"), "other notes\n");
        writeFileSync(join(dir, "app", "README.md"), "readme\n");
        expect(buildContextHash(dir, build)).to.equal(original);
    });

    it("hashes what a ! exception puts back, and the Dockerfile even when it is ignored", () => {
        writeFileSync(join(dir, "app", ".dockerignore"), "docs\n*.md\n!docs/keep.md\nDockerfile\n");
        writeFileSync(join(dir, "app", "docs", "keep.md"), "kept\n");
        const original = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "docs", "keep.md"), "changed\n");
        const kept = buildContextHash(dir, build);
        expect(kept).not.to.equal(original);
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM busybox\n");
        expect(buildContextHash(dir, build)).not.to.equal(kept);
    });
});
