// Checks, on every benchmark run, that the floor registered what the program registered: the same
// custom resources by type and name, with the same wire inputs. A floor that drifted from the
// program would make every ratio meaningless.

import { canonical, type RegisteredResource } from "../../harness/mockRuntime.ts";

/** `type name`: a resource's identity without its parents, which the floor does not have. */
function identity(resource: RegisteredResource): string {
    return `${resource.type} ${resource.name}`;
}

export function floorDifferences(program: RegisteredResource[], floor: RegisteredResource[]): string[] {
    const expected = new Map(program.filter((r) => r.custom).map((r) => [identity(r), canonical(r.wireInputs)]));
    const differences: string[] = [];
    for (const resource of floor.filter((r) => r.custom)) {
        const id = identity(resource);
        const inputs = expected.get(id);
        if (inputs === undefined) differences.push(`${id}: registered by the floor only`);
        else if (inputs !== canonical(resource.wireInputs)) differences.push(`${id}: inputs differ`);
        expected.delete(id);
    }
    for (const id of expected.keys()) differences.push(`${id}: not registered by the floor`);
    return differences;
}
