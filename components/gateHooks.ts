import { ProgramHook, refuseUnjudged } from "./programHook.ts";
import { ReplacementGuard } from "./replacementGuard.ts";

/**
 * The readiness gate's resource hooks (model/gate.ts): one of each kind for the whole program, each
 * dispatching to the judge of the route or Deployment it is called for (programHook.ts). Made once
 * per run and registered whatever the stack holds: the delete hook the state names must exist.
 */
export class GateHooks {
    /** Rules 1–4, on every HTTPRoute's create and update. */
    readonly route = new ProgramHook("switchyard-gate", refuseUnjudged);
    /** Rule 5, on the stable color's Deployment's update. */
    readonly stableVersion = new ProgramHook("switchyard-stable", refuseUnjudged);
    /** Rule 6, on the create and update of a building color's Deployment while ECR does not answer. */
    readonly keptImage = new ProgramHook("switchyard-image", refuseUnjudged);
    /** Rules 1–5 at the delete of a replaced route's or stable Deployment's old object. */
    readonly replacements = new ReplacementGuard();
}
