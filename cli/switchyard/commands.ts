// status, analyze and advance: each reads the stack the way the program does, asks Prometheus,
// and (advance only) edits the stack file. Nothing is written unless every query answered.

import { accessSync, constants, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { decideAdvance, rollbackComment, rollbackNote, type AdvanceDecision } from "../../model/advance.ts";
import { configProblems, releaseVerdict, type TargetJudgement } from "../../model/analysis.ts";
import { fleetLabel } from "../../model/config/fleetFile.ts";
import type { AnalysisSpec } from "../../model/config/types.ts";
import { PROJECT } from "../../model/config/keys.ts";
import { candidateWeightOf, isCohortEdit, rollbackEdits, stableColorOf, type StackEdit } from "../../model/rollout.ts";
import { PrometheusClient } from "../prometheus.ts";
import { editFleetText, editStackText, writeStackFile, type FleetEdit } from "../stackEdit.ts";
import { uncommittedPaths } from "../git.ts";
import { currentRates, judgeTargets, judgedTargetsInScope, metricSourceProblem, targetsInScope, type MetricsApi } from "./collect.ts";
import { advanceReport, advanceSummary, analyzeText, ratesText, statusText } from "./report.ts";
import { CommandError, noSeriesError } from "./errors.ts";
import { verdictMetrics } from "./dashboard.ts";
import type { Io } from "./io.ts";
import { loadProjectStack, requireAnalysis, type ProjectStack } from "./stack.ts";

export const TOKEN_VARIABLE = "SWITCHYARD_PROMETHEUS_TOKEN";

export type { Io } from "./io.ts";

/** The Pulumi CLI on PATH, which the Automation API runs; undefined when it is not installed. */
export function findPulumiCli(path = process.env.PATH ?? ""): string | undefined {
    for (const dir of path.split(delimiter).filter((d) => d !== "")) {
        const candidate = join(dir, process.platform === "win32" ? "pulumi.exe" : "pulumi");
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            // not in this directory
        }
    }
    return undefined;
}

export const PULUMI_CLI_MISSING =
    "the Pulumi CLI is not installed (no `pulumi` on PATH), and this needs it: the Automation API drives `pulumi` itself.\n" +
    "  Install it: curl -fsSL https://get.pulumi.com | sh   (or see https://www.pulumi.com/docs/install/), then `pulumi login`.\n" +
    "  Without an engine, `switchyard rollout --rehearse` walks the same steps with each one evaluated offline.";

/**
 * The bearer token: SWITCHYARD_PROMETHEUS_TOKEN, else the stack's secret decrypted through the
 * Automation API (this command cannot decrypt `secure:` values itself). Never printed.
 */
async function prometheusToken(stack: ProjectStack): Promise<string | undefined> {
    const fromEnvironment = process.env[TOKEN_VARIABLE];
    if (fromEnvironment) return fromEnvironment;
    if (!stack.model.rollout.analysis?.prometheus.hasToken) return undefined;
    if (!findPulumiCli()) {
        throw new CommandError(`the Prometheus token is a Pulumi secret in the stack file: set ${TOKEN_VARIABLE}, or install the Pulumi CLI so switchyard can decrypt it.\n  ${PULUMI_CLI_MISSING}`);
    }
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
    const workspace = await LocalWorkspace.selectStack({ stackName: stack.name, workDir: stack.dir });
    return (await workspace.getConfig(`${PROJECT}:rollout.analysis.prometheus.token`, true)).value;
}

export type MetricsFactory = (stack: ProjectStack) => Promise<MetricsApi>;

/** Prometheus as the stack configures it. */
export const prometheusFromStack: MetricsFactory = async (stack) => {
    const analysis = stack.model.rollout.analysis!;
    const token = await prometheusToken(stack);
    return new PrometheusClient({ url: analysis.prometheus.url, ...(token === undefined ? {} : { token }) });
};

