// Capacity for every share: the config readers, the check that refuses a stack before any
// resource, the rows the plan shows, the readiness gate's replica count, and the annotations the
// policy pack reads. Expected numbers come from Erlang's formula worked by hand (below), not from
// the recurrence under test.

import { expect } from "chai";
import { capacityAnnotations, capacityRows, replicasNeededForShare, replicasRunning } from "../model/capacity.ts";
import { DEFAULT_CANDIDATE } from "../model/rollout.ts";
import { CAPACITY_ANNOTATION, decodeCapacity, describeQueue, encodeCapacity } from "../model/capacityAnnotation.ts";
import { queueMetrics } from "../model/queueing.ts";
import { cluster, expectOneProblem, parse, problemsOf, service } from "./stackFixture.ts";

/** Erlang C by the textbook formula with factorials: fine for the few servers of these cases. */
function textbookErlangC(servers: number, load: number): number {
    const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
    const waiting = (load ** servers / factorial(servers)) * (servers / (servers - load));
    let idle = 0;
    for (let k = 0; k < servers; k++) idle += load ** k / factorial(k);
    return waiting / (idle + waiting);
}

/** cart takes 120 rps at peak on each cluster and one pod sustains 80: 1.5 erlangs. */
const cartCapacity = { peakRps: 120, podRps: 80 };
const withCapacity = (extra: Record<string, unknown> = {}) => [service("cart", { capacity: cartCapacity, ...extra }), service("checkout")];

describe("capacity: reading the target and each service's block", () => {
    it("defaults to a mean wait of at most 50 ms and reads either target", () => {
        expect(parse().capacity).to.deep.equal({ maxWaitMs: 50 });
        expect(parse({ capacity: { maxWaitMs: 20 } }).capacity).to.deep.equal({ maxWaitMs: 20 });
        expect(parse({ capacity: { maxUtilization: 0.7 } }).capacity).to.deep.equal({ maxUtilization: 0.7 });
        expect(parse({ services: withCapacity() }).services[0]!.capacity).to.deep.equal(cartCapacity);
        expect(parse().services[0]!.capacity, "no block, no check").to.equal(undefined);
    });

    it("refuses podRps 0, a negative or missing peak, and a mistyped field, naming the key", () => {
        expectOneProblem({ services: withCapacity({ capacity: { peakRps: 120, podRps: 0 } }) }, "switchyard:services[0].capacity.podRps", "0", /number above 0: requests per second one pod sustains/);
        expectOneProblem({ services: withCapacity({ capacity: { peakRps: -5, podRps: 80 } }) }, "switchyard:services[0].capacity.peakRps", "-5", /at peak on one cluster/);
        expectOneProblem({ services: withCapacity({ capacity: { podRps: 80 } }) }, "switchyard:services[0].capacity.peakRps", "nothing (the key is missing)", /number above 0/);
        expectOneProblem({ services: withCapacity({ capacity: "lots" }) }, "switchyard:services[0].capacity", '"lots"', /\{peakRps, podRps\}/);
    });

    it("refuses a target with both, neither, or an out-of-range value", () => {
        expectOneProblem({ capacity: { maxWaitMs: 50, maxUtilization: 0.7 } }, "switchyard:capacity", '{"maxWaitMs":50,"maxUtilization":0.7}', /exactly one of maxWaitMs .* or maxUtilization/);
        expectOneProblem({ capacity: {} }, "switchyard:capacity", "{}", /exactly one/);
        expectOneProblem({ capacity: { maxUtilization: 1 } }, "switchyard:capacity.maxUtilization", "1", /above 0 and below 1/);
        expectOneProblem({ capacity: { maxWaitMs: 0 } }, "switchyard:capacity.maxWaitMs", "0", /milliseconds above 0/);
        expectOneProblem({ capacity: { maxWait: 50 } }, "switchyard:capacity.maxWait", "50", /did you mean "maxWaitMs"/);
    });

    it("reads numbers the stack file quotes, whole or with a fraction", () => {
        expect(parse({ capacity: { maxWaitMs: "20" } }).capacity).to.deep.equal({ maxWaitMs: 20 });
        expect(parse({ capacity: { maxUtilization: "0.75" } }).capacity).to.deep.equal({ maxUtilization: 0.75 });
        expect(parse({ services: withCapacity({ capacity: { peakRps: "120.5", podRps: "80" } }) }).services[0]!.capacity).to.deep.equal({ peakRps: 120.5, podRps: 80 });
    });

    it("refuses a wait that is text other than a decimal number, a list, a boolean or no finite number", () => {
        const waits: [unknown, string][] = [
            ["20ms", '"20ms"'],
            ["~20", '"~20"'],
            ["fast", '"fast"'],
            [["20"], '["20"]'],
            [true, "true"],
        ];
        for (const [maxWaitMs, shown] of waits) {
            expectOneProblem({ capacity: { maxWaitMs } }, "switchyard:capacity.maxWaitMs", shown, /^a number of milliseconds above 0: the mean time a request may wait for a pod at peak$/);
        }
        // YAML's 1e999 arrives as JSON that parses to Infinity (shown as JSON shows it, null).
        expectOneProblem({ capacity: '{"maxWaitMs":1e999}' }, "switchyard:capacity.maxWaitMs", "null", /milliseconds above 0/);
    });

    it("refuses a utilization of 0, or one that is not a number", () => {
        const rule = /^a number above 0 and below 1, e\.g\. 0\.7: the share of time pods may be busy at peak$/;
        expectOneProblem({ capacity: { maxUtilization: 0 } }, "switchyard:capacity.maxUtilization", "0", rule);
        expectOneProblem({ capacity: { maxUtilization: "busy" } }, "switchyard:capacity.maxUtilization", '"busy"', rule);
    });

    it("refuses a target that is not an object, or did not parse as YAML", () => {
        for (const [capacity, shown] of [[50, "50"], [[50], "[50]"], [[{ maxWaitMs: 50 }], '[{"maxWaitMs":50}]']] as const) {
            expectOneProblem({ capacity }, "switchyard:capacity", shown, /^an object with exactly one of maxWaitMs .* or maxUtilization .*$/);
        }
        expectOneProblem({ capacity: "{maxWaitMs: 50" }, "switchyard:capacity", '"{maxWaitMs: 50"', /^a YAML object in the stack file \(it did not parse as one\)$/);
    });
});

