import { expect } from "chai";
import { createRequire } from "node:module";
import { AWS_REGIONS } from "../model/config/patterns.ts";
import { parseStackConfig } from "../model/config/parse.ts";
import { switchyardKeys } from "../model/config/keys.ts";
import type { ParseEnvironment } from "../model/config/types.ts";
import { cluster, configErrorOf as configErrorWith, parse as parseWith, problemsOf as problemsWith, raw, service } from "./stackFixture.ts";

const env: ParseEnvironment = {
    isSecret: () => false,
    pathExists: (path) => ["app", "app/Dockerfile"].includes(path),
};

const parse = (overrides: Record<string, unknown> = {}, environment = env) => parseWith(overrides, environment);
const configErrorOf = (overrides: Record<string, unknown>, environment = env) => configErrorWith(overrides, environment);
const problemsOf = (overrides: Record<string, unknown>, environment = env) => problemsWith(overrides, environment);

/** The problem for `key` in the one documented shape: `<key>: got <value>; allowed: <what is allowed>`. */
function expectProblem(problems: string[], key: string, value: string, allowed: RegExp): void {
    const problem = problems.find((p) => p.startsWith(`${key}: `));
    expect(problem, `no problem for ${key} in:\n${problems.join("\n")}`).to.be.a("string");
    const start = `${key}: got ${value}; allowed: `;
    expect(problem!.startsWith(start), `expected it to start with '${start}':\n${problem}`).to.equal(true);
    expect(problem!.slice(start.length)).to.match(allowed);
}

describe("config: a valid stack", () => {
    it("reads weights, clusters and services with their defaults", () => {
        const model = parse({ greenWeight: "25" });
        expect(model.greenWeight).to.equal(25);
        expect(model.idleReplicas).to.equal("full");
        expect(model.clusters.map((c) => c.name)).to.deep.equal(["east", "west"]);
        expect(model.clusters[0]!.trafficShare).to.equal(1);
        const cart = model.services[0]!;
        expect(cart.healthPath).to.equal("/healthz");
        expect(cart.blue?.version, "version comes from the image tag").to.equal("1.0.0");
        expect(cart.resources, "the defaults the README documents").to.deep.equal({
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
        });
        expect(model.clusters[0]!.createNamespace).to.equal(true);
        expect(cart.dnsRecord).to.equal("cart");
        expect(model.dns).to.equal(undefined);
    });

    it("accepts a per-cluster greenWeight override and an integer idleReplicas", () => {
        const model = parse({ clusters: [cluster("east", { greenWeight: 10 }), cluster("west")], idleReplicas: "1" });
        expect(model.clusters[0]!.greenWeight).to.equal(10);
        expect(model.clusters[1]!.greenWeight).to.equal(undefined);
        expect(model.idleReplicas).to.equal(1);
    });

    it("lets a color without an image stay undeployed while it receives no traffic", () => {
        const model = parse({ services: [service("cart", { green: undefined })] });
        expect(model.services[0]!.green).to.equal(undefined);
    });
});

describe("config: the error", () => {
    it("lists every problem under one header that says nothing was changed", () => {
        expect(configErrorOf({ greenWeight: "101" }).message).to.equal(
            "switchyard: 1 config problem; nothing was registered or changed:\n" +
                '  - switchyard:greenWeight: got "101"; allowed: an integer from 0 to 100 (percent of traffic sent to green; blue gets the rest)',
        );
        const three = configErrorOf({ greenWeight: "101", idleReplicas: "0", requireImageDigests: "yes" });
        expect(three.message.split("\n")[0]).to.equal("switchyard: 3 config problems; nothing was registered or changed:");
        expect(three.problems).to.have.length(3);
    });
});

describe("config: greenWeight", () => {
    for (const bad of ["150", "-1", "12.5", "abc", "", "101", "0x10", " 25"]) {
        it(`rejects ${JSON.stringify(bad)} naming the key, the value and the range`, () => {
            expectProblem(problemsOf({ greenWeight: bad }), "switchyard:greenWeight", JSON.stringify(bad), /integer from 0 to 100/);
        });
    }

    it("tells an operator who typed a percent sign to drop it", () => {
        expectProblem(problemsOf({ greenWeight: "25%" }), "switchyard:greenWeight", '"25%"', /without the % sign/);
    });

    it("rejects a bad per-cluster override with the cluster's index in the key", () => {
        const problems = problemsOf({ clusters: [cluster("east"), cluster("west", { greenWeight: 12.5 })] });
        expectProblem(problems, "switchyard:clusters[1].greenWeight", "12.5", /integer from 0 to 100/);
    });

    for (const bad of [101, -1]) {
        it(`rejects a per-cluster greenWeight of ${bad}: blue would get ${100 - bad} %`, () => {
            const problems = problemsOf({ clusters: [cluster("east", { greenWeight: bad }), cluster("west")] });
            expect(problems).to.deep.equal([
                `switchyard:clusters[0].greenWeight: got ${bad}; allowed: an integer from 0 to 100 (percent of traffic sent to green; blue gets the rest)`,
            ]);
        });
    }

    it("accepts the per-cluster greenWeight bounds 0 and 100, and the stack's bounds too", () => {
        const model = parse({ greenWeight: "100", clusters: [cluster("east", { greenWeight: 0 }), cluster("west", { greenWeight: 100 })] });
        expect(model.clusters.map((c) => c.greenWeight)).to.deep.equal([0, 100]);
        expect(model.greenWeight).to.equal(100);
        expect(parse({ greenWeight: "0" }).greenWeight).to.equal(0);
    });

    it("rejects a mistyped key name and suggests the right one", () => {
        const problems = problemsOf({ greenweight: "30" });
        expectProblem(problems, "switchyard:greenweight", '"30"', /did you mean "greenWeight"/);
    });

    it("rejects a mistyped field inside a cluster and suggests the right one", () => {
        const problems = problemsOf({ clusters: [cluster("east", { greenweight: 30 }), cluster("west")] });
        expectProblem(problems, "switchyard:clusters[0].greenweight", "30", /did you mean "greenWeight"/);
    });
});

