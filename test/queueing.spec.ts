// The Erlang C arithmetic of model/queueing.ts against published values, hand-derived cases and an
// exact evaluation of Erlang's formula in rational arithmetic.

import { expect } from "chai";
import { erlangB, erlangC, fewestServers, meanWaitSeconds, meetsTarget, queueMetrics, utilization } from "../model/queueing.ts";

const HOUR = 3600;

/**
 * Erlang C straight from its definition, C = T / (S + T) with S = Σ_{k<c} a^k/k! and
 * T = a^c/c! · c/(c − a), for a rational load a = p/q, in exact integers: every term multiplied by
 * q^c · c! · (cq − p). Independent of the recurrence under test, and exact for any c.
 */
function exactErlangC(servers: number, loadNumerator: number, loadDenominator: number): number {
    const c = BigInt(servers);
    const p = BigInt(loadNumerator);
    const q = BigInt(loadDenominator);
    const factorials = [1n];
    for (let k = 1n; k <= c; k++) factorials.push(factorials[factorials.length - 1]! * k);
    let below = 0n;
    for (let k = 0n; k < c; k++) below += p ** k * q ** (c - k) * (factorials[Number(c)]! / factorials[Number(k)]!);
    below *= c * q - p;
    const top = p ** c * c * q;
    const scale = 10n ** 30n;
    return Number((top * scale) / (below + top)) / 1e30;
}

/** The load at which c servers have exactly the given probability of waiting, by bisection on erlangC. */
function loadFor(servers: number, waitProbability: number): number {
    let low = 0;
    let high = servers;
    for (let i = 0; i < 200; i++) {
        const middle = (low + high) / 2;
        if (erlangC(servers, middle) < waitProbability) low = middle;
        else high = middle;
    }
    return (low + high) / 2;
}

describe("queueing: Erlang C against published values", () => {
    it("matches the Erlang C table of Dunlop, Girma & Irvine (Digital Mobile Communications and the TETRA System, 1999, Table A.4): 8 servers wait 5 % at 3.87 erlangs, 10 servers 1 % at 4.08", () => {
        expect(loadFor(8, 0.05).toFixed(2)).to.equal("3.87");
        expect(loadFor(10, 0.01).toFixed(2)).to.equal("4.08");
        expect(erlangC(8, 3.87)).to.be.closeTo(0.05, 0.0005);
        expect(erlangC(10, 4.08)).to.be.closeTo(0.01, 0.0001);
    });

    it("matches Hillier & Lieberman's County Hospital emergency room (M/M/s, λ = 2/h, μ = 3/h): one doctor P(wait) 2/3 and Wq 2/3 h, two doctors 1/6 and 1/24 h", () => {
        const one = queueMetrics({ arrivalRate: 2 / HOUR, serviceRate: 3 / HOUR, servers: 1 });
        expect(one.waitProbability).to.be.closeTo(2 / 3, 1e-12);
        expect(one.meanWaitSeconds / HOUR).to.be.closeTo(2 / 3, 1e-12);
        const two = queueMetrics({ arrivalRate: 2 / HOUR, serviceRate: 3 / HOUR, servers: 2 });
        expect(two.waitProbability).to.be.closeTo(1 / 6, 1e-12);
        expect(two.meanWaitSeconds / HOUR).to.be.closeTo(1 / 24, 1e-12);
        expect(two.utilization).to.be.closeTo(1 / 3, 1e-12);
    });

    it("matches Call Centre Helper's worked Erlang C example: 10 erlangs on 11 agents wait 68.21 % of the time, and 13 agents answer 79.56 % within 20 s at 180 s handling", () => {
        expect((erlangC(11, 10) * 100).toFixed(2)).to.equal("68.21");
        // Service level P(wait <= t) = 1 − C·e^(−(c − a)·t/h) for the M/M/c queue.
        const serviceLevel = 1 - erlangC(13, 10) * Math.exp((-(13 - 10) * 20) / 180);
        expect((serviceLevel * 100).toFixed(2)).to.equal("79.56");
    });
});

