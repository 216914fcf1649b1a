// Shared by the specs: run the real program under Pulumi's mocks with a stack file's config.

import program from "../index.ts";
import { ProgramError, runProgram, type ProgramRun, type RegisteredResource } from "../harness/mockRuntime.ts";
import { loadStackConfig } from "../model/stackFiles.ts";

export const TYPES = {
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    namespace: "kubernetes:core/v1:Namespace",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    k8sProvider: "pulumi:providers:kubernetes",
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    image: "docker:index/image:Image",
} as const;

export function runStack(stack: string, overrides: Record<string, string> = {}): Promise<ProgramRun> {
    return runProgram(program, loadStackConfig(stack, overrides));
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function byName(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have ${ofType(run, type).map((r) => r.name).join(", ")}`);
    return found;
}

/** A nested input value, e.g. at(deployment, "spec", "replicas"). */
export function at(resource: RegisteredResource, ...path: string[]): unknown {
    return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], resource.inputs);
}

/** Runs the program expecting it to fail; returns the error and what was registered before it failed. */
export async function runStackExpectingError(stack: string, overrides: Record<string, string>): Promise<ProgramError> {
    try {
        await runStack(stack, overrides);
    } catch (error) {
        if (error instanceof ProgramError) return error;
        throw error;
    }
    throw new Error(`expected stack ${stack} with ${JSON.stringify(overrides)} to fail, but it succeeded`);
}
