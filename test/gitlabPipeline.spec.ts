// .gitlab-ci.yml: valid for GitLab (its own CI schema, through ajv), shaped as the GitHub workflows
// are (jobs, rules, one resource group for prod, no secret in the file), and its plan job run by
// gitlab-ci-local's shell executor as a merge request's pipeline would run it.

import { Ajv } from "ajv";
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { gitlabCiSchema } from "./gitlabSchema.ts";
import { jobLog, pipelineRepo, PROJECT_ROOT, runPipeline, type PipelineRepo } from "./gitlabRunner.ts";

type Job = Record<string, any>;

// GitLab's !reference tag splices another job's lines; for the schema it is a list of strings.
const REFERENCE_TAG = { tag: "!reference", collection: "seq" as const, resolve: (seq: unknown) => seq };
const readPipeline = (text: string) => parse(text, { customTags: [REFERENCE_TAG] }) as Record<string, Job>;
const PIPELINE_TEXT = readFileSync(join(PROJECT_ROOT, ".gitlab-ci.yml"), "utf8");
const pipeline = readPipeline(PIPELINE_TEXT);
const jobs = Object.entries(pipeline).filter(([name, value]) => !name.startsWith(".") && typeof value === "object" && value !== null && "script" in value);

describe(".gitlab-ci.yml against GitLab's CI schema", () => {
    // As gitlab-ci-local compiles it: the schema uses union types and GitLab's own markdownDescription.
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false, validateFormats: false, keywords: ["markdownDescription"] }).compile(gitlabCiSchema());

    it("validates", () => {
        const valid = validate(pipeline);
        expect(valid, JSON.stringify(validate.errors, null, 2)).to.equal(true);
    });

    it("refuses what GitLab would refuse: a misspelt keyword, a resource group that is no string, a `when` GitLab does not know", () => {
        for (const [what, breakIt] of [
            ["scripts", (p: Record<string, Job>) => (p["plan"]!.scripts = ["true"])],
            ["resource_group: 5", (p: Record<string, Job>) => (p["up prod"]!.resource_group = 5)],
            ["when: sometimes", (p: Record<string, Job>) => (p["up prod"]!.rules[0].when = "sometimes")],
        ] as const) {
            const broken = readPipeline(PIPELINE_TEXT);
            breakIt(broken);
            expect(validate(broken), what).to.equal(false);
        }
    });
});

describe(".gitlab-ci.yml: the jobs of the GitHub workflows", () => {
    const job = (name: string) => pipeline[name]!;
    const sources = (name: string) => JSON.stringify(job(name).rules ?? []);

    it("has the merge request's test, plan of each stack and prod preview under the policy pack", () => {
        expect(sources("test")).to.include("merge_request_event");
        expect(job("test").script).to.deep.equal([".ci/run"]);
        expect(job("plan").parallel.matrix).to.deep.equal([{ STACK: ["dev", "prod"] }]);
        expect(sources("plan")).to.include("merge_request_event");
        expect(job("preview prod").script.at(-1)).to.match(/^pulumi preview .*--refresh .*--policy-pack policy --policy-pack-config policy\/config\/prod\.json$/);
    });

    it("updates prod only in the jobs that hold the stack's resource group", () => {
        const updating = jobs.filter(([, j]) => JSON.stringify(j.script).match(/pulumi up|switchyard advance/)).map(([name]) => name);
        expect(updating.sort()).to.deep.equal(["advance prod", "apply prod", "up prod"]);
        for (const name of updating) expect(job(name).resource_group, name).to.equal("stack-prod");
        expect(job("up prod").rules[0].when, "a person starts the update of prod").to.equal("manual");
    });

    it("runs the rollout on a schedule or by hand, and applies a rollback even though advance failed", () => {
        for (const name of ["advance prod", "apply prod"]) expect(sources(name), name).to.match(/schedule.*web.*SWITCHYARD_ROLLOUT == \\"prod\\"/);
        expect(job("apply prod").rules[0].when).to.equal("always");
        expect(job("apply prod").needs).to.deep.equal([{ job: "advance prod", artifacts: true }]);
        expect(job("advance prod").artifacts.when).to.equal("always");
    });

    it("holds no secret: credentials come from CI/CD variables and id_tokens", () => {
        const literals = Object.values(pipeline)
            .flatMap((j) => Object.entries((j as Job).variables ?? {}))
            .filter(([name]) => /TOKEN|SECRET|PASSWORD|KEY|ARN|ACCOUNT/.test(name));
        for (const [name, value] of literals) expect(String(value), name).to.match(/^\$[A-Z_]+$/);
        expect(Object.keys(job(".prod-clusters").id_tokens).sort()).to.deep.equal(["AWS_ID_TOKEN", "GCP_ID_TOKEN", "PULUMI_ID_TOKEN"]);
        expect(PIPELINE_TEXT).to.not.match(/pul-[0-9a-f]{20,}|glpat-|AKIA[0-9A-Z]{16}|BEGIN [A-Z ]*PRIVATE KEY/);
    });
});

describe(".gitlab-ci.yml under gitlab-ci-local: the plan job", function () {
    this.timeout(90_000);
    let repo: PipelineRepo;

    before(() => {
        // One replica on cart's colors: what the prod policy config refuses (no-traffic-to-unready-color).
        repo = pipelineRepo((dir) => {
            const file = join(dir, "Pulumi.prod.yaml");
            const text = readFileSync(file, "utf8");
            const cart = text.indexOf("- name: cart");
            writeFileSync(file, text.slice(0, cart) + text.slice(cart).replace("replicas: 3", "replicas: 1"));
        });
    });

    after(() => repo?.remove());

    it("prints the split and fails a merge request's pipeline with the plan's exit code, 3 for a mandatory violation", async () => {
        const run = await runPipeline(repo.dir, "merge_request_event", ["plan: [prod]"]);
        const log = jobLog(run, "plan: [prod]");
        expect(run.jobs.get("plan: [prod]"), run.output.slice(-3000)).to.equal(3);
        expect(run.code).to.not.equal(0);
        expect(log).to.match(/│ cart +│ 100 \/ 0 +│ 100 \/ 0 +│/);
        expect(log).to.match(/Policy pack \(policy\/config\/prod\.json\): \d+ violation\(s\)\n\s+mandatory no-traffic-to-unready-color on eks-use1\.cart/);
    });
});
