// fleets/fleet.schema.json is for editors; the readers are the authority. Both run on the same
// files here: every valid file passes both, every broken one is refused by both.

import { expect } from "chai";
import { Ajv } from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../model/config/parse.ts";
import { PROJECT_ROOT, projectDefaults, readProjectFile } from "../model/stackFiles.ts";
import { ConfigError } from "../model/validation.ts";

const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, "fleets/fleet.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const PROD = parse(readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8")) as Record<string, any>;

/** What the readers say of a fleet file, read by a whole-fleet stack (scope all, which a grouped fleet allows too) as `pulumi up` would. */
function readersAccept(content: unknown): { ok: boolean; problems: string[] } {
    const defaults = projectDefaults(readProjectFile(PROJECT_ROOT));
    try {
        parseStackConfig(
            { ...defaults, fleet: "fleets/prod.yaml", scope: "all" },
            { isSecret: () => false, pathExists: () => true, readFile: () => stringify(content), projectDefaults: defaults, stackName: "prod" },
        );
        return { ok: true, problems: [] };
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return { ok: false, problems: error.problems };
    }
}

function schemaAccepts(content: unknown): { ok: boolean; errors: string[] } {
    const ok = validate(content) as boolean;
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

const prod = () => structuredClone(PROD);
const edited = (change: (fleet: Record<string, any>) => void) => {
    const fleet = prod();
    change(fleet);
    return fleet;
};

const VALID: Record<string, unknown> = {
    "fleets/prod.yaml as committed": prod(),
    "without waves (one wave of every cluster)": edited((f) => delete f.rollout.waves),
    "with groups that hold every service": edited((f) => (f.groups = [{ name: "web", services: ["storefront", "cart"] }, { name: "pay", services: ["checkout"] }])),
    "with a wave of two at a time and soak 0": edited((f) => (f.rollout.waves = [{ name: "all", clusters: ["eks-use1", "gke-euw1"], parallel: 2, soak: 0 }])),
    "with a drained cluster and idle replicas 1": edited((f) => {
        f.clusters[1].trafficShare = 0;
        f.idleReplicas = 1;
    }),
    "with α, the p95 preset and an A/B read-out with per": edited((f) => {
        f.rollout.analysis.alpha = 0.05;
        f.rollout.analysis.checks = [
            "success-rate",
            "latency-p95",
            { name: "conversions", query: 'sum(increase(done_total{color="{color}"}[{window}]))', per: 'sum(increase(started_total{color="{color}"}[{window}]))', min: 0, gate: false },
        ];
    }),
    "with shadow traffic and a cookie cohort": edited((f) => {
        f.mirror = { percent: 10 };
        f.cohorts[0].match = { cookie: { name: "beta", value: "1" } };
    }),
};

const INVALID: Record<string, unknown> = {
    "an unknown top-level key": edited((f) => (f.clusterz = [])),
    "greenWeight, which each stack keeps": edited((f) => (f.greenWeight = 5)),
    "a cluster without a gateway": edited((f) => delete f.clusters[0].gateway),
    "a cluster name that is no DNS label": edited((f) => (f.clusters[0].name = "EKS_use1")),
    "a cluster named traffic, a scope word": edited((f) => {
        f.clusters[1].name = "traffic";
        f.rollout.waves[1].clusters = ["traffic"];
    }),
    "a negative traffic share": edited((f) => (f.clusters[0].trafficShare = -1)),
    "a service port out of range": edited((f) => (f.services[1].port = 70000)),
    "a service with an unknown key": edited((f) => (f.services[1].replica = 2)),
    "a color with neither image nor build": edited((f) => (f.services[1].green = { version: "2.9.0" })),
    "a wave without clusters": edited((f) => (f.rollout.waves[0].clusters = [])),
    "a wave with parallel 0": edited((f) => (f.rollout.waves[0].parallel = 0)),
    "a wave whose soak is no duration": edited((f) => (f.rollout.waves[0].soak = "ten minutes")),
    "a wave whose approval is a word": edited((f) => (f.rollout.waves[1].approval = "yes")),
    "a wave with an unknown key": edited((f) => (f.rollout.waves[1].gate = true)),
    "an empty list of waves": edited((f) => (f.rollout.waves = [])),
    "a group without services": edited((f) => (f.groups = [{ name: "web", services: [] }])),
    "a cohort color that is no color": edited((f) => (f.cohorts[0].color = "red")),
    "an unknown metrics source": edited((f) => (f.rollout.analysis.metrics = "datadog")),
    "α of 0": edited((f) => (f.rollout.analysis.alpha = 0)),
    "gate as a word": edited((f) => (f.rollout.analysis.checks[1].gate = "no")),
    "mirror above 100 %": edited((f) => (f.mirror = { percent: 150 })),
    "an AWS region that is no region": edited((f) => (f.aws.region = "us east")),
    "no services": edited((f) => delete f.services),
};

describe("fleet file schema: the JSON Schema and the readers agree", () => {
    it("is the schema the example's modeline points at", () => {
        expect(readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8").split("\n")[0]).to.equal("# yaml-language-server: $schema=./fleet.schema.json");
        expect(schema.title).to.equal("switchyard fleet file");
    });

    for (const [name, content] of Object.entries(VALID)) {
        it(`accepts ${name} in both`, () => {
            expect(readersAccept(content), "the readers").to.deep.equal({ ok: true, problems: [] });
            expect(schemaAccepts(content), "the schema").to.deep.equal({ ok: true, errors: [] });
        });
    }

    for (const [name, content] of Object.entries(INVALID)) {
        it(`refuses ${name} in both`, () => {
            const readers = readersAccept(content);
            expect(readers.ok, `the readers accepted it`).to.equal(false);
            expect(readers.problems.every((p) => !p.includes("switchyard:fleet: got")), readers.problems.join("\n")).to.equal(true);
            expect(schemaAccepts(content).ok, "the schema accepted it").to.equal(false);
        });
    }
});
