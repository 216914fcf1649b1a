import { expect } from "chai";
import { decideAdvance, rollbackComment } from "../model/advance.ts";
import type { TargetJudgement, Verdict } from "../model/analysis.ts";
import type { RolloutSpec } from "../model/config/types.ts";

const green: RolloutSpec = { candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 };
const blue: RolloutSpec = { ...green, candidate: "blue" };

function judged(service: string, cluster: string, verdict: Verdict, ...reasons: string[]): TargetJudgement {
    return { target: { service, cluster }, verdict, reasons } as TargetJudgement;
}

const model = (greenWeight: number, overrides: (number | undefined)[] = [undefined, undefined], cohorts: { color: string }[] = []) => ({
    greenWeight,
    clusters: overrides.map((w) => (w === undefined ? {} : { greenWeight: w })),
    cohorts,
}) as never;

describe("advance: the decision", () => {
    it("takes the candidate's cohorts along when it rolls back, and leaves them alone on a step", () => {
        const failing = [judged("cart", "east", "fail", "success-rate 70.00 % < 99 %")];
        const rollback = decideAdvance(model(25, [undefined], [{ color: "green" }, { color: "blue" }]), green, failing, { start: false });
        expect(rollback.edits).to.deep.equal([{ greenWeight: 0 }, { cohort: 0, color: "blue" }]);
        const step = decideAdvance(model(25, [undefined], [{ color: "green" }]), green, [judged("cart", "east", "pass")], { start: false });
        expect(step.edits).to.deep.equal([{ greenWeight: 50 }]);
    });

    it("moves to the next step when every target passed its window, and exits 0", () => {
        const decision = decideAdvance(model(5), green, [judged("cart", "east", "pass", "ok"), judged("cart", "west", "pass", "ok")], { start: false });
        expect(decision).to.deep.include({ action: "advance", from: 5, to: 25, edits: [{ greenWeight: 25 }], verdict: "pass", exitCode: 0 });
        expect(decision.reasons).to.deep.equal(["every service on every cluster passed a full window at 5 %"]);
    });

    it("walks blue's weight by moving greenWeight down", () => {
        const decision = decideAdvance(model(75), blue, [judged("cart", "east", "pass")], { start: false });
        expect(decision).to.deep.include({ from: 25, to: 50, edits: [{ greenWeight: 50 }] });
    });

    it("rolls the whole release back when one service on one cluster fails, overrides included, and exits 1", () => {
        const decision = decideAdvance(
            model(25, [10, undefined]),
            green,
            [judged("cart", "east", "pass"), judged("checkout", "west", "fail", "2 failing samples", "success-rate failed"), judged("cart", "west", "inconclusive", "too early")],
            { start: false },
        );
        expect(decision).to.deep.include({ action: "rollback", from: 25, to: 0, verdict: "fail", exitCode: 1 });
        expect(decision.edits).to.deep.equal([{ greenWeight: 0 }, { cluster: 0, greenWeight: 0 }]);
        expect(decision.reasons).to.deep.equal(["checkout on west: 2 failing samples", "checkout on west: success-rate failed"]);
    });

    it("holds on an inconclusive verdict, saying why per target, and exits 2", () => {
        const decision = decideAdvance(model(25), green, [judged("cart", "east", "pass", "ok"), judged("cart", "west", "inconclusive", "live for 2m of 5m", "share off", "third")], { start: false });
        expect(decision).to.deep.include({ action: "hold", from: 25, to: 25, edits: [], verdict: "inconclusive", exitCode: 2 });
        expect(decision.reasons).to.deep.equal(["cart on west: live for 2m of 5m", "cart on west: share off"]);
    });

    it("judges a cohort at 0 %: a failure moves the cohort back, a pass starts nothing without --start", () => {
        const beta = model(0, [undefined], [{ color: "green" }]);
        const failed = decideAdvance(beta, green, [judged("cart", "east", "fail", "success-rate 70.00 % < 99 %")], { start: true });
        expect(failed).to.deep.include({ action: "rollback", from: 0, to: 0, edits: [{ cohort: 0, color: "blue" }], exitCode: 1 });
        const passed = decideAdvance(beta, green, [judged("cart", "east", "pass", "live and healthy for the whole window")], { start: false });
        expect(passed).to.deep.include({ action: "hold", edits: [], exitCode: 2 });
        expect(passed.reasons).to.deep.equal([
            "green gets 0 %: the rollout has not started, or was rolled back. Start it with: switchyard advance --start",
            "the traffic its cohorts send to green passed a full window; the weights move only with --start",
        ]);
        const held = decideAdvance(beta, green, [judged("cart", "east", "inconclusive", "live for 1m of the 3m window")], { start: false });
        expect(held.reasons.slice(1)).to.deep.equal(["cart on east: live for 1m of the 3m window"]);
        expect(decideAdvance(beta, green, [judged("cart", "east", "pass")], { start: true })).to.deep.include({ action: "advance", to: 5, edits: [{ greenWeight: 5 }] });
    });

    it("holds when no cluster gives the candidate traffic to judge", () => {
        const decision = decideAdvance(model(25), green, [], { start: false });
        expect(decision).to.deep.include({ action: "hold", verdict: undefined, exitCode: 2 });
        expect(decision.reasons).to.deep.equal(["no cluster gives the candidate traffic to judge"]);
    });

    it("never starts a rollout by itself at 0 %: it holds and says how to start", () => {
        const decision = decideAdvance(model(0), green, [], { start: false });
        expect(decision).to.deep.include({ action: "hold", from: 0, to: 0, edits: [], exitCode: 2 });
        expect(decision.reasons[0]).to.match(/gets 0 %: the rollout has not started, or was rolled back\. Start it with: switchyard advance --start$/);
    });

    it("starts at the first step with --start", () => {
        const decision = decideAdvance(model(0), green, [], { start: true });
        expect(decision).to.deep.include({ action: "advance", from: 0, to: 5, edits: [{ greenWeight: 5 }], exitCode: 0 });
        expect(decision.reasons).to.deep.equal(["started: green gets its first step, 5 %"]);
        expect(decideAdvance(model(100), blue, [], { start: true }).edits, "blue at 0 % is greenWeight 100").to.deep.equal([{ greenWeight: 95 }]);
    });

    it("still rolls back a failing canary cluster while the stack is at 0 %, even with --start", () => {
        const decision = decideAdvance(model(0, [10, undefined]), green, [judged("cart", "east", "fail", "bad")], { start: true });
        expect(decision).to.deep.include({ action: "rollback", edits: [{ cluster: 0, greenWeight: 0 }], exitCode: 1 });
    });

    it("is complete at 100 % whatever a window that is not failing says, and exits 0", () => {
        const decision = decideAdvance(model(100), green, [judged("cart", "east", "inconclusive", "live for 1m of 5m")], { start: false });
        expect(decision).to.deep.include({ action: "complete", from: 100, to: 100, edits: [], exitCode: 0 });
        expect(decision.reasons).to.deep.equal(["nothing left to step", "cart on east: live for 1m of 5m"]);
        expect(decideAdvance(model(100), green, [judged("cart", "east", "pass")], { start: false }).reasons).to.deep.equal(["nothing left to step; the window at 100 % passed"]);
    });

    it("still rolls back at 100 % when the analysis fails", () => {
        expect(decideAdvance(model(100), green, [judged("cart", "east", "fail", "bad")], { start: false })).to.deep.include({ action: "rollback", to: 0, edits: [{ greenWeight: 0 }], exitCode: 1 });
    });

    it("advances from a weight set by hand to the step above it", () => {
        expect(decideAdvance(model(10), green, [judged("cart", "east", "pass")], { start: false })).to.deep.include({ from: 10, to: 25 });
    });
});

describe("advance: the rollback comment", () => {
    it("says when, in UTC to the second, and the first failure", () => {
        const decision = decideAdvance(model(25), green, [judged("cart", "east", "fail", "2 failing samples", "success-rate failed")], { start: false });
        expect(rollbackComment(decision, new Date("2026-03-04T05:06:07.890Z"))).to.equal(
            "switchyard rolled back 2026-03-04T05:06:07Z: cart on east: 2 failing samples (and 1 more in the report)",
        );
        const single = decideAdvance(model(25), green, [judged("cart", "east", "fail", "2 failing samples")], { start: false });
        expect(rollbackComment(single, new Date("2026-03-04T05:06:07Z"))).to.equal("switchyard rolled back 2026-03-04T05:06:07Z: cart on east: 2 failing samples");
    });
});
