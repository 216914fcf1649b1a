// The fleet file and the scopes, read by the program's own parser: the same readers as stack
// config, errors named by the file's key path, and every bad input refused before anything is
// registered.

import { expect } from "chai";
import { stringify } from "yaml";
import { fleetLabel } from "../model/config/fleetFile.ts";
import { parseStackConfig } from "../model/config/parse.ts";
import { clustersInScope, modelInScope, scopeText, servicesInScope, stackNameFor } from "../model/config/scope.ts";
import type { ParseEnvironment, RawConfig, StackModel } from "../model/config/types.ts";
import { ConfigError } from "../model/validation.ts";
import { cluster, raw, service } from "./stackFixture.ts";

const FILE = "fleets/shop.yaml";

/** A fleet of three clusters and three services in a file, as a fleet file of the repository would hold it. */
function fleetFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        clusters: [cluster("east"), cluster("west"), cluster("north")],
        services: [service("cart"), service("checkout"), service("search")],
        ...overrides,
    };
}

function environment(files: Record<string, string>, stackName?: string, defaults: Record<string, string> = {}): ParseEnvironment {
    return {
        isSecret: (key) => key === "kubeconfig",
        pathExists: () => true,
        readFile: (path) => files[path],
        projectDefaults: defaults,
        ...(stackName === undefined ? {} : { stackName }),
    };
}

function read(stack: Record<string, string>, file: Record<string, unknown> | string = fleetFile(), stackName?: string, defaults?: Record<string, string>): StackModel {
    const text = typeof file === "string" ? file : stringify(file);
    return parseStackConfig({ fleet: FILE, ...stack } as RawConfig, environment({ [FILE]: text }, stackName, defaults));
}

