import { expect } from "chai";
import { parseStackConfig, type ParseEnvironment, type RawConfig, type StackModel } from "../components/config.ts";
import { ConfigError } from "../components/validation.ts";

const cluster = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    context: `ctx-${name}`,
    namespace: "shop",
    gateway: { name: "public", namespace: "gateway-system" },
    hostnames: [`${name}.example.com`],
    ...extra,
});

const service = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    port: 8080,
    replicas: 3,
    blue: { image: `ghcr.io/acme/${name}:1.0.0` },
    green: { image: `ghcr.io/acme/${name}:1.1.0` },
    ...extra,
});

function raw(overrides: Record<string, unknown> = {}): RawConfig {
    const values: Record<string, unknown> = {
        greenWeight: "0",
        clusters: [cluster("east"), cluster("west")],
        services: [service("cart"), service("checkout")],
        ...overrides,
    };
    return Object.fromEntries(
        Object.entries(values)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

const env: ParseEnvironment = {
    isSecret: () => false,
    pathExists: (path) => ["app", "app/Dockerfile"].includes(path),
};

function parse(overrides: Record<string, unknown> = {}, environment = env): StackModel {
    return parseStackConfig(raw(overrides), environment);
}

function problemsOf(overrides: Record<string, unknown>, environment = env): string[] {
    try {
        parse(overrides, environment);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
    throw new Error(`expected a config error for ${JSON.stringify(overrides)}`);
}

/** The problem for `key` must quote the value and say what is allowed. */
function expectProblem(problems: string[], key: string, value: string, allowed: RegExp): void {
    const problem = problems.find((p) => p.startsWith(`${key}: `));
    expect(problem, `no problem for ${key} in:\n${problems.join("\n")}`).to.be.a("string");
    expect(problem).to.include(`got ${value}`);
    expect(problem).to.match(allowed);
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
        expectProblem(problems, "switchyard:services[0].resources.requests", "", /requests.cpu at most limits.cpu \(500m\)/);
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
        expectProblem(problems, "switchyard:services[0].blue.build", "", /not both/);
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
        const otherKeys = ["switchyrd:greenWeight", "aws:region", "kubernetes:context", "pulumi:disable-default-providers"];
        const problems = problemsOf({}, { ...env, otherKeys });
        expect(problems).to.deep.equal([
            'switchyrd:greenWeight: got nothing (the key is missing); allowed: no such config namespace; did you mean "switchyard:greenWeight"?',
        ]);
        const dotted = problemsOf({ "switchyard.greenWeight": "30" });
        expect(dotted).to.deep.equal([
            'switchyard:switchyard.greenWeight: got "30"; allowed: no such config key; did you mean "greenWeight"? ' +
                "A namespace and its key are separated by a colon: switchyard:greenWeight",
        ]);
        expect(problemsOf({ switchyard: { greenWeight: 30 } })[0], "the same set with --path").to.include('did you mean "<key>"? A namespace and its key are separated by a colon');
    });

    it("reports a malformed aws.region once, not also as missing", () => {
        const problems = problemsOf({ aws: { region: "Europe" }, services: [service("cart", { blue: { version: "1.0.0", build: { context: "app" } } })] });
        expect(problems).to.deep.equal(['switchyard:aws.region: got "Europe"; allowed: an AWS region such as us-east-1']);
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
