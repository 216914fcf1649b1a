import { expect } from "chai";
import program from "../index.ts";
import { replayCustomResources } from "../devtools/bench/replay.ts";
import { canonical, runProgram, type ProgramRun, type RegisteredResource } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";

/** `type name` of a resource or of a provider reference (`urn::id`), independent of its parents. */
function identity(urn: string): string {
    const parts = urn.split("::");
    return `${parts[2]!.split("$").pop()} ${parts[3]}`;
}

function customByIdentity(run: ProgramRun): Map<string, RegisteredResource> {
    return new Map(run.resources.filter((r) => r.custom).map((r) => [identity(r.urn), r]));
}

describe("benchmark floor", () => {
    it("registers exactly the program's custom resources: types, names, inputs, secrets, providers, dependencies", async () => {
        const stack = loadStackConfig("prod");
        const real = await runProgram(program, stack);
        const floor = await runProgram(() => replayCustomResources(real.resources), stack);
        const expected = customByIdentity(real);
        const replayed = customByIdentity(floor);
        expect([...replayed.keys()].sort()).to.deep.equal([...expected.keys()].sort());
        for (const [id, want] of expected) {
            const got = replayed.get(id)!;
            expect(canonical(got.wireInputs), `${id} inputs`).to.equal(canonical(want.wireInputs));
            expect(got.secretInputs, `${id} secret inputs`).to.deep.equal(want.secretInputs);
            expect(got.provider === "" ? "" : identity(got.provider), `${id} provider`).to.equal(want.provider === "" ? "" : identity(want.provider));
            const customDependencies = (r: RegisteredResource, of: Map<string, RegisteredResource>) =>
                r.dependencies.map(identity).filter((d) => of.has(d)).sort();
            expect(customDependencies(got, replayed), `${id} dependencies`).to.deep.equal(customDependencies(want, expected));
        }
        expect(floor.resources.filter((r) => !r.custom).map((r) => r.type), "no components, only the stack").to.deep.equal(["pulumi:pulumi:Stack"]);
    });
});
