import { expect } from "chai";
import type { WaveSpec } from "../model/config/types.ts";
import { nextStepOfWave, planWaves, waveWindowSeconds, type StackVerdict, type WavePlanInput, type WaveStack } from "../model/waves.ts";

const STEPS = [5, 25, 50, 100];
const wave = (name: string, clusters: string[], extra: Partial<WaveSpec> = {}): WaveSpec => ({ name, clusters, parallel: clusters.length, soakSeconds: 0, approval: false, ...extra });
const WAVES = [wave("canary", ["a"]), wave("rest", ["b", "c"], { parallel: 1, approval: true })];
const stacks = (a: number, b: number, c: number): WaveStack[] => [
    { name: "p-a", cluster: "a", wave: "canary", weight: a },
    { name: "p-b", cluster: "b", wave: "rest", weight: b },
    { name: "p-c", cluster: "c", wave: "rest", weight: c },
];
const pass: StackVerdict = { verdict: "pass", reasons: ["live and healthy for the whole window"] };
const waiting: StackVerdict = { verdict: "inconclusive", reasons: ["live for 2s of the 6s window"] };
const failing: StackVerdict = { verdict: "fail", reasons: ["2 failing samples while live"] };

function plan(weights: [number, number, number], overrides: Partial<WavePlanInput> = {}) {
    return planWaves({ steps: STEPS, waves: WAVES, stacks: stacks(...weights), verdicts: {}, approvals: [], rolledBack: false, start: false, ...overrides });
}

