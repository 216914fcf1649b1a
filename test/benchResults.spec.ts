import { expect } from "chai";
import { fleetResult, side, targets, type Flip } from "../tools/bench/results.ts";
import type { Measurement } from "../tools/bench/runner.ts";

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