describe("config: clusters and services", () => {
    it("rejects duplicate cluster names, pointing at the first one", () => {
        const problems = problemsOf({ clusters: [cluster("east"), cluster("east")] });
        expectProblem(problems, "switchyard:clusters[1].name", '"east"', /clusters\[0\] is also "east"/);
    });

    it("rejects duplicate service names", () => {
        const problems = problemsOf({ services: [service("cart"), service("cart")] });
        expectProblem(problems, "switchyard:services[1].name", '"cart"', /services\[0\] is also "cart"/);
    });

    it("rejects a color that receives traffic without an image, naming the weight that sends it", () => {
        const problems = problemsOf({ greenWeight: "30", services: [service("cart", { green: undefined })] });
        expectProblem(problems, "switchyard:services[0].green.image", "nothing (the key is missing)", /receives 30% on cluster east/);
    });

    it("rejects traffic to an imageless color that only a cluster override sends", () => {
        const problems = problemsOf({
            clusters: [cluster("east"), cluster("west", { greenWeight: 5 })],
            services: [service("cart", { green: undefined })],
        });
        expect(problems.filter((p) => p.startsWith("switchyard:services[0].green.image"))).to.have.length(1);
        expectProblem(problems, "switchyard:services[0].green.image", "nothing (the key is missing)", /cluster west \(switchyard:clusters\[1\]\.greenWeight is 5\)/);
    });

    it("rejects a color object with neither image nor build", () => {
        const problems = problemsOf({ services: [service("cart", { green: { version: "1.1.0" } })] });
        expectProblem(problems, "switchyard:services[0].green.image", "nothing (the key is missing)", /an image reference, or a build/);
    });

    it("reports missing required fields of clusters and services", () => {
        const problems = problemsOf({
            clusters: [{ name: "east" }],
            services: [{ name: "cart", blue: { image: "ghcr.io/acme/cart:1.0.0" } }],
        });
        expectProblem(problems, "switchyard:clusters[0].gateway", "nothing (the key is missing)", /Gateway's name, namespace/);
        expectProblem(problems, "switchyard:clusters[0].hostnames", "nothing (the key is missing)", /non-empty list of domains/);
        expectProblem(problems, "switchyard:services[0].port", "nothing (the key is missing)", /integer from 1 to 65535/);
    });

    it("reports missing clusters and services keys, and empty lists", () => {
        expectProblem(problemsOf({ clusters: undefined }), "switchyard:clusters", "nothing (the key is missing)", /non-empty list of clusters/);
        expectProblem(problemsOf({ services: [] }), "switchyard:services", "[]", /non-empty list of services/);
        // Pulumi hands a key the stack file lacks as Pulumi.yaml's default ([]): that is the key missing, not an empty list written.
        const withDefaults: ParseEnvironment = { ...env, projectDefaults: { clusters: "[]", services: "[]" } };
        expectProblem(problemsOf({ clusters: [] }, withDefaults), "switchyard:clusters", "nothing (the key is missing)", /non-empty list of clusters in the stack file/);
    });

    it("rejects names that cannot be Kubernetes or DNS names", () => {
        const problems = problemsOf({ clusters: [cluster("East_1"), cluster("west")], services: [service("9cart")] });
        expectProblem(problems, "switchyard:clusters[0].name", '"East_1"', /lowercase DNS label/);
        expectProblem(problems, "switchyard:services[0].name", '"9cart"', /starting with a letter/);
    });

    it("rejects a service name too long for '<name>-green'", () => {
        const name = `s${"a".repeat(57)}`;
        expectProblem(problemsOf({ services: [service(name)] }), "switchyard:services[0].name", JSON.stringify(name), /at most 57 characters/);
    });

    it("rejects floating image references and, when required, tags without a digest", () => {
        const problems = problemsOf({
            services: [service("cart", { blue: { image: "ghcr.io/acme/cart:latest" }, green: { image: "ghcr.io/acme/cart", version: "2" } })],
        });
        expectProblem(problems, "switchyard:services[0].blue.image", '"ghcr.io/acme/cart:latest"', /release tag or digest/);
        expectProblem(problems, "switchyard:services[0].green.image", '"ghcr.io/acme/cart"', /release tag or digest/);
        const strict = problemsOf({ requireImageDigests: "true" });
        expectProblem(strict, "switchyard:services[0].blue.image", '"ghcr.io/acme/cart:1.0.0"', /pinned by digest/);
    });

    it("needs a version when the image has no tag to take it from", () => {
        const digest = `ghcr.io/acme/cart@sha256:${"a".repeat(64)}`;
        const problems = problemsOf({ services: [service("cart", { blue: { image: digest } })] });
        expectProblem(problems, "switchyard:services[0].blue.version", "nothing (the key is missing)", /version label/);
        expect(parse({ services: [service("cart", { blue: { image: digest, version: "1.0.0" } })] }).services[0]!.blue!.version).to.equal("1.0.0");
    });

    it("rejects requests above limits and malformed quantities", () => {
        const problems = problemsOf({
            services: [service("cart", { resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "500m", memory: "lots" } } })],
        });
        expectProblem(problems, "switchyard:services[0].resources.limits.memory", '"lots"', /memory quantity/);
        expectProblem(problems, "switchyard:services[0].resources.requests", '{"cpu":"2","memory":"1Gi"}', /^requests.cpu at most limits.cpu \(500m\)$/);
    });

    it("takes quantities as int-or-string, as Kubernetes does: a YAML number such as cpu: 1 reads as its text", () => {
        const model = parse({ services: [service("cart", { resources: { requests: { cpu: 0.5, memory: 134217728 }, limits: { cpu: 1, memory: "1Gi" } } })] });
        expect(model.services[0]!.resources).to.deep.equal({ requests: { cpu: "0.5", memory: "134217728" }, limits: { cpu: "1", memory: "1Gi" } });
        // Numbers are compared like text: 2 CPUs requested against a limit of 1.
        expect(problemsOf({ services: [service("cart", { resources: { requests: { cpu: 2 }, limits: { cpu: 1 } } })] })).to.deep.equal([
            'switchyard:services[0].resources.requests: got {"cpu":2}; allowed: requests.cpu at most limits.cpu (1)',
        ]);
        // A number is no licence for what a quantity cannot be.
        expect(problemsOf({ services: [service("cart", { resources: { limits: { cpu: -1, memory: 1e21 } } })] })).to.deep.equal([
            "switchyard:services[0].resources.limits.cpu: got -1; allowed: a CPU quantity such as 250m or 1",
            "switchyard:services[0].resources.limits.memory: got 1e+21; allowed: a memory quantity such as 256Mi or 1Gi",
        ]);
    });

    it("compares requests given alone with the default limits, and a limit left null as the default", () => {
        for (const resources of [{ requests: { cpu: "2" } }, { requests: { cpu: "2" }, limits: { cpu: null } }]) {
            expect(problemsOf({ services: [service("cart", { resources })] }), JSON.stringify(resources)).to.deep.equal([
                `switchyard:services[0].resources.requests: got ${JSON.stringify(resources.requests)}; allowed: requests.cpu at most limits.cpu (500m)`,
            ]);
        }
        expect(problemsOf({ services: [service("cart", { resources: { requests: { memory: "1Gi" }, limits: { memory: null } } })] })).to.deep.equal([
            'switchyard:services[0].resources.requests: got {"memory":"1Gi"}; allowed: requests.memory at most limits.memory (256Mi)',
        ]);
    });

    it("reports every problem at once, not just the first", () => {
        const problems = problemsOf({ greenWeight: "150", idleReplicas: "0", clusters: [cluster("east"), cluster("east")] });
        expect(problems.map((p) => p.split(":").slice(0, 2).join(":"))).to.include.members([
            "switchyard:greenWeight",
            "switchyard:idleReplicas",
            "switchyard:clusters[1].name",
        ]);
    });

    it("does not accept a plaintext kubeconfig", () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\n";
        expectProblem(problemsOf({ kubeconfig }), "switchyard:kubeconfig", '"<a plaintext kubeconfig>"', /pulumi config set --secret kubeconfig/);
        const model = parse({ kubeconfig }, { ...env, isSecret: (key) => key === "kubeconfig" });
        expect(model.hasKubeconfig).to.equal(true);
    });
});

