import { isMovedFrom, type ObjectIdentity } from "../model/gate.ts";
import { ProgramHook } from "./programHook.ts";
import type * as pulumi from "@pulumi/pulumi";

/** Judges the delete of an old object that this run replaces: its refusals, empty when the delete may go on. */
export type ReplacedJudge = (oldInputs: Record<string, unknown>) => string[] | Promise<string[]>;

/**
 * The gate's hook for replacements. A replacement's create gets no old inputs (pulumi/pulumi
 * pkg/resource/deploy/step.go CreateStep.Apply), but the old object's delete does: DeleteStep.Apply
 * runs the beforeDelete hooks the old state names with its old inputs and outputs. By default the
 * engine deletes it after every other step (create-before-delete, step_generator.go), and until then
 * the old HTTPRoute keeps its hostnames (Gateway API gives a conflicting match to the oldest route),
 * so the live split changes when it goes: a refused delete keeps it, and fails the update. The hook
 * has onDryRun, so the preview (and the one `pulumi up` runs first) refuses before anything changes.
 *
 * One hook, under one name, for the whole program (programHook.ts): the engine looks a delete hook up
 * by the name the old state recorded, among the hooks the running program registered ("hook ... was
 * not registered" fails the delete), so a per-service name would fail the delete of a service the
 * stack dropped, and this name never changes. Objects this run does not register (a service or
 * cluster removed) are not judged.
 */
export class ReplacementGuard {
    private readonly program = new ProgramHook("switchyard-replaced", () => {});

    get hook(): pulumi.ResourceHook {
        return this.program.hook;
    }

    /**
     * Judges the replaced object of the resource of this type and name (unique in this program) when
     * it is deleted, if it stood under another namespace or name than `identity`, this run's.
     */
    judge(type: string, name: string, identity: ObjectIdentity, judge: ReplacedJudge): void {
        this.program.judge(type, name, async (args) => {
            // Only the old object of a move is judged: a delete of an object under the namespace and
            // name this run declares is no replacement's (`pulumi destroy --run-program` runs the
            // program and hands every delete here), and is never held.
            if (!isMovedFrom(args.oldInputs, identity)) return;
            const refusals = await judge(args.oldInputs ?? {});
            if (refusals.length > 0) throw new Error(refusals.join("\n"));
        });
    }
}