export async function runStatus(stack: ProjectStack, io: Io, metrics: MetricsFactory): Promise<number> {
    const { model } = stack;
    const { rollout } = model;
    const targets = targetsInScope(model);
    const weights = targets.map((t) => ({
        service: t.service,
        cluster: t.cluster,
        weight: t.candidateWeight,
        override: model.clusters.find((c) => c.name === t.cluster)!.greenWeight !== undefined,
    }));
    io.out(statusText(stack.name, rollout, weights, candidateWeightOf(model.greenWeight, rollout.candidate)));
    const analysis = rollout.analysis;
    if (!analysis) {
        io.out(`\nNo ${PROJECT}:rollout.analysis in the stack: no Prometheus to ask for live rates.`);
        return 0;
    }
    const rates = await currentRates(targets, analysis, await metrics(stack), io.now().getTime() / 1000);
    io.out(`\nLast ${analysis.intervalSeconds} s from ${analysis.prometheus.url}:\n${ratesText(rates, analysis)}`);
    return 0;
}

const ANALYZE_EXIT_CODES = { pass: 0, fail: 1, inconclusive: 2 } as const;

/**
 * Judges the targets, or, when none gives the candidate traffic, still asks Prometheus whether the
 * metric source's counter is there: an unreachable Prometheus or a wrong source is an error at 0 %
 * too. A selector that matches no series is an error (exit 3) unless a target fails: the rollback
 * goes on, and the report says what else is wrong.
 */
async function judgeOrCheck(stack: ProjectStack, analysis: AnalysisSpec, api: MetricsApi, now: number): Promise<TargetJudgement[]> {
    // What this stack deploys only: a cluster stack of a fleet is judged on its own cluster (and group).
    const targets = judgedTargetsInScope(stack.model);
    // A key the fleet file sets is named there; a stack's model holds the fleet file's lists whole, so the indexes are the file's.
    const label = fleetLabel(stack.model.fleet);
    if (targets.length === 0) {
        const problem = await metricSourceProblem(analysis, api, now, label);
        if (problem !== undefined) throw new CommandError(`${problem}. Nothing was judged and nothing written.`);
        return [];
    }
    const judgements = await judgeTargets(targets, analysis, api, now, label);
    const problems = configProblems(judgements);
    if (problems.length > 0) throw noSeriesError(problems);
    return judgements;
}

export async function runAnalyze(stack: ProjectStack, io: Io, metrics: MetricsFactory): Promise<number> {
    const analysis = requireAnalysis(stack, "analyze");
    const { rollout } = stack.model;
    const judgements = await judgeOrCheck(stack, analysis, await metrics(stack), io.now().getTime() / 1000);
    const verdict = releaseVerdict(judgements);
    io.out(analyzeText(stack.name, judgements, verdict, rollout, analysis));
    return ANALYZE_EXIT_CODES[verdict];
}

export interface AdvanceResult {
    decision: AdvanceDecision;
    judgements: TargetJudgement[];
    /** The stack file before the edit, to restore it if applying the edit fails. */
    previousText: string;
}

interface PreparedAdvance extends AdvanceResult {
    /** The stack file as the decision edits it; undefined when nothing changes. */
    editedText: string | undefined;
    /** The fleet file as a rollback edits it, when its cohorts are the ones aimed at the candidate. */
    fleetEdit: FleetFileEdit | undefined;
}

/** A fleet file's new text, checked in memory, and what it moves. */
interface FleetFileEdit {
    path: string;
    text: string;
    /** The cohorts it aims at the stable color, by name. */
    cohorts: string[];
    /** The clusters whose own weight it sets to 0, by name. */
    clusters: string[];
}

/**
 * A rollback's edits where each is written: the stack file's own keys in the stack file, and the
 * cohorts in the fleet file when the fleet file holds them (every stack of the fleet reads them),
 * each text checked in memory. A stack file must never gain a key its fleet file sets: the stack
 * would no longer load, and the rollback would be lost.
 */
