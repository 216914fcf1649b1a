// The offline engine itself: what it does with a program that fails.

import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ProgramError, runProgram } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";

describe("harness: a program that fails", () => {
    it("reports the failure once, and a rejection the SDK handles late raises no PromiseRejectionHandledWarning", async () => {
        const warnings: string[] = [];
        const onWarning = (warning: Error) => warnings.push(warning.name);
        process.on("warning", onWarning);
        try {
            let failure: unknown;
            try {
                await runProgram(async () => {
                    // A value that fails before anything handles it, exported like a failed resource's
                    // output: the stack serializes it only once the program has returned.
                    const failed = Promise.reject(new Error("the route's registration failed"));
                    await new Promise((done) => setTimeout(done, 20));
                    return { route: pulumi.output(failed) };
                }, loadStackConfig("dev"));
            } catch (error) {
                failure = error;
            }
            expect(failure).to.be.instanceOf(ProgramError);
            expect(String((failure as Error).message)).to.include("the route's registration failed");
            await new Promise((done) => setTimeout(done, 20));
            expect(warnings).to.deep.equal([]);
        } finally {
            process.off("warning", onWarning);
        }
    });
});

class Things extends pulumi.ProviderResource {}
class Thing extends pulumi.CustomResource {}

describe("harness: after a failed step the engine cancels what follows", () => {
    it("applies no registration that arrives after a refused one, and reports the refusal", async () => {
        let failure: unknown;
        try {
            await runProgram(async () => {
                const refuse = new pulumi.ResourceHook("refuse", () => {
                    throw new Error("refused by the gate");
                });
                const provider = new Things("test", "things", {});
                const first = new Thing("test:index:Thing", "first", {}, { provider, hooks: { beforeCreate: [refuse] } });
                // The second arrives once the first's registration has failed (its urn rejects then),
                // not after a fixed time, which a busy machine may not meet.
                // (Output.promise is the SDK's own, internal to its typings.)
                await (first.urn as unknown as { promise(): Promise<string> }).promise().catch(() => undefined);
                new Thing("test:index:Thing", "second", {}, { provider });
            }, loadStackConfig("dev"));
        } catch (error) {
            failure = error;
        }
        expect(failure).to.be.instanceOf(ProgramError);
        const { message, run } = failure as ProgramError;
        expect(message).to.include('before hook "refuse" failed: refused by the gate');
        expect([...run.live.resources.values()].map((e) => e.name), "the engine stopped at the refusal").to.not.include("second");
    });
});

describe("harness: resource hooks are registered once per name, as the engine keeps them", () => {
    it("refuses a second hook under a name already registered, failing the resource bound to it", async () => {
        let failure: unknown;
        try {
            await runProgram(async () => {
                new pulumi.ResourceHook("gate", () => {});
                const again = new pulumi.ResourceHook("gate", () => {});
                const provider = new Things("test", "things", {});
                new Thing("test:index:Thing", "bound", {}, { provider, hooks: { beforeCreate: [again] } });
            }, loadStackConfig("dev"));
        } catch (error) {
            failure = error;
        }
        expect(failure).to.be.instanceOf(ProgramError);
        expect((failure as ProgramError).message).to.include('resource hook already registered for name "gate"');
        expect((failure as ProgramError).run.hookCalls, "the bound resource is never stepped").to.deep.equal([]);
    });
});

describe("harness: the engine deletes only after the program has sent every registration", () => {
    it("keeps a resource whose registration comes after the stack's outputs resolved: it is registered, not deleted", async () => {
        const config = loadStackConfig("dev");
        // Its input resolves on a later turn of the event loop, after the program has returned outputs
        // that depend on nothing: the language host signals shutdown, after which the engine deletes
        // what was not registered, only once the event loop is empty (sdk/nodejs/cmd/run/index.ts beforeExit).
        const program = async () => {
            const provider = new Things("test", "things", {});
            const guard = new pulumi.ResourceHook("guard", () => {
                throw new Error("a delete of what the program registers");
            });
            const later = new Promise<string>((resolve) => setTimeout(() => resolve("ready"), 20));
            new Thing("test:index:Thing", "late", { state: later }, { provider, hooks: { beforeDelete: [guard] } });
            return { things: 1 };
        };
        const first = await runProgram(program, config);
        expect(first.resources.map((r) => r.name)).to.include("late");
        const second = await runProgram(program, config, { live: first.live });
        expect(second.resources.map((r) => r.name)).to.include("late");
        expect(second.deleted).to.deep.equal([]);
        expect(second.hookCalls.filter((call) => call.kind === "beforeDelete"), "no delete ran").to.deep.equal([]);
    });
});
