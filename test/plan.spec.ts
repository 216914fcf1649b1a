import { expect } from "chai";
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const run = promisify(execFile);
const PLAN = join(PROJECT_ROOT, "cli", "plan.ts");

type Result = { stdout: string; stderr: string; code: number };

async function plan(...args: string[]): Promise<Result> {
    try {
        const { stdout, stderr } = await run(process.execPath, [PLAN, ...args], { cwd: PROJECT_ROOT });
        return { stdout, stderr, code: 0 };
    } catch (error) {
        const failed = error as { stdout: string; stderr: string; code: number };
        return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
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

describe("npm run plan", function () {
    const results: Record<string, Result> = {};
    // Separate processes, as an operator would run them; started together to save time.
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
        const runs = {
            flip: plan("--stack", "prod", "--set", "greenWeight=25", "--set", "clusters[1].greenWeight=5"),
            replicasCut: plan("--stack", "prod", "--set", "services[1].replicas=1"),
            replicasUp: plan("--stack", "prod", "--set", "services[0].replicas=4", "--set-secret", "services[1].env.API_KEY=hunter2", "--no-policy"),
            dev: plan("--stack", "dev", "--no-policy"),
            tooFar: plan("--stack", "dev", "--set", "greenWeight=100", "--no-policy"),
            bad: plan("--stack", "dev", "--set", "greenWeight=12.5", "--no-policy"),
            secretStack: plan("--stack", SECRET_STACK, "--set", "greenWeight=10", "--no-policy"),
            help: plan("--help"),
            unknownFlag: plan("--stack", "dev", "--sett", "greenWeight=1"),
            badPath: plan("--stack", "dev", "--set", "clusters[x].greenWeight=1"),
        };
        for (const [name, result] of Object.entries(runs)) results[name] = await result;
    });
    after(() => rmSync(SECRET_STACK_FILE, { force: true }));

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

    it("shows per color the version and image it runs, digests shortened", () => {
        const { stdout } = results.flip!;
        expect(stdout).to.match(/cart\s+│ 2\.8\.1  ghcr\.io\/acme-shop\/cart@sha256:67092fb0418f…\s+│ 2\.9\.0  ghcr\.io\/acme-shop\/cart@sha256:2c26bdd78443…/);
        expect(stdout).to.match(/storefront\s+│ 1\.4\.0  .*storefront:1\.4\.0-9f2c6a1d3b7e@sha256:4c5b78e70f54…\s+│ 1\.5\.0  built from app\//);
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

    it("documents itself with --help, and answers an unknown flag or a bad path with the usage and exit 2", () => {
        expect(results.help!.code).to.equal(0);
        for (const flag of ["--stack", "--set", "--set-secret", "--no-policy", "--help", "example:", "exit codes"]) expect(results.help!.stdout).to.include(flag);
        for (const result of [results.unknownFlag!, results.badPath!]) {
            expect(result.code).to.equal(2);
            expect(result.stderr).to.include("usage: npm run plan");
            expect(result.stderr, "no stack trace").not.to.match(/\n\s+at /);
        }
        expect(results.unknownFlag!.stderr).to.include("--sett");
        expect(results.badPath!.stderr).to.include('invalid array index "x"');
    });
});