function problems(stack: Record<string, string>, file: Record<string, unknown> | string = fleetFile(), stackName?: string, defaults?: Record<string, string>): string[] {
    try {
        read(stack, file, stackName, defaults);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
    throw new Error("expected a config error");
}

describe("fleet file: the fleet's shape read from the repository", () => {
    it("reads clusters and services from the file with the stack's own greenWeight", () => {
        const model = read({ greenWeight: "25" });
        expect(model.greenWeight).to.equal(25);
        expect(model.clusters.map((c) => c.name)).to.deep.equal(["east", "west", "north"]);
        expect(model.services.map((s) => s.name)).to.deep.equal(["cart", "checkout", "search"]);
        expect(model.fleet).to.deep.include({ file: FILE, name: "shop", groups: [] });
        expect(model.scope).to.deep.equal({ kind: "all" });
    });

    it("keeps the keys the file sets, so a problem found after parsing (a selector without series) is named by the file", () => {
        const model = read({ greenWeight: "25" }, fleetFile({ rollout: { candidate: "green" } }));
        expect(model.fleet!.keys).to.deep.equal(["clusters", "services", "rollout"]);
        const label = fleetLabel(model.fleet);
        expect(label("switchyard:clusters[2].name")).to.equal(`${FILE}: clusters[2].name`);
        expect(label("switchyard:rollout.analysis.metrics")).to.equal(`${FILE}: rollout.analysis.metrics`);
        expect(label("switchyard:greenWeight"), "the stack file's own key").to.equal("switchyard:greenWeight");
        expect(fleetLabel(undefined)("switchyard:clusters[0].name"), "no fleet file").to.equal("switchyard:clusters[0].name");
        // Another namespace's key as long as switchyard's, named like a key the file sets: not the file's.
        expect(label("kubernetes:services[0]"), "another namespace").to.equal("kubernetes:services[0]");
    });

    it("moves every cluster in one wave when the file names none", () => {
        expect(read({}).fleet!.waves).to.deep.equal([{ name: "fleet", clusters: ["east", "west", "north"], parallel: 3, soakSeconds: 0, approval: false }]);
    });

    it("names a mistake in the file by the file and its key path, in the one error shape", () => {
        const found = problems({}, fleetFile({ services: [service("cart", { port: 0 }), service("checkout"), service("search")] }));
        expect(found).to.deep.equal([`${FILE}: services[0].port: got 0; allowed: an integer from 1 to 65535 (the container's HTTP port)`]);
    });

    it("refuses a key set both in the stack and in the file, but not Pulumi.yaml's default that the CLI fills in", () => {
        const inline = JSON.stringify([service("cart")]);
        expect(problems({ services: inline })).to.deep.equal([
            `switchyard:services: got ${JSON.stringify(JSON.stringify([service("cart")])).slice(0, 77)}...; allowed: nothing in the stack file while switchyard:fleet names ${FILE}, which sets services: keep one of the two`,
        ]);
        expect(read({ services: "[]" }, fleetFile(), undefined, { services: "[]" }).services).to.have.length(3);
    });

    it("keeps greenWeight, kubeconfig, fleet and scope out of the file, saying where each belongs", () => {
        const found = problems({}, fleetFile({ greenWeight: 25, scope: "traffic" }));
        expect(found).to.have.length(2);
        expect(found[0]).to.equal(`${FILE}: greenWeight: got 25; allowed: no greenWeight in a fleet file: it is each stack's own weight: a flip edits the cluster stacks' files, never the shared fleet file`);
        expect(found[1]).to.match(new RegExp(`^${FILE}: scope: got "traffic"; allowed: no scope in a fleet file`));
    });

    it("suggests the key a typo in the file meant", () => {
        expect(problems({}, fleetFile({ servics: [] }))).to.deep.equal([
            `${FILE}: servics: got []; allowed: no such fleet key; did you mean "services"? Known keys: idleReplicas, clusters, services, requireImageDigests, dns, aws, images, cohorts, mirror, capacity, rollout, groups`,
        ]);
    });
});

describe("fleet file: files that cannot be read", () => {
    const errorOf = (fleet: string, files: Record<string, string>) => {
        try {
            parseStackConfig({ fleet }, environment(files));
        } catch (error) {
            return (error as ConfigError).problems[0];
        }
        throw new Error("expected an error");
    };

    it("refuses a fleet file that does not exist", () => {
        expect(errorOf("fleets/none.yaml", {})).to.equal(
            'switchyard:fleet: got "fleets/none.yaml"; allowed: a fleet file that exists, relative to the project directory (Pulumi.yaml\'s folder)',
        );
    });

    it("refuses one that does not parse, with the line YAML stopped at", () => {
        expect(errorOf(FILE, { [FILE]: "clusters:\n  - name: east\n   bad: [\n" })).to.match(/^switchyard:fleet: got "fleets\/shop.yaml"; allowed: a YAML file that parses; Sequence item without - indicator at line 3, column 1$/);
    });

    it("reads a file that repeats one anchor more often than YAML's default guard allows: the file is the repository's own", () => {
        const text = `base: &svc {port: 8080, replicas: 2}\nservices:\n${Array.from({ length: 120 }, (_, i) => `  - {<<: *svc, name: s${i}, blue: {image: "ghcr.io/acme/s:1.0.0"}}`).join("\n")}\n`;
        expect(errorOf(FILE, { [FILE]: text })).to.match(/^fleets\/shop.yaml: base: got/);
    });

    it("refuses one that is not a mapping of keys", () => {
        expect(errorOf(FILE, { [FILE]: "- a\n- b\n" })).to.match(/^switchyard:fleet: got "fleets\/shop.yaml"; allowed: a YAML mapping of fleet keys \(idleReplicas, clusters/);
    });

    it("refuses a path outside the project or not a YAML file", () => {
        expect(errorOf("../other/prod.yaml", {})).to.match(/allowed: a YAML file's path inside the project/);
        expect(errorOf("/etc/prod.yaml", {})).to.match(/allowed: a YAML file's path inside the project/);
        expect(errorOf("fleets/prod.json", {})).to.match(/allowed: a YAML file's path inside the project/);
    });
});

describe("fleet file: scopes", () => {
    it("holds the traffic part, a cluster, or one group on a cluster, each with its stack name", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        expect(read({ scope: "traffic" }, fleetFile(), "shop-traffic").scope).to.deep.equal({ kind: "traffic" });
        expect(read({ scope: "west" }, fleetFile(), "shop-west").scope).to.deep.equal({ kind: "cluster", cluster: "west" });
        const grouped = read({ scope: "west/find" }, fleetFile({ groups }), "shop-west-find");
        expect(grouped.scope).to.deep.equal({ kind: "cluster", cluster: "west", group: "find" });
        expect(servicesInScope(grouped.services, grouped.scope, grouped.fleet!.groups).map((s) => s.name)).to.deep.equal(["search"]);
        expect(servicesInScope(grouped.services, { kind: "cluster", cluster: "west" }, grouped.fleet!.groups)).to.have.length(3);
        expect(stackNameFor("shop", { kind: "all" })).to.equal("shop");
        expect(stackNameFor("shop", { kind: "traffic" })).to.equal("shop-traffic");
        expect(stackNameFor("shop", { kind: "cluster", cluster: "west", group: "find" })).to.equal("shop-west-find");
    });

    it("refuses a scope that names no cluster of the fleet, listing the ones it has", () => {
        expect(problems({ scope: "south" })).to.deep.equal([`switchyard:scope: got "south"; allowed: "all", "traffic", or a cluster of ${FILE}: east, west, north`]);
    });

    it("refuses a scope that is no name at all", () => {
        expect(problems({ scope: "East Coast" })[0]).to.match(/^switchyard:scope: got "East Coast"; allowed: "all" \(the whole fleet in one stack\), "traffic"/);
    });

    it("refuses a split scope without a fleet file: split stacks share one", () => {
        const error = (() => {
            try {
                parseStackConfig({ scope: "east", clusters: JSON.stringify([cluster("east")]), services: JSON.stringify([service("cart")]) }, environment({}));
            } catch (e) {
                return (e as ConfigError).problems;
            }
            return [];
        })();
        expect(error).to.deep.equal(['switchyard:scope: got "east"; allowed: "all" while switchyard:fleet is unset: the stacks of a split fleet share one fleet file']);
    });

    it("refuses a stack whose name is not the one its scope's stack has, so one cluster's stack never manages another", () => {
        expect(problems({ scope: "west" }, fleetFile(), "shop-east")).to.deep.equal([
            `switchyard:scope: got "west"; allowed: the scope of this stack's name (shop-east); ${FILE} names the stack for west shop-west`,
        ]);
    });

    it("refuses a cluster override of the weight in the file for a cluster stack: its own greenWeight is the cluster's", () => {
        const file = fleetFile({ clusters: [cluster("east", { greenWeight: 10 }), cluster("west"), cluster("north")] });
        expect(problems({ scope: "east" }, file)).to.deep.equal([
            `${FILE}: clusters[0].greenWeight: got 10; allowed: nothing while shop-east holds east: the cluster stack's own switchyard:greenWeight is this cluster's weight`,
        ]);
        expect(read({ scope: "west" }, file).clusters[0]!.greenWeight, "another cluster's stack does not apply it").to.equal(10);
    });

    it("refuses a whole-cluster scope in a grouped fleet: the cluster's services live in its group stacks", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        expect(problems({ scope: "east" }, fleetFile({ groups }))).to.deep.equal([
            `switchyard:scope: got "east"; allowed: east/<group> (east/web, east/find): with groups in ${FILE}, a cluster's services live in its group stacks`,
        ]);
        expect(problems({ scope: "traffic" }, fleetFile({ groups }))).to.deep.equal([
            `switchyard:scope: got "traffic"; allowed: traffic/<group> (traffic/web, traffic/find): with groups in ${FILE}, the traffic stack's services (ECR, DNS) live in its group stacks`,
        ]);
    });

    it("shards the traffic stack by group in a grouped fleet, each shard with its own stack name", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        const shard = read({ scope: "traffic/find" }, fleetFile({ groups }), "shop-traffic-find");
        expect(shard.scope).to.deep.equal({ kind: "traffic", group: "find" });
        expect(servicesInScope(shard.services, shard.scope, shard.fleet!.groups).map((s) => s.name)).to.deep.equal(["search"]);
        expect(stackNameFor("shop", { kind: "traffic", group: "find" })).to.equal("shop-traffic-find");
        expect(problems({ scope: "traffic/find" }, fleetFile({ groups }), "shop-traffic")[0]).to.equal(
            `switchyard:scope: got "traffic/find"; allowed: the scope of this stack's name (shop-traffic); ${FILE} names the stack for traffic/find shop-traffic-find`,
        );
    });

    it("cuts the model to what each stack deploys: every cluster, its own, or none for traffic, and its group's services", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        const held = (scope: string, stack: string) => {
            const part = modelInScope(read({ scope }, fleetFile({ groups }), stack));
            return [part.clusters.map((c) => c.name), part.services.map((s) => s.name)];
        };
        expect(held("all", "shop")).to.deep.equal([["east", "west", "north"], ["cart", "checkout", "search"]]);
        expect(held("west/find", "shop-west-find")).to.deep.equal([["west"], ["search"]]);
        expect(held("traffic/web", "shop-traffic-web")).to.deep.equal([[], ["cart", "checkout"]]);
        const whole = modelInScope(read({ scope: "north" }, fleetFile(), "shop-north"));
        expect([whole.clusters.map((c) => c.name), whole.services.length]).to.deep.equal([["north"], 3]);
        expect(clustersInScope(fleetFile().clusters as { name: string }[], { kind: "traffic" })).to.deep.equal([]);
        // A stack without a fleet file (inline config, like dev) holds all it names.
        const inline = modelInScope(parseStackConfig(raw(), environment({})));
        expect([inline.clusters.map((c) => c.name), inline.services.map((s) => s.name)]).to.deep.equal([["east", "west"], ["cart", "checkout"]]);
    });

    it("writes each scope as switchyard:scope spells it", () => {
        expect(scopeText({ kind: "all" })).to.equal("all");
        expect(scopeText({ kind: "traffic" })).to.equal("traffic");
        expect(scopeText({ kind: "traffic", group: "web" })).to.equal("traffic/web");
        expect(scopeText({ kind: "cluster", cluster: "east" })).to.equal("east");
        expect(scopeText({ kind: "cluster", cluster: "east", group: "web" })).to.equal("east/web");
    });

    it("refuses a group scope for a group the file does not define", () => {
        expect(problems({ scope: "east/web" })).to.deep.equal([`switchyard:scope: got "east/web"; allowed: east without /<group>: ${FILE} defines no groups`]);
        const groups = [{ name: "web", services: ["cart", "checkout", "search"] }];
        expect(problems({ scope: "east/api" }, fleetFile({ groups }))).to.deep.equal([`switchyard:scope: got "east/api"; allowed: east/<group> with a group of ${FILE}: web`]);
    });
});

describe("fleet file: groups", () => {
    it("refuses a group naming an unknown service, a service in two groups, and services left in none", () => {
        const groups = [
            { name: "web", services: ["cart", "cartt"] },
            { name: "pay", services: ["cart"] },
        ];
        expect(problems({}, fleetFile({ groups }))).to.deep.equal([
            `${FILE}: groups[0].services[1]: got "cartt"; allowed: a service of ${FILE}: cart, checkout, search`,
            `${FILE}: groups[1].services[0]: got "cart"; allowed: a service in no other group (group web holds it)`,
            `${FILE}: groups: got ["checkout","search"]; allowed: groups that hold every service: these are in none, so no stack would deploy them`,
        ]);
    });

    it("refuses a cluster whose stack another part of the fleet has, and a cluster named like a scope", () => {
        // eks + group x-web and eks-x + group web would both be stack shop-eks-x-web.
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "x-web", services: ["search"] }];
        expect(problems({}, fleetFile({ groups, clusters: [cluster("eks"), cluster("eks-x")] }))).to.deep.equal([
            `${FILE}: clusters[1].name: got "eks-x"; allowed: a name whose stacks no other part of ${FILE} has: shop-eks-x-web would be the stack of both eks-x/web and eks/x-web`,
        ]);
        expect(problems({}, fleetFile({ clusters: [cluster("east"), cluster("traffic"), cluster("all")] }))).to.deep.equal([
            `${FILE}: clusters[1].name: got "traffic"; allowed: a name other than all and traffic in a fleet: switchyard:scope reads those as the whole fleet and its traffic stack`,
            `${FILE}: clusters[2].name: got "all"; allowed: a name other than all and traffic in a fleet: switchyard:scope reads those as the whole fleet and its traffic stack`,
        ]);
        expect(problems({}, fleetFile({ groups, clusters: [cluster("traffic-x")] })), "traffic-x/web and the traffic shard of x-web").to.deep.equal([
            `${FILE}: clusters[0].name: got "traffic-x"; allowed: a name whose stacks no other part of ${FILE} has: shop-traffic-x-web would be the stack of both traffic-x/web and traffic/x-web`,
        ]);
        expect(problems({}, fleetFile({ groups, clusters: [cluster("east"), cluster("east")] })), "a repeated name is said once, by its own rule").to.deep.equal([
            `${FILE}: clusters[1].name: got "east"; allowed: a name not used by another entry (clusters[0] is also "east")`,
        ]);
        // A cluster whose name starts like a traffic shard's, but whose stacks no shard has: the names stay apart.
        expect(read({}, fleetFile({ groups, clusters: [cluster("traffic-web")] })).clusters.map((c) => c.name)).to.deep.equal(["traffic-web"]);
    });

    it("refuses two groups of one name", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "web", services: ["search"] }];
        expect(problems({}, fleetFile({ groups }))).to.deep.equal([`${FILE}: groups[1].name: got "web"; allowed: a name no other group has`]);
    });
});