describe("queueing: hand-derived cases", () => {
    it("is the M/M/1 queue for one server: P(wait) = ρ and Wq = ρ/(μ − λ)", () => {
        for (const [arrivalRate, serviceRate] of [[3, 4], [50, 100], [0.9, 1]] as const) {
            const rho = arrivalRate / serviceRate;
            const metrics = queueMetrics({ arrivalRate, serviceRate, servers: 1 });
            expect(metrics.waitProbability, `${arrivalRate}/${serviceRate}`).to.be.closeTo(rho, 1e-12);
            expect(metrics.meanWaitSeconds, `${arrivalRate}/${serviceRate}`).to.be.closeTo(rho / (serviceRate - arrivalRate), 1e-12);
            expect(metrics.utilization).to.be.closeTo(rho, 1e-12);
        }
    });

    it("is 2ρ²/(1 + ρ) for two servers (ρ = a/2), e.g. a = 1 waits a third of the time", () => {
        expect(erlangC(2, 1)).to.be.closeTo(1 / 3, 1e-12);
        for (const load of [0.25, 0.75, 1.5, 1.9]) {
            const rho = load / 2;
            expect(erlangC(2, load), String(load)).to.be.closeTo((2 * rho * rho) / (1 + rho), 1e-12);
        }
    });

    it("computes Erlang B by Erlang's loss formula: B(1, a) = a/(1 + a), B(2, 1) = 1/5, B(3, 2) = 4/19", () => {
        expect(erlangB(1, 0.5)).to.be.closeTo(1 / 3, 1e-12);
        expect(erlangB(2, 1)).to.be.closeTo(1 / 5, 1e-12);
        expect(erlangB(3, 2)).to.be.closeTo(4 / 19, 1e-12);
        expect(erlangB(0, 3), "no server blocks everything").to.equal(1);
    });

    it("waits forever once the load reaches the servers, and never without load", () => {
        const saturated = queueMetrics({ arrivalRate: 200, serviceRate: 100, servers: 2 });
        expect(saturated.utilization).to.equal(1);
        expect(saturated.waitProbability).to.equal(1);
        expect(saturated.meanWaitSeconds).to.equal(Infinity);
        expect(meanWaitSeconds({ arrivalRate: 300, serviceRate: 100, servers: 2 })).to.equal(Infinity);
        expect(queueMetrics({ arrivalRate: 0, serviceRate: 100, servers: 0 })).to.deep.equal({
            offeredLoad: 0,
            utilization: 0,
            waitProbability: 0,
            meanWaitSeconds: 0,
        });
        expect(queueMetrics({ arrivalRate: 5, serviceRate: 100, servers: 0 }).meanWaitSeconds, "load and no pod").to.equal(Infinity);
        expect(utilization({ arrivalRate: 150, serviceRate: 100, servers: 3 })).to.be.closeTo(0.5, 1e-12);
    });

    it("makes every request wait once the load reaches the servers: Erlang C is exactly 1 at a = c and above, never more", () => {
        // At a = c, C = c·B / (c − c·(1 − B)) = 1 by algebra; in floating point the formula misses 1 for some c.
        for (let servers = 1; servers <= 20; servers++) expect(erlangC(servers, servers), `${servers} servers`).to.equal(1);
        expect(erlangC(2, 3)).to.equal(1);
        expect(queueMetrics({ arrivalRate: 300, serviceRate: 100, servers: 2 }).waitProbability).to.equal(1);
    });

    it("never waits without load, even with no server: Erlang C of no load is 0, as the queue's metrics say", () => {
        expect(erlangC(0, 0)).to.equal(0);
        expect(erlangC(3, 0)).to.equal(0);
        expect(queueMetrics({ arrivalRate: 0, serviceRate: 1, servers: 0 }).waitProbability).to.equal(erlangC(0, 0));
    });

    it("never counts a queue that cannot keep up as meeting a target, even a target that its numbers would meet", () => {
        // ρ = 1 exactly: no steady state, whatever a target of 100 % busy or an unbounded wait would say.
        const saturated = queueMetrics({ arrivalRate: 200, serviceRate: 100, servers: 2 });
        expect(meetsTarget(saturated, { maxUtilization: 1 })).to.equal(false);
        expect(meetsTarget(saturated, { maxWaitMs: Infinity })).to.equal(false);
        expect(meetsTarget(queueMetrics({ arrivalRate: 150, serviceRate: 100, servers: 2 }), { maxUtilization: 0.75 }), "ρ = 0.75 meets 0.75").to.equal(true);
    });

    it("refuses rates that are negative, not finite, or a service rate of 0", () => {
        expect(() => queueMetrics({ arrivalRate: -1, serviceRate: 1, servers: 1 })).to.throw(RangeError, /arrivalRate/);
        expect(() => queueMetrics({ arrivalRate: 1, serviceRate: 0, servers: 1 })).to.throw(RangeError, /serviceRate/);
        expect(() => queueMetrics({ arrivalRate: NaN, serviceRate: 1, servers: 1 })).to.throw(RangeError);
        expect(() => queueMetrics({ arrivalRate: 1, serviceRate: 1, servers: 1.5 })).to.throw(RangeError, /servers/);
        expect(() => fewestServers(1, 1, { maxUtilization: 1 })).to.throw(RangeError, /target/);
        expect(() => fewestServers(1, 1, { maxWaitMs: 0 })).to.throw(RangeError, /target/);
    });

    it("says which input is wrong and what it must be", () => {
        expect(() => queueMetrics({ arrivalRate: -1, serviceRate: 1, servers: 1 })).to.throw(RangeError, "arrivalRate must be a finite number >= 0, got -1");
        expect(() => queueMetrics({ arrivalRate: 1, serviceRate: 0, servers: 1 })).to.throw(RangeError, "serviceRate must be a finite number > 0, got 0");
        expect(() => queueMetrics({ arrivalRate: 1, serviceRate: 1, servers: -1 })).to.throw(RangeError, "servers must be an integer >= 0, got -1");
        expect(() => fewestServers(-1, 1, { maxWaitMs: 50 })).to.throw(RangeError, "arrivalRate must be a finite number >= 0, got -1");
        expect(() => fewestServers(1, 0, { maxWaitMs: 50 })).to.throw(RangeError, "serviceRate must be a finite number > 0, got 0");
        expect(() => fewestServers(1, 1, { maxUtilization: 0 })).to.throw(RangeError, /capacity target \{"maxUtilization":0\}/);
    });

    it("checks Erlang B's own inputs: a whole number of servers and a load that is not negative", () => {
        expect(() => erlangB(1.5, 1)).to.throw(RangeError, /servers/);
        expect(() => erlangB(-1, 1)).to.throw(RangeError, /servers/);
        expect(() => erlangB(2, -1)).to.throw(RangeError, "offeredLoad must be a finite number >= 0, got -1");
    });
});

