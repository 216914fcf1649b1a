// Shared by the engine specs: one `pulumi preview` or `pulumi up` of a stack under the harness,
// against a state, with config changes and cluster behaviour, and its failure when it must fail.

import program from "../index.ts";
import { ProgramError, emptyLive, runProgram, type Behaviour, type Live, type ProgramRun } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";

export interface Operation {
    overrides?: Record<string, string>;
    /** Config keys set as secrets, e.g. `switchyard:services`. */
    secretKeys?: string[];
    live?: Live;
    preview?: boolean;
    behaviour?: Behaviour;
}

export function run(stack: string, operation: Operation = {}): Promise<ProgramRun> {
    const config = loadStackConfig(stack, operation.overrides ?? {});
    return runProgram(program, { ...config, secretKeys: [...config.secretKeys, ...(operation.secretKeys ?? [])] }, {
        live: operation.live ?? emptyLive(),
        preview: operation.preview ?? false,
        behaviour: operation.behaviour ?? {},
    });
}

/** The run's failure; a run that never ends fails the spec on mocha's timeout. */
export async function failure(stack: string, operation: Operation): Promise<ProgramError> {
    try {
        await run(stack, operation);
    } catch (error) {
        if (error instanceof ProgramError) return error;
        throw error;
    }
    throw new Error(`expected ${operation.preview ? "preview" : "up"} of ${stack} with ${JSON.stringify(operation.overrides ?? {})} to fail`);
}