describe("fleet file: waves", () => {
    const rollout = (waves: unknown) => fleetFile({ rollout: { waves } });

    it("reads ordered waves with their parallelism, soak and approval", () => {
        const model = read({}, rollout([{ name: "canary", clusters: ["east"], soak: "10m" }, { name: "rest", clusters: ["west", "north"], parallel: 1, approval: true }]));
        expect(model.fleet!.waves).to.deep.equal([
            { name: "canary", clusters: ["east"], parallel: 1, soakSeconds: 600, approval: false },
            { name: "rest", clusters: ["west", "north"], parallel: 1, soakSeconds: 0, approval: true },
        ]);
    });

    it("refuses a wave naming an unknown cluster, a cluster in two waves, and a cluster left out", () => {
        expect(problems({}, rollout([{ name: "canary", clusters: ["east", "esat"] }, { name: "rest", clusters: ["east"] }]))).to.deep.equal([
            `${FILE}: rollout.waves[0].clusters[1]: got "esat"; allowed: a cluster of ${FILE}: east, west, north`,
            `${FILE}: rollout.waves[1].clusters[0]: got "east"; allowed: a cluster in no other wave (wave canary holds it)`,
            `${FILE}: rollout.waves: got ["canary","rest"]; allowed: waves that hold every cluster; not in any: west, north`,
        ]);
    });

    it("updates every stack of a wave at once by default, each group's stack of each of its clusters in a grouped fleet", () => {
        const groups = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        const waves = [{ name: "canary", clusters: ["east"] }, { name: "rest", clusters: ["west", "north"] }];
        const grouped = read({}, fleetFile({ groups, rollout: { waves } })).fleet!.waves;
        expect(grouped.map((w) => [w.name, w.parallel])).to.deep.equal([["canary", 2], ["rest", 4]]);
        expect(read({}, fleetFile({ groups })).fleet!.waves[0]!.parallel, "the one wave of a fleet without waves").to.equal(6);
        expect(read({}, fleetFile({ rollout: { waves } })).fleet!.waves.map((w) => w.parallel), "without groups, one stack per cluster").to.deep.equal([1, 2]);
    });

    it("refuses a soak that is no duration, parallel below 1 and an approval that is no boolean", () => {
        const found = problems({}, rollout([{ name: "all", clusters: ["east", "west", "north"], soak: "10 minutes", parallel: 0, approval: "yes" }]));
        expect(found).to.have.length(3);
        expect(found[0]).to.match(/^fleets\/shop.yaml: rollout.waves\[0\].soak: got "10 minutes"; allowed: a duration such as 10m/);
        expect(found[1]).to.match(/^fleets\/shop.yaml: rollout.waves\[0\].approval: got "yes"; allowed: true/);
        expect(found[2]).to.match(/^fleets\/shop.yaml: rollout.waves\[0\].parallel: got 0; allowed: an integer >= 1/);
    });

    it("refuses waves in stack config: they move a fleet's stacks", () => {
        const stack = { clusters: JSON.stringify([cluster("east")]), services: JSON.stringify([service("cart")]), rollout: JSON.stringify({ waves: [{ name: "a", clusters: ["east"] }] }) };
        try {
            parseStackConfig(stack, environment({}));
            expect.fail("parsed");
        } catch (error) {
            expect((error as ConfigError).problems).to.deep.equal([
                'switchyard:rollout.waves: got ["a"]; allowed: no waves in stack config: waves move a fleet\'s cluster stacks, so they belong in the fleet file (switchyard:fleet)',
            ]);
        }
    });
});

