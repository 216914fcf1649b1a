// `switchyard rollout`: apply the stack file, sample every interval, advance or roll back, apply
// again — until the candidate serves 100 % and passed its window there (exit 0) or a rollback
// (exit 1). What applies the file is a Deployer: `pulumi up --refresh` through the Automation API,
// or, with --rehearse, the program evaluated offline under Pulumi's mocks.

import { writeFileSync } from "node:fs";
import { candidateWeightOf, formatDuration } from "../../model/rollout.ts";
import { loadStackConfig } from "../../model/stackFiles.ts";
import type { MetricsApi } from "./collect.ts";
import { PULUMI_CLI_MISSING, advanceStack, findPulumiCli } from "./commands.ts";
import { advanceReport, advanceSummary } from "./report.ts";
import { CommandError } from "./errors.ts";
import { loadProjectStack, requireAnalysis, type ProjectStack } from "./stack.ts";

/** Makes the infrastructure match the stack file as it is now. */
export interface Deployer {
    readonly name: string;
    /** `movesBack`: the change takes traffic back off the candidate (a rollback, a file put back), which nothing may hold. */
    apply(reason: string, movesBack?: boolean): Promise<void>;
}

export interface LoopIo {
    /** A line of the log. */
    out(line: string): void;
    /** A status line redrawn in place on a terminal (the time left until the next sample); a no-op elsewhere. */
    progress(line: string): void;
    now(): Date;
    sleep(milliseconds: number): Promise<void>;
}

export interface LoopOptions {
    stackName: string;
    dir: string;
    api: MetricsApi;
    deployer: Deployer;
    io: LoopIo;
}

/** Waits one interval, counting down on the progress line each second. */
async function waitForSample(io: LoopIo, seconds: number, what: string): Promise<void> {
    for (let left = seconds; left > 0; left--) {
        io.progress(`${what} · next sample in ${formatDuration(left)}`);
        await io.sleep(1000);
    }
    io.progress("");
}

