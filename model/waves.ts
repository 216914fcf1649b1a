// A release across a fleet, wave by wave: which cluster stacks move next, from what their files
// say (each stack's candidate weight), the analysis of the stacks that carry the candidate, and the
// approvals people recorded. Pure: the orchestrator (cli/switchyard/fleet.ts) reads the files and
// Prometheus, asks this, and makes the edits it returns.
//
// The waves walk each step in lockstep: every wave takes step k, one after the other, before the
// first wave takes step k+1. A wave follows the one before it once that one passed a full window of
// max(window, soak) at the step, and, with `approval: true`, once a person approved that step for it.

import type { Verdict } from "./analysis.ts";
import type { AnalysisSpec, WaveSpec } from "./config/types.ts";
import { nextStep } from "./rollout.ts";

/** One cluster stack of the fleet as its file says now. */
export interface WaveStack {
    name: string;
    cluster: string;
    wave: string;
    /** The candidate's weight in the stack file, percent. */
    weight: number;
    /** A cohort sends its users to the candidate on this stack, whatever the weight (a beta at 0 %). */
    cohort?: boolean;
}

/** A stack's analysis at its weight (or its cohorts' traffic), over its wave's window; absent for a stack the candidate gets nothing on. */
export interface StackVerdict {
    verdict: Verdict;
    /** The first reasons, for the report. */
    reasons: string[];
}

/** A person's go for one wave to take one step (`switchyard approve`). */
export interface Approval {
    wave: string;
    step: number;
}

export interface WavePlanInput {
    steps: readonly number[];
    waves: readonly WaveSpec[];
    stacks: readonly WaveStack[];
    verdicts: Readonly<Record<string, StackVerdict | undefined>>;
    approvals: readonly Approval[];
    /** The release record says a rollback began: what still gives the candidate traffic goes to 0. */
    rolledBack: boolean;
    /** Stacks the release record says the rollback has not applied yet (a cohort's edit shows in no weight). */
    rollbackPending?: readonly string[];
    /** At 0 everywhere, start the release (rollout, advance --start); otherwise hold. */
    start: boolean;
}

export type WaveDecision =
    | { action: "rollback"; stacks: string[]; reasons: string[] }
    | {
          action: "advance";
          wave: string;
          /** The candidate's weight the stacks move to. */
          to: number;
          stacks: string[];
          parallel: number;
          /** A new release after a rolled-back one: the record's rollback and approvals are cleared first. */
          restart: boolean;
          reasons: string[];
      }
    | { action: "hold"; reasons: string[]; approval?: Approval }
    | { action: "complete"; passed: boolean; reasons: string[] };

/** advance's exit codes, as the single-stack advance's: 0 advanced or complete, 1 rolled back, 2 held. */
export const WAVE_EXIT_CODES = { advance: 0, complete: 0, rollback: 1, hold: 2 } as const;

/** The window a wave's stacks are judged over: the analysis window, or the soak when it is longer, in whole intervals. */
export function waveWindowSeconds(analysis: Pick<AnalysisSpec, "windowSeconds" | "intervalSeconds">, wave: Pick<WaveSpec, "soakSeconds">): number {
    const soak = Math.ceil(wave.soakSeconds / analysis.intervalSeconds) * analysis.intervalSeconds;
    return Math.max(analysis.windowSeconds, soak);
}

/** The step a wave is waiting to take, for `switchyard approve`: the next step from its lowest stack; undefined at 100. */
export function nextStepOfWave(stacks: readonly WaveStack[], wave: string, steps: readonly number[]): number | undefined {
    const weights = stacks.filter((s) => s.wave === wave).map((s) => s.weight);
    if (weights.length === 0) return undefined;
    const lowest = Math.min(...weights);
    return lowest === 0 ? steps[0] : nextStep(lowest, steps);
}

function notReady(stacks: readonly WaveStack[], verdicts: WavePlanInput["verdicts"]): string[] {
    return stacks.flatMap((s) => {
        const v = verdicts[s.name];
        if (v?.verdict === "pass") return [];
        return [`${s.name}: ${v ? `${v.verdict}${v.reasons.length > 0 ? ` (${v.reasons.slice(0, 2).join("; ")})` : ""}` : "not judged yet"}`];
    });
}

