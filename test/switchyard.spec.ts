// The switchyard command as an operator or a CI step runs it. The real command in its own process
// for what happens before any stack is read (help, usage errors, the Node check) and for one edit;
// the rest through the same entry in this process, which answers without starting Node again.

import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { isMap, parseDocument, type Document } from "yaml";
import { drillProject, greenWeightIn, type DrillProject } from "../devtools/drill/project.ts";
import { main, type CommandIo } from "../cli/switchyard.ts";
import { runSwitchyard, type CommandRun } from "./cli.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** Runs the command's entry here with `env` set for the run, capturing what it prints. */
async function inThisProcess(argv: string[], env: Record<string, string>): Promise<CommandRun> {
    const saved = { PATH: process.env.PATH, SWITCHYARD_PROMETHEUS_TOKEN: process.env.SWITCHYARD_PROMETHEUS_TOKEN };
    Object.assign(process.env, { SWITCHYARD_PROMETHEUS_TOKEN: "" }, env);
    let stdout = "";
    let stderr = "";
    const io: CommandIo = {
        out: (text) => (stdout += `${text}\n`),
        err: (text) => (stderr += `${text}\n`),
        now: () => new Date(),
        progress: () => {},
        sleep: () => Promise.reject(new Error("no waiting in this spec")),
    };
    try {
        return { code: await main(argv, io), stdout, stderr };
    } finally {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    }
}

