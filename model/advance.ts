// What `switchyard advance` does with a release's verdict: the next step, a rollback, nothing yet,
// or nothing left. Pure: the judgements come in, the stack-file edits and the exit code go out.

import type { StackModel } from "./config/types.ts";
import { releaseVerdict, type TargetJudgement, type Verdict } from "./analysis.ts";
import { candidateWeightOf, nextStep, rollbackEdits, stepEdit, type StackEdit } from "./rollout.ts";
import type { RolloutSpec } from "./config/types.ts";

/** Starts the comment a rollback leaves on the greenWeight line; the next step's edit removes it. */
export const ROLLBACK_COMMENT_PREFIX = "switchyard rolled back";

export type AdvanceAction = "advance" | "rollback" | "complete" | "hold";

/** advance: 0 advanced or complete, 1 rolled back, 2 held. 3 (an error, nothing written) is the command's. */
export const ADVANCE_EXIT_CODES: Record<AdvanceAction, 0 | 1 | 2> = { advance: 0, complete: 0, rollback: 1, hold: 2 };

export interface AdvanceDecision {
    action: AdvanceAction;
    /** The candidate's stack-level weight before and after. */
    from: number;
    to: number;
    edits: StackEdit[];
    /** The release's verdict; undefined when no cluster gave the candidate traffic to judge. */
    verdict: Verdict | undefined;
    reasons: string[];
    exitCode: 0 | 1 | 2;
}

function targetName(judgement: TargetJudgement): string {
    return `${judgement.target.service} on ${judgement.target.cluster}`;
}

/**
 * Decides one step. A failing verdict rolls back at any weight, 100 % included, and whatever
 * else holds; a rollback takes the candidate's traffic away in one edit, never after another
 * analysis. At weight 0 nothing starts unless `start` is given, so a scheduled run never restarts
 * a release that was rolled back; a cohort on the candidate is judged there all the same, and its
 * failure rolls it back, while its pass starts nothing. Only a full passing window moves to the next step.
 */
export function decideAdvance(
    model: Pick<StackModel, "greenWeight" | "clusters" | "cohorts">,
    rollout: RolloutSpec,
    judgements: readonly TargetJudgement[],
    options: { start: boolean },
): AdvanceDecision {
    const from = candidateWeightOf(model.greenWeight, rollout.candidate);
    const verdict = judgements.length > 0 ? releaseVerdict(judgements) : undefined;
    const decision = (action: AdvanceAction, to: number, edits: StackEdit[], reasons: string[]): AdvanceDecision => ({
        action,
        from,
        to,
        edits,
        verdict,
        reasons,
        exitCode: ADVANCE_EXIT_CODES[action],
    });
    if (verdict === "fail") {
        const failing = judgements.filter((j) => j.verdict === "fail");
        return decision(
            "rollback",
            0,
            rollbackEdits(model, rollout),
            failing.flatMap((j) => j.reasons.map((reason) => `${targetName(j)}: ${reason}`)),
        );
    }
    const unfinished = judgements.filter((j) => j.verdict !== "pass").flatMap((j) => j.reasons.slice(0, 2).map((reason) => `${targetName(j)}: ${reason}`));
    if (from >= 100) {
        return decision("complete", from, [], [`nothing left to step${verdict === "pass" ? "; the window at 100 % passed" : ""}`, ...unfinished]);
    }
    if (from === 0) {
        if (options.start) {
            const first = rollout.steps[0]!;
            return decision("advance", first, stepEdit(rollout, first), [`started: ${rollout.candidate} gets its first step, ${first} %`]);
        }
        // A cohort at 0 % is judged (its failure rolls back above), but its pass moves no weight by itself.
        const cohortPassed = verdict === "pass" ? [`the traffic its cohorts send to ${rollout.candidate} passed a full window; the weights move only with --start`] : [];
        return decision("hold", 0, [], [
            `${rollout.candidate} gets 0 %: the rollout has not started, or was rolled back. Start it with: switchyard advance --start`,
            ...cohortPassed,
            ...unfinished,
        ]);
    }
    if (verdict === "pass") {
        const to = nextStep(from, rollout.steps)!;
        return decision("advance", to, stepEdit(rollout, to), [`every service on every cluster passed a full window at ${from} %`]);
    }
    return decision("hold", from, [], unfinished.length > 0 ? unfinished : ["no cluster gives the candidate traffic to judge"]);
}

/** The line a rollback leaves on greenWeight in the stack file: when, and the first thing that failed. */
export function rollbackComment(decision: AdvanceDecision, at: Date): string {
    const [first, ...rest] = decision.reasons;
    const more = rest.length > 0 ? ` (and ${rest.length} more in the report)` : "";
    return rollbackNote(at, `${first}${more}`);
}

/** The comment a rollback leaves on the greenWeight line: when, in UTC to the second, and why. */
export function rollbackNote(at: Date, why: string): string {
    return `${ROLLBACK_COMMENT_PREFIX} ${at.toISOString().slice(0, 19)}Z: ${why}`;
}