describe("fleet file: where it is and what it may set", () => {
    const errorsOf = (stack: RawConfig, env: ParseEnvironment): string[] => {
        try {
            parseStackConfig(stack, env);
        } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            return (error as ConfigError).problems;
        }
        return [];
    };
    const inPath = /allowed: a YAML file's path inside the project/;

    it("reads no fleet file when fleet is Pulumi.yaml's empty default", () => {
        const model = parseStackConfig({ fleet: "", clusters: JSON.stringify([cluster("east")]), services: JSON.stringify([service("cart")]) }, environment({}));
        expect(model.fleet).to.equal(undefined);
        expect(model.clusters.map((c) => c.name)).to.deep.equal(["east"]);
    });

    it("takes a .yml file as well as a .yaml one, and names the fleet by the base name without its last extension", () => {
        const env = environment({ "fleets/eu.yml": stringify(fleetFile()), "fleets/v2.yml.yaml": stringify(fleetFile()) });
        expect(parseStackConfig({ fleet: "fleets/eu.yml" }, env).fleet).to.deep.include({ file: "fleets/eu.yml", name: "eu" });
        expect(parseStackConfig({ fleet: "fleets/v2.yml.yaml" }, env).fleet).to.deep.include({ name: "v2.yml" });
    });

    it("refuses a path whose name only starts like a YAML file's", () => {
        expect(errorsOf({ fleet: "fleets/prod.yaml.bak" }, environment({ "fleets/prod.yaml.bak": stringify(fleetFile()) }))[0]).to.match(inPath);
    });

    it("refuses a fleet file when the environment can read no files, as a file that does not exist", () => {
        const env: ParseEnvironment = { isSecret: () => false, pathExists: () => true };
        expect(errorsOf({ fleet: FILE }, env)[0]).to.equal(`switchyard:fleet: got "${FILE}"; allowed: a fleet file that exists, relative to the project directory (Pulumi.yaml's folder)`);
    });

    it("quotes the parser's complaint whole, dropping only its trailing colon", () => {
        const found = errorsOf({ fleet: FILE }, environment({ [FILE]: "idleReplicas: |x\n  2\n" }));
        expect(found[0]).to.equal(`switchyard:fleet: got "${FILE}"; allowed: a YAML file that parses; Block scalar header includes extra characters: |x at line 1, column 16`);
    });

    it("refuses an alias to an anchor the file never sets, naming the alias", () => {
        const found = errorsOf({ fleet: FILE }, environment({ [FILE]: `${stringify(fleetFile())}cohorts: *shared\n` }));
        expect(found[0]).to.match(/^switchyard:fleet: got "fleets\/shop.yaml"; allowed: a YAML file whose anchors resolve; .*alias.*: shared$/);
    });

    it("keeps kubeconfig and fleet out of the file, saying why", () => {
        const found = problems({}, fleetFile({ kubeconfig: "apiVersion: v1", fleet: "fleets/other.yaml" }));
        expect(found).to.have.length(2);
        expect(found[0]).to.match(new RegExp(`^${FILE}: kubeconfig: got "apiVersion: v1"; allowed: no kubeconfig in a fleet file: it is a secret, which only a stack file can hold$`));
        expect(found[1]).to.match(new RegExp(`^${FILE}: fleet: got "fleets/other.yaml"; allowed: no fleet in a fleet file: it is the stack file's pointer`));
    });

    it("hands a text value over as it is, as the SDK hands a stack file's text", () => {
        expect(read({}, fleetFile({ idleReplicas: "2" })).idleReplicas).to.equal(2);
        expect(read({}, fleetFile({ idleReplicas: "full" })).idleReplicas).to.equal("full");
    });

    it("treats a key left empty in the file as unset there, even a stack-only key or one the stack sets", () => {
        const text = `${stringify(fleetFile({ services: undefined }))}services:\nkubeconfig:\ngroups: ~\n`;
        const model = read({ services: JSON.stringify([service("cart")]) }, text);
        expect(model.services.map((s) => s.name)).to.deep.equal(["cart"]);
        expect(model.fleet!.groups).to.deep.equal([]);
    });

    it("lets the file set a key the stack leaves unset, whatever Pulumi.yaml's default", () => {
        expect(read({}, fleetFile(), undefined, { idleReplicas: "full" }).idleReplicas).to.equal("full");
        expect(read({}, fleetFile({ idleReplicas: 2 }), undefined, { idleReplicas: "full" }).idleReplicas).to.equal(2);
    });

    it("refuses a key set in both places when the environment knows no Pulumi.yaml defaults", () => {
        const env: ParseEnvironment = { isSecret: () => false, pathExists: () => true, readFile: () => stringify(fleetFile({ idleReplicas: 3 })) };
        expect(errorsOf({ fleet: FILE, idleReplicas: "2" }, env)).to.deep.equal([
            `switchyard:idleReplicas: got "2"; allowed: nothing in the stack file while switchyard:fleet names ${FILE}, which sets idleReplicas: keep one of the two`,
        ]);
    });
});