describe("wave planner", () => {
    it("starts nothing at 0 % unless told to, and then moves only the first wave to the first step", () => {
        expect(plan([0, 0, 0])).to.include({ action: "hold" });
        expect(plan([0, 0, 0], { start: true })).to.deep.include({ action: "advance", wave: "canary", to: 5, stacks: ["p-a"], parallel: 1, restart: false });
    });

    it("moves the next wave only once the wave before it passed, and a wave with approval only once approved for that step", () => {
        expect(plan([5, 0, 0], { verdicts: { "p-a": waiting } })).to.deep.include({ action: "hold" });
        const unapproved = plan([5, 0, 0], { verdicts: { "p-a": pass } });
        expect(unapproved).to.deep.include({ action: "hold", approval: { wave: "rest", step: 5 } });
        expect(plan([5, 0, 0], { verdicts: { "p-a": pass }, approvals: [{ wave: "rest", step: 25 }] }).action, "an approval of another step").to.equal("hold");
        expect(plan([5, 0, 0], { verdicts: { "p-a": pass }, approvals: [{ wave: "canary", step: 5 }] }).action, "an approval of another wave").to.equal("hold");
        expect(plan([5, 0, 0], { verdicts: { "p-a": pass }, approvals: [{ wave: "rest", step: 5 }] })).to.deep.include({ action: "advance", wave: "rest", to: 5, stacks: ["p-b", "p-c"], parallel: 1 });
    });

    it("finishes a wave's step begun by a stopped run without waiting for analysis or approval again", () => {
        expect(plan([5, 5, 0], { verdicts: { "p-a": waiting, "p-b": waiting } })).to.deep.include({ action: "advance", wave: "rest", to: 5, stacks: ["p-c"] });
    });

    it("takes the next step on the first wave once every wave passed at the current one", () => {
        const all = { "p-a": pass, "p-b": pass, "p-c": pass };
        expect(plan([5, 5, 5], { verdicts: { ...all, "p-c": waiting } }).action).to.equal("hold");
        expect(plan([5, 5, 5], { verdicts: all })).to.deep.include({ action: "advance", wave: "canary", to: 25, stacks: ["p-a"] });
        expect(plan([100, 100, 100], { verdicts: all })).to.deep.include({ action: "complete", passed: true });
        expect(plan([100, 100, 100], { verdicts: { ...all, "p-b": waiting } })).to.deep.include({ action: "complete", passed: false });
    });

    it("rolls back every stack that moved on any failure, and goes on rolling back once the record says so, whatever else holds", () => {
        const decision = plan([25, 5, 5], { verdicts: { "p-a": pass, "p-b": failing, "p-c": waiting } });
        expect(decision).to.deep.include({ action: "rollback", stacks: ["p-a", "p-b", "p-c"], reasons: ["p-b: 2 failing samples while live"] });
        expect(plan([0, 5, 0], { rolledBack: true, start: true })).to.deep.include({ action: "rollback", stacks: ["p-b"] });
        expect(plan([0, 0, 0], { rolledBack: true }).action).to.equal("hold");
        expect(plan([0, 0, 0], { rolledBack: true, start: true })).to.deep.include({ action: "advance", restart: true, to: 5 });
    });

    it("judges a cohort's traffic at 0 %: a failure rolls back, a pass starts nothing without --start, and a rollback goes on while the record lists stacks to apply", () => {
        const withCohort = stacks(5, 0, 0).map((s) => (s.name === "p-b" ? { ...s, cohort: true } : s));
        const rolled = planWaves({ steps: STEPS, waves: WAVES, stacks: withCohort, verdicts: { "p-a": pass, "p-b": failing }, approvals: [], rolledBack: false, start: false });
        expect(rolled).to.deep.include({ action: "rollback", stacks: ["p-a", "p-b"], reasons: ["p-b: 2 failing samples while live"] });
        const atZero = stacks(0, 0, 0).map((s) => ({ ...s, cohort: true }));
        const held = planWaves({ steps: STEPS, waves: WAVES, stacks: atZero, verdicts: { "p-a": pass, "p-b": pass, "p-c": waiting }, approvals: [], rolledBack: false, start: false });
        expect(held.action).to.equal("hold");
        expect(held.reasons).to.include("the traffic the cohorts send to the candidate passed a full window on p-a, p-b; the weights move only with --start");
        const oneCohort = stacks(0, 0, 0).map((s) => (s.name === "p-b" ? { ...s, cohort: true } : s));
        const unjudged = planWaves({ steps: STEPS, waves: WAVES, stacks: oneCohort, verdicts: {}, approvals: [], rolledBack: false, start: false });
        expect(unjudged.reasons, "a cohort not judged yet passed nothing").to.have.length(1);
        expect(plan([0, 0, 0], { verdicts: { "p-b": failing } }).action, "a verdict of a stack the candidate gets nothing on counts for nothing").to.equal("hold");
        expect(planWaves({ steps: STEPS, waves: WAVES, stacks: atZero, verdicts: {}, approvals: [], rolledBack: true, start: true })).to.deep.include({ action: "rollback", stacks: ["p-a", "p-b", "p-c"] });
        expect(plan([0, 0, 0], { rolledBack: true, rollbackPending: ["p-c"] })).to.deep.include({ action: "rollback", stacks: ["p-c"] });
        expect(plan([0, 0, 0], { rollbackPending: ["p-c"] }).action, "a list without a rollback of this release").to.equal("hold");
    });

    it("never lets a wave rise by more than one step, even when another is further ahead", () => {
        expect(plan([50, 5, 5], { verdicts: { "p-a": pass, "p-b": pass, "p-c": pass }, approvals: [{ wave: "rest", step: 25 }] })).to.deep.include({ action: "advance", wave: "rest", to: 25 });
    });

    it("judges a wave over its soak when the soak is longer than the window, in whole intervals", () => {
        expect(waveWindowSeconds({ windowSeconds: 300, intervalSeconds: 60 }, { soakSeconds: 600 })).to.equal(600);
        expect(waveWindowSeconds({ windowSeconds: 300, intervalSeconds: 60 }, { soakSeconds: 90 })).to.equal(300);
        expect(waveWindowSeconds({ windowSeconds: 4, intervalSeconds: 2 }, { soakSeconds: 5 })).to.equal(6);
    });

    it("names the step a wave waits to take: its lowest stack's next", () => {
        expect(nextStepOfWave(stacks(25, 5, 0), "rest", STEPS)).to.equal(5);
        expect(nextStepOfWave(stacks(25, 5, 5), "rest", STEPS)).to.equal(25);
        expect(nextStepOfWave(stacks(100, 100, 100), "rest", STEPS)).to.equal(undefined);
        expect(nextStepOfWave(stacks(0, 0, 0), "nowhere", STEPS)).to.equal(undefined);
    });
});