describe("queueing: hundreds of servers", () => {
    it("agrees with Erlang's formula evaluated exactly, where factorials and powers overflow doubles", () => {
        const cases: [number, number, number][] = [
            [5, 4, 1],
            [55, 48, 1],
            [171, 160, 1],
            [300, 280, 1],
            [500, 4805, 10],
            [800, 7795, 10],
        ];
        for (const [servers, p, q] of cases) {
            const expected = exactErlangC(servers, p, q);
            expect(expected, `${servers} servers`).to.be.within(0.001, 0.999);
            expect(erlangC(servers, p / q), `${servers} servers, ${p / q} erlangs`).to.be.closeTo(expected, expected * 1e-9);
        }
        expect(Number.isFinite(480 ** 500), "the textbook form would overflow here").to.equal(false);
    });
});

describe("queueing: the fewest servers for a target", () => {
    it("sizes by mean wait: λ = 3, μ = 4 waits 750 ms on one server and a²/((2 + a)(2μ − λ)) = 40.9 ms on two", () => {
        expect(meanWaitSeconds({ arrivalRate: 3, serviceRate: 4, servers: 1 })).to.be.closeTo(0.75, 1e-12);
        expect(meanWaitSeconds({ arrivalRate: 3, serviceRate: 4, servers: 2 })).to.be.closeTo(0.5625 / (2.75 * 5), 1e-12);
        expect(fewestServers(3, 4, { maxWaitMs: 1000 })).to.equal(1);
        expect(fewestServers(3, 4, { maxWaitMs: 750 })).to.equal(1);
        expect(fewestServers(3, 4, { maxWaitMs: 500 })).to.equal(2);
        expect(fewestServers(3, 4, { maxWaitMs: 40 })).to.equal(3);
    });

    it("sizes by utilization, a target met exactly included: 240 rps on 100-rps pods at 80 % takes 3", () => {
        expect(fewestServers(240, 100, { maxUtilization: 0.8 })).to.equal(3);
        expect(fewestServers(241, 100, { maxUtilization: 0.8 })).to.equal(4);
        expect(fewestServers(70, 100, { maxUtilization: 0.7 })).to.equal(1);
    });

    it("needs no server without load and always more servers than erlangs", () => {
        expect(fewestServers(0, 100, { maxWaitMs: 50 })).to.equal(0);
        expect(fewestServers(1000, 100, { maxWaitMs: 1e9 })).to.equal(11);
    });

    it("returns a count that meets the target while one fewer does not, over a grid up to hundreds of servers", () => {
        const targets = [{ maxWaitMs: 1 }, { maxWaitMs: 50 }, { maxWaitMs: 400 }, { maxUtilization: 0.5 }, { maxUtilization: 0.9 }];
        const loads = [0.3, 7, 48, 250, 731.5];
        let checked = 0;
        for (const target of targets) {
            for (const load of loads) {
                const servers = fewestServers(load * 20, 20, target);
                const at = (c: number) => meetsTarget(queueMetrics({ arrivalRate: load * 20, serviceRate: 20, servers: c }), target);
                expect(at(servers), `${load} erlangs, ${JSON.stringify(target)}: ${servers}`).to.equal(true);
                expect(at(servers - 1), `${load} erlangs, ${JSON.stringify(target)}: ${servers - 1}`).to.equal(false);
                checked++;
            }
        }
        expect(checked).to.equal(25);
    });
});