describe("fleet file: scope text", () => {
    const groups = [{ name: "a", services: ["cart", "checkout", "search"] }];

    it("reads scope all as the whole fleet, which any stack name may hold", () => {
        expect(read({ scope: "all" }).scope).to.deep.equal({ kind: "all" });
        expect(read({ scope: "all" }, fleetFile(), "shop-staging").scope).to.deep.equal({ kind: "all" });
        expect(read({}, fleetFile(), "staging").scope).to.deep.equal({ kind: "all" });
    });

    it("takes one-letter cluster and group names, as DNS labels allow", () => {
        const file = fleetFile({ clusters: [cluster("x"), cluster("west")], groups });
        expect(read({ scope: "x/a" }, file, "shop-x-a").scope).to.deep.equal({ kind: "cluster", cluster: "x", group: "a" });
        expect(problems({ scope: "x" }, file)[0]).to.match(/^switchyard:scope: got "x"; allowed: x\/<group> \(x\/a\)/);
    });

    it("refuses a scope of three parts, and reports a scope that is no name once, not again against the stack's name", () => {
        expect(problems({ scope: "east/a/extra" }, fleetFile({ groups }), "shop-east-a")).to.deep.equal([
            `switchyard:scope: got "east/a/extra"; allowed: "all" (the whole fleet in one stack), "traffic" (what spans clusters), a cluster's name, or <cluster>/<group> and traffic/<group> in a grouped fleet`,
        ]);
        expect(problems({ scope: "East" }, fleetFile({ groups }), "shop-east")).to.have.length(1);
    });

    it("lists every group of the file when a group scope names none of them", () => {
        const two = [{ name: "web", services: ["cart", "checkout"] }, { name: "find", services: ["search"] }];
        expect(problems({ scope: "east/api" }, fleetFile({ groups: two }))).to.deep.equal([`switchyard:scope: got "east/api"; allowed: east/<group> with a group of ${FILE}: web, find`]);
    });

    it("gives a group the fleet lacks no services", () => {
        const services = [{ name: "cart" }, { name: "search" }];
        expect(servicesInScope(services, { kind: "cluster", cluster: "east", group: "api" }, [{ name: "web", services: ["cart"] }])).to.deep.equal([]);
        expect(servicesInScope(services, { kind: "traffic", group: "web" }, [{ name: "web", services: ["cart"] }])).to.deep.equal([{ name: "cart" }]);
    });
});