function stepLine(stack: ProjectStack): string {
    const { rollout } = stack.model;
    return `${rollout.candidate} at ${candidateWeightOf(stack.model.greenWeight, rollout.candidate)} % (steps ${rollout.steps.join(" → ")})`;
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * Applies the file. If that fails, puts back the file as it was and applies it again: a failed
 * update is partial (a route on one cluster may have moved before another was refused), and
 * traffic moving back off the candidate is never held. The error says whether live and file agree.
 */
async function applyOrRestore(options: LoopOptions, stack: ProjectStack, reason: string, previousText: string | undefined, movesBack = false): Promise<void> {
    const { deployer } = options;
    try {
        await deployer.apply(reason, movesBack);
        return;
    } catch (error) {
        if (previousText === undefined) throw new CommandError(`${deployer.name} failed (${reason}):\n${messageOf(error)}`);
        writeFileSync(stack.file, previousText);
        try {
            await deployer.apply(`put back the file after: ${reason}`, true);
        } catch (again) {
            throw new CommandError(
                `${deployer.name} failed (${reason}). ${stack.file} is back as it was, but applying it failed too, so some routes ` +
                    `may still carry the step: run pulumi up --refresh once the cause is fixed.\n${messageOf(error)}\n${messageOf(again)}`,
            );
        }
        throw new CommandError(`${deployer.name} failed (${reason}). ${stack.file} is back as it was, and applied again, so what is live matches it.\n${messageOf(error)}`);
    }
}

export async function runRolloutLoop(options: LoopOptions): Promise<number> {
    const { io } = options;
    const load = () => loadProjectStack(options.stackName, options.dir);
    let stack = load();
    const analysis = requireAnalysis(stack, "rollout");
    io.out(`switchyard rollout: stack ${stack.name}, ${stepLine(stack)}, applied by ${options.deployer.name}`);
    const first = await advanceStack(stack, options.api, io.now(), true);
    stack = load();
    if (first.decision.action === "rollback") {
        io.out(advanceReport(stack.name, first.decision, first.judgements, stack.model.rollout, analysis, io.now(), "text"));
        await applyOrRestore(options, stack, "roll back", undefined, true);
        io.out(advanceSummary(stack.name, first.decision, stack.model.rollout));
        return 1;
    }
    // The rollout starts from what the stack file says, applied: a first step, or where it stands.
    const firstReason = first.decision.action !== "advance" ? "apply the current step" : first.decision.from === 0 ? `start at ${first.decision.to} %` : `step to ${first.decision.to} %`;
    await applyOrRestore(options, stack, firstReason, first.decision.edits.length > 0 ? first.previousText : undefined);
    io.out(`applied: ${stepLine(stack)}`);
    for (;;) {
        await waitForSample(io, analysis.intervalSeconds, stepLine(stack));
        const { decision, judgements, previousText } = await advanceStack(stack, options.api, io.now(), false);
        const targets = judgements.map((j) => `${j.target.service}@${j.target.cluster} ${j.verdict} (live ${formatDuration(j.liveSeconds)} of ${formatDuration(j.windowSeconds)})`);
        io.out(`[${io.now().toISOString().slice(11, 19)}] ${stepLine(stack)}: ${decision.action}${targets.length > 0 ? ` · ${targets.join(" · ")}` : ""}`);
        switch (decision.action) {
            case "hold":
                continue;
            case "complete":
                if (decision.verdict !== "pass") continue;
                io.out(advanceSummary(stack.name, decision, stack.model.rollout));
                return 0;
            case "advance":
                stack = load();
                await applyOrRestore(options, stack, `step to ${decision.to} %`, previousText);
                io.out(advanceSummary(stack.name, decision, stack.model.rollout));
                continue;
            case "rollback":
                io.out(advanceReport(stack.name, decision, judgements, stack.model.rollout, analysis, io.now(), "text"));
                stack = load();
                // A rollback stays in the file even if applying it fails: it is what must be live.
                await applyOrRestore(options, stack, "roll back", undefined, true);
                io.out(advanceSummary(stack.name, decision, stack.model.rollout));
                return 1;
        }
    }
}

/** What the deployer needs of an Automation API stack (`@pulumi/pulumi/automation` Stack). */
export interface AutomationStack {
    preview(opts: { refresh: boolean; message: string; onOutput: (text: string) => void; policyPacks?: string[]; policyPackConfigs?: string[] }): Promise<unknown>;
    up(opts: { refresh: boolean; message: string; onOutput: (text: string) => void; policyPacks?: string[]; policyPackConfigs?: string[] }): Promise<unknown>;
}

/**
 * `pulumi preview --refresh`, then `pulumi up --refresh`. The Automation API's up never previews
 * (sdk/nodejs/automation/stack.ts runs `pulumi up --yes --skip-preview`), so a gate or policy
 * refusal would otherwise come mid-update, after routes on other clusters moved. A change that
 * moves traffic back is applied even when its preview fails: a rollback is never held.
 */
export function previewingDeployer(stack: AutomationStack, stackName: string, out: (text: string) => void, policy: { packs: string[]; configs: string[] }): Deployer {
    const options = (message: string) => ({
        refresh: true,
        message,
        onOutput: out,
        ...(policy.packs.length > 0 ? { policyPacks: policy.packs } : {}),
        ...(policy.configs.length > 0 ? { policyPackConfigs: policy.configs } : {}),
    });
    return {
        name: "pulumi preview --refresh, then pulumi up --refresh",
        async apply(reason, movesBack = false) {
            out(`pulumi preview --refresh --stack ${stackName}: ${reason}`);
            try {
                await stack.preview(options(`switchyard rollout (preview): ${reason}`));
            } catch (error) {
                if (!movesBack) throw new CommandError(`the preview of "${reason}" failed, so nothing was applied: ${messageOf(error)}`);
                out(`the preview of "${reason}" failed (${messageOf(error)}); applying it anyway, since it moves traffic back`);
            }
            out(`pulumi up --refresh --stack ${stackName}: ${reason}`);
            await stack.up(options(`switchyard rollout: ${reason}`));
        },
    };
}

/** The previewing deployer on the project directory's stack, through the Automation API. */
export async function automationDeployer(stackName: string, dir: string, out: (text: string) => void, policy: { packs: string[]; configs: string[] }): Promise<Deployer> {
    if (!findPulumiCli()) throw new CommandError(PULUMI_CLI_MISSING);
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: dir });
    return previewingDeployer(stack, stackName, out, policy);
}

/**
 * --rehearse: each step evaluated offline under Pulumi's mocks, every run against the state the one
 * before left (the first is a first deploy), so the gate judges each step as in `pulumi up`.
 */
export async function rehearsalDeployer(stackName: string, dir: string, out: (text: string) => void): Promise<Deployer> {
    const { inputChanges, runProgram } = await import("../../harness/mockRuntime.ts");
    const { default: switchyard } = await import("../../index.ts");
    // The project of --cwd (its Pulumi.yaml, fleet file, build contexts), not this repository's.
    const program = () => switchyard(dir);
    let previous: Awaited<ReturnType<typeof runProgram>> | undefined;
    return {
        name: "a rehearsal under Pulumi's mocks (nothing deployed)",
        async apply(reason) {
            const run = await runProgram(program, loadStackConfig(stackName, {}, dir), previous ? { live: previous.live } : {});
            const traffic = run.outputs.traffic as Record<string, Record<string, { blue: { weight: number }; green: { weight: number } }>>;
            const split = Object.entries(traffic).flatMap(([cluster, services]) =>
                Object.entries(services).map(([service, colors]) => `${service}@${cluster} blue ${colors.blue.weight} / green ${colors.green.weight}`),
            );
            const changed = previous ? inputChanges(previous, run) : [];
            const kinds = [...new Set(changed.map((c) => c.type.split(":").pop()))].join(", ");
            out(`rehearsed (${reason}): ${split.join(" · ")}${previous ? ` · ${changed.length} resources change${kinds ? ` (${kinds})` : ""}` : ""}`);
            previous = run;
        },
    };
}
