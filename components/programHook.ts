import * as pulumi from "@pulumi/pulumi";

/** Judges one resource's step from what the engine hands the hook; throws to refuse the step. */
export type ResourceJudge = (args: pulumi.ResourceHookArgs) => void | Promise<void>;

/**
 * One resource hook under one fixed name for the whole program, bound to many resources, each
 * judged by its own judge. Registering a hook per resource cost a gRPC registration, a callback and
 * a captured stack trace each (two per service per cluster); one per kind costs one. Checked in
 * pulumi/pulumi (3.260 source; the SDK we run, 3.270, has the same callbacks.ts and resource.ts):
 *
 * - The engine keeps the registered hooks by name, once per name: pkg/resource/deploy/resource_hooks.go
 *   RegisterResourceHook refuses a second hook of the same name, GetResourceHook looks one up by name.
 *   A resource's state records only the hooks' names, per kind (pkg/resource/state.go ResourceHooks,
 *   taken from the registration in source_eval.go RegisterResource).
 * - One hook bound to many resources gets each resource's own URN, ID, name, type and inputs:
 *   CreateStep/UpdateStep/DeleteStep.Apply (pkg/resource/deploy/step.go) call Deployment.RunHooks
 *   (deployment.go) with the step's resource, which source_eval.go wrapResourceHookCallback sends in the
 *   ResourceHookRequest, and sdk/nodejs/runtime/callbacks.ts registerResourceHook hands to the callback.
 *   The dispatch is by type and name, not URN: the SDK learns a resource's URN from the engine's answer
 *   to its registration, which comes after the step and so after the hook.
 * - Create and update hooks are the ones the *new* registration names (s.new.ResourceHooks), so
 *   renaming a resource's before-create/update hooks needs nothing from the old state. Only a delete
 *   reads the old state's names (s.old.ResourceHooks): the delete hook keeps its name (ReplacementGuard).
 * - Changing the hooks a resource is bound to is no change of the resource: the step generator's diff
 *   (step_generator.go diff, continueStepsFromDiff) asks the provider about inputs only and makes a
 *   SameStep, which carries the new names into the state (pkg/backend/snapshot.go mustWrite writes
 *   the checkpoint "because of ResourceHooks"); no provider call, nothing in `pulumi preview`.
 * - Steps run in parallel (pkg/resource/deploy/step_executor.go: DegreeOfParallelism workers) and
 *   RunHooks calls the hook with no lock, so one hook gets concurrent calls for different resources.
 *   Each call's judge is looked up from its own arguments in a map that is only written while the
 *   program constructs its resources, before their registrations are sent; a judge keeps no state
 *   between calls, so interleaved calls cannot see each other's resource.
 */
export class ProgramHook {
    readonly hook: pulumi.ResourceHook;
    private readonly judges = new Map<string, ResourceJudge>();

    /** `unjudged` gets the calls for resources no judge was given for. */
    constructor(name: string, unjudged: ResourceJudge) {
        this.hook = new pulumi.ResourceHook(name, (args) => (this.judges.get(judgeKey(args.type, args.name)) ?? unjudged)(args), { onDryRun: true });
    }

    /**
     * Judges the resource of this type and name (one per program; the engine's URNs are unique
     * too) whenever this hook is called for it, and returns the hook to bind to it.
     */
    judge(type: string, name: string, judge: ResourceJudge): pulumi.ResourceHook {
        const key = judgeKey(type, name);
        // Two resources under one key would be judged by one judge: the later one's rules for both.
        if (this.judges.has(key)) throw new Error(`resource hook ${this.hook.name}: a second judge for the ${type} named ${name}`);
        this.judges.set(key, judge);
        return this.hook;
    }
}

function judgeKey(type: string, name: string): string {
    return `${type}::${name}`;
}

/** For a hook that is bound only with a judge: a call without one is a defect, and is refused, never waved through. */
export function refuseUnjudged(args: pulumi.ResourceHookArgs): never {
    throw new Error(`${args.type} ${args.name}: no judge of this program for this resource (${args.urn}); refused rather than let through unjudged.`);
}
