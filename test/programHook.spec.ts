// One resource hook for the whole program, bound to many resources: each call goes to the judge of
// the resource the engine calls it for (components/programHook.ts), while the calls for other
// resources run meanwhile, as the engine's parallel steps make them.

import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ProgramHook, refuseUnjudged } from "../components/programHook.ts";
import { ProgramError, runProgram } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";

class Things extends pulumi.ProviderResource {}
class Thing extends pulumi.CustomResource {}

const THING = "test:index:Thing";

async function programFailure(program: () => Promise<void> | void): Promise<ProgramError> {
    try {
        await runProgram(program, loadStackConfig("dev"));
    } catch (error) {
        if (error instanceof ProgramError) return error;
        throw error;
    }
    throw new Error("expected the program to fail");
}

describe("program hook: one hook, a judge per resource", () => {
    it("hands each call the judge of its own resource, with that resource's name and inputs, while another call waits", async () => {
        const judged: string[] = [];
        let secondJudged!: () => void;
        const afterSecond = new Promise<void>((resolve) => (secondJudged = resolve));
        const run = await runProgram(async () => {
            const gate = new ProgramHook("test-gate", refuseUnjudged);
            const provider = new Things("test", "things", {});
            // The first judge is still waiting when the second call arrives: the calls interleave.
            const first = gate.judge(THING, "first", async (args) => {
                await afterSecond;
                judged.push(`first's judge: ${args.name} of size ${args.newInputs?.size}`);
            });
            const second = gate.judge(THING, "second", (args) => {
                judged.push(`second's judge: ${args.name} of size ${args.newInputs?.size}`);
                secondJudged();
            });
            new Thing(THING, "first", { size: 1 }, { provider, hooks: { beforeCreate: [first] } });
            new Thing(THING, "second", { size: 2 }, { provider, hooks: { beforeCreate: [second] } });
        }, loadStackConfig("dev"));
        expect(judged).to.deep.equal(["second's judge: second of size 2", "first's judge: first of size 1"]);
        expect(run.hookCalls.map((c) => `${c.hook} ${c.urn.split("::").pop()} ${c.error ?? "ok"}`).sort()).to.deep.equal(["test-gate first ok", "test-gate second ok"]);
    });

    it("refuses the resource whose judge refuses, and only it", async () => {
        const failed = await programFailure(async () => {
            const gate = new ProgramHook("test-gate", refuseUnjudged);
            const provider = new Things("test", "things", {});
            const refuse = gate.judge(THING, "refused", () => {
                throw new Error("refused: its own judge");
            });
            const pass = gate.judge(THING, "passed", () => {});
            new Thing(THING, "passed", {}, { provider, hooks: { beforeCreate: [pass] } });
            new Thing(THING, "refused", {}, { provider, hooks: { beforeCreate: [refuse] } });
        });
        expect(failed.message).to.include('before hook "test-gate" failed: refused: its own judge');
        const calls = failed.run.hookCalls.map((c) => `${c.urn.split("::").pop()} ${c.error ?? "ok"}`).sort();
        expect(calls).to.deep.equal(["passed ok", "refused refused: its own judge"]);
    });

    it("refuses a call for a resource it has no judge for, naming it, rather than let it through", async () => {
        const failed = await programFailure(async () => {
            const gate = new ProgramHook("test-gate", refuseUnjudged);
            gate.judge(THING, "judged", () => {});
            const provider = new Things("test", "things", {});
            new Thing(THING, "unjudged", {}, { provider, hooks: { beforeCreate: [gate.hook] } });
        });
        expect(failed.message).to.match(/before hook "test-gate" failed: test:index:Thing unjudged: no judge of this program for this resource \(urn:pulumi:dev::switchyard::[^)]*test:index:Thing::unjudged\)/);
    });

    it("passes what it has no judge for to the hook's own rule for those, when it has one", async () => {
        const unjudged: string[] = [];
        await runProgram(async () => {
            const guard = new ProgramHook("test-guard", (args) => void unjudged.push(args.name));
            guard.judge(THING, "judged", () => {});
            const provider = new Things("test", "things", {});
            new Thing(THING, "unjudged", {}, { provider, hooks: { beforeCreate: [guard.hook] } });
        }, loadStackConfig("dev"));
        expect(unjudged).to.deep.equal(["unjudged"]);
    });

    it("refuses a second judge for the same resource, which would judge both by one's rules", async () => {
        const failed = await programFailure(() => {
            const gate = new ProgramHook("test-gate", refuseUnjudged);
            gate.judge(THING, "twice", () => {});
            gate.judge("test:index:Other", "twice", () => {});
            gate.judge(THING, "twice", () => {});
        });
        expect(failed.message).to.include("resource hook test-gate: a second judge for the test:index:Thing named twice");
    });
});