describe("config: DNS across clusters, and images", () => {
    const dnsOn = { enabled: true, zone: "shop.example.com" };
    const withAddress = (name: string, extra: Record<string, unknown> = {}) => cluster(name, { gatewayAddress: "203.0.113.7", ...extra });

    it("reads DNS with its defaults when enabled", () => {
        const model = parse({ dns: dnsOn, aws: { region: "us-east-1" }, clusters: [withAddress("east", { trafficShare: 3 }), withAddress("west")] });
        expect(model.dns?.ttl).to.equal(30);
        expect(model.dns?.healthCheck).to.deep.equal({ protocol: "HTTPS", port: 443, intervalSeconds: 30, failureThreshold: 3 });
        expect(model.clusters.map((c) => c.trafficShare)).to.deep.equal([3, 1]);
    });

    it("rejects negative and fractional shares", () => {
        const problems = problemsOf({ dns: dnsOn, aws: { region: "us-east-1" }, clusters: [withAddress("east", { trafficShare: -1 }), withAddress("west", { trafficShare: 0.5 })] });
        expectProblem(problems, "switchyard:clusters[0].trafficShare", "-1", /integer >= 0/);
        expectProblem(problems, "switchyard:clusters[1].trafficShare", "0.5", /integer >= 0/);
    });

    it("rejects all-zero shares while DNS is on", () => {
        const problems = problemsOf({ dns: dnsOn, aws: { region: "us-east-1" }, clusters: [withAddress("east", { trafficShare: 0 }), withAddress("west", { trafficShare: 0 })] });
        expectProblem(problems, "switchyard:clusters[*].trafficShare", "[0,0]", /at least one cluster with a share above 0/);
    });

    it("rejects a cluster without a gateway address, a missing zone and a missing region while DNS is on", () => {
        const problems = problemsOf({ dns: { enabled: true }, clusters: [withAddress("east"), cluster("west")] });
        expectProblem(problems, "switchyard:clusters[1].gatewayAddress", "nothing (the key is missing)", /required while switchyard:dns.enabled/);
        expectProblem(problems, "switchyard:dns.zone", "nothing (the key is missing)", /hosted zone name/);
        expectProblem(problems, "switchyard:aws.region", "nothing (the key is missing)", /Route53/);
    });

    it("rejects a gateway address that is neither a hostname nor an IP", () => {
        const problems = problemsOf({ clusters: [withAddress("east", { gatewayAddress: "http://lb" }), cluster("west")] });
        expectProblem(problems, "switchyard:clusters[0].gatewayAddress", '"http://lb"', /hostname .* or an IPv4\/IPv6 address/);
    });

    it("reads a build and rejects a build context or Dockerfile that does not exist", () => {
        const build = (context: string, dockerfile?: string) =>
            service("cart", { blue: { version: "1.0.0", build: { context, ...(dockerfile ? { dockerfile } : {}) } } });
        const model = parse({ aws: { region: "eu-west-1" }, services: [build("app")] });
        expect(model.services[0]!.blue!.build).to.deep.equal({ context: "app", dockerfile: "Dockerfile", args: {}, platform: "linux/amd64" });
        expectProblem(problemsOf({ aws: { region: "eu-west-1" }, services: [build("nope")] }), "switchyard:services[0].blue.build.context", '"nope"', /existing directory/);
        expectProblem(problemsOf({ aws: { region: "eu-west-1" }, services: [build("app", "Missing.Dockerfile")] }), "switchyard:services[0].blue.build.dockerfile", '"Missing.Dockerfile"', /exists in app\//);
        expectProblem(problemsOf({ services: [build("app")] }), "switchyard:aws.region", "nothing (the key is missing)", /ECR image builds/);
    });

    it("rejects a color that gives both an image and a build", () => {
        const problems = problemsOf({ aws: { region: "eu-west-1" }, services: [service("cart", { blue: { image: "ghcr.io/acme/cart:1.0.0", build: { context: "app" } } })] });
        expectProblem(problems, "switchyard:services[0].blue.build", '{"context":"app"}', /^either switchyard:services\[0\]\.blue\.image or switchyard:services\[0\]\.blue\.build, not both$/);
    });
});

describe("config: names and addresses that would only fail half-way through an update", () => {
    const dnsOn = { enabled: true, zone: "shop.example.com" };
    const withAddress = (name: string, gatewayAddress = "34.120.18.40") => cluster(name, { gatewayAddress });

    it("rejects two services with the same DNS record", () => {
        const problems = problemsOf({
            dns: dnsOn,
            aws: { region: "us-east-1" },
            clusters: [withAddress("east"), withAddress("west")],
            services: [service("cart", { dns: { record: "shop" } }), service("checkout", { dns: { record: "shop" } })],
        });
        expectProblem(problems, "switchyard:services[1].dns.record", '"shop"', /shop\.shop\.example\.com on cluster east is also services\[0\]'s/);
    });

    it("rejects a service whose hostname another service's DNS name already claims on a Gateway", () => {
        const problems = problemsOf({
            dns: dnsOn,
            aws: { region: "us-east-1" },
            clusters: [withAddress("east"), withAddress("west")].map((c) => ({ ...c, hostnames: ["shop.example.com"] })),
            services: [service("pay"), service("checkout", { dns: { record: "pay" } })],
        });
        expectProblem(problems, "switchyard:services[1].dns.record", '"pay"', /pay\.shop\.example\.com on cluster east is also services\[0\]'s/);
    });

    for (const [address, allowed] of [
        ["10.0.0.256", /hostname .* or an IPv4\/IPv6 address/],
        ["192.168.1.10", /public address/],
        ["127.0.0.1", /public address/],
        ["fd00::1", /public address/],
        [":::", /hostname .* or an IPv4\/IPv6 address/],
    ] as const) {
        it(`rejects gatewayAddress ${address} while DNS is on`, () => {
            const problems = problemsOf({ dns: dnsOn, aws: { region: "us-east-1" }, clusters: [withAddress("east", address), withAddress("west")] });
            expectProblem(problems, "switchyard:clusters[0].gatewayAddress", JSON.stringify(address), allowed);
        });
    }

    it("leaves a private gateway address alone while DNS is off (nothing health-checks it)", () => {
        expect(parse({ clusters: [withAddress("east", "192.168.1.10"), cluster("west")] }).clusters[0]!.gatewayAddress).to.equal("192.168.1.10");
    });

    it("rejects health check intervals Route53 does not offer, a malformed zone id and a bad ECR setting", () => {
        const problems = problemsOf({
            dns: { ...dnsOn, zoneId: "zone-1", healthCheck: { intervalSeconds: 20 } },
            aws: { region: "us-east-1" },
            clusters: [withAddress("east"), withAddress("west")],
            images: { keepLast: 0, repositoryPrefix: "Shop/" },
        });
        expectProblem(problems, "switchyard:dns.zoneId", '"zone-1"', /hosted zone id/);
        expectProblem(problems, "switchyard:dns.healthCheck.intervalSeconds", "20", /10 or 30/);
        expectProblem(problems, "switchyard:images.keepLast", "0", /integer from 1 to 1000/);
        expectProblem(problems, "switchyard:images.repositoryPrefix", '"Shop/"', /ECR repository namespace/);
    });

    it("rejects env names switchyard sets itself, a non-boolean createNamespace and a bad idleReplicas", () => {
        const problems = problemsOf({
            idleReplicas: "abc",
            clusters: [cluster("east", { createNamespace: "no" }), cluster("west")],
            services: [service("cart", { env: { SWITCHYARD_COLOR: "red" } })],
        });
        expectProblem(problems, "switchyard:services[0].env.SWITCHYARD_COLOR", '"SWITCHYARD_COLOR"', /not starting with SWITCHYARD_/);
        expectProblem(problems, "switchyard:clusters[0].createNamespace", '"no"', /true .* or false/);
        expectProblem(problems, "switchyard:idleReplicas", '"abc"', /"full" .* or an integer >= 1/);
    });

    it("rejects two colors building the same context: a rebuild would roll the live color too", () => {
        const build = { version: "1.0.0", build: { context: "app" } };
        const problems = problemsOf({ aws: { region: "us-east-1" }, services: [service("cart", { blue: build, green: { ...build, version: "1.1.0" } })] });
        expectProblem(problems, "switchyard:services[0].green.build.context", '"app"', /not shared with blue/);
    });

    it("names the key but never echoes a value from a secret config key", () => {
        const problems = problemsOf(
            { services: [service("cart", { evn: { DB_PASSWORD: "hunter2" } })] },
            { ...env, isSecret: (key) => key === "services" },
        );
        expectProblem(problems, "switchyard:services[0].evn", "[secret]", /did you mean "env"/);
        expect(problems.join("\n")).not.to.include("hunter2");
        expect(parse({}, { ...env, isSecret: (key) => key === "services" }).servicesAreSecret).to.equal(true);
    });
});

describe("config: what the real providers would refuse half-way", () => {
    it("refuses image pull secrets in a namespace switchyard would create: create it with the secret yourself", () => {
        const problems = problemsOf({ clusters: [cluster("east", { imagePullSecrets: ["ecr-pull"] }), cluster("west")] });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.equal(
            "switchyard:clusters[0].createNamespace: got nothing (the key is missing); allowed: false while switchyard:clusters[0].imagePullSecrets " +
                "is set: the pods need the pull secret in the namespace before they start, so prepare the namespace with the secret and let " +
                "switchyard use it (a namespace it creates has no secret, and Kubernetes refuses to create one that exists)",
        );
        expect(problemsOf({ clusters: [cluster("east", { imagePullSecrets: ["ecr-pull"], createNamespace: true }), cluster("west")] })[0]).to.include(
            "switchyard:clusters[0].createNamespace: got true;",
        );
        expect(parse({ clusters: [cluster("east", { imagePullSecrets: ["ecr-pull"], createNamespace: false }), cluster("west")] }).clusters[0]!.imagePullSecrets).to.deep.equal(["ecr-pull"]);
    });

    it("needs the tag with the digest of an image a color runs from its service's own ECR repository, and an AWS region for it", () => {
        const repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/switchyard/cart";
        const digest = `sha256:${"c".repeat(64)}`;
        const frozen = (image: string) => service("cart", { blue: { image, version: "1.0.0" } });
        const problems = problemsOf({ services: [frozen(`${repo}@${digest}`)] });
        const shown = JSON.stringify(`${repo}@${digest}`).slice(0, 77);
        expectProblem(problems, "switchyard:services[0].blue.image", `${shown}...`, /repo:tag@sha256:<digest> for an image in cart's own ECR repository/);
        expectProblem(problems, "switchyard:aws.region", "nothing (the key is missing)", /the ECR repository a color runs its image from/);
        expect(problems).to.have.length(2);
        expect(parse({ aws: { region: "eu-west-1" }, services: [frozen(`${repo}:1.0.0-abc@${digest}`)] }).services[0]!.blue!.image).to.include(":1.0.0-abc@");
        expect(parse({ services: [frozen(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/cart@${digest}`)] }).aws, "another repository is not switchyard's").to.equal(undefined);
    });

    it("keeps an HTTPRoute within Gateway API's 16 hostnames, counting the two DNS names", () => {
        const domains = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.example.com`);
        expect(parse({ clusters: [cluster("east", { hostnames: domains(16) }), cluster("west")] }).clusters[0]!.hostnames).to.have.length(16);
        const tooMany = problemsOf({ clusters: [cluster("east", { hostnames: domains(17) }), cluster("west")] });
        expect(tooMany).to.have.length(1);
        expect(tooMany[0]).to.match(/^switchyard:clusters\[0\]\.hostnames: got \["d0\.example\.com".*\.\.\.; allowed: at most 16 domains: an HTTPRoute takes at most 16 hostnames, and cart's route on east would get 17$/);
        const dns = { dns: { enabled: true, zone: "shop.example.com" }, aws: { region: "us-east-1" } };
        const withDns = (n: number) => [cluster("east", { hostnames: domains(n), gatewayAddress: "34.1.2.3" }), cluster("west", { gatewayAddress: "34.1.2.4" })];
        expect(parse({ ...dns, clusters: withDns(14) }).clusters[0]!.hostnames).to.have.length(14);
        expect(problemsOf({ ...dns, clusters: withDns(15) })[0]).to.include("at most 14 domains").and.include("would get 17 (with its two DNS names)");
    });

    it("keeps every route hostname within 253 characters", () => {
        const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.com`;
        const problems = problemsOf({ clusters: [cluster("east", { hostnames: [long] }), cluster("west")] });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.include(`at most 253 characters; checkout.${long} has ${`checkout.${long}`.length}`);
    });
});

describe("config: no silent mistakes, and one line per mistake", () => {
    it("refuses a key in a namespace that is a typo of switchyard, or written with a dot, with a did-you-mean", () => {
        const otherKeys = { "switchyrd:greenWeight": "30", "aws:region": "eu-west-1", "kubernetes:context": "east", "pulumi:disable-default-providers": '["*"]' };
        const problems = problemsOf({}, { ...env, otherKeys, isOtherSecret: () => false });
        expect(problems).to.deep.equal([
            'switchyrd:greenWeight: got "30"; allowed: no such config namespace; did you mean "switchyard:greenWeight"?',
        ]);
        // A value whose secrecy is not known, or that is a secret, is never echoed.
        for (const isOtherSecret of [undefined, (key: string) => key === "switchyrd:token"]) {
            const secret = problemsOf({}, { ...env, otherKeys: { "switchyrd:token": "s3cr3t" }, ...(isOtherSecret ? { isOtherSecret } : {}) });
            expect(secret).to.deep.equal(['switchyrd:token: got [secret]; allowed: no such config namespace; did you mean "switchyard:token"?']);
        }
        const dotted = problemsOf({ "switchyard.greenWeight": "30" });
        expect(dotted).to.deep.equal([
            'switchyard:switchyard.greenWeight: got "30"; allowed: no such config key; did you mean "greenWeight"? ' +
                "A namespace and its key are separated by a colon: switchyard:greenWeight",
        ]);
        expect(problemsOf({ switchyard: { greenWeight: 30 } })[0], "the same set with --path").to.include('did you mean "<key>"? A namespace and its key are separated by a colon');
    });

    it("reports a malformed aws.region once, not also as missing", () => {
        const problems = problemsOf({ aws: { region: "Europe" }, services: [service("cart", { blue: { version: "1.0.0", build: { context: "app" } } })] });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^switchyard:aws\.region: got "Europe"; allowed: a region the AWS provider knows: af-south-1, ap-east-1, .*, us-west-2, /);
    });

    it("takes a wildcard domain where Gateway API takes one (first), and refuses it elsewhere and as a DNS zone", () => {
        expect(parse({ clusters: [cluster("east", { hostnames: ["*.example.com"] }), cluster("west")] }).clusters[0]!.hostnames).to.deep.equal(["*.example.com"]);
        for (const hostname of ["a.*.example.com", "*.*.example.com", "*example.com"]) {
            expect(problemsOf({ clusters: [cluster("east", { hostnames: [hostname] }), cluster("west")] }), hostname).to.deep.equal([
                `switchyard:clusters[0].hostnames[0]: got ${JSON.stringify(hostname)}; allowed: a non-empty list of domains, e.g. [shop.example.com], or wildcards such as [*.example.com]`,
            ]);
        }
        expectProblem(problemsOf({ dns: { enabled: true, zone: "*.example.com" }, aws: { region: "us-east-1" } }), "switchyard:dns.zone", '"*.example.com"', /Route53 hosted zone name/);
    });

    it("checks aws.region against the regions the AWS provider knows, with the nearest for a typo", () => {
        expect(problemsOf({ aws: { region: "us-est-1" } })).to.deep.equal(['switchyard:aws.region: got "us-est-1"; allowed: a region the AWS provider knows; did you mean "us-east-1"?']);
        for (const region of ["us-east-1", "eusc-de-east-1", "cn-northwest-1", "us-isof-south-1"]) expect(parse({ aws: { region } }).aws).to.deep.equal({ region });
        // Shaped like a region, known to no one.
        expect(problemsOf({ aws: { region: "moon-base-42" } })[0]).to.match(/^switchyard:aws\.region: got "moon-base-42"; allowed: a region the AWS provider knows: af-south-1, /);
    });

    it("knows exactly the regions of the installed @pulumi/aws: its Region enum, read from the provider package", () => {
        const { Region } = createRequire(import.meta.url)("@pulumi/aws/types/enums/index.js") as { Region: Record<string, string> };
        expect(AWS_REGIONS).to.deep.equal(Object.values(Region));
    });

    it("reports a malformed limit once, without comparing requests with a default the operator never wrote", () => {
        const problems = problemsOf({ services: [service("cart", { resources: { requests: { cpu: "800m" }, limits: { cpu: "lots" } } })] });
        expect(problems).to.deep.equal(['switchyard:services[0].resources.limits.cpu: got "lots"; allowed: a CPU quantity such as 250m or 1']);
        const requestsBad = problemsOf({ services: [service("cart", { resources: { requests: { memory: "huge" }, limits: { memory: "64Mi" } } })] });
        expect(requestsBad).to.have.length(1);
    });

    it("reports a duplicate service name in one line, not once more per cluster for its hostnames", () => {
        expect(problemsOf({ services: [service("cart"), service("cart")] })).to.deep.equal([
            'switchyard:services[1].name: got "cart"; allowed: a name not used by another entry (services[0] is also "cart")',
        ]);
    });

    it("refuses an idleReplicas above every service's replicas: it would save nothing", () => {
        expect(problemsOf({ idleReplicas: "4" })).to.deep.equal([
            'switchyard:idleReplicas: got 4; allowed: "full", or an integer up to the most replicas a service runs (3): an idle color never ' +
                "runs more pods than a serving one, so 4 would keep every idle color at full size and save nothing",
        ]);
        expect(parse({ idleReplicas: "3" }).idleReplicas, "up to the largest is allowed").to.equal(3);
    });

    it("refuses a version that contradicts the image's tag, and accepts the tag with a v or a build suffix", () => {
        const tagged = (image: string, version: string) => service("cart", { blue: { image, version } });
        expect(problemsOf({ services: [tagged("ghcr.io/acme/cart:2.9.0", "2.8.1")] })).to.deep.equal([
            'switchyard:services[0].blue.version: got "2.8.1"; allowed: the version the image\'s tag names (2.9.0), or leave version out to take ' +
                "it from the tag: the version label would otherwise say one release while the pods run another",
        ]);
        for (const [image, version] of [["ghcr.io/acme/cart:2.9.0", "2.9.0"], ["ghcr.io/acme/cart:v2.9.0", "2.9.0"], ["ghcr.io/acme/cart:2.9.0-alpine", "2.9.0"]]) {
            expect(parse({ services: [tagged(image!, version!)] }).services[0]!.blue!.version, image).to.equal(version);
        }
        expect(problemsOf({ services: [tagged("ghcr.io/acme/cart:2.9.01", "2.9.0")] }), "a longer version is another version").to.have.length(1);
    });

    it("answers a DNS zone with a trailing dot by naming the zone without it", () => {
        const problems = problemsOf({ dns: { enabled: true, zone: "shop.example.com." }, aws: { region: "us-east-1" }, clusters: [cluster("east", { gatewayAddress: "34.1.2.3" }), cluster("west", { gatewayAddress: "34.1.2.4" })] });
        expect(problems).to.deep.equal([
            'switchyard:dns.zone: got "shop.example.com."; allowed: the Route53 hosted zone name, e.g. example.com — without the trailing dot (shop.example.com)',
        ]);
    });

    it("refuses a trafficShare while DNS is off: it would drain nothing", () => {
        expect(problemsOf({ clusters: [cluster("east", { trafficShare: 0 }), cluster("west")] })).to.deep.equal([
            "switchyard:clusters[0].trafficShare: got 0; allowed: no trafficShare while switchyard:dns.enabled is false: without DNS nothing " +
                "splits traffic across clusters, so it would drain or weight nothing (enable dns, or remove the key)",
        ]);
        expect(parse({ clusters: [cluster("east"), cluster("west")] }).clusters[0]!.trafficShare, "the default is fine").to.equal(1);
    });
});

describe("config: every field read into the model", () => {
    it("reads a full stack field by field, and a minimal one with the documented defaults", () => {
        const full = parse({
            greenWeight: "25",
            idleReplicas: "1",
            clusters: [
                {
                    name: "east",
                    context: "ctx-east",
                    namespace: "shop",
                    createNamespace: false,
                    gateway: { name: "public", namespace: "gateway-system", sectionName: "https" },
                    hostnames: ["east.example.com"],
                    greenWeight: 10,
                    trafficShare: 3,
                    gatewayAddress: "203.0.113.7",
                    imagePullSecrets: ["regcred"],
                },
                { name: "west", gateway: { name: "public", namespace: "gw" }, hostnames: ["west.example.com"], gatewayAddress: "lb.example.net" },
            ],
            services: [
                {
                    name: "cart",
                    port: 8080,
                    replicas: 3,
                    healthPath: "/ready",
                    blue: { image: "ghcr.io/acme/cart:1.0.0" },
                    green: { version: "1.1.0", build: { context: "app", args: { A: 1 }, platform: "linux/arm64/v8" } },
                    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                    env: { LOG_LEVEL: "debug" },
                    dns: { record: "basket" },
                },
                { name: "pay", port: 80, blue: { image: "ghcr.io/acme/pay:2.0" }, green: { image: "ghcr.io/acme/pay:2.1" } },
            ],
            dns: { enabled: true, zone: "shop.example.com", zoneId: "Z123", ttl: 60, healthCheck: { protocol: "HTTP", intervalSeconds: 10, failureThreshold: 2 } },
            aws: { region: "eu-west-1" },
            images: { keepLast: 5, repositoryPrefix: "shop" },
        });
        expect(full).to.deep.equal({
            greenWeight: 25,
            idleReplicas: 1,
            clusters: [
                {
                    name: "east",
                    context: "ctx-east",
                    namespace: "shop",
                    createNamespace: false,
                    gateway: { name: "public", namespace: "gateway-system", sectionName: "https" },
                    hostnames: ["east.example.com"],
                    greenWeight: 10,
                    trafficShare: 3,
                    gatewayAddress: "203.0.113.7",
                    imagePullSecrets: ["regcred"],
                },
                {
                    name: "west",
                    namespace: "switchyard",
                    createNamespace: true,
                    gateway: { name: "public", namespace: "gw" },
                    hostnames: ["west.example.com"],
                    trafficShare: 1,
                    gatewayAddress: "lb.example.net",
                    imagePullSecrets: [],
                },
            ],
            services: [
                {
                    name: "cart",
                    port: 8080,
                    replicas: 3,
                    healthPath: "/ready",
                    blue: { image: "ghcr.io/acme/cart:1.0.0", version: "1.0.0" },
                    green: { build: { context: "app", dockerfile: "Dockerfile", args: { A: "1" }, platform: "linux/arm64/v8" }, version: "1.1.0" },
                    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                    env: { LOG_LEVEL: "debug" },
                    dnsRecord: "basket",
                },
                {
                    name: "pay",
                    port: 80,
                    replicas: 2,
                    healthPath: "/healthz",
                    blue: { image: "ghcr.io/acme/pay:2.0", version: "2.0" },
                    green: { image: "ghcr.io/acme/pay:2.1", version: "2.1" },
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                    env: {},
                    dnsRecord: "pay",
                },
            ],
            hasKubeconfig: false,
            servicesAreSecret: false,
            requireImageDigests: false,
            dns: { zone: "shop.example.com", zoneId: "Z123", ttl: 60, healthCheck: { protocol: "HTTP", port: 80, intervalSeconds: 10, failureThreshold: 2 } },
            aws: { region: "eu-west-1" },
            images: { keepLast: 5, repositoryPrefix: "shop" },
            cohorts: [],
            capacity: { maxWaitMs: 50 },
            rollout: { candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 },
            scope: { kind: "all" },
        });
    });

    it("reads the edges of the ranges as allowed: ttl 86400, port 65535, failureThreshold 10, requests equal to limits", () => {
        const model = parse({
            dns: { enabled: true, zone: "shop.example.com", ttl: 86400, healthCheck: { port: 65535, failureThreshold: 10 } },
            aws: { region: "us-gov-west-1" },
            clusters: [cluster("east", { gatewayAddress: "203.0.113.7" }), cluster("west", { gatewayAddress: "203.0.113.8", trafficShare: 0 })],
            services: [service("cart", { resources: { requests: { cpu: "1", memory: "1G" }, limits: { cpu: "1000m", memory: "1Gi" } } })],
            idleReplicas: "full",
            requireImageDigests: "false",
        });
        expect(model.dns).to.deep.include({ ttl: 86400 });
        expect(model.dns?.healthCheck).to.deep.equal({ protocol: "HTTPS", port: 65535, intervalSeconds: 30, failureThreshold: 10 });
        expect(model.idleReplicas).to.equal("full");
        expect(model.aws).to.deep.equal({ region: "us-gov-west-1" });
    });

    it("leaves a key the SDK hands over without a value alone, and an empty kubeconfig counts as none", () => {
        const model = parseStackConfig({ ...raw(), greenWeigth: undefined, kubeconfig: "" }, env);
        expect(model.hasKubeconfig).to.equal(false);
    });
});

describe("config: each bad value named with its key and what is allowed", () => {
    const build = (extra: Record<string, unknown>) => service("cart", { blue: { version: "1.0.0", build: { context: "app", ...extra } } });
    const withAws = { aws: { region: "us-east-1" } };
    const dnsOn = (extra: Record<string, unknown>) => ({ dns: { enabled: true, zone: "shop.example.com", ...extra }, ...withAws, clusters: [cluster("east", { gatewayAddress: "203.0.113.7" })] });
    const cases: [string, Record<string, unknown>, string, string, RegExp][] = [
        ["a cluster that is not an object", { clusters: ["east"] }, "switchyard:clusters[0]", '"east"', /^an object with name, namespace, gateway and hostnames$/],
        ["a service that is not an object", { services: [42] }, "switchyard:services[0]", "42", /^an object with name, port, replicas and blue\/green images$/],
        ["a listener name with capitals", { clusters: [cluster("east", { gateway: { name: "public", namespace: "gw", sectionName: "HTTPS" } })] }, "switchyard:clusters[0].gateway.sectionName", '"HTTPS"', /listener name of that Gateway/],
        ["a Gateway name with capitals", { clusters: [cluster("east", { gateway: { name: "Public", namespace: "gw" } })] }, "switchyard:clusters[0].gateway.name", '"Public"', /name of a Gateway \(a DNS-1123 label\)/],
        ["a Gateway namespace with capitals", { clusters: [cluster("east", { gateway: { name: "public", namespace: "Gw" } })] }, "switchyard:clusters[0].gateway.namespace", '"Gw"', /namespace of that Gateway/],
        ["an empty kubeconfig context", { clusters: [cluster("east", { context: "" })] }, "switchyard:clusters[0].context", '""', /context in your kubeconfig/],
        ["a gateway address that is no text", { clusters: [cluster("east", { gatewayAddress: 5 })] }, "switchyard:clusters[0].gatewayAddress", "5", /hostname or an IP address of the cluster's Gateway/],
        ["a namespace with capitals", { clusters: [cluster("east", { namespace: "Shop" })] }, "switchyard:clusters[0].namespace", '"Shop"', /Kubernetes namespace name \(DNS-1123 label\)/],
        ["a domain with capitals", { clusters: [cluster("east", { hostnames: ["Shop.example.com"] })] }, "switchyard:clusters[0].hostnames[0]", '"Shop.example.com"', /non-empty list of domains/],
        ["a pull secret name with an underscore", { clusters: [cluster("east", { imagePullSecrets: ["reg_cred"] })] }, "switchyard:clusters[0].imagePullSecrets[0]", '"reg_cred"', /list of Secret names in the cluster's namespace/],
        ["a build that is not an object", { ...withAws, services: [service("cart", { blue: { version: "1", build: "app" } })] }, "switchyard:services[0].blue.build", '"app"', /^an object with context, optional dockerfile, args and platform$/],
        ["a build without context", { ...withAws, services: [service("cart", { blue: { version: "1", build: {} } })] }, "switchyard:services[0].blue.build.context", "nothing (the key is missing)", /directory relative to the project, e\.g\. app/],
        ["a Dockerfile that is no text", { ...withAws, services: [build({ dockerfile: 5 })] }, "switchyard:services[0].blue.build.dockerfile", "5", /Dockerfile path relative to the context/],
        ["a build argument that is an object", { ...withAws, services: [build({ args: { A: { x: 1 } } })] }, "switchyard:services[0].blue.build.args.A", '{"x":1}', /build arguments as NAME: value/],
        ["a platform without an architecture", { ...withAws, services: [build({ platform: "linux" })] }, "switchyard:services[0].blue.build.platform", '"linux"', /OCI platform such as linux\/amd64/],
        ["a platform with a trailing slash", { ...withAws, services: [build({ platform: "linux/amd64/" })] }, "switchyard:services[0].blue.build.platform", '"linux/amd64/"', /OCI platform/],
        ["a platform with a prefix", { ...withAws, services: [build({ platform: "-linux/amd64" })] }, "switchyard:services[0].blue.build.platform", '"-linux/amd64"', /OCI platform/],
        ["a color that is a bare image", { services: [service("cart", { blue: "ghcr.io/acme/cart:1.0.0" })] }, "switchyard:services[0].blue", '"ghcr.io/acme/cart:1.0.0"', /^an object with image \(or build\) and an optional version$/],
        ["an image that is no text", { services: [service("cart", { blue: { image: 5, version: "1" } })] }, "switchyard:services[0].blue.image", "5", /image reference such as registry\/repo:1\.4\.2 or repo@sha256:<digest>/],
        ["a malformed image", { services: [service("cart", { blue: { image: "ghcr.io/Acme/cart:1", version: "1" } })] }, "switchyard:services[0].blue.image", '"ghcr.io/Acme/cart:1"', /repo@sha256:<64 hex digits>/],
        ["a version that is no label value", { services: [service("cart", { blue: { image: "ghcr.io/acme/cart:1.0.0", version: "1.0!" } })] }, "switchyard:services[0].blue.version", '"1.0!"', /Kubernetes label value, e\.g\. 1\.4\.2/],
        ["requests that are not an object", { services: [service("cart", { resources: { requests: "big" } })] }, "switchyard:services[0].resources.requests", '"big"', /^an object with cpu and memory$/],
        ["a cpu quantity that is no number", { services: [service("cart", { resources: { limits: { cpu: "lots" } } })] }, "switchyard:services[0].resources.limits.cpu", '"lots"', /CPU quantity such as 250m or 1/],
        ["resources that are a list", { services: [service("cart", { resources: [] })] }, "switchyard:services[0].resources", "[]", /^an object with requests and limits, each with cpu and memory$/],
        ["more memory requested than the limit", { services: [service("cart", { resources: { requests: { memory: "1Gi" }, limits: { memory: "1000Mi" } } })] }, "switchyard:services[0].resources.requests", '{"memory":"1Gi"}', /^requests\.memory at most limits\.memory \(1000Mi\)$/],
        ["more cpu requested than the limit", { services: [service("cart", { resources: { requests: { cpu: "2" }, limits: { cpu: "1500m" } } })] }, "switchyard:services[0].resources.requests", '{"cpu":"2"}', /^requests\.cpu at most limits\.cpu \(1500m\)$/],
        ["a DNS record with capitals", { services: [service("cart", { dns: { record: "Shop" } })] }, "switchyard:services[0].dns.record", '"Shop"', /DNS label\(s\) within dns\.zone, e\.g\. shop or shop\.eu/],
        ["a service dns that is not an object", { services: [service("cart", { dns: "shop" })] }, "switchyard:services[0].dns", '"shop"', /^an object with record$/],
        ["an env name that starts with a digit", { services: [service("cart", { env: { "1X": "a" } })] }, "switchyard:services[0].env.1X", '"1X"', /environment variables as NAME: value/],
        ["port 0", { services: [service("cart", { port: 0 })] }, "switchyard:services[0].port", "0", /^an integer from 1 to 65535 \(the container's HTTP port\)$/],
        ["replicas 0", { services: [service("cart", { replicas: 0 })] }, "switchyard:services[0].replicas", "0", /^an integer >= 1 \(pods per color that carries traffic\)$/],
        ["a health path without its slash", { services: [service("cart", { healthPath: "healthz" })] }, "switchyard:services[0].healthPath", '"healthz"', /HTTP path starting with \//],
        ["a service without any color", { services: [service("cart", { blue: undefined, green: undefined })] }, "switchyard:services[0].blue", "nothing (the key is missing)", /^at least one color with an image \(switchyard:services\[0\]\.blue\.image or switchyard:services\[0\]\.green\.image\)$/],
        ["dns.enabled that is no boolean", { dns: { enabled: "yes" } }, "switchyard:dns.enabled", '"yes"', /^true or false$/],
        ["a health check that is not an object", dnsOn({ healthCheck: 5 }), "switchyard:dns.healthCheck", "5", /^an object with protocol, port, intervalSeconds and failureThreshold$/],
        ["a health check interval below 10", dnsOn({ healthCheck: { intervalSeconds: 5 } }), "switchyard:dns.healthCheck.intervalSeconds", "5", /^an integer from 10 to 30 \(10 or 30, the intervals Route53 offers\)$/],
        ["a health check protocol Route53 does not use here", dnsOn({ healthCheck: { protocol: "TCP" } }), "switchyard:dns.healthCheck.protocol", '"TCP"', /^HTTP or HTTPS$/],
        ["a health check port of 0", dnsOn({ healthCheck: { port: 0 } }), "switchyard:dns.healthCheck.port", "0", /^an integer from 1 to 65535$/],
        ["a failure threshold of 11", dnsOn({ healthCheck: { failureThreshold: 11 } }), "switchyard:dns.healthCheck.failureThreshold", "11", /^an integer from 1 to 10$/],
        ["a TTL above a day", dnsOn({ ttl: 86401 }), "switchyard:dns.ttl", "86401", /^an integer from 1 to 86400 \(seconds resolvers may cache an answer\)$/],
        ["a zone id with a prefix", dnsOn({ zoneId: "xZ123" }), "switchyard:dns.zoneId", '"xZ123"', /Route53 hosted zone id/],
        ["a zone id with a suffix", dnsOn({ zoneId: "Z123-" }), "switchyard:dns.zoneId", '"Z123-"', /Route53 hosted zone id/],
        ["a zone id of 34 characters", dnsOn({ zoneId: `Z${"A".repeat(33)}` }), "switchyard:dns.zoneId", `"Z${"A".repeat(33)}"`, /Route53 hosted zone id/],
        ["dns that is a list", { dns: [1] }, "switchyard:dns", "[1]", /^an object with enabled, zone, zoneId, ttl, healthCheck$/],
        ["dns that is not YAML", { dns: "{enabled" }, "switchyard:dns", '"{enabled"', /^a YAML list or object in the stack file \(it did not parse as one\)$/],
        ["a region without its number", { aws: { region: "us-east" } }, "switchyard:aws.region", '"us-east"', /^a region the AWS provider knows; did you mean "us-east-1"\?$/],
        ["a region with a prefix", { aws: { region: "xus-east-1" } }, "switchyard:aws.region", '"xus-east-1"', /AWS provider knows; did you mean "us-east-1"/],
        ["a region with a suffix", { aws: { region: "us-east-1a" } }, "switchyard:aws.region", '"us-east-1a"', /AWS provider knows; did you mean "us-east-1"/],
        ["aws that is a list", { aws: ["us-east-1"] }, "switchyard:aws", '["us-east-1"]', /^an object with region$/],
        ["more than 1000 images kept", { images: { keepLast: 1001 } }, "switchyard:images.keepLast", "1001", /^an integer from 1 to 1000 \(images kept per ECR repository\)$/],
        ["a repository prefix ending in a dash", { images: { repositoryPrefix: "shop-" } }, "switchyard:images.repositoryPrefix", '"shop-"', /ECR repository namespace/],
        ["a repository prefix starting with a dot", { images: { repositoryPrefix: ".shop" } }, "switchyard:images.repositoryPrefix", '".shop"', /ECR repository namespace/],
        ["requireImageDigests that is no boolean", { requireImageDigests: "yes" }, "switchyard:requireImageDigests", '"yes"', /^true or false$/],
        ["a cluster name ending in a dash", { clusters: [cluster("east-")] }, "switchyard:clusters[0].name", '"east-"', /lowercase DNS label/],
        ["a service name ending in a dash", { services: [service("cart-")] }, "switchyard:services[0].name", '"cart-"', /DNS-1035 label/],
        ["a version ending in a dot", { services: [service("cart", { blue: { image: "ghcr.io/acme/cart:1.0.0", version: "1." } })] }, "switchyard:services[0].blue.version", '"1."', /label value/],
        ["an env name with a dash", { services: [service("cart", { env: { "LOG-LEVEL": "a" } })] }, "switchyard:services[0].env.LOG-LEVEL", '"LOG-LEVEL"', /NAME: value/],
        ["a health path with a space", { services: [service("cart", { healthPath: "/health z" })] }, "switchyard:services[0].healthPath", '"/health z"', /HTTP path/],
        ["a cpu quantity with a unit it does not have", { services: [service("cart", { resources: { limits: { cpu: "1Gi" } } })] }, "switchyard:services[0].resources.limits.cpu", '"1Gi"', /CPU quantity/],
        ["a memory quantity with a unit it does not have", { services: [service("cart", { resources: { limits: { memory: "1m" } } })] }, "switchyard:services[0].resources.limits.memory", '"1m"', /memory quantity/],
    ];

    for (const [what, overrides, key, value, allowed] of cases) {
        it(`rejects ${what}`, () => {
            expectProblem(problemsOf(overrides), key, value, allowed);
        });
    }
});

describe("config: values that are allowed where a careless check would refuse them", () => {
    it("takes quantities in every unit Kubernetes has, decimal and binary, and compares them by value", () => {
        const resources = { requests: { cpu: "0.5", memory: "1.5G" }, limits: { cpu: "500m", memory: "1.5Gi" } };
        expect(parse({ services: [service("cart", { resources })] }).services[0]!.resources).to.deep.equal(resources);
        for (const memory of ["128974848", "123Mi", "1k", "1Ki", "1M", "1T", "1Ti", "0.5Gi"]) {
            expect(parse({ services: [service("cart", { resources: { requests: { memory: "1" }, limits: { memory } } })] }).services[0]!.resources.limits.memory, memory).to.equal(memory);
        }
        const problems = problemsOf({ services: [service("cart", { resources: { requests: { memory: "1Ti" }, limits: { memory: "1T" } } })] });
        expect(problems).to.have.length(1);
    });

    it("takes version labels with dots, dashes and underscores, up to 63 characters", () => {
        const version = `v1.2-rc_${"a".repeat(55)}`;
        expect(version).to.have.length(63);
        // A digest-only image names no version, so the version stands alone.
        const digest = `ghcr.io/acme/cart@sha256:${"c".repeat(64)}`;
        expect(parse({ services: [service("cart", { blue: { image: digest, version } })] }).services[0]!.blue!.version).to.equal(version);
        expectProblem(problemsOf({ services: [service("cart", { blue: { image: digest, version: `${version}b` } })] }), "switchyard:services[0].blue.version", JSON.stringify(`${version}b`), /label value/);
    });

    it("takes a version from the image tag only when the tag is a label value, and a given version the tag names", () => {
        expect(parse({ services: [service("cart", { blue: { image: "ghcr.io/acme/cart:1.0.0-hotfix", version: "1.0.0" } })] }).services[0]!.blue!.version).to.equal("1.0.0");
        const longTag = `1${"a".repeat(63)}`;
        expectProblem(problemsOf({ services: [service("cart", { blue: { image: `ghcr.io/acme/cart:${longTag}` } })] }), "switchyard:services[0].blue.version", "nothing (the key is missing)", /version label/);
        expectProblem(problemsOf({ ...{ aws: { region: "us-east-1" } }, services: [service("cart", { blue: { build: { context: "app" } } })] }), "switchyard:services[0].blue.version", "nothing (the key is missing)", /for builds/);
    });

    it("takes DNS names of several labels, record labels with dashes, and names of 57 characters", () => {
        const name = `s${"a".repeat(56)}`;
        const model = parse({
            clusters: [cluster("east", { hostnames: ["a-b.c-d.example.com"] }), cluster("west")],
            services: [service(name, { dns: { record: "shop-1.eu" } })],
        });
        expect(model.services[0]!.name).to.equal(name);
        expect(model.services[0]!.dnsRecord).to.equal("shop-1.eu");
        expect(model.clusters[0]!.hostnames).to.deep.equal(["a-b.c-d.example.com"]);
        for (const hostname of ["example", "example.123", "-a.example.com", `${"a".repeat(64)}.example.com`]) {
            expectProblem(problemsOf({ clusters: [cluster("east", { hostnames: [hostname] })] }), "switchyard:clusters[0].hostnames[0]", JSON.stringify(hostname), /domains/);
        }
    });

    it("does not ask for a region, shares or unique DNS names while nothing needs them", () => {
        expect(parse({ ...{ dns: { enabled: true, zone: "shop.example.com" } }, aws: { region: "us-east-1" }, clusters: [cluster("east", { gatewayAddress: "203.0.113.7", trafficShare: 0 }), cluster("west", { gatewayAddress: "203.0.113.8" })] }).dns?.zone).to.equal("shop.example.com");
        expect(parse({ dns: { enabled: false, zone: "not checked" } }).dns).to.equal(undefined);
        const builds = (context: string) => ({ version: "1", build: { context } });
        expect(parse({ aws: { region: "us-east-1" }, services: [service("cart", { blue: builds("app"), green: builds("app2") })] }, { ...env, pathExists: () => true }).services[0]!.green!.build!.context).to.equal("app2");
        expect(parse({ aws: { region: "us-east-1" }, services: [service("cart", { blue: undefined, green: builds("app") })], greenWeight: "100" }).services[0]!.blue).to.equal(undefined);
        expectProblem(problemsOf({ services: [service("cart", { blue: builds("app") }), service("pay")] }), "switchyard:aws.region", "nothing (the key is missing)", /ECR image builds/);
    });

    it("asks for an image for a color the stack's greenWeight sends traffic to, naming the weight", () => {
        const problems = problemsOf({ greenWeight: "100", services: [service("cart", { green: undefined })] });
        expectProblem(problems, "switchyard:services[0].green.image", "nothing (the key is missing)", /^an image \(or build\) for green, since green receives 100% on cluster east \(switchyard:greenWeight is 100\); or move the weight off green$/);
    });
});

describe("config: the smallest stack, and one line per mistake", () => {
    it("reads a stack of one one-letter cluster and service with every default and nothing more", () => {
        const model = parseStackConfig(
            {
                clusters: JSON.stringify([{ name: "e", gateway: { name: "g", namespace: "n" }, hostnames: ["e.example.com"] }]),
                services: JSON.stringify([{ name: "a", port: 80, blue: { image: "ghcr.io/acme/a:1" }, resources: { limits: { cpu: "2", memory: "1Gi" } } }]),
            },
            env,
        );
        expect(model).to.deep.equal({
            greenWeight: 0,
            idleReplicas: "full",
            clusters: [{ name: "e", namespace: "switchyard", createNamespace: true, gateway: { name: "g", namespace: "n" }, hostnames: ["e.example.com"], trafficShare: 1, imagePullSecrets: [] }],
            services: [
                {
                    name: "a",
                    port: 80,
                    replicas: 2,
                    healthPath: "/healthz",
                    blue: { image: "ghcr.io/acme/a:1", version: "1" },
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } },
                    env: {},
                    dnsRecord: "a",
                },
            ],
            hasKubeconfig: false,
            servicesAreSecret: false,
            requireImageDigests: false,
            images: { keepLast: 20, repositoryPrefix: "switchyard" },
            cohorts: [],
            capacity: { maxWaitMs: 50 },
            rollout: { candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 },
            scope: { kind: "all" },
        });
    });

    it("reads DNS without a zone id or health check settings, and DNS without enabled as off", () => {
        const dns = parse({ dns: { enabled: true, zone: "shop.example.com" }, aws: { region: "us-east-1" }, clusters: [cluster("east", { gatewayAddress: "203.0.113.7" })] }).dns;
        expect(dns).to.deep.equal({ zone: "shop.example.com", ttl: 30, healthCheck: { protocol: "HTTPS", port: 443, intervalSeconds: 30, failureThreshold: 3 } });
        expect(parse({ dns: { zone: "shop.example.com" } }).dns).to.equal(undefined);
    });

    for (const key of ["clusters", "services", "dns", "aws", "images"]) {
        it(`reports ${key} that is not YAML once, and ${key} of the wrong kind once`, () => {
            expect(problemsOf({ [key]: "{" })).to.deep.equal([`switchyard:${key}: got "{"; allowed: a YAML list or object in the stack file (it did not parse as one)`]);
            const wrongKind = ["clusters", "services"].includes(key) ? { a: 1 } : [1];
            const problems = problemsOf({ [key]: wrongKind });
            expect(problems).to.have.length(1);
            expect(problems[0]).to.match(new RegExp(`^switchyard:${key}: got ${JSON.stringify(JSON.stringify(wrongKind)).slice(1, -1).replace(/[[\]{}]/g, "\\$&")}; allowed: `));
        });
    }

    it("reports services without names once each, not again as duplicates, hostname clashes or missing colors", () => {
        const problems = problemsOf({ greenWeight: "30", services: [{ port: 80, blue: { image: "ghcr.io/acme/a:1" } }, { port: 81, blue: { image: "ghcr.io/acme/b:1" } }] });
        expect(problems).to.have.length(2);
        expectProblem(problems, "switchyard:services[0].name", "nothing (the key is missing)", /DNS-1035 label/);
        expectProblem(problems, "switchyard:services[1].name", "nothing (the key is missing)", /DNS-1035 label/);
    });

    it("reports a bad version, a color with neither image nor build, and a build without context once each", () => {
        expect(problemsOf({ services: [service("cart", { blue: { image: "ghcr.io/acme/cart:1.0.0", version: "1.0!" } })] })).to.have.length(1);
        const digest = `ghcr.io/acme/cart@sha256:${"a".repeat(64)}`;
        expect(problemsOf({ services: [service("cart", { blue: { image: digest, version: "1.0!" } })] }), "a bad version is not also a missing one").to.have.length(1);
        expect(problemsOf({ services: [service("cart", { green: {} })] }), "an empty color misses its image, not also a version").to.have.length(1);
        const neither = problemsOf({ services: [service("cart", { green: { version: "1.1.0" } })] });
        expect(neither).to.deep.equal([
            "switchyard:services[0].green.image: got nothing (the key is missing); allowed: an image reference, or a build under switchyard:services[0].green.build; remove switchyard:services[0].green to leave green undeployed",
        ]);
        expect(problemsOf({ aws: { region: "us-east-1" }, services: [service("cart", { blue: { version: "1", build: {} } })] })).to.have.length(1);
    });

    it("does not ask for a share above 0 when DNS is on but the cluster list itself is the problem", () => {
        const problems = problemsOf({ dns: { enabled: true, zone: "shop.example.com" }, aws: { region: "us-east-1" }, clusters: [] });
        expect(problems).to.deep.equal(["switchyard:clusters: got []; allowed: a non-empty list of clusters"]);
    });

    it("says a negative share is refused because shares are relative and 0 drains", () => {
        expectProblem(problemsOf({ clusters: [cluster("east", { trafficShare: -1 })] }), "switchyard:clusters[0].trafficShare", "-1", /^an integer >= 0 \(relative share of DNS answers; 0 drains the cluster\)$/);
    });

    it("refuses a zone that is no hostname, and explains how to keep a live color while the other builds", () => {
        expectProblem(
            problemsOf({ dns: { enabled: true, zone: "Shop.Example.com" }, aws: { region: "us-east-1" }, clusters: [cluster("east", { gatewayAddress: "203.0.113.7" })] }),
            "switchyard:dns.zone",
            '"Shop.Example.com"',
            /hosted zone name/,
        );
        const build = { version: "1.0.0", build: { context: "app" } };
        expectProblem(
            problemsOf({ aws: { region: "us-east-1" }, services: [service("cart", { blue: build, green: { ...build, version: "1.1.0" } })] }),
            "switchyard:services[0].green.build.context",
            '"app"',
            /rebuild and roll the live color too\. Pin the live color to the digest it runs \(pulumi stack output traffic\) as its image, or give each color its own directory$/,
        );
        expect(parse({ aws: { region: "us-east-1" }, services: [service("cart", { blue: build, green: undefined })] }).services[0]!.blue!.build!.context).to.equal("app");
    });

    it("takes names, paths, regions and quantities at the edges of their formats", () => {
        const model = parse({
            aws: { region: "us-iso-east-1" },
            images: { repositoryPrefix: "acme.shop_team-eu" },
            clusters: [cluster("east", { hostnames: ["a.example.io", "edge.k8s", "shop.example.cloud"] }), cluster("west")],
            services: [
                service("cart", {
                    healthPath: "/health/ready",
                    dns: { record: "a.b-c.d" },
                    resources: { requests: { cpu: "0.25", memory: "1.25Gi" }, limits: { cpu: "12", memory: "1.25Gi" } },
                }),
            ],
        });
        expect(model.aws).to.deep.equal({ region: "us-iso-east-1" });
        expect(model.images.repositoryPrefix).to.equal("acme.shop_team-eu");
        expect(model.clusters[0]!.hostnames).to.deep.equal(["a.example.io", "edge.k8s", "shop.example.cloud"]);
        expect(model.services[0]!.dnsRecord).to.equal("a.b-c.d");
        expect(parse({ aws: { region: "us-isob-east-1" } }).aws).to.deep.equal({ region: "us-isob-east-1" });
        const amd64 = { version: "1", build: { context: "app", platform: "linux/amd64" } };
        expect(parse({ aws: { region: "us-east-1" }, services: [service("cart", { blue: amd64 })] }).services[0]!.blue!.build!.platform).to.equal("linux/amd64");
        const longest = `${`${"a".repeat(63)}.`.repeat(3)}${"b".repeat(57)}.com`;
        expect(longest).to.have.length(253);
        const onlyRouteLength = problemsOf({ clusters: [cluster("east", { hostnames: [longest] })] });
        expect(onlyRouteLength, "the domain itself is valid; only the route hostnames built on it are too long").to.have.length(1);
        expect(onlyRouteLength[0]).to.match(/^switchyard:clusters\[0\]\.hostnames: got .*; allowed: domains short enough that every route hostname has at most 253 characters/);
        const tooLong = `${`${"a".repeat(63)}.`.repeat(3)}${"b".repeat(58)}.com`;
        expect(tooLong).to.have.length(254);
        for (const [overrides, key, value] of [
            [{ clusters: [cluster("east", { hostnames: [tooLong] })] }, "switchyard:clusters[0].hostnames[0]", `${JSON.stringify(tooLong).slice(0, 77)}...`],
            [{ clusters: [cluster("east", { hostnames: ["shop.example.com/x"] })] }, "switchyard:clusters[0].hostnames[0]", '"shop.example.com/x"'],
            [{ services: [service("cart", { dns: { record: "shop_1" } })] }, "switchyard:services[0].dns.record", '"shop_1"'],
            [{ services: [service("cart", { healthPath: "ready/healthz" })] }, "switchyard:services[0].healthPath", '"ready/healthz"'],
            [{ services: [service("cart", { resources: { limits: { cpu: "x1" } } })] }, "switchyard:services[0].resources.limits.cpu", '"x1"'],
            [{ services: [service("cart", { resources: { limits: { memory: "x1Gi" } } })] }, "switchyard:services[0].resources.limits.memory", '"x1Gi"'],
            [{ services: [service("cart", { resources: { limits: { cpu: "1m1" } } })] }, "switchyard:services[0].resources.limits.cpu", '"1m1"'],
        ] as const) {
            expectProblem(problemsOf(overrides), key, value, /./);
        }
    });

    it("tells only a value that ends in a percent sign to drop it", () => {
        expectProblem(problemsOf({ greenWeight: "25% " }), "switchyard:greenWeight", '"25% "', /without the % sign/);
        for (const value of ["%25", "2%5"]) {
            expectProblem(problemsOf({ greenWeight: value }), "switchyard:greenWeight", JSON.stringify(value), /^an integer from 0 to 100 \(percent/);
        }
    });
});

describe("config: the pieces that only a whole stack exercises", () => {
    it("splits the SDK's config into switchyard's keys and the other namespaces'", () => {
        expect(switchyardKeys({ "switchyard:greenWeight": "5", "aws:region": "eu-west-1", "switchyrd:greenWeight": "1" })).to.deep.equal({
            raw: { greenWeight: "5" },
            otherKeys: { "aws:region": "eu-west-1", "switchyrd:greenWeight": "1" },
        });
    });

    it("reports a tag that is no label value once, as a missing version", () => {
        const longTag = `1${"a".repeat(63)}`;
        expect(problemsOf({ services: [service("cart", { blue: { image: `ghcr.io/acme/cart:${longTag}` } })] })).to.deep.equal([
            'switchyard:services[0].blue.version: got nothing (the key is missing); allowed: a version label (required when the image has no usable tag, and for builds)',
        ]);
    });

    it("compares requests and limits only where both were given well: a malformed quantity is one problem", () => {
        const problems = problemsOf({ services: [service("cart", { resources: { requests: { cpu: -2, memory: "64 bytes" }, limits: { cpu: "50m", memory: "32Mi" } } })] });
        expect(problems).to.deep.equal([
            "switchyard:services[0].resources.requests.cpu: got -2; allowed: a CPU quantity such as 250m or 1",
            'switchyard:services[0].resources.requests.memory: got "64 bytes"; allowed: a memory quantity such as 256Mi or 1Gi',
        ]);
        const limitsBad = problemsOf({ services: [service("cart", { resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: true, memory: [512] } } })] });
        expect(limitsBad).to.have.length(2);
    });

    it("names the zone without every trailing dot, and gives no such hint to a zone without one", () => {
        const zone = (value: string) =>
            problemsOf({ dns: { enabled: true, zone: value }, aws: { region: "us-east-1" }, clusters: [cluster("east", { gatewayAddress: "34.1.2.3" }), cluster("west", { gatewayAddress: "34.1.2.4" })] });
        expect(zone("shop.example.com..")[0]).to.include("without the trailing dot (shop.example.com)");
        expect(zone("Shop")).to.deep.equal(['switchyard:dns.zone: got "Shop"; allowed: the Route53 hosted zone name, e.g. example.com']);
    });

    it("reads a dotted namespace only at the start of a key, and suggests the key itself when it is no known one", () => {
        expect(problemsOf({ "switchyard.fooBar": "1" })[0]).to.include('did you mean "fooBar"? A namespace and its key are separated by a colon: switchyard:fooBar');
        expect(problemsOf({ "myswitchyard.greenWeight": "1" })[0], "not a dotted namespace").not.to.include("separated by a colon");
    });

    it("compares idleReplicas with the largest service, and says nothing of it without services", () => {
        expect(parse({ idleReplicas: "3", services: [service("cart", { replicas: 1 }), service("checkout", { replicas: 5 })] }).idleReplicas).to.equal(3);
        expect(problemsOf({ idleReplicas: "2", services: [] })).to.deep.equal(["switchyard:services: got []; allowed: a non-empty list of services"]);
    });

    it("asks for the digest as well as the tag of an image in the service's own ECR repository, with the whole message", () => {
        const repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/switchyard/cart";
        expect(problemsOf({ aws: { region: "eu-west-1" }, services: [service("cart", { blue: { image: `${repo}:1.0.0` } })] })).to.deep.equal([
            `switchyard:services[0].blue.image: got "${repo}:1.0.0"; allowed: repo:tag@sha256:<digest> for an image in cart's own ECR ` +
                "repository, so its lifecycle policy can keep it by tag (copy the reference from pulumi stack output traffic)",
        ]);
    });

    it("takes a route hostname of exactly 253 characters", () => {
        const domain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(52)}.com`;
        expect(`cart.${domain}`).to.have.length(253);
        expect(parse({ clusters: [cluster("east", { hostnames: [domain] }), cluster("west")], services: [service("cart")] }).clusters[0]!.hostnames).to.deep.equal([domain]);
    });

    it("names the service whose own hostname another service's DNS name already claims", () => {
        const problems = problemsOf({
            dns: { enabled: true, zone: "shop.example.com" },
            aws: { region: "us-east-1" },
            clusters: [cluster("east", { gatewayAddress: "34.1.2.3", hostnames: ["shop.example.com"] }), cluster("west", { gatewayAddress: "34.1.2.4" })],
            services: [service("cart", { dns: { record: "checkout" } }), service("checkout", { dns: { record: "pay" } })],
        });
        expect(problems[0]).to.match(/^switchyard:services\[1\]\.name: got "checkout"; allowed: a name whose hostnames no other service uses: checkout\.shop\.example\.com on cluster east is also services\[0\]'s$/);
    });

    it("treats a trafficShare left empty as not set", () => {
        expect(parse({ clusters: [cluster("east", { trafficShare: null }), cluster("west")] }).clusters[0]!.trafficShare).to.equal(1);
    });

    it("reads the mirror, and runs the cohort, capacity and rollout checks with the rest of the fleet", () => {
        expect(parse({ mirror: { percent: 10 } }).mirror).to.deep.equal({ percent: 10 });
        const cohortToNowhere = [{ name: "beta", color: "green", match: { headers: [{ name: "x-beta", value: "1" }] } }];
        expect(problemsOf({ cohorts: cohortToNowhere, services: [service("cart", { green: undefined })] })[0]).to.match(/^switchyard:cohorts\[0\]\.color: got "green"/);
        expect(problemsOf({ services: [service("cart", { replicas: 1, capacity: { peakRps: 400, podRps: 50 } })] })[0]).to.match(/^switchyard:services\[0\]\.replicas: got 1/);
        const analysis = { prometheus: { url: "http://prometheus:9090" } };
        expect(problemsOf({ rollout: { analysis }, services: [service("cart", { green: undefined })] })[0]).to.match(/^switchyard:services\[0\]\.green\.image/);
        const token = { analysis: { prometheus: { url: "http://prometheus:9090", token: "t0ken" } } };
        expect(parse({ rollout: token }, { ...env, isSecret: (key) => key === "rollout" }).rollout.analysis?.prometheus.hasToken, "a token held as a secret").to.equal(true);
    });
});