describe("capacity: the check before any resource", () => {
    it("passes full replicas: 3 pods take cart's whole peak with P(wait) 9/38 and a 2 ms mean wait", () => {
        const model = parse({ services: withCapacity(), greenWeight: "30" });
        const [blue] = capacityRows(model, "green").filter((r) => r.cluster === "east" && r.color === "blue");
        expect(blue!.snapBack!.waitProbability).to.be.closeTo(9 / 38, 1e-12);
        expect(blue!.snapBack!.meanWaitMs).to.be.closeTo((9 / 38 / (3 * 80 - 120)) * 1000, 1e-9);
    });

    it("refuses a snap-back onto one idle pod: blue must take all 120 rps at once and needs 2 (M/M/2 waits 2ρ²/(1+ρ)/(2μ − λ) = 16.1 ms)", () => {
        const problems = problemsOf({ services: withCapacity(), idleReplicas: "1", greenWeight: "100" });
        expect(problems, problems.join("\n")).to.have.length(2);
        problems.forEach((problem, i) => {
            const where = ["east", "west"][i]!;
            expect(problem).to.equal(
                `switchyard:idleReplicas: got 1; allowed: at least 2 for cart's blue on cluster ${where}, the stable color, which takes all of peakRps 120 rps ` +
                    `at once when a rollback snaps traffic back: 1 pod at podRps 80: cannot keep up (utilization 150 %): the queue grows without bound ` +
                    `(switchyard:capacity maxWaitMs 50)`,
            );
        });
        const rho = 0.75;
        expect(((2 * rho * rho) / (1 + rho) / (2 * 80 - 120)) * 1000, "why 2 pods do").to.be.closeTo(16.07, 0.01);
        expect(parse({ services: withCapacity(), idleReplicas: "2", greenWeight: "100" }).idleReplicas).to.equal(2);
    });

    it("refuses a color too small for its share when there is no stable color to judge, one line per cluster", () => {
        // With both colors deployed, the stable color's full peak on the same replicas fails first; a
        // service released in green only has no stable color, so its share alone is judged.
        const greenOnly = (replicas: number) => [service("cart", { blue: undefined, replicas, capacity: cartCapacity }), service("checkout")];
        const problems = problemsOf({ services: greenOnly(1), greenWeight: "100" });
        expect(problems, problems.join("\n")).to.deep.equal(
            ["east", "west"].map(
                (where) =>
                    `switchyard:services[0].replicas: got 1; allowed: at least 2 for cart's green on cluster ${where}, which takes 100 % of peakRps 120 = 120 rps: ` +
                    `1 pod at podRps 80: cannot keep up (utilization 150 %): the queue grows without bound (switchyard:capacity maxWaitMs 50)`,
            ),
        );
        expect(parse({ services: greenOnly(2), greenWeight: "100" }).services[0]!.replicas).to.equal(2);
    });

    it("judges by utilization when the stack says so: at most 40 % busy takes 1.5 erlangs onto ⌈1.5/0.4⌉ = 4 pods", () => {
        const strict = { services: withCapacity(), capacity: { maxUtilization: 0.4 }, clusters: [cluster("east")] };
        expectOneProblem(strict, "switchyard:services[0].replicas", "3", /^at least 4 for cart's blue on cluster east, the stable color, .*: 3 pods at podRps 80: utilization 50 %, mean wait 2 ms \(switchyard:capacity maxUtilization 0\.4\)$/);
        expect(parse({ ...strict, capacity: { maxUtilization: 0.5 } }).capacity, "50 % busy is allowed at 0.5").to.deep.equal({ maxUtilization: 0.5 });
    });

    it("counts a cohort's color as taking traffic: it runs its full replicas at weight 0", () => {
        const cohorts = [{ name: "beta", color: "green", match: { headers: [{ name: "x-cohort", value: "beta" }] } }];
        const model = parse({ services: withCapacity(), idleReplicas: "1", cohorts });
        const [cart] = model.services;
        expect(replicasRunning(model, cart!, model.clusters[0]!, "green")).to.equal(3);
        expect(replicasRunning(parse({ services: withCapacity(), idleReplicas: "1" }), cart!, model.clusters[0]!, "green")).to.equal(1);
    });
});

describe("capacity: rows for the plan", () => {
    it("gives each deployed color of each service with a block its load, pods, utilization, wait and pods needed", () => {
        const model = parse({ services: withCapacity(), greenWeight: "30" });
        const rows = capacityRows(model, "green");
        expect(rows.map((r) => `${r.cluster} ${r.color} ${r.role}`)).to.deep.equal(["east blue stable", "east green candidate", "west blue stable", "west green candidate"]);
        const [blue, green] = rows;
        // blue: 70 % of 120 = 84 rps on 3 pods of 80, a = 1.05 erlangs.
        expect(blue).to.include({ service: "cart", weight: 70, replicas: 3, replicasNeeded: 2, meetsTarget: true });
        expect(blue!.loadRps).to.be.closeTo(84, 1e-9);
        expect(blue!.utilization).to.be.closeTo(84 / 240, 1e-12);
        expect(blue!.waitProbability).to.be.closeTo(textbookErlangC(3, 1.05), 1e-12);
        expect(blue!.meanWaitMs).to.be.closeTo((textbookErlangC(3, 1.05) / (240 - 84)) * 1000, 1e-9);
        expect(blue!.snapBack).to.include({ loadRps: 120, replicasNeeded: 2, meetsTarget: true });
        // green: 30 % = 36 rps; one pod would do (M/M/1: 0.45/(80 − 36) s = 10.2 ms).
        expect(green).to.include({ weight: 30, replicas: 3, replicasNeeded: 1, meetsTarget: true });
        expect(green!.snapBack).to.equal(undefined);
        expect(capacityRows(parse(), "green")).to.deep.equal([]);
    });

    it("takes green as the candidate being released unless the rollout names one, as the rollout's reader does", () => {
        expect(parse().rollout.candidate, "the documented default").to.equal("green");
        expect(DEFAULT_CANDIDATE).to.equal("green");
        const rows = capacityRows(parse({ services: withCapacity(), clusters: [cluster("east")] }), parse().rollout.candidate);
        expect(rows.map((r) => `${r.color} ${r.role}`)).to.deep.equal(["blue stable", "green candidate"]);
    });
});

describe("capacity: what the readiness gate needs for a share", () => {
    it("uses the model with a capacity block: 50 % of cart's peak fits one pod (37.5 ms), 60 % needs two (112.5 ms on one)", () => {
        const cart = { replicas: 3, capacity: cartCapacity };
        expect(replicasNeededForShare(cart, 50, { maxWaitMs: 50 })).to.equal(1);
        expect(replicasNeededForShare(cart, 60, { maxWaitMs: 50 })).to.equal(2);
        expect(replicasNeededForShare(cart, 100, { maxWaitMs: 50 })).to.equal(2);
        expect(replicasNeededForShare(cart, 0, { maxWaitMs: 50 })).to.equal(0);
    });

    it("falls back to the same share of the replicas, rounded up, without one", () => {
        const cart = { replicas: 3 };
        expect([0, 30, 34, 50, 100].map((share) => replicasNeededForShare(cart, share, { maxWaitMs: 50 }))).to.deep.equal([0, 1, 2, 2, 3]);
    });
});

describe("capacity: the annotations the policy pack reads", () => {
    it("writes one JSON annotation with the service's rates and the stack's target, and none without a block", () => {
        expect(capacityAnnotations({ capacity: cartCapacity }, { maxWaitMs: 50 })).to.deep.equal({
            "switchyard.io/capacity": '{"peakRps":120,"podRps":80,"maxWaitMs":50}',
        });
        expect(capacityAnnotations({}, { maxWaitMs: 50 })).to.deep.equal({});
        expect(CAPACITY_ANNOTATION).to.equal("switchyard.io/capacity");
    });

    it("reads back what it writes, and says why it cannot read anything else", () => {
        expect(decodeCapacity(encodeCapacity(cartCapacity, { maxUtilization: 0.7 }))).to.deep.equal({ ...cartCapacity, target: { maxUtilization: 0.7 } });
        const unreadable: [string, RegExp][] = [
            ["not json", /not JSON/],
            ["[1]", /not a JSON object/],
            ['{"peakRps":0,"podRps":80,"maxWaitMs":50}', /above 0/],
            ['{"peakRps":120,"podRps":80}', /exactly one/],
            ['{"peakRps":120,"podRps":80,"maxWaitMs":50,"maxUtilization":0.5}', /exactly one/],
            ['{"peakRps":120,"podRps":80,"maxUtilization":1.5}', /below 1/],
        ];
        for (const [text, reason] of unreadable) expect((decodeCapacity(text) as { problem: string }).problem, text).to.match(reason);
    });

    it("refuses JSON that is no object, rates that are text or not finite, and targets of 0 or of 100 %", () => {
        const unreadable: [string, string][] = [
            ["5", "it is not a JSON object"],
            ["null", "it is not a JSON object"],
            ['"peakRps"', "it is not a JSON object"],
            ['{"peakRps":"240","podRps":150,"maxWaitMs":50}', "peakRps and podRps must be numbers above 0"],
            ['{"peakRps":240,"podRps":1e999,"maxWaitMs":50}', "peakRps and podRps must be numbers above 0"],
            ['{"peakRps":240,"podRps":150,"maxWaitMs":0}', "maxWaitMs must be a number above 0"],
            ['{"peakRps":240,"podRps":150,"maxWaitMs":"50"}', "maxWaitMs must be a number above 0"],
            ['{"peakRps":240,"podRps":150,"maxUtilization":1}', "maxUtilization must be a number above 0 and below 1"],
        ];
        for (const [text, problem] of unreadable) expect(decodeCapacity(text), text).to.deep.equal({ problem });
    });
});

describe("capacity: how a queue reads in a message", () => {
    it("gives utilization and mean wait while the pods keep up: 120 rps on 2 pods of 80 is 75 % busy and waits 2ρ²/(1+ρ)/(2μ − λ) = 16.1 ms", () => {
        expect(describeQueue(queueMetrics({ arrivalRate: 120, serviceRate: 80, servers: 2 }))).to.equal("utilization 75 %, mean wait 16.1 ms");
    });

    it("says the queue grows without bound from 100 % busy on, and that no pod serves a load sent to none", () => {
        expect(describeQueue(queueMetrics({ arrivalRate: 160, serviceRate: 80, servers: 2 }))).to.equal("cannot keep up (utilization 100 %): the queue grows without bound");
        expect(describeQueue(queueMetrics({ arrivalRate: 240, serviceRate: 80, servers: 2 }))).to.equal("cannot keep up (utilization 150 %): the queue grows without bound");
        expect(describeQueue(queueMetrics({ arrivalRate: 120, serviceRate: 80, servers: 0 }))).to.equal("no pod to serve it");
    });
});