describe("wave planner: what it tells the operator", () => {
    const all = { "p-a": pass, "p-b": pass, "p-c": pass };
    const gated = [wave("canary", ["a"], { approval: true }), wave("rest", ["b", "c"])];
    const open = [wave("canary", ["a"]), wave("rest", ["b", "c"])];

    it("lists every stack not yet passed: its verdict and first two reasons, or that it was not judged", () => {
        const three: StackVerdict = { verdict: "inconclusive", reasons: ["one", "two", "three"] };
        const bare: StackVerdict = { verdict: "inconclusive", reasons: [] };
        expect(plan([5, 5, 5], { verdicts: { "p-a": pass, "p-b": three, "p-c": bare } }).reasons).to.deep.equal([
            "every wave is at 5 %; the next step waits for a full window on every stack",
            "p-b: inconclusive (one; two)",
            "p-c: inconclusive",
        ]);
        expect(plan([5, 0, 0]).reasons, "no verdict at all is no failure").to.deep.equal(["wave rest takes 5 % once wave canary passed its window (and soak)", "p-a: not judged yet"]);
    });

    it("says why it holds at 0 %: not started, or rolled back, and how to start", () => {
        expect(plan([0, 0, 0]).reasons).to.deep.equal(["the candidate gets 0 % on every cluster stack: the release has not started. Start it with: switchyard advance --fleet <name> --start"]);
        expect(plan([0, 0, 0], { rolledBack: true }).reasons).to.deep.equal([
            "the release was rolled back: every cluster stack gives the candidate 0 %, and no cohort sends it users. Start a new one with: switchyard advance --fleet <name> --start",
        ]);
    });

    it("says why it rolls back once the record says so: traffic still on the candidate, or stacks not applied yet", () => {
        expect(plan([0, 5, 0], { rolledBack: true }).reasons).to.deep.equal(["the release record says it was rolled back, and these stacks still give the candidate traffic"]);
        expect(plan([0, 0, 0], { rolledBack: true, rollbackPending: ["p-c", "p-c"] })).to.deep.equal({
            action: "rollback",
            stacks: ["p-c"],
            reasons: ["the release record says it was rolled back, and these stacks have not applied it yet"],
        });
    });

    it("waits for a person before the first wave's steps too, and names the command", () => {
        expect(plan([0, 0, 0], { waves: gated, start: true })).to.deep.equal({
            action: "hold",
            reasons: ["wave canary waits for a person: switchyard approve --wave canary (its step to 5 %)"],
            approval: { wave: "canary", step: 5 },
        });
        expect(plan([0, 0, 0], { waves: gated, start: true, approvals: [{ wave: "canary", step: 5 }] })).to.deep.equal({
            action: "advance",
            wave: "canary",
            to: 5,
            stacks: ["p-a"],
            parallel: 1,
            restart: false,
            reasons: ["started: wave canary takes the first step, 5 %"],
        });
        expect(plan([5, 5, 5], { waves: gated, verdicts: all })).to.deep.equal({
            action: "hold",
            reasons: ["every wave passed at 5 %", "wave canary waits for a person: switchyard approve --wave canary (its step to 25 %)"],
            approval: { wave: "canary", step: 25 },
        });
        expect(plan([5, 5, 5], { waves: gated, verdicts: all, approvals: [{ wave: "canary", step: 25 }] })).to.deep.equal({
            action: "advance",
            wave: "canary",
            to: 25,
            stacks: ["p-a"],
            parallel: 1,
            restart: false,
            reasons: ["every wave passed a full window at 5 %"],
        });
    });

    it("says what a following wave waits for, and moves it without approval once the wave before passed", () => {
        expect(plan([25, 5, 5], { waves: open, verdicts: { "p-a": waiting } })).to.deep.equal({
            action: "hold",
            reasons: ["wave rest takes 25 % once wave canary passed its window (and soak)", "p-a: inconclusive (live for 2s of the 6s window)"],
        });
        expect(plan([25, 5, 5], { waves: open, verdicts: { "p-a": pass } })).to.deep.equal({
            action: "advance",
            wave: "rest",
            to: 25,
            stacks: ["p-b", "p-c"],
            parallel: 2,
            restart: false,
            reasons: ["wave canary passed its window (and soak) at 25 %"],
        });
        expect(plan([25, 5, 5], { verdicts: { "p-a": pass } })).to.deep.equal({
            action: "hold",
            reasons: ["wave canary passed its window (and soak)", "wave rest waits for a person: switchyard approve --wave rest (its step to 25 %)"],
            approval: { wave: "rest", step: 25 },
        });
    });

    it("finishes a wave's step from its lowest stack, and says the rest follow", () => {
        expect(plan([50, 25, 5], { verdicts: { "p-a": waiting } })).to.deep.equal({
            action: "advance",
            wave: "rest",
            to: 25,
            stacks: ["p-c"],
            parallel: 1,
            restart: false,
            reasons: ["wave rest is taking 25 %: the rest of its stacks follow"],
        });
    });

    it("brings a first wave that fell behind up to the stacks at the lead once those passed", () => {
        // The first wave behind the others: a cluster moved into it, or its stack edited by hand.
        expect(plan([5, 25, 25], { waves: open, verdicts: { "p-a": pass, "p-b": pass, "p-c": waiting } })).to.deep.equal({
            action: "hold",
            reasons: ["wave canary takes 25 % once the stacks at 25 % passed its window (and soak)", "p-c: inconclusive (live for 2s of the 6s window)"],
        });
        // Only the stacks at the lead are waited for: the lagging stack's own window is not.
        expect(plan([5, 25, 25], { waves: open, verdicts: { "p-a": waiting, "p-b": pass, "p-c": pass } })).to.deep.include({
            action: "advance",
            wave: "canary",
            to: 25,
            stacks: ["p-a"],
            reasons: ["the stacks at 25 % passed its window (and soak) at 25 %"],
        });
    });

    it("waits for the wave just before, not the first, when three waves follow one another", () => {
        const three = [wave("canary", ["a"]), wave("mid", ["b"]), wave("rest", ["c"])];
        const midStacks = stacks(5, 5, 0).map((s) => (s.name === "p-b" ? { ...s, wave: "mid" } : s));
        expect(plan([5, 5, 0], { waves: three, stacks: midStacks, verdicts: { "p-a": waiting, "p-b": pass } })).to.deep.include({
            action: "advance",
            wave: "rest",
            to: 5,
            stacks: ["p-c"],
            reasons: ["wave mid passed its window (and soak) at 5 %"],
        });
        expect(plan([5, 5, 0], { waves: three, stacks: midStacks, verdicts: { "p-a": pass, "p-b": waiting } }).reasons).to.deep.equal([
            "wave rest takes 5 % once wave mid passed its window (and soak)",
            "p-b: inconclusive (live for 2s of the 6s window)",
        ]);
    });

    it("says whether the release completed: every stack at 100 % and passed there", () => {
        expect(plan([100, 100, 100], { verdicts: all }).reasons).to.deep.equal(["every cluster stack serves the candidate 100 % and passed its window there"]);
        expect(plan([100, 100, 100], { verdicts: { ...all, "p-b": waiting } }).reasons).to.deep.equal([
            "every cluster stack serves the candidate 100 %; waiting for a full window there",
            "p-b: inconclusive (live for 2s of the 6s window)",
        ]);
    });
});
