// npm run plan for a split fleet: a cluster stack's plan that reads its traffic stack's images
// output, and --fleet, which plans every stack of the fleet in the order they apply and says which
// change and why. The fleet planned with edits is a copy of prod's under its own name (fleets/<fleet>.yaml
// and its three stack files), planned against commits on no branch that hold its baselines.

import { expect } from "chai";
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../model/stackFiles.ts";
import { plan as planInProcess } from "../cli/plan.ts";
import { changedUnder } from "../cli/git.ts";
import { keepsBaseVerdict, VERDICT_INPUTS } from "../cli/planFleet.ts";
import { commitOfFiles, withPathsAsInWorkTree } from "./gitCommit.ts";

type Result = { stdout: string; stderr: string; code: number };

async function plan(...args: string[]): Promise<Result> {
    let stdout = "";
    let stderr = "";
    const code = await planInProcess(args, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`) });
    return { stdout, stderr, code };
}

/** `npm run plan -- <args>` as its own process: the exit code as CI sees it. */
async function planProcess(...args: string[]): Promise<Result> {
    try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, "cli", "plan.ts"), ...args], { cwd: PROJECT_ROOT });
        return { stdout, stderr, code: 0 };
    } catch (error) {
        const failed = error as { stdout: string; stderr: string; code: number };
        return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
}

const FLEET = `pf${process.pid}`;
const FLEET_FILE = `fleets/${FLEET}.yaml`;
const BAD_FLEET = `pfbad${process.pid}`;
const CLUSTERS = ["eks-use1", "gke-euw1"] as const;
const STACKS = [`${FLEET}-traffic`, ...CLUSTERS.map((c) => `${FLEET}-${c}`)];
const EKS = `${FLEET}-eks-use1`;
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

const prodFleet = readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8");
/** prod's fleet file with storefront's green built as 1.6.0 instead of 1.5.0. */
const nextBuild = prodFleet.replaceAll("1.5.0", "1.6.0");
/** prod's stack files under this fleet's name, eks-use1 at `eksWeight`. */
function stackFiles(eksWeight: number): Record<string, string> {
    const files: Record<string, string> = {};
    for (const stack of ["traffic", ...CLUSTERS]) {
        let text = readFileSync(join(PROJECT_ROOT, `Pulumi.prod-${stack}.yaml`), "utf8").replaceAll("fleets/prod.yaml", FLEET_FILE);
        if (stack === "eks-use1") text = text.replace("switchyard:greenWeight: 0", `switchyard:greenWeight: ${eksWeight}`);
        files[`Pulumi.${FLEET}-${stack}.yaml`] = text;
    }
    return files;
}

/** A commit on no branch whose tree holds the fleet file, the stack files, and the pack and the program as the work tree has them: a --base. */
function commitOf(fleetText: string, stacks: Record<string, string>): string {
    return commitOfFiles(withPathsAsInWorkTree({ [`fleets/${FLEET}.yaml`]: fleetText, ...stacks }, VERDICT_INPUTS), "the fleet plan spec's baseline");
}

/** The lines under one changed resource in a stack's change list (indented by the fleet plan or not). */
function changeLines(stdout: string, resource: string): string[] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((line) => line.trim() === `~ ${resource}`);
    if (start === -1) return [];
    const indent = lines[start]!.indexOf("~");
    const end = lines.findIndex((line, i) => i > start && !line.startsWith(" ".repeat(indent + 4)));
    return lines.slice(start + 1, end === -1 ? undefined : end).map((line) => line.trim());
}

/** The capacity table's rows, each a list of its cells: service, cluster, color, load rps, … */
function capacityRows(stdout: string): string[][] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((l) => l.startsWith("Capacity (M/M/c"));
    if (start === -1) return [];
    const end = lines.findIndex((l, i) => i > start && l.startsWith("└"));
    return lines
        .slice(start + 4, end)
        .map((l) => l.split("│").slice(1, -1).map((cell) => cell.trim()));
}

/** A stack's block in a fleet plan: its title line and what follows, up to the next blank line. */
function stackBlock(stdout: string, stack: string): string[] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((line) => line.startsWith(`${stack} (`));
    if (start === -1) return [];
    const end = lines.findIndex((line, i) => i > start && line === "");
    return lines.slice(start, end);
}

const results: Record<string, Result> = {};

describe("npm run plan: a split fleet", function () {
    /** The base the policy-judged flip is planned against. */
    let flipOnlyBase = "";
    before(async function () {
        // Eight plans in this process and one with three policy packs as its own: about 25 s on two idle cores.
        this.timeout(120_000);
        // On disk: storefront's green at 1.6.0 in the fleet file, and eks-use1 flipped to 25 % by hand.
        writeFileSync(join(PROJECT_ROOT, FLEET_FILE), nextBuild);
        for (const [file, text] of Object.entries(stackFiles(25))) writeFileSync(join(PROJECT_ROOT, file), text);
        writeFileSync(join(PROJECT_ROOT, `fleets/${BAD_FLEET}.yaml`), "clusters:\n  - name: a\n   context: [unclosed\n");
        // Against flipOnly only eks-use1's greenWeight changed; against buildOnly only the fleet file.
        const flipOnly = commitOf(nextBuild, stackFiles(0));
        flipOnlyBase = flipOnly;
        const buildOnly = commitOf(prodFleet, stackFiles(25));
        const runs: Record<string, () => Promise<Result>> = {
            cluster: () => plan("--stack", "prod-eks-use1", "--no-policy"),
            clusterBuild: () => plan("--stack", EKS, "--base", buildOnly, "--no-policy"),
            fleetBuild: () => plan("--fleet", FLEET, "--base", buildOnly, "--no-policy"),
            prodReplicas: () => plan("--fleet", "prod", "--set", "services[1].replicas=4", "--no-policy"),
            unknownFleet: () => plan("--fleet", "prd"),
            badFleet: () => plan("--fleet", BAD_FLEET),
            stackKey: () => plan("--fleet", "prod", "--set", "greenWeight=25"),
            both: () => plan("--fleet", "prod", "--stack", "prod-eks-use1"),
            traffic: () => plan("--stack", "prod-traffic", "--no-policy"),
            clusterFlip: () => plan("--stack", "prod-eks-use1", "--set", "greenWeight=25", "--no-policy"),
            prodReplicasCut: () => plan("--fleet", "prod", "--set", "services[0].replicas=2", "--no-policy"),
        };
        for (const [name, run] of Object.entries(runs)) results[name] = await run();
        // The one process: the flip with the policy pack, exit code and all as CI sees them.
        results.fleetFlip = await planProcess("--fleet", FLEET, "--base", flipOnly);
    });
    after(() => {
        for (const stack of STACKS) rmSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), { force: true });
        rmSync(join(PROJECT_ROOT, FLEET_FILE), { force: true });
        rmSync(join(PROJECT_ROOT, `fleets/${BAD_FLEET}.yaml`), { force: true });
    });

    it("plans a cluster stack whose color builds, its StackReference answered with the traffic stack's outputs", () => {
        const { stdout, stderr, code } = results.cluster!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.include("Reads the images of storefront.green from stack prod-traffic's images output");
        expect(stdout).to.match(/storefront\s+│ 100 \/ 0\s+│/);
        expect(stderr).to.include("evaluating Pulumi.prod-traffic.yaml at HEAD");
    });

    it("runs in a cluster stack the image the traffic stack builds as planned, against the one it built as committed", () => {
        const { stdout, stderr, code } = results.clusterBuild!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.match(new RegExp(`Hand edits in ${FLEET_FILE} against \\S+, planned like --set: `));
        const image = changeLines(stdout, "kubernetes:apps/v1:Deployment eks-use1.storefront.green").find((l) => l.startsWith("spec.template.spec.containers[0].image:"));
        const ecr = "123456789012\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/shop/storefront";
        expect(image).to.match(new RegExp(`: "${ecr}:1\\.5\\.0-[0-9a-f]{12}@sha256:[0-9a-f]{64}" → "${ecr}:1\\.6\\.0-[0-9a-f]{12}@sha256:[0-9a-f]{64}"$`));
    });

    it("plans a hand-edited greenWeight in one cluster stack as that stack's HTTPRoutes only, with the policy verdict per stack", () => {
        const { stdout, stderr, code } = results.fleetFlip!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.include(`Hand edits in Pulumi.${EKS}.yaml against`);
        const eks = stackBlock(stdout, EKS);
        // prod's fleet has three services: one route each on the cluster.
        expect(eks[0]).to.equal(`${EKS} (cluster eks-use1, wave canary): 3 resource(s) change: 3 ${ROUTE}`);
        expect(eks).to.include(`  why: Pulumi.${EKS}.yaml (its own keys): greenWeight`);
        expect(eks.join("\n")).not.to.include(FLEET_FILE);
        for (const stack of [`${FLEET}-traffic`, `${FLEET}-gke-euw1`]) expect(stackBlock(stdout, stack)[0], stack).to.match(/: no change$/);
        expect(eks).to.include(`  Policy pack (policy/config/${EKS}.json): no violations.`);
        // The base has the pack and the program as they are: a stack none of whose inputs change keeps the base's verdict, and its pack is not started.
        for (const stack of [`${FLEET}-traffic`, `${FLEET}-gke-euw1`]) {
            expect(stackBlock(stdout, stack), stack).to.include(`  policy pack: not run: none of this stack's inputs change, and the pack and the program are as ${flipOnlyBase} has them, so its verdict is the base's`);
        }
        expect(stdout).to.include(`\n1 of 3 stacks change: ${EKS}.\n`);
        expect(stdout).to.match(/storefront\s+│ 75 \/ 25 \(was 100 \/ 0\)\s+│ 100 \/ 0\s+│/);
    });

    it("says which stacks a fleet file edit changes and why, the traffic stack first for a build", () => {
        const { stdout, stderr, code } = results.fleetBuild!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.match(new RegExp(`Hand edits in ${FLEET_FILE} against \\S+, planned like --set: services\\[0\\]\\.green\\.build\\.args\\.APP_VERSION, services\\[0\\]\\.green\\.version\n`));
        const titles = stdout.split("\n").filter((l) => STACKS.some((s) => l.startsWith(`${s} (`)));
        expect(titles.map((t) => t.split(" ")[0])).to.deep.equal(STACKS);
        expect(titles[0]).to.match(/: \d resource\(s\) change: .*docker:index\/image:Image/);
        for (const stack of STACKS) {
            const block = stackBlock(stdout, stack);
            expect(block.some((l) => l.startsWith(`  why: ${FLEET_FILE} (the fleet's keys): `)), stack).to.equal(true);
        }
        for (const cluster of CLUSTERS) {
            expect(stackBlock(stdout, `${FLEET}-${cluster}`)[0]).to.equal(`${FLEET}-${cluster} (cluster ${cluster}, wave ${cluster === "eks-use1" ? "canary" : "rest, approval"}): 1 resource(s) change: 1 kubernetes:apps/v1:Deployment`);
        }
        expect(stdout).to.include(`\n3 of 3 stacks change: ${STACKS.join(", ")}.\n`);
    });

    it("applies a fleet plan's --set to the fleet file: only the stacks it touches change", () => {
        const { stdout, stderr, code } = results.prodReplicas!;
        expect(code, stderr).to.equal(0);
        expect(stdout.split("\n")[0]).to.equal("switchyard plan: fleet prod (fleets/prod.yaml), 3 stacks; set in fleets/prod.yaml: services[1].replicas=4");
        expect(stackBlock(stdout, "prod-traffic")[0]).to.equal("prod-traffic (traffic): no change");
        for (const cluster of CLUSTERS) {
            // cart has two colors, each a Deployment of 3 replicas in prod's fleet file.
            const block = stackBlock(stdout, `prod-${cluster}`);
            expect(block[0]).to.match(/: 2 resource\(s\) change: 2 kubernetes:apps\/v1:Deployment$/);
            expect(changeLines(stdout.split("\n").slice(stdout.split("\n").indexOf(block[0]!)).join("\n"), `kubernetes:apps/v1:Deployment ${cluster}.cart.blue`)).to.deep.equal(["spec.replicas: 3 → 4"]);
        }
        expect(readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8"), "the fleet file on disk is left as it is").to.equal(prodFleet);
    });

    it("shows no capacity figures for a traffic stack, which runs no pods and has no weight, and names the cluster stacks that have them", () => {
        const { stdout, stderr, code } = results.traffic!;
        expect(code, stderr).to.equal(0);
        expect(stdout).not.to.match(/^Capacity \(M\/M\/c/m);
        const note = stdout.split("\n").find((l) => l.startsWith("Capacity: "));
        expect(note).to.match(/^Capacity: not in this stack, which runs no pods and has no greenWeight of its own\. The pods of storefront \(with a capacity block\) run in the cluster stacks/);
        expect(note).to.include("npm run plan -- --stack prod-eks-use1, npm run plan -- --stack prod-gke-euw1.");
    });

    it("judges a cluster stack's capacity on its own cluster only, at its own greenWeight", () => {
        const { stdout, stderr, code } = results.clusterFlip!;
        expect(code, stderr).to.equal(0);
        const peak = (parse(prodFleet) as { services: { name: string; capacity?: { peakRps: number } }[] }).services.find((s) => s.name === "storefront")!.capacity!.peakRps;
        const rows = capacityRows(stdout).map((cells) => cells.slice(0, 4));
        expect(rows).to.deep.equal([
            ["storefront", "eks-use1", "blue (stable)", String(peak * 0.75)],
            ["storefront", "eks-use1", "green (candidate)", String(peak * 0.25)],
        ]);
    });

    it("warns of a change on what each stack deploys: a cluster stack of its own cluster, the traffic stack of nothing", () => {
        const { stdout, stderr, code } = results.prodReplicasCut!;
        expect(code, stderr).to.equal(0);
        expect(stackBlock(stdout, "prod-traffic").filter((l) => l.startsWith("  warning: ")), "no pods in the traffic stack").to.deep.equal([]);
        for (const [cluster, other] of [["eks-use1", "gke-euw1"], ["gke-euw1", "eks-use1"]] as const) {
            const warnings = stackBlock(stdout, `prod-${cluster}`).filter((l) => l.startsWith("  warning: "));
            expect(warnings, cluster).to.have.length(1);
            expect(warnings[0], cluster).to.match(/^ {2}warning: storefront: replicas 3 → 2 takes pods from colors that carry traffic: /);
            expect(warnings[0], cluster).to.include(`blue on ${cluster} (100 %)`).and.not.include(other);
        }
    });

    it("answers an unknown fleet, a stack key set on a fleet, and --stack with --fleet as usage errors before evaluating anything", () => {
        for (const name of ["unknownFleet", "stackKey", "both"]) {
            const { code, stderr } = results[name]!;
            expect(code, name).to.equal(64);
            expect(stderr, name).to.include("usage: npm run plan");
            expect(stderr, name).not.to.include("evaluating");
        }
        expect(results.unknownFleet!.stderr).to.match(/^--fleet prd: no fleets\/prd\.yaml in \S+: is the fleet called prod\? \(fleets here: .*\bprod\b.*\)\n/);
        expect(results.stackKey!.stderr).to.match(/^--set greenWeight: a fleet plan's --set edits fleets\/prod\.yaml, which has no key "greenWeight"/);
        expect(results.both!.stderr).to.match(/^--stack and --fleet: give one/);
    });

    it("names a fleet file that does not parse, as a config error, before evaluating anything", () => {
        const { code, stderr } = results.badFleet!;
        expect(code).to.equal(1);
        expect(stderr).to.include(`switchyard:fleet: got "fleets/${BAD_FLEET}.yaml"; allowed: a YAML file that parses`);
        expect(stderr).not.to.include("evaluating");
        expect(stderr, "no stack trace").not.to.match(/\n\s+at /);
    });
});

describe("npm run plan: a fleet split by groups", function () {
    const fleet = `pg${process.pid}`;
    const file = `fleets/${fleet}.yaml`;
    const groups = ["web", "backend"] as const;
    const traffic = groups.map((g) => `${fleet}-traffic-${g}`);
    const clusterStacks = CLUSTERS.flatMap((c) => groups.map((g) => `${fleet}-${c}-${g}`));
    /** prod's fleet under this name with storefront in group web and cart and checkout in backend. */
    const grouped = (text: string) => `${text}groups:\n  - name: web\n    services: [storefront]\n  - name: backend\n    services: [cart, checkout]\n`;
    /** prod's stack files split per group: a traffic shard and a stack per cluster for each. */
    const groupFiles = (): Record<string, string> => {
        const files: Record<string, string> = {};
        for (const part of ["traffic", ...CLUSTERS]) {
            const text = readFileSync(join(PROJECT_ROOT, `Pulumi.prod-${part}.yaml`), "utf8").replaceAll("fleets/prod.yaml", file);
            for (const g of groups) files[`Pulumi.${fleet}-${part}-${g}.yaml`] = text.replace(`switchyard:scope: ${part}`, `switchyard:scope: ${part}/${g}`);
        }
        return files;
    };
    let result: Result;

    before(async function () {
        this.timeout(120_000);
        // On disk: storefront's green (group web) built as 1.6.0; the baseline builds 1.5.0.
        writeFileSync(join(PROJECT_ROOT, file), grouped(nextBuild));
        for (const [name, text] of Object.entries(groupFiles())) writeFileSync(join(PROJECT_ROOT, name), text);
        const base = commitOfFiles({ [file]: grouped(prodFleet), ...groupFiles() }, "the grouped fleet plan spec's baseline");
        result = await plan("--fleet", fleet, "--base", base, "--no-policy");
    });
    after(() => {
        for (const name of Object.keys(groupFiles())) rmSync(join(PROJECT_ROOT, name), { force: true });
        rmSync(join(PROJECT_ROOT, file), { force: true });
    });

    it("plans every traffic shard and every group stack, the shards first for a build, the cluster stacks wave by wave", () => {
        const { stdout, stderr, code } = result;
        expect(code, stderr).to.equal(0);
        expect(stdout.split("\n")[0]).to.equal(`switchyard plan: fleet ${fleet} (${file}), 6 stacks`);
        const titles = stdout.split("\n").filter((l) => [...traffic, ...clusterStacks].some((s) => l.startsWith(`${s} (`)));
        expect(titles.map((t) => t.split(" ")[0])).to.deep.equal([...traffic, ...clusterStacks]);
        expect(stdout).to.include(`Stacks, in the order they apply — ${traffic.join(", ")} first, then the cluster stacks wave by wave (canary → rest): `);
    });

    it("changes the web group's shard and stacks only when web's build changes", () => {
        const { stdout } = result;
        expect(stackBlock(stdout, `${fleet}-traffic-web`)[0]).to.match(/^\S+ \(traffic\): \d resource\(s\) change: .*docker:index\/image:Image/);
        expect(stackBlock(stdout, `${fleet}-traffic-backend`)[0]).to.equal(`${fleet}-traffic-backend (traffic): no change`);
        for (const cluster of CLUSTERS) {
            const wave = cluster === "eks-use1" ? "canary" : "rest, approval";
            expect(stackBlock(stdout, `${fleet}-${cluster}-web`)[0]).to.equal(`${fleet}-${cluster}-web (cluster ${cluster}/web, wave ${wave}): 1 resource(s) change: 1 kubernetes:apps/v1:Deployment`);
            expect(stackBlock(stdout, `${fleet}-${cluster}-backend`)[0]).to.equal(`${fleet}-${cluster}-backend (cluster ${cluster}/backend, wave ${wave}): no change`);
        }
        expect(stdout).to.include(`\n3 of 6 stacks change: ${fleet}-traffic-web, ${fleet}-eks-use1-web, ${fleet}-gke-euw1-web.\n`);
    });
});

describe("npm run plan --fleet: where the policy pack runs", () => {
    it("keeps the base's verdict only for a committed stack none of whose inputs change while the pack and the program are as the base has them", () => {
        expect(keepsBaseVerdict(false, true, [])).to.equal(true);
        expect(keepsBaseVerdict(true, true, []), "a changing stack").to.equal(false);
        expect(keepsBaseVerdict(false, false, []), "a stack or fleet file new on disk").to.equal(false);
        expect(keepsBaseVerdict(false, true, ["policy/config/prod.json"]), "a changed pack or config").to.equal(false);
        expect(keepsBaseVerdict(false, true, ["components/weightedRoute.ts"]), "a changed program").to.equal(false);
        expect(keepsBaseVerdict(false, true, undefined), "git could not say").to.equal(false);
    });

    it("asks git what differs under a folder against a revision, untracked files too, and says nothing it cannot know", () => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-changed-"));
        try {
            const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "s", GIT_AUTHOR_EMAIL: "s@example.com", GIT_COMMITTER_NAME: "s", GIT_COMMITTER_EMAIL: "s@example.com" } });
            git("init", "--quiet");
            mkdirSync(join(dir, "policy"));
            writeFileSync(join(dir, "policy", "index.ts"), "one\n");
            writeFileSync(join(dir, "other.txt"), "one\n");
            git("add", ".");
            git("commit", "--quiet", "-m", "base");
            expect(changedUnder(dir, "policy")).to.deep.equal([]);
            writeFileSync(join(dir, "other.txt"), "two\n");
            expect(changedUnder(dir, "policy"), "a change outside the folder").to.deep.equal([]);
            writeFileSync(join(dir, "policy", "index.ts"), "two\n");
            writeFileSync(join(dir, "policy", "new.ts"), "new\n");
            expect(changedUnder(dir, "policy")).to.deep.equal(["policy/index.ts", "policy/new.ts"]);
            expect(changedUnder(dir, "policy", "no-such-revision")).to.equal(undefined);
            // Several paths, files among them: a changed Pulumi.yaml counts, a stack file does not.
            writeFileSync(join(dir, "Pulumi.yaml"), "name: x\n");
            writeFileSync(join(dir, "Pulumi.prod.yaml"), "config: {}\n");
            expect(changedUnder(dir, ["Pulumi.yaml", "policy", "components"])).to.deep.equal(["policy/index.ts", "Pulumi.yaml", "policy/new.ts"]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