describe("fleet file: groups that are not a list of groups", () => {
    it("refuses groups that are an empty list, a mapping or no list at all", () => {
        const allowed = `a non-empty list of groups in ${FILE}, each with a name and its services`;
        expect(problems({}, fleetFile({ groups: [] }))).to.deep.equal([`${FILE}: groups: got []; allowed: ${allowed}`]);
        expect(problems({}, fleetFile({ groups: { web: ["cart"] } }))).to.deep.equal([`${FILE}: groups: got {"web":["cart"]}; allowed: ${allowed}`]);
        expect(problems({}, fleetFile({ groups: 3 }))).to.deep.equal([`${FILE}: groups: got 3; allowed: ${allowed}`]);
        const text = problems({}, fleetFile({ groups: "web" }));
        expect(text).to.have.length(1);
        expect(text[0]).to.match(new RegExp(`^${FILE}: groups: got "web"; allowed: a YAML list`));
    });

    it("refuses a group that is not an object, and goes on to the next", () => {
        expect(problems({}, fleetFile({ groups: ["web", { name: "all", services: ["cart", "checkout", "search"] }] }))).to.deep.equal([
            `${FILE}: groups[0]: got "web"; allowed: an object with name and services`,
        ]);
    });

    it("refuses a group name that is no DNS label and a group without services, naming each by its path", () => {
        const found = problems({}, fleetFile({ groups: [{ name: "Web", services: ["cart", "checkout"] }, { name: "find", services: [] }, { name: "rest", services: ["search"] }] }));
        expect(found).to.deep.equal([
            `${FILE}: groups[0].name: got "Web"; allowed: a lowercase DNS label (it names the stacks <fleet>-<cluster>-<group>)`,
            `${FILE}: groups[1].services: got []; allowed: a non-empty list of service names`,
        ]);
    });

    it("reports groups without a name once each, not as two groups of one name", () => {
        const found = problems({}, fleetFile({ groups: [{ services: ["cart", "checkout"] }, { services: ["search"] }] }));
        expect(found).to.have.length(2);
        expect(found[0]).to.match(new RegExp(`^${FILE}: groups\\[0\\].name: got nothing`));
        expect(found[1]).to.match(new RegExp(`^${FILE}: groups\\[1\\].name: got nothing`));
    });

    it("does not count a service without a name as left out of every group", () => {
        const found = problems({}, fleetFile({ services: [service("cart"), service("checkout", { name: undefined }), service("search")], groups: [{ name: "web", services: ["cart", "search"] }] }));
        expect(found).to.have.length(1);
        expect(found[0]).to.match(new RegExp(`^${FILE}: services\\[1\\].name: `));
    });
});