export function planWaves(input: WavePlanInput): WaveDecision {
    const { steps, waves, stacks, verdicts } = input;
    const moved = stacks.filter((s) => s.weight > 0);
    // What the candidate gets traffic on: a weight, or a cohort aimed at it at any weight.
    const carrying = stacks.filter((s) => s.weight > 0 || s.cohort === true);
    const pending = input.rolledBack ? (input.rollbackPending ?? []) : [];
    if (input.rolledBack && (carrying.length > 0 || pending.length > 0)) {
        const names = [...new Set([...carrying.map((s) => s.name), ...pending])];
        const why = carrying.length > 0 ? "these stacks still give the candidate traffic" : "these stacks have not applied it yet";
        return { action: "rollback", stacks: names, reasons: [`the release record says it was rolled back, and ${why}`] };
    }
    // A cohort at 0 % is judged too: its failure rolls back the fleet like a failure at a weight.
    const failing = carrying.filter((s) => verdicts[s.name]?.verdict === "fail");
    if (failing.length > 0) {
        return { action: "rollback", stacks: carrying.map((s) => s.name), reasons: failing.flatMap((s) => verdicts[s.name]!.reasons.map((r) => `${s.name}: ${r}`)) };
    }
    const inWave = (wave: WaveSpec) => stacks.filter((s) => s.wave === wave.name);
    const advance = (wave: WaveSpec, to: number, names: string[], reasons: string[], restart = false): WaveDecision => ({
        action: "advance",
        wave: wave.name,
        to,
        stacks: names,
        parallel: wave.parallel,
        restart,
        reasons,
    });
    const approved = (wave: WaveSpec, step: number) => !wave.approval || input.approvals.some((a) => a.wave === wave.name && a.step === step);
    const waitForApproval = (wave: WaveSpec, step: number, reasons: string[]): WaveDecision => ({
        action: "hold",
        reasons: [...reasons, `wave ${wave.name} waits for a person: switchyard approve --wave ${wave.name} (its step to ${step} %)`],
        approval: { wave: wave.name, step },
    });
    const first = waves[0]!;
    if (moved.length === 0) {
        if (!input.start) {
            // The cohorts' traffic was judged (a failure rolled back above); its pass moves no weight by itself.
            const cohorts = carrying.filter((s) => verdicts[s.name]?.verdict === "pass").map((s) => s.name);
            return {
                action: "hold",
                reasons: [
                    input.rolledBack
                        ? "the release was rolled back: every cluster stack gives the candidate 0 %, and no cohort sends it users. Start a new one with: switchyard advance --fleet <name> --start"
                        : "the candidate gets 0 % on every cluster stack: the release has not started. Start it with: switchyard advance --fleet <name> --start",
                    ...(cohorts.length > 0 ? [`the traffic the cohorts send to the candidate passed a full window on ${cohorts.join(", ")}; the weights move only with --start`] : []),
                ],
            };
        }
        if (!approved(first, steps[0]!)) return waitForApproval(first, steps[0]!, []);
        return advance(first, steps[0]!, inWave(first).map((s) => s.name), [`started: wave ${first.name} takes the first step, ${steps[0]} %`], input.rolledBack);
    }
    const lead = Math.max(...stacks.map((s) => s.weight));
    const lagging = waves.findIndex((w) => inWave(w).some((s) => s.weight < lead));
    if (lagging === -1) {
        const waiting = notReady(stacks, verdicts);
        if (lead >= 100) {
            return waiting.length === 0
                ? { action: "complete", passed: true, reasons: ["every cluster stack serves the candidate 100 % and passed its window there"] }
                : { action: "complete", passed: false, reasons: ["every cluster stack serves the candidate 100 %; waiting for a full window there", ...waiting] };
        }
        if (waiting.length > 0) return { action: "hold", reasons: [`every wave is at ${lead} %; the next step waits for a full window on every stack`, ...waiting] };
        const to = nextStep(lead, steps)!;
        if (!approved(first, to)) return waitForApproval(first, to, [`every wave passed at ${lead} %`]);
        return advance(first, to, inWave(first).map((s) => s.name), [`every wave passed a full window at ${lead} %`]);
    }
    const wave = waves[lagging]!;
    const members = inWave(wave);
    const lowest = Math.min(...members.map((s) => s.weight));
    const to = Math.min(lead, lowest === 0 ? steps[0]! : nextStep(lowest, steps)!);
    const behind = members.filter((s) => s.weight < to).map((s) => s.name);
    // Part of the wave already took this step (a run stopped between two stacks, or `parallel`):
    // the rest follows without waiting again; the step was judged and approved when it began.
    if (members.some((s) => s.weight === to)) return advance(wave, to, behind, [`wave ${wave.name} is taking ${to} %: the rest of its stacks follow`]);
    const leaders = lagging > 0 ? inWave(waves[lagging - 1]!) : stacks.filter((s) => s.weight === lead);
    const waiting = notReady(leaders, verdicts);
    const after = lagging > 0 ? `wave ${waves[lagging - 1]!.name}` : `the stacks at ${lead} %`;
    if (waiting.length > 0) return { action: "hold", reasons: [`wave ${wave.name} takes ${to} % once ${after} passed its window (and soak)`, ...waiting] };
    if (!approved(wave, to)) return waitForApproval(wave, to, [`${after} passed its window (and soak)`]);
    return advance(wave, to, behind, [`${after} passed its window (and soak) at ${lead} %`]);
}
