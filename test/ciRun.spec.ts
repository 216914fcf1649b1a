import { expect } from "chai";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const read = (path: string) => readFileSync(resolve(import.meta.dirname, "..", path), "utf8");

describe("CI entry point", () => {
    it("runs exactly the test command the README shows", () => {
        const script = read(".ci/run").split("\n");
        const marker = script.indexOf("# The README's test command:");
        expect(marker, ".ci/run marks the README's command").to.be.above(-1);
        const command = script[marker + 1]!;
        expect(command).to.equal("npm ci && npm ci --prefix policy && npm ci --prefix app && npm test");
        expect(read("README.md").split("\n")).to.include(`    ${command}`);
    });

    it("installs Debian's Prometheus for the drill only when it is missing", () => {
        const script = read(".ci/run");
        expect(script).to.match(/if \[ ! -x \/usr\/bin\/prometheus \]; then\n(.*\n)*?.*apt-get update\n.*apt-get install -y --no-install-recommends prometheus\nfi/);
    });
});
