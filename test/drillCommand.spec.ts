// npm run drill's command line, apart from the drill itself, so it runs beside the drill's
// Prometheus instead of after it.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

describe("npm run drill: its usage", () => {
    const drill = (...args: string[]) => spawnSync(process.execPath, ["devtools/drill.ts", ...args], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 30_000 });

    it("prints every option and the exit codes with --help, starting nothing", () => {
        const help = drill("--help");
        expect(help.status).to.equal(0);
        for (const text of ["--fault-rate", "--fault-delay-ms", "--rate", "--minutes", "--help", "exit codes", "apt-get install prometheus"]) expect(help.stdout, text).to.include(text);
        expect(help.stdout).to.not.include("drill running");
    });

    it("answers an unknown flag or a value out of range with what is allowed, the usage and exit 64 (as plan and switchyard), without a stack trace", () => {
        for (const [args, message] of [
            [["--bogus"], "npm run drill: Unknown option '--bogus'"],
            [["--rate", "0"], 'npm run drill: --rate: got "0"; allowed: requests per second, above 0 and at most 2000'],
            [["--fault-rate", "1.5"], 'npm run drill: --fault-rate: got "1.5"; allowed: a number from 0 to 1'],
            [["--minutes", ""], 'npm run drill: --minutes: got ""; allowed: minutes, above 0 and at most 120'],
            [["--fault-delay-ms=-1"], 'npm run drill: --fault-delay-ms: got "-1"; allowed: a number of milliseconds, 0 or more'],
        ] as const) {
            const refused = drill(...args);
            expect(refused.status, args.join(" ")).to.equal(64);
            expect(refused.stderr, args.join(" ")).to.match(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n\\nusage: npm run drill`));
            expect(refused.stderr).to.not.match(/\n\s+at /);
        }
    });
});