function placeEdits(stack: ProjectStack, edits: readonly StackEdit[], comment: string | undefined): { stackText: string | undefined; fleetEdit: FleetFileEdit | undefined } {
    const fleet = stack.model.fleet;
    // A cohort's color, or a cluster's own weight (a whole-fleet stack's override), where the fleet file sets them.
    const inFleetFile = (edit: StackEdit): edit is FleetEdit =>
        fleet !== undefined && (isCohortEdit(edit) ? fleet.keys.includes("cohorts") : edit.cluster !== undefined && fleet.keys.includes("clusters"));
    const own = edits.filter((e) => !inFleetFile(e));
    const there = edits.filter(inFleetFile);
    const stackText = own.length > 0 ? editStackText(readFileSync(stack.file, "utf8"), PROJECT, own, comment) : undefined;
    if (there.length === 0 || !fleet) return { stackText, fleetEdit: undefined };
    const path = join(stack.dir, fleet.file);
    return {
        stackText,
        fleetEdit: {
            path,
            text: editFleetText(readFileSync(path, "utf8"), there, comment),
            cohorts: there.filter(isCohortEdit).map((e) => stack.model.cohorts[e.cohort]!.name),
            clusters: there.flatMap((e) => ("cluster" in e ? [stack.model.clusters[e.cluster]!.name] : [])),
        },
    };
}

/** What a rollback's edit of the fleet file means for the other stacks of the fleet, for the output. */
function fleetEditText(stack: ProjectStack, edit: FleetFileEdit): string {
    const fleet = stack.model.fleet!;
    const what = [
        ...(edit.cohorts.length > 0 ? [`cohorts ${edit.cohorts.join(", ")} to ${stableColorOf(stack.model.rollout.candidate)}`] : []),
        ...(edit.clusters.length > 0 ? [`${stack.model.rollout.candidate} to 0 % on ${edit.clusters.join(", ")}`] : []),
    ];
    return `${fleet.file}: ${what.join(", ")} — the fleet file every stack of ${fleet.name} reads: apply its cluster stacks too (or switchyard advance --fleet ${fleet.name})`;
}

/**
 * Analyzes and computes the edit, writing nothing: every query has answered and the edited text
 * has parsed back to exactly the decided values before anyone touches the file.
 */
async function prepareAdvance(stack: ProjectStack, api: MetricsApi, at: Date, start: boolean): Promise<PreparedAdvance> {
    const analysis = requireAnalysis(stack, "advance");
    const { rollout } = stack.model;
    const judgements = await judgeOrCheck(stack, analysis, api, at.getTime() / 1000);
    const decision = decideAdvance(stack.model, rollout, judgements, { start });
    const previousText = readFileSync(stack.file, "utf8");
    const { stackText: editedText, fleetEdit } =
        decision.edits.length > 0 ? placeEdits(stack, decision.edits, decision.action === "rollback" ? rollbackComment(decision, at) : undefined) : { stackText: undefined, fleetEdit: undefined };
    return { decision, judgements, previousText, editedText, fleetEdit };
}

/** Analyzes and edits the stack file (and a rollback the fleet file's cohorts) as decided; untouched unless every query answered. */
export async function advanceStack(stack: ProjectStack, api: MetricsApi, at: Date, start: boolean): Promise<AdvanceResult> {
    const { editedText, fleetEdit, ...result } = await prepareAdvance(stack, api, at, start);
    if (editedText !== undefined) writeStackFile(stack.file, editedText);
    if (fleetEdit) writeStackFile(fleetEdit.path, fleetEdit.text);
    return result;
}

/** Says which keys of the stack file differ from git's HEAD, when an edit is about to go on top of them. */
function noteUncommitted(stack: ProjectStack, io: Io): void {
    const paths = uncommittedPaths(stack.file, PROJECT);
    if (paths.length === 0) return;
    io.err(
        `switchyard ${stack.name}: note: Pulumi.${stack.name}.yaml has uncommitted changes to ${paths.join(", ")}; ` +
            `this edit goes on top of them: commit them with it, or revert them first.`,
    );
}

