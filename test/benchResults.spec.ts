import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readmeBlock, renderPerformanceDoc, renderReadme, replaceBlock, type FleetBench, type LoaderBench, type SplitBench } from "../devtools/bench/docs.ts";
import { parseBenchArgs, UsageError } from "../devtools/bench/options.ts";
import { fleetResult, side, targets, type Flip } from "../devtools/bench/results.ts";
import type { Measurement } from "../devtools/bench/runner.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

const run = (wallMs: number, peakRssMiB: number): Measurement => ({
    wallMs,
    peakRssMiB,
    cpuMs: wallMs,
    othersCpuMs: 0,
    exitCode: 0,
    registrations: 0,
    customResources: 0,
});
const flip = (changed: number, expected: number, onlyRoutes = true): Flip => ({ changed, expected, onlyRoutes, byType: {} });

describe("benchmark arithmetic", () => {
    it("takes the best run and charges each resource only what it costs above the baseline fleet", () => {
        const result = side([run(12_000, 900), run(10_000, 950)], 1_010, { wallMs: 2_000, peakRssMiB: 200 }, 10);
        expect(result.wallMs).to.equal(10_000);
        expect(result.peakRssMiB).to.equal(900);
        expect(result.marginalMsPerResource).to.equal(8);
        expect(result.marginalKiBPerResource).to.equal((700 * 1024) / 1_000);
    });

    it("holds the 100×4 ratio targets at 1.5× and misses them just above", () => {
        const base = { wallMs: 1_000, peakRssMiB: 100 };
        const at = (programMs: number) =>
            fleetResult(
                { services: 100, clusters: 4 },
                { customResources: 1_001, registrations: 1_500 },
                side([run(programMs, 150)], 1_001, base, 1),
                side([run(1_000 + 1_000 * 2, 100)], 1_001, base, 1),
                flip(400, 400),
            );
        const holds = (programMs: number, name: string) => targets([at(programMs)]).find((t) => t.name.startsWith(name))!.holds;
        expect(holds(4_500, "time per resource vs floor, 100×4 (whole run)")).to.equal(true);
        expect(holds(4_501, "time per resource vs floor, 100×4 (whole run)")).to.equal(false);
        expect(holds(1_000 + 3_000, "time per resource vs floor, 100×4 (marginal)")).to.equal(true);
        expect(holds(1_000 + 3_002, "time per resource vs floor, 100×4 (marginal)")).to.equal(false);
    });

    it("misses the flip target when anything but the S×C HTTPRoutes changes", () => {
        const fleet = (f: Flip) =>
            fleetResult({ services: 10, clusters: 2 }, { customResources: 2, registrations: 3 }, side([run(2, 1)], 2, { wallMs: 1, peakRssMiB: 1 }, 1), side([run(2, 1)], 2, { wallMs: 1, peakRssMiB: 1 }, 1), f);
        const flipHolds = (f: Flip) => targets([fleet(f)]).find((t) => t.name.startsWith("flip"))!.holds;
        expect(flipHolds(flip(20, 20))).to.equal(true);
        expect(flipHolds(flip(21, 20))).to.equal(false);
        expect(flipHolds(flip(20, 20, false))).to.equal(false);
    });

    it("checks linear scaling as the drift of the marginal cost per resource from 50×4 to 200×5, within ±15 %", () => {
        const base = { wallMs: 1_000, peakRssMiB: 100 };
        const fleet = (services: number, clusters: number, resources: number, msPerResource: number) =>
            fleetResult(
                { services, clusters },
                { customResources: resources + 1, registrations: resources },
                side([run(1_000 + resources * msPerResource, 200)], resources + 1, base, 1),
                side([run(1_000 + resources * 4, 200)], resources + 1, base, 1),
                flip(services * clusters, services * clusters),
            );
        const linear = (drift: number) =>
            targets([fleet(50, 4, 1_000, 5), fleet(200, 5, 5_000, 5 * (1 + drift))]).find((t) => t.name.startsWith("marginal time"))!.holds;
        expect(linear(0.149)).to.equal(true);
        expect(linear(-0.149)).to.equal(true);
        expect(linear(0.151)).to.equal(false);
        expect(linear(-0.151)).to.equal(false);
    });
});

