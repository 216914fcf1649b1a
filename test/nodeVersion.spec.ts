// On a Node.js older than 22.18 nothing of switchyard can load (.ts files fail with
// ERR_UNKNOWN_FILE_EXTENSION); set-up and the entry points must say what is needed instead. The
// machines this project is built on ship Node.js 20 at /usr/bin/node, which these specs run.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { nodeVersionProblem } from "../bin/nodeVersion.mjs";
import { PROJECT_ROOT, readProjectFile } from "../model/stackFiles.ts";

const OLD_NODE = "/usr/bin/node";

function underOldNode(...args: string[]) {
    const result = spawnSync(OLD_NODE, args, { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 20_000 });
    return { code: result.status, stderr: result.stderr, version: spawnSync(OLD_NODE, ["--version"], { encoding: "utf8" }).stdout.trim() };
}

describe("the Node.js version", () => {
    it("accepts 22.18.0 and later, refuses what is older, naming the version and how to get Node 24", () => {
        for (const version of ["22.18.0", "22.18.1", "22.19.0", "23.0.0", "24.11.1", "v30.0.0"]) expect(nodeVersionProblem(version), version).to.equal(undefined);
        for (const version of ["22.17.9", "22.9.99", "21.99.99", "20.20.2", "v18.0.0"]) {
            const problem = nodeVersionProblem(version);
            expect(problem, version).to.be.a("string");
            expect(problem).to.include(`needs Node.js >= 22.18.0`).and.include(`this is Node.js v${version.replace(/^v/, "")}`).and.include("node@24");
        }
    });

    it("is this machine's old Node.js, so the specs below run what an operator on it would see", () => {
        const { version } = underOldNode("--version");
        expect(nodeVersionProblem(version), `${OLD_NODE} is ${version}`).to.be.a("string");
    });

    it("makes Pulumi's entry, Pulumi.yaml main, say what it needs on an old Node.js instead of failing on a .ts file", () => {
        const { main } = readProjectFile();
        const { code, stderr, version } = underOldNode(main!);
        expect(code).to.equal(1);
        expect(stderr).to.include(`switchyard needs Node.js >= 22.18.0`).and.include(`this is Node.js ${version}`);
        expect(stderr).not.to.include("ERR_UNKNOWN_FILE_EXTENSION");
    });

    it("makes npm refuse to set the project up on an old Node.js, naming the engine it needs", () => {
        const { code, stderr } = underOldNode("/usr/bin/npm", "install", "--dry-run", "--no-audit", "--no-fund");
        expect(code).not.to.equal(0);
        expect(stderr).to.include("notsup").and.include('Required: {"node":">=22.18.0"}');
    });
});