/**
 * advance: everything that can fail is done before the stack file changes — the queries, the edit
 * checked in memory, the --report file written — so an exit 3 always leaves the file as it was.
 * Should the stack file's own write fail, the report it would have described is removed again.
 */
export async function runAdvance(stack: ProjectStack, io: Io, metrics: MetricsFactory, options: { start: boolean; report?: string; metricsFile?: string }): Promise<number> {
    const analysis = requireAnalysis(stack, "advance");
    const at = io.now();
    const { decision, judgements, editedText, fleetEdit } = await prepareAdvance(stack, await metrics(stack), at, options.start);
    const rollout = stack.model.rollout;
    if (options.report) {
        try {
            writeFileSync(options.report, advanceReport(stack.name, decision, judgements, rollout, analysis, at, "markdown"));
        } catch (error) {
            throw new CommandError(`cannot write the report to ${options.report}: ${(error as Error).message}. The stack file is untouched.`);
        }
    }
    if (editedText !== undefined) {
        noteUncommitted(stack, io);
        try {
            writeStackFile(stack.file, editedText);
        } catch (error) {
            if (options.report) rmSync(options.report, { force: true });
            throw new CommandError(`cannot write ${stack.file}: ${(error as Error).message}. The stack file is untouched.`);
        }
    }
    if (fleetEdit) {
        // A rollback's cohorts: after the weight, which is already written and stays so.
        try {
            writeStackFile(fleetEdit.path, fleetEdit.text);
        } catch (error) {
            throw new CommandError(`the weight is rolled back in ${stack.file}, but ${fleetEdit.path} cannot be written: ${(error as Error).message}; its cohorts still send users to the candidate`);
        }
        io.out(`switchyard ${stack.name}: ${fleetEditText(stack, fleetEdit)}`);
    }
    io.out(advanceReport(stack.name, decision, judgements, rollout, analysis, at, "text"));
    // The weights as the file now says, after the edit: what the dashboard shows beside the observed
    // share. A side output: failing to write it is said, but never turns a done edit into an exit 3.
    if (options.metricsFile) {
        try {
            writeFileSync(options.metricsFile, verdictMetrics(stack.name, loadProjectStack(stack.name, stack.dir).model, judgements, at));
        } catch (error) {
            io.err(`switchyard ${stack.name}: warning: cannot write the metrics file ${options.metricsFile}: ${(error as Error).message}`);
        }
    }
    // The last line is the summary a CI step puts in its commit message.
    io.out(advanceSummary(stack.name, decision, rollout));
    return decision.exitCode;
}

/** The operator's abort: the rollback edit advance makes on a failure, made now and without analysis. */
export function runRollback(stack: ProjectStack, io: Io, reason: string): number {
    const { model } = stack;
    const { candidate } = model.rollout;
    const edits = rollbackEdits(model, model.rollout);
    if (edits.length === 0) {
        io.out(`switchyard ${stack.name}: nothing to roll back — no weight or cohort gives ${candidate} traffic.`);
        return 0;
    }
    const at = io.now();
    const { stackText, fleetEdit } = placeEdits(stack, edits, rollbackNote(at, reason));
    if (stackText !== undefined) {
        noteUncommitted(stack, io);
        writeStackFile(stack.file, stackText);
    }
    if (fleetEdit) writeStackFile(fleetEdit.path, fleetEdit.text);
    const weights = edits.filter((e) => !isCohortEdit(e)).length;
    const cohorts = edits.filter(isCohortEdit).map((e) => model.cohorts[e.cohort]!.name);
    const inStackFile = fleetEdit ? [] : cohorts;
    io.out(
        `switchyard ${stack.name}: rolled back ${candidate} to 0 % (${weights} weight(s))` +
            (inStackFile.length > 0 ? `, cohorts ${inStackFile.join(", ")} to ${stableColorOf(candidate)}` : "") +
            ` — ${reason}. Apply it: pulumi up --stack ${stack.name}` +
            (fleetEdit ? `\n${fleetEditText(stack, fleetEdit)}` : ""),
    );
    return 0;
}

export { loadProjectStack };
