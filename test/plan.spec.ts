import { expect } from "chai";
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../model/stackFiles.ts";
import { plan as planInProcess } from "../cli/plan.ts";
import { commitOfFiles } from "./gitCommit.ts";

const run = promisify(execFile);
const PLAN = join(PROJECT_ROOT, "cli", "plan.ts");

type Result = { stdout: string; stderr: string; code: number };

/** `npm run plan -- <args>` as its own process: what an operator and CI run. */
async function planProcess(...args: string[]): Promise<Result> {
    try {
        const { stdout, stderr } = await run(process.execPath, [PLAN, ...args], { cwd: PROJECT_ROOT });
        return { stdout, stderr, code: 0 };
    } catch (error) {
        const failed = error as { stdout: string; stderr: string; code: number };
        return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
}

/** The same plan in this process: its output and exit code, without the cost of a Node process. */
async function plan(...args: string[]): Promise<Result> {
    let stdout = "";
    let stderr = "";
    const code = await planInProcess(args, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`) });
    return { stdout, stderr, code };
}

/** The lines under one changed resource in the plan's change list. */
function changeLines(stdout: string, resource: string): string[] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((line) => line.startsWith(`  ~ ${resource}`));
    if (start === -1) return [];
    const end = lines.findIndex((line, i) => i > start && !line.startsWith("      "));
    return lines.slice(start + 1, end === -1 ? undefined : end).map((line) => line.trim());
}

// A stack whose services hold a secret, as `pulumi config set --secret --path 'services[0].env.DB_PASSWORD'` writes it.
const SECRET_STACK = `plan-secret-${process.pid}`;
const SECRET_STACK_FILE = join(PROJECT_ROOT, `Pulumi.${SECRET_STACK}.yaml`);
const CIPHERTEXT = "v1:Zm9vYmFyYmF6cXV4:c2VjcmV0IHZhbHVl";

// A stack edited by hand: its file on disk differs from the one committed at BASE.
const HAND_STACK = `plan-hand-${process.pid}`;
const HAND_STACK_FILE = join(PROJECT_ROOT, `Pulumi.${HAND_STACK}.yaml`);
// One whose hand edit jumps green from 0 to 100 %.
const JUMP_STACK = `plan-jump-${process.pid}`;
const JUMP_STACK_FILE = join(PROJECT_ROOT, `Pulumi.${JUMP_STACK}.yaml`);
const handStack = (greenWeight: number, replicas: number) =>
    [
        "config:",
        `  switchyard:greenWeight: ${greenWeight}`,
        "  switchyard:clusters:",
        "    - { name: local, context: kind-switchyard, namespace: shop, gateway: { name: eg, namespace: envoy-gateway-system }, hostnames: [localtest.me] }",
        "  switchyard:services:",
        "    - name: api",
        "      port: 8080",
        `      replicas: ${replicas}`,
        "      blue: { image: ghcr.io/acme/api:1.0.0 }",
        "      green: { image: ghcr.io/acme/api:1.1.0 }",
        "",
    ].join("\n");

/** A commit, on no branch, whose tree holds only `text` as the hand-edited stack's file: the --base the spec plans against. */
function commitOf(text: string, stack = HAND_STACK): string {
    return commitOfFiles({ [`Pulumi.${stack}.yaml`]: text }, "the plan spec's baseline");
}

const results: Record<string, Result> = {};

describe("npm run plan", function () {
    // Three plans as their own processes, as an operator and CI run them (the flip with the policy
    // pack, --help and a usage error: output, stderr and exit code as the shell sees them), started
    // at once; the rest one after another in this process, where a plan costs a tenth as much.
    before(async () => {
        writeFileSync(
            SECRET_STACK_FILE,
            [
                "config:",
                "  switchyard:clusters:",
                "    - { name: local, context: kind-switchyard, gateway: { name: eg, namespace: envoy-gateway-system }, hostnames: [localtest.me] }",
                "  switchyard:services:",
                "    - name: api",
                "      port: 8080",
                "      blue: { image: ghcr.io/acme/api:1.0.0 }",
                "      green: { image: ghcr.io/acme/api:1.1.0 }",
                "      env:",
                "        DB_PASSWORD:",
                `          secure: ${CIPHERTEXT}`,
                "",
            ].join("\n"),
        );
        writeFileSync(HAND_STACK_FILE, handStack(25, 3));
        const base = commitOf(handStack(0, 2));
        writeFileSync(JUMP_STACK_FILE, handStack(100, 2));
        const jumpBase = commitOf(handStack(0, 2), JUMP_STACK);
        const hand = (...args: string[]) => plan("--stack", HAND_STACK, "--base", base, "--no-policy", ...args);
        const processes = {
            flip: planProcess("--stack", "prod", "--set", "greenWeight=25", "--set", "clusters[1].greenWeight=5"),
            help: planProcess("--help"),
            unknownFlag: planProcess("--stack", "dev", "--sett", "greenWeight=1"),
        };
        const runs: Record<string, () => Promise<Result>> = {
            handEdited: hand,
            handEnv: () => hand("--set", "services[0].env.LOG_LEVEL=debug", "--set", "services[0].env.API_TOKEN=plain-value"),
            namespace: () => hand("--set", "clusters[0].namespace=sohp"),
            handJump: () => plan("--stack", JUMP_STACK, "--base", jumpBase, "--no-policy"),
            noSuchBase: () => plan("--stack", HAND_STACK, "--base", "no-such-revision-here", "--no-policy"),
            stackTypo: () => plan("--stack", "prd"),
            replicasCut: () => plan("--stack", "prod", "--set", "services[1].replicas=1"),
            replicasUp: () => plan("--stack", "prod", "--set", "services[0].replicas=4", "--set-secret", "services[1].env.API_KEY=hunter2", "--no-policy"),
            dev: () => plan("--stack", "dev", "--no-policy"),
            tooFar: () => plan("--stack", "dev", "--set", "greenWeight=100", "--no-policy"),
            bad: () => plan("--stack", "dev", "--set", "greenWeight=12.5", "--no-policy"),
            secretStack: () => plan("--stack", SECRET_STACK, "--set", "greenWeight=10", "--no-policy"),
            badPath: () => plan("--stack", "dev", "--set", "clusters[x].greenWeight=1"),
        };
        for (const [name, run] of Object.entries(runs)) results[name] = await run();
        for (const [name, result] of Object.entries(processes)) results[name] = await result;
    });
    after(() => {
        rmSync(SECRET_STACK_FILE, { force: true });
        rmSync(HAND_STACK_FILE, { force: true });
        rmSync(JUMP_STACK_FILE, { force: true });
    });

    it("shows each service's split on every cluster, set with paths, and echoes the changes in short form", () => {
        const { stdout, code } = results.flip!;
        expect(code, results.flip!.stderr).to.equal(0);
        expect(stdout.split("\n")[0]).to.equal("switchyard plan: stack prod; set greenWeight=25, clusters[1].greenWeight=5");
        expect(stdout).to.match(/not a diff against live infrastructure/);
        for (const service of ["storefront", "cart", "checkout"]) {
            const row = stdout.split("\n").find((line) => line.includes(` ${service} `) && line.includes(" / "));
            expect(row, service).to.match(/75 \/ 25\s+│ 95 \/ 5/);
        }
        expect(stdout).to.match(/DNS answers \(share\).*66\.7 % \(2\).*33\.3 % \(1\)/);
    });

    it("lists every changed value as old → new, and only HTTPRoutes for a weight change", () => {
        const { stdout } = results.flip!;
        expect(stdout).to.include("6 resource(s) change: 6 kubernetes:gateway.networking.k8s.io/v1:HTTPRoute\n");
        expect(changeLines(stdout, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute gke-euw1.cart")).to.deep.equal([
            "spec.rules[1].backendRefs[0].weight: 100 → 95",
            "spec.rules[1].backendRefs[1].weight: 0 → 5",
        ]);
        expect(changeLines(stdout, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute eks-use1.storefront")).to.deep.equal([
            "spec.rules[1].backendRefs[0].weight: 100 → 75",
            "spec.rules[1].backendRefs[1].weight: 0 → 25",
        ]);
    });

    it("shows per color the version and image it runs, digests shortened, in a table that fits 100 columns", () => {
        const { stdout } = results.flip!;
        expect(stdout).to.match(/│ cart\s+│ blue \(stable\)\s+│ 2\.8\.1\s+│ ghcr\.io\/acme-shop\/cart@sha256:67092fb0418f…\s+│/);
        expect(stdout).to.match(/│ cart\s+│ green \(candidate\)\s+│ 2\.9\.0\s+│ ghcr\.io\/acme-shop\/cart@sha256:2c26bdd78443…\s+│/);
        expect(stdout).to.match(/│ storefront\s+│ green \(candidate\)\s+│ 1\.5\.0\s+│ built from app\/\s+│/);
        // storefront's blue runs a long ECR reference: wrapped inside its cell, every character kept.
        const lines = stdout.split("\n");
        const images = lines.slice(lines.findIndex((l) => l.includes("Images:")) + 1);
        const table = images.slice(0, images.findIndex((l) => l.startsWith("└")) + 1);
        expect(table.length).to.be.greaterThan(8);
        for (const line of table) expect([...line].length, line).to.be.at.most(100);
        const imageCells = table.map((l) => l.split("│")[4]?.trim() ?? "").join("");
        expect(imageCells).to.include("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/storefront:1.4.0-9f2c6a1d3b7e@sha256:4c5b78e70f54…");
    });

    it("shows who a cohort sends to a color whatever the weights, under the split", () => {
        expect(results.flip!.stdout).to.include("cohort beta → green, whatever the weights: requests with header x-switchyard-cohort: beta, on every service and cluster\n");
        expect(results.dev!.stdout).not.to.include("cohort ");
    });

    it("says on stderr what it is doing while it evaluates and while the policy pack runs", () => {
        const steps = results.flip!.stderr.split("\n").filter((l) => l.startsWith("switchyard plan: "));
        expect(steps).to.deep.equal([
            "switchyard plan: evaluating Pulumi.prod.yaml at HEAD as deployed, under Pulumi's mocks…",
            "switchyard plan: previewing the change against it…",
            "switchyard plan: running the policy pack with policy/config/prod.json…",
        ]);
        expect(results.dev!.stderr, "nothing to preview, no pack").to.equal("switchyard plan: evaluating Pulumi.dev.yaml at HEAD as deployed, under Pulumi's mocks…\n");
    });

    it("gives the policy pack's verdict under policy/config/prod.json, as CI will", () => {
        expect(results.flip!.stdout).to.include("Policy pack (policy/config/prod.json): no violations.");
        const { stdout, code } = results.replicasCut!;
        expect(code, "a mandatory violation fails the plan").to.equal(3);
        expect(stdout).to.match(/mandatory no-traffic-to-unready-color on eks-use1\.cart:\n\s+HTTPRoute shop\/cart on cluster eks-use1 sends weight 100 to Deployment shop\/cart-blue .* runs 1 replica/);
        expect(stdout).to.match(/warning: cart: replicas 3 → 1 takes pods from colors that carry traffic: blue on eks-use1 \(100 %\)/);
    });

    it("sets nested values with their types and secrets without printing them", () => {
        const { stdout, code } = results.replicasUp!;
        expect(code, results.replicasUp!.stderr).to.equal(0);
        expect(stdout.split("\n")[0]).to.equal("switchyard plan: stack prod; set services[0].replicas=4, services[1].env.API_KEY=[secret]");
        expect(changeLines(stdout, "kubernetes:apps/v1:Deployment eks-use1.storefront.green")).to.deep.equal(["spec.replicas: 3 → 4"]);
        const cart = changeLines(stdout, "kubernetes:apps/v1:Deployment gke-euw1.cart.blue");
        expect(cart.some((line) => line.includes("[secret]")), cart.join("\n")).to.equal(true);
        expect(stdout + results.replicasUp!.stderr).not.to.include("hunter2");
    });

    it("prints the split without a change list when nothing is set", () => {
        const { stdout, code } = results.dev!;
        expect(code).to.equal(0);
        expect(stdout).to.match(/podinfo\s+│ 100 \/ 0/);
        expect(stdout).not.to.match(/Against Pulumi/);
    });

    it("refuses what pulumi preview would: a rise above rollout.maxStep, and bad config", () => {
        expect(results.tooFar!.code).to.equal(1);
        expect(results.tooFar!.stderr).to.include("green would go from 0 % to 100 % (+100) in one update, more than switchyard:rollout.maxStep (25)");
        expect(results.bad!.code).to.equal(1);
        expect(results.bad!.stderr).to.include('switchyard:greenWeight: got "12.5"; allowed: an integer from 0 to 100');
    });

    it("works for a stack whose services hold a secret", () => {
        const { stdout, stderr, code } = results.secretStack!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.match(/api\s+│ 90 \/ 10/);
        expect(stdout + stderr).not.to.include(CIPHERTEXT);
    });

    it("documents itself with --help, and answers an unknown flag or a bad path with the usage and exit 64", () => {
        expect(results.help!.code).to.equal(0);
        for (const flag of ["--stack", "--base", "--set", "--set-secret", "--no-policy", "--help", "examples:", "exit codes:"]) expect(results.help!.stdout).to.include(flag);
        for (const code of ["0   planned", "1   the config", "3   a mandatory", "64  usage error"]) expect(results.help!.stdout).to.include(`\n  ${code}`);
        for (const result of [results.unknownFlag!, results.badPath!]) {
            expect(result.code).to.equal(64);
            expect(result.stderr).to.include("usage: npm run plan");
            expect(result.stderr, "no stack trace").not.to.match(/\n\s+at /);
        }
        expect(results.unknownFlag!.stderr).to.include("--sett");
        expect(results.badPath!.stderr).to.include('invalid array index "x"');
    });

    it("asks about a stack without a stack file, and a --base git does not have, as usage errors", () => {
        expect(results.stackTypo!.code).to.equal(64);
        expect(results.stackTypo!.stderr).to.match(/^no stack file \S+\/Pulumi\.prd\.yaml: is the stack called prod\? \(stack files here: .*\bdev\b.*\bprod\b.*\)\n/);
        expect(results.stackTypo!.stderr, "no raw ENOENT").not.to.include("ENOENT");
        expect(results.noSuchBase!.code).to.equal(64);
        expect(results.noSuchBase!.stderr).to.match(new RegExp(`^--base no-such-revision-here: git has no Pulumi\\.${HAND_STACK}\\.yaml there`));
    });
});

describe("npm run plan: the baseline is the stack file as committed", function () {
    it("plans a hand edit of the stack file like --set: listed, diffed against the commit and judged", () => {
        const { stdout, stderr, code } = results.handEdited!;
        expect(code, stderr).to.equal(0);
        expect(stdout).to.include(`Hand edits in Pulumi.${HAND_STACK}.yaml against `);
        expect(stdout).to.match(/planned like --set: greenWeight, services\[0\]\.replicas\n/);
        expect(stdout).to.match(/api\s+│ 75 \/ 25/);
        expect(changeLines(stdout, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute local.api")).to.deep.equal([
            "spec.rules[0].backendRefs[0].weight: 100 → 75",
            "spec.rules[0].backendRefs[1].weight: 0 → 25",
        ]);
        expect(changeLines(stdout, "kubernetes:apps/v1:Deployment local.api.blue")).to.deep.equal(["spec.replicas: 2 → 3"]);
    });

    it("holds a hand edit to rollout.maxStep and the gate, as pulumi preview would, though nothing was given with --set", () => {
        const { stderr, code } = results.handJump!;
        expect(code).to.equal(1);
        expect(stderr).to.include("green would go from 0 % to 100 % (+100) in one update, more than switchyard:rollout.maxStep (25)");
    });

    it("takes a stack file git does not have at HEAD as its own baseline, and says so", () => {
        const { stdout, code } = results.secretStack!;
        expect(code).to.equal(0);
        expect(stdout).to.match(new RegExp(`\nPulumi\\.${SECRET_STACK}\\.yaml is not committed \\(.*\\): the plan's baseline is the file as it is on disk\\.\n`));
        expect(stdout).to.include(`Against Pulumi.${SECRET_STACK}.yaml as on disk:`);
    });

    it("diffs env by variable name, and hints at --set-secret for a plaintext value named like a secret", () => {
        const { stdout, stderr, code } = results.handEnv!;
        expect(code, stderr).to.equal(0);
        expect(changeLines(stdout, "kubernetes:apps/v1:Deployment local.api.green")).to.deep.equal([
            "spec.replicas: 2 → 3",
            'spec.template.spec.containers[0].env.API_TOKEN: (none) → "plain-value"',
            'spec.template.spec.containers[0].env.LOG_LEVEL: (none) → "debug"',
        ]);
        const hints = stdout.split("\n").filter((l) => l.startsWith("warning: services[0].env."));
        expect(hints).to.deep.equal([
            "warning: services[0].env.API_TOKEN is plaintext in the stack file, and its name looks like a secret's. Store it encrypted: " +
                "pulumi config set --secret --path 'services[0].env.API_TOKEN' <value> (in the plan: --set-secret 'services[0].env.API_TOKEN=<value>').",
        ]);
        expect(results.secretStack!.stdout, "a secure value needs no hint").not.to.include("DB_PASSWORD is plaintext");
    });

    it("shows a namespace change as the replacement it is, says what traffic does meanwhile, and asks about a near miss", () => {
        const { stdout, stderr, code } = results.namespace!;
        expect(code, stderr).to.equal(0);
        for (const resource of ["kubernetes:apps/v1:Deployment local.api.blue", "kubernetes:core/v1:Service local.api.green", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute local.api"]) {
            expect(stdout).to.include(`  +- ${resource} (replaced: metadata.namespace "shop" → "sohp")\n`);
        }
        expect(stdout).not.to.match(/^ {2}~ /m);
        const warning = stdout.split("\n").find((l) => l.startsWith("warning: local: clusters[0].namespace"));
        expect(warning).to.match(/^warning: local: clusters\[0\]\.namespace "shop" → "sohp" replaces every switchyard object on the cluster/);
        expect(warning).to.include('Did you mean "shop"?');
        expect(warning).to.include("the Gateway keeps serving the older route");
        expect(warning).to.include('allowedRoutes.namespaces');
    });
});