describe("switchyard command", function () {
    this.timeout(30_000);
    let server: Server;
    const seenAuthorization: (string | undefined)[] = [];
    const projects: DrillProject[] = [];
    const runs: Record<string, CommandRun> = {};
    const files: Record<string, { file: string; before: string }> = {};

    function project(name: string, values: Record<string, unknown>, prometheusUrl: string, edit?: (doc: Document) => void): DrillProject {
        const copy = drillProject({ service: "storefront", prometheusUrl });
        projects.push(copy);
        const doc = parseDocument(readFileSync(copy.file, "utf8"));
        for (const [path, value] of Object.entries(values)) doc.setIn(["config", ...path.split(".")], value);
        edit?.(doc);
        writeFileSync(copy.file, doc.toString());
        files[name] = { file: copy.file, before: readFileSync(copy.file, "utf8") };
        return copy;
    }

    before(async function () {
        // A Prometheus that has the demo app's counter on the stacks' cluster, for the service "quiet"
        // only, and no requests series at all: for "quiet" that is no traffic; for the storefront of
        // the other stacks a service name that matches no series, a config mistake.
        server = createServer((request, response) => {
            seenAuthorization.push(request.headers.authorization);
            request.resume();
            request.on("end", () => {
                response.writeHead(200, { "content-type": "application/json" });
                const url = new URL(request.url ?? "/", "http://prometheus");
                const label = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(url.pathname)?.[1];
                if (label !== undefined) {
                    const values = label === "__name__" ? [url.searchParams.get("match[]")].filter((m) => m === "http_requests_total") : label === "cluster" ? ["drill"] : label === "service" ? ["quiet"] : [];
                    response.end(JSON.stringify({ status: "success", data: values }));
                    return;
                }
                const resultType = url.pathname.endsWith("query_range") ? "matrix" : "vector";
                response.end(JSON.stringify({ status: "success", data: { resultType, result: [] } }));
            });
        });
        await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
        const prometheus = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const at = (p: DrillProject) => ["--stack", p.stack, "--cwd", p.dir];
        const notStarted = project("notStarted", { "switchyard:greenWeight": 0 }, prometheus);
        const start = project("start", { "switchyard:greenWeight": 0 }, prometheus);
        const running = project("running", {}, prometheus);
        const secret = { "switchyard:rollout.analysis.prometheus.token": { secure: "v1:c2VjcmV0" } };
        const quietService = (doc: Document) => doc.setIn(["config", "switchyard:services", 0, "name"], "quiet");
        const withToken = project("withToken", secret, prometheus, quietService);
        const quiet = project("quiet", {}, prometheus, quietService);
        const beta = [{ name: "beta", color: "green", match: { headers: [{ name: "x-beta", value: "1" }] } }];
        const toRollBack = project("toRollBack", { "switchyard:greenWeight": 25, "switchyard:cohorts": beta }, prometheus);
        const nothingToRollBack = project("nothingToRollBack", { "switchyard:greenWeight": 0 }, prometheus);
        const tokenNoCli = project("tokenNoCli", secret, prometheus);
        const typo = project("typo", { "switchyrd:greenWeight": 30 }, prometheus);
        const cohortOnly = project("cohortOnly", { "switchyard:greenWeight": 0, "switchyard:cohorts": beta }, prometheus);
        // advance's ways to exit 3; each must leave its stack file as it was.
        const missingDir = join(cohortOnly.dir, "no-such-dir", "report.md");
        const reportUnwritable = project("reportUnwritable", { "switchyard:greenWeight": 0 }, prometheus);
        const prometheusDown = project("prometheusDown", { "switchyard:greenWeight": 25 }, "http://127.0.0.1:9");
        // At 0 % no cluster gives the candidate traffic, and Prometheus must answer all the same.
        const prometheusDownAtStart = project("prometheusDownAtStart", { "switchyard:greenWeight": 0 }, "http://127.0.0.1:9");
        const prometheusDownAtZero = project("prometheusDownAtZero", { "switchyard:greenWeight": 0 }, "http://127.0.0.1:9");
        const configProblem = project("configProblem", { "switchyard:greenWeight": 0, "switchyard:idleReplicas": "some" }, prometheus);
        const noAnalysis = project("noAnalysisAdvance", { "switchyard:greenWeight": 0, "switchyard:rollout": { candidate: "green" } }, prometheus);
        const tokenNoCliAdvance = project("tokenNoCliAdvance", { ...secret, "switchyard:greenWeight": 25 }, prometheus);
        const notInPlace = project("notInPlace", {}, prometheus, (doc) => {
            doc.deleteIn(["config", "switchyard:greenWeight"]);
            const config = doc.get("config", true);
            if (isMap(config)) config.flow = true;
        });
        const stackUnwritable = project("stackUnwritable", { "switchyard:greenWeight": 0 }, prometheus);
        const stackUnwritableReport = join(stackUnwritable.dir, "report.md");
        // The stack file's own write fails: where its temporary file goes, a directory stands.
        mkdirSync(`${stackUnwritable.file}.switchyard-${process.pid}.tmp`);
        // A stack file committed in git, then edited by hand before advance --start edits it.
        const handEdited = project("handEdited", { "switchyard:greenWeight": 0 }, prometheus);
        const git = (...args: string[]) =>
            execFileSync("git", ["-C", handEdited.dir, ...args], {
                env: { ...process.env, GIT_AUTHOR_NAME: "spec", GIT_AUTHOR_EMAIL: "spec@example.com", GIT_COMMITTER_NAME: "spec", GIT_COMMITTER_EMAIL: "spec@example.com" },
                stdio: "ignore",
            });
        git("init", "-q");
        git("add", "Pulumi.drill.yaml");
        git("commit", "-qm", "the stack as committed");
        const byHand = parseDocument(readFileSync(handEdited.file, "utf8"));
        byHand.setIn(["config", "switchyard:services", 0, "replicas"], 4);
        writeFileSync(handEdited.file, byHand.toString());
        files.handEdited!.before = readFileSync(handEdited.file, "utf8");
        const processes: Record<string, Promise<CommandRun>> = {
            help: runSwitchyard(["--help"]),
            none: runSwitchyard([]),
            statusHelp: runSwitchyard(["status", "--help"]),
            analyzeHelp: runSwitchyard(["analyze", "-h"]),
            advanceHelp: runSwitchyard(["advance", "--help"]),
            rolloutHelp: runSwitchyard(["rollout", "--help"]),
            rollbackHelp: runSwitchyard(["rollback", "--help"]),
            helpAdvance: runSwitchyard(["help", "advance"]),
            helpTypo: runSwitchyard(["help", "advnce"]),
            version: runSwitchyard(["--version"]),
            unknownFlag: runSwitchyard(["advance", ...at(running), "--bogus"]),
            unknownCommand: runSwitchyard(["deploy", ...at(running)]),
            noStack: runSwitchyard(["advance", "--cwd", running.dir]),
            oldNode: runSwitchyard(["--help"], {
                nodeArgs: ["--import", `data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: "22.17.1" } })`],
            }),
            start: runSwitchyard(["advance", ...at(start), "--start"]),
        };
        // One at a time: some set the environment, which this process shares.
        const inProcess: [string, string[], Record<string, string>][] = [
            ["notStarted", ["advance", ...at(notStarted)], {}],
            ["toRollBack", ["rollback", ...at(toRollBack), "--reason", "INC-7: checkout errors"], {}],
            ["nothingToRollBack", ["rollback", ...at(nothingToRollBack)], {}],
            ["noAnalysis", ["analyze", "--stack", "dev", "--cwd", ROOT], {}],
            ["noStackFile", ["status", "--stack", "staging", "--cwd", ROOT], {}],
            ["stackTypo", ["advance", "--stack", "prd", "--cwd", ROOT], {}],
            ["status", ["status", ...at(running)], {}],
            ["analyzeNoData", ["analyze", ...at(quiet)], {}],
            ["analyzeNoSeries", ["analyze", ...at(running)], {}],
            ["advanceNoSeries", ["advance", ...at(running)], {}],
            ["rolloutNoCli", ["rollout", ...at(running)], { PATH: dirname(process.execPath) }],
            ["withToken", ["analyze", ...at(withToken)], { SWITCHYARD_PROMETHEUS_TOKEN: "t0ken-from-env" }],
            ["tokenNoCli", ["analyze", ...at(tokenNoCli)], { PATH: dirname(process.execPath) }],
            ["typo", ["rollback", ...at(typo)], {}],
            ["cohortOnly", ["rollback", ...at(cohortOnly), "--reason", "INC-8: beta sees errors"], {}],
            ["reportUnwritable", ["advance", ...at(reportUnwritable), "--start", "--report", missingDir], {}],
            ["prometheusDown", ["advance", ...at(prometheusDown)], {}],
            ["prometheusDownAtStart", ["advance", ...at(prometheusDownAtStart), "--start"], {}],
            ["prometheusDownAtZero", ["analyze", ...at(prometheusDownAtZero)], {}],
            ["configProblem", ["advance", ...at(configProblem), "--start"], {}],
            ["noAnalysisAdvance", ["advance", ...at(noAnalysis), "--start"], {}],
            ["tokenNoCliAdvance", ["advance", ...at(tokenNoCliAdvance)], { PATH: dirname(process.execPath) }],
            ["notInPlace", ["advance", ...at(notInPlace), "--start"], {}],
            ["stackUnwritable", ["advance", ...at(stackUnwritable), "--start", "--report", stackUnwritableReport], {}],
            ["handEdited", ["advance", ...at(handEdited), "--start"], {}],
        ];
        for (const [name, argv, env] of inProcess) runs[name] = await inThisProcess(argv, env);
        const settled = await Promise.all(Object.entries(processes).map(async ([name, run]) => [name, await run] as const));
        for (const [name, run] of settled) runs[name] = run;
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
        await Promise.all(projects.map((p) => p.remove()));
    });

    const untouched = (name: string) => expect(readFileSync(files[name]!.file, "utf8"), `${name}: the stack file`).to.equal(files[name]!.before);

    it("prints its usage with --help and exits 0, and exits 64 without a command", () => {
        expect(runs.help!.code).to.equal(0);
        for (const command of ["status", "analyze", "advance", "rollout", "rollback", "help"]) expect(runs.help!.stdout).to.match(new RegExp(`^  ${command} `, "m"));
        expect(runs.help!.stdout).to.match(/\nExamples:\n {2}switchyard /);
        expect(runs.help!.stdout).to.include("64 usage error");
        expect(runs.none!.code).to.equal(64);
        expect(runs.none!.stdout).to.equal(runs.help!.stdout);
    });

    it("answers help <command> like <command> --help, and --version with package.json's version", () => {
        expect(runs.helpAdvance!.code).to.equal(0);
        expect(runs.helpAdvance!.stdout).to.equal(runs.advanceHelp!.stdout);
        expect(runs.helpTypo!.code).to.equal(64);
        expect(runs.helpTypo!.stderr).to.match(/^switchyard: unknown command "advnce"; did you mean "advance"\?/);
        const { version } = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string };
        expect(runs.version!.code).to.equal(0);
        expect(runs.version!.stdout).to.equal(`switchyard ${version}\n`);
    });

    it("documents every command's exit codes, the usage error's among them, and examples in its --help", () => {
        const usage = "64 usage error (an unknown flag, no --stack, no such stack; nothing read or written).";
        const codes: Record<string, string[]> = {
            statusHelp: ["Exit codes: 0 shown, 3 error"],
            analyzeHelp: ["Exit codes: 0 pass, 1 fail, 2 inconclusive", "3 error (Prometheus unreachable"],
            advanceHelp: ["Exit codes: 0 advanced or complete, 1 rolled back, 2 held, 3 error (the stack file untouched)"],
            rolloutHelp: ["Exit codes: 0 complete, 1 rolled back, 3 error"],
            rollbackHelp: ["Exit codes: 0 rolled back (or nothing gave the candidate traffic), 3 error"],
        };
        for (const [name, expected] of Object.entries(codes)) {
            const text = runs[name]!.stdout.replace(/\n(?!\n)/g, " ");
            expect(runs[name]!.code, name).to.equal(0);
            expect(runs[name]!.stdout, name).to.include("--stack <name>");
            for (const part of [...expected, usage]) expect(text, name).to.include(part);
            const command = name.replace("Help", "");
            expect(runs[name]!.stdout, name).to.match(new RegExp(`\nExamples:\n {2}switchyard ${command} --stack `));
        }
    });

    it("refuses an unknown flag or command, or a missing --stack, with the usage and exit 64", () => {
        expect(runs.unknownFlag!.code).to.equal(64);
        expect(runs.unknownFlag!.stderr).to.match(/^switchyard: Unknown option '--bogus'/);
        expect(runs.unknownFlag!.stderr).to.include("Usage: switchyard advance --stack <name> [--start] [--report <file>]");
        expect(runs.unknownCommand!.code).to.equal(64);
        expect(runs.unknownCommand!.stderr).to.match(/^switchyard: unknown command "deploy"/);
        expect(runs.unknownCommand!.stderr).to.include("Usage: switchyard <command> --stack <name> [options]");
        expect(runs.noStack!.code).to.equal(64);
        expect(runs.noStack!.stderr).to.match(/^switchyard: --stack <name> is required/);
        untouched("running");
    });

    it("tells a user of an older Node which version it needs", () => {
        expect(runs.oldNode!.code).to.equal(3);
        expect(runs.oldNode!.stderr).to.match(/^switchyard needs Node\.js >= 22\.18\.0 \(it runs its TypeScript natively\); this is Node\.js v22\.17\.1\.\nGet Node\.js 24/);
    });

    it("rolls back by hand without Prometheus: the weight to 0 and the cohorts to the stable color, saying why in the file", () => {
        expect(runs.toRollBack!.code, runs.toRollBack!.stderr).to.equal(0);
        expect(runs.toRollBack!.stdout).to.include("rolled back green to 0 % (1 weight(s)), cohorts beta to blue — INC-7: checkout errors");
        const after = parseDocument(readFileSync(files.toRollBack!.file, "utf8"));
        expect(after.getIn(["config", "switchyard:greenWeight"])).to.equal(0);
        expect(after.getIn(["config", "switchyard:cohorts", 0, "color"])).to.equal("blue");
        expect(readFileSync(files.toRollBack!.file, "utf8")).to.match(/switchyard:greenWeight: 0 {2}# switchyard rolled back \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: INC-7: checkout errors/);
        expect(runs.nothingToRollBack!.code).to.equal(0);
        expect(runs.nothingToRollBack!.stdout).to.include("nothing to roll back");
        untouched("nothingToRollBack");
    });

    it("writes the rollback's comment with --reason when only cohorts move", () => {
        expect(runs.cohortOnly!.code, runs.cohortOnly!.stderr).to.equal(0);
        expect(runs.cohortOnly!.stdout).to.include("rolled back green to 0 % (0 weight(s)), cohorts beta to blue — INC-8: beta sees errors");
        const text = readFileSync(files.cohortOnly!.file, "utf8");
        expect(parseDocument(text).getIn(["config", "switchyard:cohorts", 0, "color"])).to.equal("blue");
        expect(text).to.match(/color: blue {2}# switchyard rolled back \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: INC-8: beta sees errors\n/);
    });

    describe("advance (and analyze): every exit 3 leaves the stack file untouched", () => {
        const cases: [string, RegExp][] = [
            ["reportUnwritable", /^switchyard advance: cannot write the report to \S+no-such-dir\/report\.md: ENOENT.*The stack file is untouched\.\n$/],
            ["prometheusDown", /^switchyard advance: .*127\.0\.0\.1:9/],
            ["prometheusDownAtStart", /^switchyard advance: cannot reach Prometheus at http:\/\/127\.0\.0\.1:9: /],
            ["prometheusDownAtZero", /^switchyard analyze: cannot reach Prometheus at http:\/\/127\.0\.0\.1:9: /],
            ["configProblem", /switchyard:idleReplicas: got "some"; allowed: /],
            ["noAnalysisAdvance", /switchyard:rollout\.analysis: got nothing \(the key is missing\); allowed: .*switchyard advance needs/],
            ["tokenNoCliAdvance", /^switchyard advance: the Prometheus token is a Pulumi secret in the stack file: set SWITCHYARD_PROMETHEUS_TOKEN/],
            ["notInPlace", /^switchyard advance: the stack file has no switchyard:greenWeight and its config is not a block map this command can add it to\n$/],
            ["stackUnwritable", /^switchyard advance: cannot write \S+Pulumi\.drill\.yaml: EISDIR.*The stack file is untouched\.\n$/],
        ];
        for (const [name, stderr] of cases) {
            it(`${name}: exit 3, the reason on stderr, the file as it was`, () => {
                expect(runs[name]!.code, runs[name]!.stderr).to.equal(3);
                expect(runs[name]!.stderr).to.match(stderr);
                expect(runs[name]!.stdout, "no report of an edit that did not happen").to.equal("");
                untouched(name);
            });
        }
        it("stackUnwritable: the report of the edit that could not be written is gone too", () => {
            expect(existsSync(join(dirname(files.stackUnwritable!.file), "report.md"))).to.equal(false);
        });
    });

    it("says which keys are uncommitted when advance edits on top of hand edits", () => {
        expect(runs.handEdited!.code, runs.handEdited!.stderr).to.equal(0);
        expect(runs.handEdited!.stderr).to.equal(
            "switchyard drill: note: Pulumi.drill.yaml has uncommitted changes to services[0].replicas; this edit goes on top of them: commit them with it, or revert them first.\n",
        );
        expect(greenWeightIn(files.handEdited!.file)).to.equal(5);
        expect(runs.start!.stderr, "nothing to say outside git").to.equal("");
    });

    it("never starts a rollout at 0 % by itself: advance holds with exit 2 and says how to start", () => {
        expect(runs.notStarted!.code).to.equal(2);
        expect(runs.notStarted!.stdout).to.include("Start it with: switchyard advance --start");
        untouched("notStarted");
    });

    it("starts at the first step with advance --start, asking Prometheus only whether the metric source is there", () => {
        expect(runs.start!.code, runs.start!.stderr).to.equal(0);
        expect(greenWeightIn(files.start!.file)).to.equal(5);
        expect(runs.start!.stdout.trim().split("\n").at(-1)).to.equal("switchyard drill: advanced green 0 % → 5 % — started: green gets its first step, 5 %");
    });

    it("exits 3 with the config problem when analysis is not set up, and 64 for a stack without a stack file, asking after the nearest", () => {
        expect(runs.noAnalysis!.code).to.equal(3);
        expect(runs.noAnalysis!.stderr).to.include("switchyard:rollout.analysis: got nothing (the key is missing); allowed: an object with prometheus {url} at least, which switchyard analyze needs");
        expect(runs.noStackFile!.code).to.equal(64);
        expect(runs.noStackFile!.stderr.split("\n")[0]).to.match(new RegExp(`^switchyard: no stack file ${ROOT}/Pulumi\\.staging\\.yaml \\(stack files here: .*\\bdev\\b.*\\bprod\\b.*\\)$`));
        expect(runs.stackTypo!.code).to.equal(64);
        expect(runs.stackTypo!.stderr.split("\n")[0]).to.match(new RegExp(`^switchyard: no stack file ${ROOT}/Pulumi\\.prd\\.yaml: is the stack called prod\\? `));
    });

    it("reads the stack as the program does: a key in a mistyped namespace is refused, and nothing is written", () => {
        expect(runs.typo!.code).to.equal(3);
        expect(runs.typo!.stderr).to.include('switchyrd:greenWeight: got "30"; allowed: no such config namespace; did you mean "switchyard:greenWeight"?');
        untouched("typo");
    });

    it("shows where the rollout stands and each color's rates", () => {
        expect(runs.status!.code, runs.status!.stderr).to.equal(0);
        const lines = runs.status!.stdout.split("\n");
        expect(lines[1]).to.equal("candidate green: at 5 %. Steps: [5] → 25 → 50 → 75 → 100. maxStep 25.");
        expect(lines[3]).to.match(/^green weight\s+drill$/);
        expect(lines[4]).to.match(/^storefront\s+5 %$/);
        expect(runs.status!.stdout).to.match(/^storefront\s+drill\s+green \(candidate\)\s+0\.00\s+no data\s+no data$/m);
    });

    it("calls missing data inconclusive: analyze exits 2", () => {
        expect(runs.analyzeNoData!.code, runs.analyzeNoData!.stderr).to.equal(2);
        expect(runs.analyzeNoData!.stdout).to.match(/^switchyard analyze: stack drill, candidate green: inconclusive/);
        expect(runs.analyzeNoData!.stdout).to.include("no requests reached either color in the latest sample");
        untouched("quiet");
    });

    it("tells a selector that matches no series from no traffic: analyze and advance exit 3 naming the key and what Prometheus has", () => {
        for (const [name, verb] of [["analyzeNoSeries", "analyze"], ["advanceNoSeries", "advance"]] as const) {
            expect(runs[name]!.code, runs[name]!.stderr).to.equal(3);
            expect(runs[name]!.stdout, name).to.equal("");
            expect(runs[name]!.stderr).to.match(new RegExp(`^switchyard ${verb}: no requests series at all for a target, so nothing can be judged, ever \\(a config mistake is not "no traffic"\\)\\. Nothing was written\\.\n`));
            expect(runs[name]!.stderr).to.include(
                '  storefront on drill: switchyard:services[0].name: no series of http_requests_total{cluster="drill"} in the last 48s has service="storefront"; the service values it has there: "quiet".',
            );
        }
        untouched("running");
    });

    it("says how to install the Pulumi CLI when rollout needs it", () => {
        expect(runs.rolloutNoCli!.code).to.equal(3);
        expect(runs.rolloutNoCli!.stderr).to.match(/^switchyard rollout: the Pulumi CLI is not installed \(no `pulumi` on PATH\)/);
        untouched("running");
    });

    it("sends the token from SWITCHYARD_PROMETHEUS_TOKEN and never prints it", () => {
        expect(runs.withToken!.code, runs.withToken!.stderr).to.equal(2);
        expect(seenAuthorization).to.include("Bearer t0ken-from-env");
        expect(runs.withToken!.stdout + runs.withToken!.stderr).to.not.include("t0ken-from-env");
    });

    it("asks for the token or the Pulumi CLI when the stack holds it as a secret", () => {
        expect(runs.tokenNoCli!.code).to.equal(3);
        expect(runs.tokenNoCli!.stderr).to.match(/^switchyard analyze: the Prometheus token is a Pulumi secret in the stack file: set SWITCHYARD_PROMETHEUS_TOKEN, or install the Pulumi CLI/);
        untouched("tokenNoCli");
    });
});