describe("benchmark tables in the docs", () => {
    const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), "utf8");
    const latest = () => JSON.parse(read("bench-results/latest.json")) as FleetBench;
    const loaders = () => JSON.parse(read("bench-results/loaders.json")) as LoaderBench;
    const split = () => JSON.parse(read("bench-results/split.json")) as SplitBench;

    it("are in README.md and docs/performance.md exactly as npm run bench makes them from the committed results", () => {
        const readme = read("README.md");
        const doc = read("docs/performance.md");
        expect(renderReadme(readme, latest()), "README.md: run npm run bench -- --docs").to.equal(readme);
        expect(renderPerformanceDoc(doc, latest(), loaders(), split()), "docs/performance.md: run npm run bench -- --docs").to.equal(doc);
    });

    it("change with the results, and name the commit they were measured at", () => {
        const readme = read("README.md");
        const changed = latest();
        expect(changed.fleets).to.not.be.empty;
        changed.fleets[0]!.program.wallMs += 1_000;
        expect(renderReadme(readme, changed)).to.not.equal(readme);
        expect(latest().machine.commit).to.match(/^[0-9a-f]{7,40}$/);
        expect(readme).to.include(`Measured at commit ${latest().machine.commit} `);
        expect(read("docs/performance.md")).to.include(`Measured at commit ${loaders().machine.commit} `);
    });

    it("formats a README row with thousands separators, seconds to a tenth, ratios to a hundredth", () => {
        const f = fleetResult(
            { services: 10, clusters: 2 },
            { customResources: 1_234, registrations: 2_000 },
            side([run(2_460, 1_300)], 1_234, { wallMs: 1_000, peakRssMiB: 200 }, 34),
            side([run(2_000, 1_000)], 1_234, { wallMs: 1_000, peakRssMiB: 200 }, 34),
            flip(20, 20),
        );
        const bench = {
            machine: { date: "2026-01-02T03:04:05.000Z", commit: "abc1234", node: "v24.1.0", pulumi: "3.270.0", cpus: 2, cpu: "AMD EPYC", memoryGiB: 24 },
            repeat: 2,
            benchSeconds: 300,
            baseline: { size: { services: 1, clusters: 1 }, customResources: 34, program: { wallMs: 1_000, peakRssMiB: 200 }, floor: { wallMs: 1_000, peakRssMiB: 200 } },
            fleets: [f],
            targets: [],
        } satisfies FleetBench;
        // 1,460 ms over 1,200 resources = 1.2 ms each; 1,100 MiB over 1,200 resources = 0.92 MiB each.
        expect(readmeBlock(bench).split("\n")).to.deep.equal([
            "Measured at commit abc1234 on 2026-01-02: 2 vCPU (AMD EPYC), 24 GiB, Node 24.1.0, @pulumi/pulumi 3.270.0, best of 2; `npm run bench` took 300 s.",
            "",
            "| fleet (services × clusters) | custom resources | program | floor | time ratio | peak RSS program / floor | flip changes |",
            "|---|---|---|---|---|---|---|",
            "| 10×2 | 1,234 | 2.5 s | 2.0 s | 1.23× | 1,300 / 1,000 MiB | 20 HTTPRoutes |",
            "",
            "A run costs about 1.0 s to start (1×1), then 1.2 ms and 0.92 MiB per custom resource at 10×2.",
        ]);
    });

    it("go only between their markers, and a document without them is an error", () => {
        expect(replaceBlock("a\n<!-- bench:x -->\nold\n<!-- /bench:x -->\nb", "x", "new")).to.equal("a\n<!-- bench:x -->\nnew\n<!-- /bench:x -->\nb");
        expect(() => replaceBlock("no markers", "x", "new")).to.throw(/bench:x/);
    });
});

