import { expect } from "chai";
import program from "../index.ts";
import { inputChanges, runProgram, type ProgramRun, type RegisteredResource } from "../harness/mockRuntime.ts";
import { PROJECT_ROOT, loadStackConfig, stackModel } from "../model/stackFiles.ts";
import { colorsInRepository } from "../components/aws/images.ts";
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
                const created = prod.live.resources.get(healthCheck.urn);
                expect(record.inputs.healthCheckId, "the id Route53 gave that health check").to.equal(created!.id);
                const healthPath = (prodList("services").find((s) => s.name === service) as { healthPath: string }).healthPath;
                expect(healthCheck.inputs).to.include({ fqdn: directName, resourcePath: healthPath, type: "HTTPS", port: 443 });

                const directRecord = byName(prod, TYPES.record, `${service}.${cluster}.direct`);
                expect(directRecord.inputs).to.include({ name: directName, type: direct });
                expect(directRecord.inputs.weightedRoutingPolicies).to.equal(undefined);
                const address = (prodList("clusters").find((c) => c.name === cluster) as { gatewayAddress: string }).gatewayAddress;
                expect(directRecord.inputs.records, "the direct record points at the cluster's Gateway").to.deep.equal([address]);
                // Route53 resolves a hostname itself; an address is probed as given. HTTPS checks send SNI.
                expect(healthCheck.inputs.ipAddress, "probed at the IP, or through the hostname").to.equal(direct === "A" ? address : undefined);
                expect(healthCheck.inputs).to.include({ enableSni: true, requestInterval: 30, failureThreshold: 3 });
                expect(healthCheck.inputs.tags).to.deep.equal({ Name: directName, "switchyard:service": service, "switchyard:cluster": cluster });
            }
        }
    });

    it("sends no SNI to a health check over plain HTTP", async () => {
        const dns = { ...(JSON.parse(loadStackConfig("prod").config["switchyard:dns"]!) as Record<string, any>) };
        dns.healthCheck = { ...dns.healthCheck, protocol: "HTTP", port: 80 };
        const plain = await runStack("prod", { dns: JSON.stringify(dns) });
        const healthCheck = byName(plain, TYPES.healthCheck, "cart.gke-euw1");
        expect(healthCheck.inputs).to.include({ type: "HTTP", port: 80 });
        expect(healthCheck.inputs.enableSni).to.equal(undefined);
    });

    it("lets a cluster's records wait for its route and the colors that take traffic there, and replaces a direct record delete-first", async () => {
        // prod's beta cohort sends requests to green at any weight; without it green at 0 takes none.
        const at0 = await runStack("prod", { cohorts: "[]" });
        const at30 = await runStack("prod", { greenWeight: "30", cohorts: "[]" });
        for (const [run, serving] of [[prod, ["blue", "green"]], [at0, ["blue"]], [at30, ["blue", "green"]]] as const) {
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

    const imageOf = (run: ProgramRun, deployment: string) =>
        (at(byName(run, TYPES.deployment, deployment), "spec", "template", "spec", "containers") as { image: string }[])[0]!.image;

    it("pins every prod Deployment's image by digest", () => {
        const deployments = ofType(prod, TYPES.deployment);
        expect(deployments).to.have.length(12);
        for (const deployment of deployments) expect(imageOf(prod, deployment.name), deployment.name).to.match(/@sha256:[0-9a-f]{64}$/);
    });

    it("builds storefront's green into a scanned, immutable, protected and retained ECR repository, pushing with the token ECR just issued", () => {
        const repository = byName(prod, "aws:ecr/repository:Repository", "storefront");
        expect(repository.inputs).to.deep.include({ name: "shop/storefront", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
        expect(repository.protect, "protected: deleting it would take the images a rollback needs").to.equal(true);
        expect(repository.retainOnDelete).to.equal(true);
        expect(ofType(prod, TYPES.image).map((i) => i.name), "only the color that builds has an image resource").to.deep.equal(["storefront.green"]);
        const image = byName(prod, TYPES.image, "storefront.green");
        expect(image.inputs.imageName).to.match(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop\/storefront:1\.5\.0-[0-9a-f]{12}$/);
        expect(at(image, "build", "context")).to.equal("app");
        expect(at(image, "build", "dockerfile"), "the Dockerfile within that context, as pulumi-docker resolves it").to.equal("app/Dockerfile");
        const tokens = prod.invokes.filter((i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken");
        expect(tokens).to.have.length(1);
        expect(at(image, "registry", "password")).to.equal(tokens[0]!.result.password);
        expect(image.secretInputs, "the registry token stays a secret").to.include("registry");
    });

    it("runs and exports the built color as repo:tag@digest of exactly the image it pushed", () => {
        const image = byName(prod, TYPES.image, "storefront.green");
        const [repositoryUrl, tag] = String(image.inputs.imageName).split(/:(?=[^:]+$)/) as [string, string];
        const pushed = prod.live.registry.get("shop/storefront")!.filter((i) => i.tags.includes(tag));
        expect(pushed).to.have.length(1);
        const expected = `${repositoryUrl}:${tag}@${pushed[0]!.digest}`;
        for (const cluster of ["eks-use1", "gke-euw1"]) expect(imageOf(prod, `${cluster}.storefront.green`), cluster).to.equal(expected);
        const traffic = prod.outputs.traffic as Record<string, Record<string, { green: { image: string } }>>;
        expect(traffic["eks-use1"]!.storefront!.green.image).to.equal(expected);
    });

    it("keeps every image a color runs out of the lifecycle policy's reach, and the newest 30 besides", () => {
        const image = byName(prod, TYPES.image, "storefront.green");
        const greenTag = String(image.inputs.imageName).split(":").pop()!;
        const policy = JSON.parse(byName(prod, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "storefront").inputs.policy as string);
        const kept = (tag: string) => ({
            selection: { tagStatus: "tagged", tagPatternList: [tag], countType: "imageCountMoreThan", countNumber: 100000 },
            action: { type: "expire" },
        });
        expect(policy.rules.map((r: Record<string, unknown>) => ({ selection: r.selection, action: r.action }))).to.deep.equal([
            kept("1.4.0-9f2c6a1d3b7e"),
            kept(greenTag),
            { selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 }, action: { type: "expire" } },
        ]);
        expect(policy.rules.map((r: { rulePriority: number }) => r.rulePriority)).to.deep.equal([1, 2, 3]);
        expect(policy.rules.map((r: { description: string }) => r.description), "what each rule is for, as the console shows it").to.deep.equal([
            "keep 1.4.0-9f2c6a1d3b7e: a color runs it",
            `keep ${greenTag}: a color runs it`,
            "keep the last 30 images",
        ]);
    });

    it("changes only that color's Deployments, its build and the tags the lifecycle keeps when one color's image is rebuilt", async () => {
        const services = prodList("services");
        const storefront = services[0] as { green: { build: { args: Record<string, string> } } };
        storefront.green.build.args = { APP_VERSION: "1.5.1" };
        const rebuilt = await runStack("prod", { services: JSON.stringify(services) });
        const changed = inputChanges(prod, rebuilt).map((c) => c.urn.split("::").pop()).sort();
        expect(changed).to.deep.equal(["eks-use1.storefront.green", "gke-euw1.storefront.green", "storefront", "storefront.green"]);
        expect(inputChanges(prod, rebuilt).find((c) => c.urn.endsWith("::storefront"))!.type).to.equal("aws:ecr/lifecyclePolicy:LifecyclePolicy");
    });

    it("finds the images of a service with one color only: its build, and no frozen tags", () => {
        const model = stackModel(loadStackConfig("prod"));
        const storefront = model.services.find((s) => s.name === "storefront")!;
        const { builds, frozenTags } = colorsInRepository(model, { ...storefront, blue: undefined }, PROJECT_ROOT);
        expect(builds.map((b) => `${b.color} ${b.tag.split("-")[0]}`)).to.deep.equal(["green 1.5.0"]);
        expect(frozenTags).to.deep.equal([]);
        expect(colorsInRepository(model, storefront, PROJECT_ROOT).frozenTags, "blue runs a tag of the repository").to.deep.equal(["1.4.0-9f2c6a1d3b7e"]);
    });

    it("passes build args on as secrets when the services key is a secret", async () => {
        const config = loadStackConfig("prod");
        const secret = await runProgram(program, { ...config, secretKeys: [...config.secretKeys, "switchyard:services"] });
        const image = byName(secret, TYPES.image, "storefront.green");
        expect(image.secretInputs).to.include("build");
        const args = (image.wireInputs.build as { args: Record<string, unknown> }).args;
        expect(Object.keys(args)).to.deep.equal(["APP_VERSION"]);
        expect(JSON.stringify(args.APP_VERSION), "the value travels wrapped as a secret").to.include("1b47061264138c4ac30d75fd1eb44270");
        expect(byName(prod, TYPES.image, "storefront.green").secretInputs, "not when the key is plain").not.to.include("build");
    });
});
