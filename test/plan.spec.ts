import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const PLAN = new URL("../tools/plan.ts", import.meta.url).pathname;

async function plan(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
        const { stdout, stderr } = await run(process.execPath, [PLAN, ...args], { cwd: new URL("..", import.meta.url).pathname });
        return { stdout, stderr, code: 0 };
    } catch (error) {
        const failed = error as { stdout: string; stderr: string; code: number };
        return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
}

describe("npm run plan", () => {
    type Result = Awaited<ReturnType<typeof plan>>;
    let flip: Result;
    let dev: Result;
    let bad: Result;
    // Three separate processes, as an operator would run them; started together to save time.
    before(async () => {
        [flip, dev, bad] = await Promise.all([
            plan("--stack", "prod", "--set", "greenWeight=30"),
            plan("--stack", "dev"),
            plan("--stack", "dev", "--set", "greenWeight=12.5"),
        ]);
    });

    it("shows 70/30 for every service on every cluster and lists only HTTPRoutes as changing at greenWeight=30", () => {
        const { stdout, code } = flip;
        expect(code).to.equal(0);
        expect(stdout).to.match(/not a diff against live infrastructure/);
        for (const service of ["storefront", "cart", "checkout"]) {
            const row = stdout.split("\n").find((line) => line.includes(` ${service} `));
            expect(row, service).to.be.a("string");
            expect(row!.match(/70 \/ 30/g), `${service} on both clusters`).to.have.length(2);
        }
        expect(stdout).to.match(/DNS answers \(share\).*66\.7 % \(2\).*33\.3 % \(1\)/);
        const changed = stdout.split("\n").filter((line) => /\bchanged\b/.test(line));
        expect(changed).to.have.length(6);
        for (const line of changed) expect(line).to.include("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
        expect(stdout).to.match(/6 resource\(s\) change: 6 kubernetes:gateway\.networking\.k8s\.io\/v1:HTTPRoute\n/);
    });

    it("prints the split without a change list when nothing is set", () => {
        const { stdout, code } = dev;
        expect(code).to.equal(0);
        expect(stdout).to.match(/podinfo\s+│ 100 \/ 0/);
        expect(stdout).not.to.match(/Against Pulumi/);
    });

    it("fails with the config error, and a non-zero exit, on a bad value", () => {
        const { stderr, code } = bad;
        expect(code).to.equal(1);
        expect(stderr).to.include('switchyard:greenWeight: got "12.5"');
    });
});