describe("npm run bench: its command line", () => {
    it("writes the committed results only for a default run; other sizes or repeats go to a partial file", () => {
        expect(parseBenchArgs([])).to.deep.include({ kind: "fleets", repeat: 2, resultsFile: "latest.json" });
        const defaults = parseBenchArgs([]);
        expect(defaults.kind === "fleets" ? defaults.sizes.map((size) => `${size.services}x${size.clusters}`) : []).to.deep.equal(["10x2", "50x4", "100x4", "200x5"]);
        expect(parseBenchArgs(["--sizes", "50x4"])).to.deep.equal({ kind: "fleets", sizes: [{ services: 50, clusters: 4 }], repeat: 2, resultsFile: "partial.json" });
        expect(parseBenchArgs(["--repeat", "3"])).to.deep.include({ repeat: 3, resultsFile: "partial.json" });
        expect(parseBenchArgs(["--sizes", "10x2,50x4,100x4,200x5"]), "the default sizes given by hand are still a partial run").to.deep.include({ resultsFile: "partial.json" });
        expect(parseBenchArgs(["--loaders"])).to.deep.equal({ kind: "loaders", fleet: { services: 50, clusters: 4 }, repeat: 2, resultsFile: "loaders.json" });
        expect(parseBenchArgs(["--loaders", "--loader-fleet", "10x2"])).to.deep.include({ resultsFile: "partial-loaders.json" });
        expect(parseBenchArgs(["--docs"])).to.deep.equal({ kind: "docs" });
        expect(parseBenchArgs(["--help", "--sizes", "x"])).to.deep.equal({ kind: "help" });
        expect(parseBenchArgs(["--split"])).to.deep.equal({
            kind: "split",
            sizes: [{ services: 200, clusters: 5 }, { services: 1000, clusters: 5 }],
            repeat: 2,
            resultsFile: "split.json",
        });
        expect(parseBenchArgs(["--split", "--split-sizes", "10x2"])).to.deep.include({ sizes: [{ services: 10, clusters: 2 }], resultsFile: "partial-split.json" });
        expect(() => parseBenchArgs(["--split-sizes", "10x2"])).to.throw(UsageError, "--split-sizes goes with --split");
        expect(() => parseBenchArgs(["--split", "--sizes", "10x2"])).to.throw(UsageError, "--split measures its own fleets");
    });

    it("runs the analysis simulation alone, 2,000 steps a scenario unless --runs says otherwise", () => {
        expect(parseBenchArgs(["--analysis"])).to.deep.equal({ kind: "analysis", runs: 2000 });
        expect(parseBenchArgs(["--analysis", "--runs", "100"])).to.deep.equal({ kind: "analysis", runs: 100 });
        for (const args of [["--analysis", "--runs", "99"], ["--analysis", "--runs", "1e3"], ["--analysis", "--docs"], ["--analysis", "--loaders"], ["--analysis", "--sizes", "10x2"], ["--runs", "500"]]) {
            expect(() => parseBenchArgs(args), args.join(" ")).to.throw(UsageError);
        }
    });

    it("refuses what the usage does not allow", () => {
        for (const args of [["--bogus"], ["--sizes", "50"], ["--sizes", "0x4"], ["--repeat", "1"], ["--repeat", "two"], ["--docs", "--loaders"], ["--loader-fleet", "10x2"], ["--loaders", "--sizes", "10x2"], ["extra"]]) {
            expect(() => parseBenchArgs(args), args.join(" ")).to.throw(UsageError);
        }
    });

    it("prints the usage with every flag for --help, and the usage and exit code 2 for an unknown flag, without a stack trace", () => {
        const bench = (...args: string[]) => spawnSync(process.execPath, ["devtools/bench.ts", ...args], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 30_000 });
        const help = bench("--help");
        expect(help.status).to.equal(0);
        for (const flag of ["--sizes", "--repeat", "--loaders", "--loader-fleet", "--analysis", "--runs", "--docs", "--help", "Example"]) expect(help.stdout, flag).to.include(flag);
        const unknown = bench("--bogus");
        expect(unknown.status).to.equal(2);
        expect(unknown.stderr).to.include("Unknown option '--bogus'").and.include("Usage: npm run bench");
        expect(unknown.stderr).to.not.match(/\n\s+at /);
    });
});