describe("fleet file: waves that are not a list of waves", () => {
    const rollout = (waves: unknown, rest: Record<string, unknown> = {}) => fleetFile({ rollout: { ...rest, waves } });
    const oneWave = { name: "fleet", clusters: ["east", "west", "north"], parallel: 3, soakSeconds: 0, approval: false };

    it("moves every cluster in one wave when rollout sets no waves, or leaves them empty", () => {
        expect(read({}, fleetFile({ rollout: { candidate: "green" } })).fleet!.waves).to.deep.equal([oneWave]);
        expect(read({}, rollout(null)).fleet!.waves).to.deep.equal([oneWave]);
    });

    it("leaves a rollout that is no object to the rollout reader alone", () => {
        const found = problems({}, fleetFile({ rollout: ["east"] }));
        expect(found).to.have.length(1);
        expect(found[0]).to.match(new RegExp(`^${FILE}: rollout: got \\["east"\\]`));
    });

    it("refuses waves that are an empty list or a mapping, and only that", () => {
        const allowed = "a non-empty list of waves, each with a name and its clusters";
        expect(problems({}, rollout([]))).to.deep.equal([`${FILE}: rollout.waves: got []; allowed: ${allowed}`]);
        expect(problems({}, rollout({ canary: ["east"] }))).to.deep.equal([`${FILE}: rollout.waves: got {"canary":["east"]}; allowed: ${allowed}`]);
    });

    it("refuses a wave that is not an object, and goes on to the next", () => {
        expect(problems({}, rollout(["east", { name: "all", clusters: ["east", "west", "north"] }]))).to.deep.equal([
            `${FILE}: rollout.waves[0]: got "east"; allowed: an object with name, clusters, and optional parallel, soak and approval`,
        ]);
    });

    it("refuses a wave name that is no DNS label, a wave without clusters, and a parallel below 1, saying what parallel means", () => {
        const found = problems({}, rollout([{ name: "Canary", clusters: ["east"] }, { name: "none", clusters: [] }, { name: "rest", clusters: ["west", "north"], parallel: 0 }]));
        expect(found).to.deep.equal([
            `${FILE}: rollout.waves[0].name: got "Canary"; allowed: a lowercase DNS label, e.g. canary`,
            `${FILE}: rollout.waves[1].clusters: got []; allowed: a non-empty list of cluster names`,
            `${FILE}: rollout.waves[2].parallel: got 0; allowed: an integer >= 1 (stacks of the wave that update at once)`,
        ]);
    });

    it("refuses two waves of one name, but not two waves without one as such", () => {
        expect(problems({}, rollout([{ name: "canary", clusters: ["east"] }, { name: "canary", clusters: ["west", "north"] }]))).to.deep.equal([
            `${FILE}: rollout.waves[1].name: got "canary"; allowed: a name no other wave has`,
        ]);
        const unnamed = problems({}, rollout([{ clusters: ["east"] }, { clusters: ["west", "north"] }]));
        expect(unnamed).to.have.length(2);
        expect(unnamed.every((p) => /^fleets\/shop.yaml: rollout.waves\[[01]\].name: got nothing/.test(p))).to.equal(true);
    });

    it("does not count a cluster without a name as left out of every wave", () => {
        const found = problems({}, fleetFile({ clusters: [cluster("east"), cluster("west", { name: undefined })], rollout: { waves: [{ name: "all", clusters: ["east"] }] } }));
        expect(found).to.have.length(1);
        expect(found[0]).to.match(new RegExp(`^${FILE}: clusters\\[1\\].name: `));
    });

    it("updates a wave's clusters all at once unless parallel says otherwise", () => {
        expect(read({}, rollout([{ name: "canary", clusters: ["east"] }, { name: "rest", clusters: ["west", "north"] }])).fleet!.waves.map((w) => w.parallel)).to.deep.equal([1, 2]);
    });

    it("reads a soak of 0, \"0\" or left empty as no soak, and refuses a number without a unit or a list", () => {
        const soaks = (soak: unknown) => read({}, rollout([{ name: "all", clusters: ["east", "west", "north"], soak }])).fleet!.waves[0]!.soakSeconds;
        expect(soaks(0)).to.equal(0);
        expect(soaks("0")).to.equal(0);
        expect(soaks(null)).to.equal(0);
        expect(soaks("1h30m")).to.equal(5400);
        expect(problems({}, rollout([{ name: "all", clusters: ["east", "west", "north"], soak: 600 }]))).to.deep.equal([
            `${FILE}: rollout.waves[0].soak: got 600; allowed: a duration such as 10m or 1h30m (how long the wave stays healthy before the next wave moves), or 0`,
        ]);
        expect(problems({}, rollout([{ name: "all", clusters: ["east", "west", "north"], soak: ["10m"] }]))[0]).to.match(/^fleets\/shop.yaml: rollout.waves\[0\].soak: got \["10m"\]; allowed: a duration/);
    });

    it("reads an approval left empty as none", () => {
        expect(read({}, rollout([{ name: "all", clusters: ["east", "west", "north"], approval: null }])).fleet!.waves[0]!.approval).to.equal(false);
    });
});
