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

function configErrorOf(overrides: Record<string, unknown>, environment = env): ConfigError {
    try {
        parse(overrides, environment);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error(`expected a config error for ${JSON.stringify(overrides)}`);
}

/** The problem lines of the error, each also listed in its message under the header. */
function problemsOf(overrides: Record<string, unknown>, environment = env): string[] {
    const { problems, message } = configErrorOf(overrides, environment);
    expect(problems).to.not.be.empty;
    expect(message.split("\n").slice(1)).to.deep.equal(problems.map((p) => `  - ${p}`));
    return problems;
}

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
