// `--fleet <name>`: a release across a split fleet's cluster stacks, wave by wave. Every pass reads
// the stack files, the release record (fleets/<name>.release.yaml) and what each stack last applied,
// so a run killed anywhere — between two stacks, during an up — is picked up by the next one: a
// stack whose file says something else than it last applied is applied first, a wave that began a
// step finishes it, and a rollback that began goes on. The decisions are model/waves.ts's.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rollbackNote } from "../../model/advance.ts";
import { analysisTargets, configProblems, releaseVerdict, type AnalysisTarget } from "../../model/analysis.ts";
import { cohortColorsOn } from "../../model/cohorts.ts";
import { fleetLabel } from "../../model/config/fleetFile.ts";
import { PROJECT } from "../../model/config/keys.ts";
import { modelInScope, scopeText, stackNameFor } from "../../model/config/scope.ts";
import type { AnalysisSpec, ClusterSpec, Scope, StackModel, WaveSpec } from "../../model/config/types.ts";
import { candidateWeightOf, cohortRollbackEdits, formatDuration, greenWeightForCandidate, stableColorOf, type CohortEdit, type StackEdit } from "../../model/rollout.ts";
import { projectDefaults, readProjectFile, stackModel } from "../../model/stackFiles.ts";
import { ConfigError } from "../../model/validation.ts";
import { WAVE_EXIT_CODES, nextStepOfWave, planWaves, waveWindowSeconds, type StackVerdict, type WaveDecision, type WaveStack } from "../../model/waves.ts";
import { parseDocument } from "yaml";
import { editFleetFile, editStackFile } from "../stackEdit.ts";
import { judgeTargets, judgedTargetsInScope, metricSourceProblem, type MetricsApi } from "./collect.ts";
import { CommandError, noSeriesError } from "./errors.ts";
import { readReleaseRecord, releaseId, releaseRecordFile, writeReleaseRecord, type ReleaseRecord } from "./releaseRecord.ts";
import type { LoopIo } from "./rolloutLoop.ts";
import { loadProjectStack, type ProjectStack } from "./stack.ts";

const FLEET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface FleetClusterStack {
    stack: ProjectStack;
    cluster: ClusterSpec;
    group?: string;
    wave: WaveSpec;
    /** The traffic stack whose images output this stack reads: `<fleet>-traffic`, or its group's shard. */
    trafficStack: string;
}

/** A traffic stack of the fleet: `<fleet>-traffic`, or with groups one shard per group (`<fleet>-traffic-<group>`). */
export interface FleetTrafficStack {
    name: string;
    group?: string;
}

export interface Fleet {
    name: string;
    /** The fleet file, relative to the project: fleets/prod.yaml. */
    file: string;
    dir: string;
    /** The whole fleet, as one stack of it reads the fleet file (every cluster, every service). */
    model: StackModel;
    waves: WaveSpec[];
    /** Every traffic stack, in the fleet file's order of groups: they apply before the cluster stacks for a build. */
    trafficStacks: FleetTrafficStack[];
    clusterStacks: FleetClusterStack[];
    recordFile: string;
}

/** Applies a cluster stack's file, and says what it last applied. */
export interface FleetDeployer {
    readonly name: string;
    /** It only hands each stack on, to be applied after the pass (CI's apply jobs): nothing is applied yet when apply resolves. */
    readonly deferred?: boolean;
    /** `together`: how many stacks of this batch may apply at once (a wave's parallel; a rollback's all). */
    apply(stack: string, reason: string, together: number): Promise<void>;
    /** The greenWeight the stack last applied (its `traffic` output); undefined when it never was. */
    live(stack: string): Promise<number | undefined>;
}

/** The fleets of a project: fleets/<name>.yaml (or .yml), release records aside. */
export function fleetsIn(dir: string): string[] {
    const folder = join(dir, "fleets");
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
        .filter((f) => /\.ya?ml$/.test(f) && !/\.release\.ya?ml$/.test(f))
        .map((f) => f.replace(/\.ya?ml$/, ""));
}

/** The fleet and every stack it needs, each file read and checked; nothing is written. */
export function loadFleet(name: string, dir: string): Fleet {
    const known = fleetsIn(dir);
    if (!FLEET_NAME.test(name) || !known.includes(name)) {
        throw new ConfigError([`--fleet: got ${JSON.stringify(name)}; allowed: a fleet of fleets/<name>.yaml in ${dir}: ${known.length > 0 ? known.join(", ") : "(none)"}`]);
    }
    const file = existsSync(join(dir, "fleets", `${name}.yaml`)) ? `fleets/${name}.yaml` : `fleets/${name}.yml`;
    if (!existsSync(join(dir, "Pulumi.yaml"))) throw new CommandError(`no Pulumi.yaml in ${dir}: run switchyard in the project directory, or give --cwd <dir>`);
    const project = readProjectFile(dir);
    const config: Record<string, string> = Object.fromEntries(Object.entries(projectDefaults(project)).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    config[`${PROJECT}:fleet`] = file;
    // The whole fleet, whatever its groups: a traffic or cluster scope holds only a part of it.
    config[`${PROJECT}:scope`] = "all";
    const model = stackModel({ project: project.name, stack: name, config, secretKeys: [] }, dir);
    const fleet = model.fleet!;
    const problems: string[] = [];
    const groups: (string | undefined)[] = fleet.groups.length > 0 ? fleet.groups.map((g) => g.name) : [undefined];
    /** The stack file of one scope of the fleet, read and checked; undefined (and a problem said) when it is missing or holds another scope. */
    const stackOf = (scope: Scope, what: string): ProjectStack | undefined => {
        const stackName = stackNameFor(name, scope);
        const text = scopeText(scope);
        const wants = `a stack file with ${PROJECT}:fleet: ${file} and ${PROJECT}:scope: ${text} (${what} of ${file})`;
        if (!existsSync(join(dir, `Pulumi.${stackName}.yaml`))) {
            problems.push(`Pulumi.${stackName}.yaml: got no such file; allowed: ${wants}`);
            return undefined;
        }
        const stack = loadProjectStack(stackName, dir);
        if (stack.model.fleet?.file !== file || scopeText(stack.model.scope) !== text) {
            problems.push(`Pulumi.${stackName}.yaml: ${PROJECT}:scope: got ${scopeText(stack.model.scope)} (fleet ${stack.model.fleet?.file ?? "none"}); allowed: ${wants}`);
            return undefined;
        }
        return stack;
    };
    const trafficStacks: FleetTrafficStack[] = [];
    for (const group of groups) {
        const scope: Scope = group === undefined ? { kind: "traffic" } : { kind: "traffic", group };
        if (stackOf(scope, group === undefined ? "the traffic stack" : `the traffic shard of group ${group}`)) {
            trafficStacks.push({ name: stackNameFor(name, scope), ...(group === undefined ? {} : { group }) });
        }
    }
    const clusterStacks: FleetClusterStack[] = [];
    for (const cluster of model.clusters) {
        const wave = fleet.waves.find((w) => w.clusters.includes(cluster.name))!;
        for (const group of groups) {
            const scope: Scope = group === undefined ? { kind: "cluster", cluster: cluster.name } : { kind: "cluster", cluster: cluster.name, group };
            const stack = stackOf(scope, `cluster ${cluster.name}`);
            if (!stack) continue;
            const trafficStack = stackNameFor(name, group === undefined ? { kind: "traffic" } : { kind: "traffic", group });
            clusterStacks.push({ stack, cluster, ...(group === undefined ? {} : { group }), wave, trafficStack });
        }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { name, file, dir, model, waves: fleet.waves, trafficStacks, clusterStacks, recordFile: releaseRecordFile(dir, file) };
}

function requireFleetAnalysis(fleet: Fleet, command: string): AnalysisSpec {
    const analysis = fleet.model.rollout.analysis;
    if (!analysis) {
        throw new ConfigError([`${fleet.file}: rollout.analysis: got nothing (the key is missing); allowed: an object with prometheus {url} at least, which switchyard ${command} --fleet needs`]);
    }
    return analysis;
}

export function candidateWeightIn(s: FleetClusterStack): number {
    return candidateWeightOf(s.stack.model.greenWeight, s.stack.model.rollout.candidate);
}

/** The stack's model with only what it holds: its cluster, its group's services. */
function scopedModel(s: FleetClusterStack): StackModel {
    return modelInScope(s.stack.model);
}

/** Whether a cohort sends its users to the candidate on one of the stack's services, whatever the weight. */
export function cohortOnCandidateIn(s: FleetClusterStack): boolean {
    const scoped = scopedModel(s);
    return analysisTargets(scoped, scoped.rollout).some((t) => cohortColorsOn(scoped.cohorts, t.service, t.cluster).includes(scoped.rollout.candidate));
}

function waveStacks(fleet: Fleet): WaveStack[] {
    return fleet.clusterStacks.map((s) => ({ name: s.stack.name, cluster: s.cluster.name, wave: s.wave.name, weight: candidateWeightIn(s), cohort: cohortOnCandidateIn(s) }));
}

/**
 * The services of one cluster stack on its cluster that the candidate gets traffic on (its weight,
 * or a cohort): what its step is judged by. Each target's `at` is where its cluster and service
 * stand in the whole fleet's lists (the fleet file's), not in the stack's scoped part of them.
 */
function stackTargets(s: FleetClusterStack, fleet: Pick<Fleet, "model">): AnalysisTarget[] {
    const clusterAt = (name: string) => fleet.model.clusters.findIndex((cluster) => cluster.name === name);
    const serviceAt = (name: string) => fleet.model.services.findIndex((service) => service.name === name);
    return judgedTargetsInScope(s.stack.model).map((t) => ({ ...t, at: { cluster: clusterAt(t.cluster), service: serviceAt(t.service) } }));
}

/** A cluster stack's verdict, and the config mistakes behind a target with no series at all (none when a target fails). */
export interface ClusterStackJudgement extends StackVerdict {
    /** `<service> on <cluster>: <problem>`, as configProblems says them. */
    problems: string[];
}

/**
 * A cluster stack's verdict from its own cluster's series alone, over its wave's window (the
 * analysis window, or the soak when longer): what a pass plans the waves with.
 */
export async function judgeClusterStack(s: FleetClusterStack, fleet: Pick<Fleet, "model">, analysis: AnalysisSpec, api: MetricsApi, now: number): Promise<ClusterStackJudgement> {
    const window = { ...analysis, windowSeconds: waveWindowSeconds(analysis, s.wave) };
    // A problem names the key where it is written: the fleet file's keys by the file.
    const judgements = await judgeTargets(stackTargets(s, fleet), window, api, now, fleetLabel(fleet.model.fleet));
    const verdict = releaseVerdict(judgements);
    const reasons = judgements.filter((j) => j.verdict === verdict || verdict === "pass").flatMap((j) => j.reasons.slice(0, 2).map((r) => `${j.target.service}: ${r}`));
    return { verdict, reasons, problems: configProblems(judgements) };
}

/**
 * The edits that aim every cohort on the candidate at the stable color, where the cohorts are
 * written: the fleet file when it holds them (every cluster stack reads it), else each cluster
 * stack's own file.
 */
interface CohortRollback {
    fleetFile: CohortEdit[];
    stackFiles: Map<string, CohortEdit[]>;
    /** The cohorts moved, for the messages. */
    names: string[];
}

function cohortRollback(fleet: Fleet): CohortRollback {
    const { candidate } = fleet.model.rollout;
    const fleetText = readFileSync(join(fleet.dir, fleet.file), "utf8");
    const inFleetFile = parseDocument(fleetText).get("cohorts") != null;
    if (inFleetFile) {
        const edits = cohortRollbackEdits(fleet.model.cohorts, candidate);
        return { fleetFile: edits, stackFiles: new Map(), names: edits.map((e) => fleet.model.cohorts[e.cohort]!.name) };
    }
    const stackFiles = new Map<string, CohortEdit[]>();
    const names = new Set<string>();
    for (const s of fleet.clusterStacks) {
        const edits = cohortRollbackEdits(s.stack.model.cohorts, candidate);
        if (edits.length === 0) continue;
        stackFiles.set(s.stack.name, edits);
        for (const e of edits) names.add(s.stack.model.cohorts[e.cohort]!.name);
    }
    return { fleetFile: [], stackFiles, names: [...names] };
}

/** The stacks a rollback must apply: those it moves, and every one when the fleet file's cohorts move. */
function rollbackStacks(fleet: Fleet, cohorts: CohortRollback, also: Iterable<string>): string[] {
    const names = new Set(also);
    for (const s of fleet.clusterStacks) {
        if (candidateWeightIn(s) > 0 || cohorts.fleetFile.length > 0 || cohorts.stackFiles.has(s.stack.name)) names.add(s.stack.name);
    }
    return fleet.clusterStacks.map((s) => s.stack.name).filter((n) => names.has(n));
}

/**
 * Every edit of a rollback, in the files: each moved stack's weight to 0 (and its own cohorts),
 * then the fleet file's cohorts, each with the note saying when and why.
 */
async function writeRollbackEdits(fleet: Fleet, cohorts: CohortRollback, note: string, afterEdit?: FleetPassOptions["afterEdit"]): Promise<void> {
    const zero = greenWeightForCandidate(0, fleet.model.rollout.candidate);
    for (const s of fleet.clusterStacks) {
        const edits: StackEdit[] = [...(candidateWeightIn(s) > 0 ? [{ greenWeight: zero }] : []), ...(cohorts.stackFiles.get(s.stack.name) ?? [])];
        if (edits.length === 0) continue;
        editStackFile(s.stack.file, PROJECT, edits, note);
        await afterEdit?.(s.stack.name);
    }
    if (cohorts.fleetFile.length > 0) {
        editFleetFile(join(fleet.dir, fleet.file), cohorts.fleetFile, note);
        await afterEdit?.(fleet.file);
    }
}

function cohortText(fleet: Fleet, cohorts: CohortRollback): string {
    const where = cohorts.fleetFile.length > 0 ? fleet.file : "their cluster stacks' files";
    return `cohorts ${cohorts.names.join(", ")} to ${stableColorOf(fleet.model.rollout.candidate)} in ${where}`;
}

/** Runs `task` on the items, at most `limit` at once; after the first failure it starts no more (those started finish). */
async function limited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<unknown[]> {
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
        while (next < items.length && errors.length === 0) {
            const item = items[next++]!;
            try {
                await task(item);
            } catch (error) {
                errors.push(error);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return errors;
}

/** What a deployer did with a stack once apply resolved: applied it, or handed it on to be applied after the pass. */
function appliedText(deployer: FleetDeployer): string {
    return deployer.deferred ? `to apply (${deployer.name})` : "applied";
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

export interface FleetPassOptions {
    fleet: string;
    dir: string;
    api: MetricsApi;
    deployer: FleetDeployer;
    io: Pick<LoopIo, "out" | "now">;
    start: boolean;
    /** Called after each stack file's edit (or the fleet file's, named by its path), before its apply: where a spec stops a run between stacks. */
    afterEdit?: (stack: string) => void | Promise<void>;
}

export interface FleetPassResult {
    decision: WaveDecision;
    exitCode: 0 | 1 | 2;
    /** Cluster stacks giving the candidate traffic after the pass. */
    moved: number;
    intervalSeconds: number;
}

/**
 * A selector that matches no series on a carrying stack is a config mistake, not "no traffic": the
 * pass stops (exit 3) before it writes anything, as a single stack's advance does. A failing stack
 * anywhere rolls back instead: nothing holds a rollback.
 */
function refuseConfigProblems(judged: readonly (readonly [string, ClusterStackJudgement])[]): void {
    if (judged.some(([, j]) => j.verdict === "fail")) return;
    const problems = judged.flatMap(([name, j]) => j.problems.map((p) => `${name}: ${p}`));
    if (problems.length > 0) throw noSeriesError(problems);
}

/** One pass: resume what a stopped run left, judge, then the next move or the rollback. */
export async function fleetPass(options: FleetPassOptions): Promise<FleetPassResult> {
    const { io, deployer } = options;
    const fleet = loadFleet(options.fleet, options.dir);
    const analysis = requireFleetAnalysis(fleet, "advance");
    const { rollout } = fleet.model;
    const release = releaseId(fleet.model.services, rollout.candidate);
    const record = readReleaseRecord(fleet.recordFile, fleet.waves);
    const rolledBack = record.rolledBack?.release === release;
    const byName = new Map(fleet.clusterStacks.map((s) => [s.stack.name, s]));

    // What a stopped run left: a file edited but never applied (or applied in part). While a
    // rollback is on, such a stack is the rollback's to apply (all at once, never held), not a resume's.
    const behind: FleetClusterStack[] = [];
    // Of those, the ones whose file gives the candidate more than it has live: a step forward.
    const forward = new Set<FleetClusterStack>();
    for (const s of fleet.clusterStacks) {
        const live = await deployer.live(s.stack.name);
        if (live === s.stack.model.greenWeight) continue;
        behind.push(s);
        const liveCandidate = live === undefined ? 0 : candidateWeightOf(live, rollout.candidate);
        if (candidateWeightIn(s) > liveCandidate) forward.add(s);
    }
    const together = Math.max(...fleet.waves.map((w) => w.parallel));
    const resume = async (stacks: FleetClusterStack[]) => {
        const errors = await limited(stacks, together, async (s) => {
            io.out(`resume ${s.stack.name}: its file says greenWeight ${s.stack.model.greenWeight}, which it has not applied yet`);
            await deployer.apply(s.stack.name, `resume greenWeight ${s.stack.model.greenWeight}`, together);
        });
        if (errors.length > 0) throw new CommandError(`${deployer.name} failed while resuming what a stopped run left:\n${errors.map(messageOf).join("\n")}`);
    };
    // A step back towards stable is applied at once, never held by the metrics. A step forward was
    // decided on evidence, but it moves traffic now: it waits until this pass's judgement has
    // answered (missing data never promotes) and has not rolled the fleet back.
    if (!rolledBack) await resume(behind.filter((s) => !forward.has(s)));

    const verdicts: Record<string, StackVerdict> = {};
    if (!rolledBack) {
        const now = io.now().getTime() / 1000;
        // A stack at 0 % is judged too when a cohort sends its users to the candidate there.
        const carrying = fleet.clusterStacks.filter((s) => candidateWeightIn(s) > 0 || cohortOnCandidateIn(s));
        try {
            if (carrying.length === 0) {
                // Nothing to judge yet, but a start must not move on a Prometheus that does not answer
                // (that throws) or lacks the metric source's counter: the single stack refuses at 0 % too.
                const problem = await metricSourceProblem(analysis, options.api, now, fleetLabel(fleet.model.fleet));
                if (problem !== undefined) throw new CommandError(`${problem}. Nothing was judged and nothing written.`);
            }
            // A stack with a step forward to resume gives the candidate traffic in its file: it is among those judged.
            const judged = await Promise.all(carrying.map(async (s) => [s.stack.name, await judgeClusterStack(s, fleet, analysis, options.api, now)] as const));
            for (const [name, { problems: _, ...verdict }] of judged) verdicts[name] = verdict;
            refuseConfigProblems(judged);
        } catch (error) {
            if (forward.size > 0) io.out(`${[...forward].map((s) => s.stack.name).join(", ")} not resumed: a step forward is applied only once the metrics answer`);
            throw error;
        }
    }
    const current = waveStacks(fleet);
    const decision = planWaves({
        steps: rollout.steps,
        waves: fleet.waves,
        stacks: current,
        verdicts,
        approvals: record.approvals.filter((a) => a.release === release),
        rolledBack,
        // The record's list, and any stack whose live weight is not its file's: an apply handed on
        // (--defer-apply) that did not land is applied again.
        rollbackPending: rolledBack ? [...new Set([...(record.rolledBack?.pending ?? []), ...behind.map((s) => s.stack.name)])] : [],
        start: options.start,
    });
    const at = io.now();
    const result = (moved: number): FleetPassResult => ({ decision, exitCode: WAVE_EXIT_CODES[decision.action], moved, intervalSeconds: analysis.intervalSeconds });
    if (decision.action === "rollback") {
        await rollBackFleet(fleet, record, release, decision.reasons[0] ?? "a failed analysis", at, deployer, options.afterEdit, io.out);
        return result(0);
    }
    if (!rolledBack) await resume([...forward]);
    if (decision.action === "advance") {
        if (decision.restart && record.rolledBack) {
            const { rolledBack: _, ...rest } = record;
            writeReleaseRecord(fleet.recordFile, { ...rest, approvals: rest.approvals.filter((a) => a.release !== release) });
        }
        const targets = decision.stacks.map((n) => byName.get(n)!);
        const errors = await limited(targets, decision.parallel, async (s) => {
            const previousText = readFileSync(s.stack.file, "utf8");
            const reason = `wave ${decision.wave}: ${rollout.candidate} to ${decision.to} %`;
            editStackFile(s.stack.file, PROJECT, [{ greenWeight: greenWeightForCandidate(decision.to, rollout.candidate) }]);
            await options.afterEdit?.(s.stack.name);
            try {
                await deployer.apply(s.stack.name, reason, decision.parallel);
            } catch (error) {
                // The file keeps saying what is live: the step is put back and applied again.
                writeFileSync(s.stack.file, previousText);
                try {
                    await deployer.apply(s.stack.name, `put back the file after: ${reason}`, decision.parallel);
                } catch (again) {
                    throw new CommandError(`${s.stack.name}: ${deployer.name} failed (${reason}); ${s.stack.file} is back as it was, but applying it failed too: run pulumi up --refresh --stack ${s.stack.name} once the cause is fixed.\n${messageOf(error)}\n${messageOf(again)}`);
                }
                throw new CommandError(`${s.stack.name}: ${deployer.name} failed (${reason}); ${s.stack.file} is back as it was, and applied again.\n${messageOf(error)}`);
            }
            io.out(`${s.stack.name}: ${reason}, ${appliedText(deployer)}`);
        });
        if (errors.length > 0) throw new CommandError(errors.map(messageOf).join("\n"));
    }
    const movedAfter = new Set([...current.filter((s) => s.weight > 0).map((s) => s.name), ...(decision.action === "advance" ? decision.stacks : [])]);
    return result(movedAfter.size);
}

/**
 * The record first, with every stack the rollback must apply, so a run stopped half-way goes on
 * rolling back; then every moved stack's file to 0 and every cohort on the candidate to the stable
 * color (in the fleet file, which every cluster stack reads), each with a comment saying why; then
 * every stack the record lists or whose live weight is not 0, all at once, each taken off the
 * record's list once applied. Never held: no analysis, no gate, no approval.
 */
async function rollBackFleet(
    fleet: Fleet,
    record: ReleaseRecord,
    release: string,
    reason: string,
    at: Date,
    deployer: FleetDeployer,
    afterEdit: FleetPassOptions["afterEdit"],
    out: (line: string) => void,
): Promise<void> {
    const candidate = fleet.model.rollout.candidate;
    const zero = greenWeightForCandidate(0, candidate);
    const cohorts = cohortRollback(fleet);
    const began = record.rolledBack?.release === release ? record.rolledBack : { release, at: `${at.toISOString().slice(0, 19)}Z`, reason };
    const notLive: string[] = [];
    for (const s of fleet.clusterStacks) if ((await deployer.live(s.stack.name)) !== zero) notLive.push(s.stack.name);
    const pending = new Set(rollbackStacks(fleet, cohorts, [...(record.rolledBack?.release === release ? (record.rolledBack.pending ?? []) : []), ...notLive]));
    const save = () => {
        const { pending: _, ...rest } = began;
        writeReleaseRecord(fleet.recordFile, { ...record, rolledBack: { ...rest, ...(pending.size > 0 ? { pending: [...pending] } : {}) } });
    };
    save();
    await writeRollbackEdits(fleet, cohorts, rollbackNote(at, reason), afterEdit);
    if (cohorts.names.length > 0) out(`${fleet.name}: ${cohortText(fleet, cohorts)}`);
    const together = pending.size;
    const errors = await limited([...pending], together, async (name) => {
        await deployer.apply(name, "roll back", together);
        // Handed on (--defer-apply) counts as applied here; the next pass applies again what did not land.
        pending.delete(name);
        save();
        out(`${name}: rolled back, ${candidate} at 0 %${cohorts.names.length > 0 ? ", no cohort on it" : ""}, ${appliedText(deployer)}`);
    });
    if (errors.length > 0) {
        throw new CommandError(`the rollback is in every file, but ${deployer.name} failed on ${errors.length} stack(s); run the same command again to apply it:\n${errors.map(messageOf).join("\n")}`);
    }
}

function decisionText(fleet: string, decision: WaveDecision): string {
    const lines = decision.reasons.map((r) => `  ${r}`);
    switch (decision.action) {
        case "advance":
            return `switchyard --fleet ${fleet}: wave ${decision.wave} to ${decision.to} % (${decision.stacks.join(", ")})\n${lines.join("\n")}`;
        case "rollback":
            return `switchyard --fleet ${fleet}: rolled back ${decision.stacks.join(", ")} to 0 %\n${lines.join("\n")}`;
        case "complete":
            return `switchyard --fleet ${fleet}: ${decision.passed ? "complete" : "at 100 %, judging"}\n${lines.join("\n")}`;
        case "hold":
            return `switchyard --fleet ${fleet}: held\n${lines.join("\n")}`;
    }
}

/** `switchyard advance --fleet`: one pass, for a scheduled job. */
export async function runFleetAdvance(options: FleetPassOptions): Promise<number> {
    const { decision, exitCode } = await fleetPass(options);
    options.io.out(decisionText(options.fleet, decision));
    return exitCode;
}

export interface FleetLoopOptions extends Omit<FleetPassOptions, "start" | "io"> {
    io: LoopIo;
}

/** `switchyard rollout --fleet`: passes every interval until every cluster stack passed at 100 % (0) or a rollback (1). */
export async function runFleetRollout(options: FleetLoopOptions): Promise<number> {
    const { io } = options;
    io.out(`switchyard rollout --fleet ${options.fleet}: applied by ${options.deployer.name}`);
    // Starts the release while nothing moved yet; once something moved, a fleet back at 0 was rolled back meanwhile.
    let moving = false;
    for (;;) {
        const { decision, moved, intervalSeconds } = await fleetPass({ ...options, start: !moving });
        io.out(`[${io.now().toISOString().slice(11, 19)}] ${decisionText(options.fleet, decision)}`);
        if (decision.action === "rollback") return 1;
        if (decision.action === "complete" && decision.passed) return 0;
        if (moving && moved === 0) return 1;
        moving ||= moved > 0;
        for (let left = intervalSeconds; left > 0; left--) {
            io.progress(`next pass in ${formatDuration(left)}`);
            await io.sleep(1000);
        }
        io.progress("");
    }
}

/** `switchyard approve --fleet --wave`: a person's go for the wave's next step, recorded in the release file. */
export function runFleetApprove(fleetName: string, dir: string, wave: string, by: string, io: Pick<LoopIo, "out" | "now">): number {
    const fleet = loadFleet(fleetName, dir);
    const spec = fleet.waves.find((w) => w.name === wave);
    const gated = fleet.waves.filter((w) => w.approval).map((w) => w.name);
    if (!spec) throw new ConfigError([`--wave: got ${JSON.stringify(wave)}; allowed: a wave of ${fleet.file}: ${fleet.waves.map((w) => w.name).join(", ")}`]);
    if (!spec.approval) throw new ConfigError([`--wave: got ${wave}; allowed: a wave with approval: true in ${fleet.file}: ${gated.length > 0 ? gated.join(", ") : "(none)"}`]);
    const step = nextStepOfWave(waveStacks(fleet), wave, fleet.model.rollout.steps);
    if (step === undefined) throw new CommandError(`wave ${wave} already gives the candidate 100 %: there is no step left to approve`);
    const record = readReleaseRecord(fleet.recordFile, fleet.waves);
    const release = releaseId(fleet.model.services, fleet.model.rollout.candidate);
    if (record.approvals.some((a) => a.release === release && a.wave === wave && a.step === step)) {
        io.out(`wave ${wave} is already approved to take ${step} % (release ${release}).`);
        return 0;
    }
    record.approvals.push({ release, wave, step, by, at: `${io.now().toISOString().slice(0, 19)}Z` });
    writeReleaseRecord(fleet.recordFile, record);
    io.out(`approved: wave ${wave} may take ${step} % (release ${release}, by ${by}), recorded in ${fleet.recordFile}; commit it with the stack files.`);
    return 0;
}

/**
 * `switchyard rollback --fleet`: every moved cluster stack to 0 in its file and every cohort on the
 * candidate to the stable color, now, without asking Prometheus; the record (first) lists the stacks
 * to apply, so the next advance or rollout applies them if no one did.
 */
export async function runFleetRollback(fleetName: string, dir: string, reason: string, io: Pick<LoopIo, "out" | "now">): Promise<number> {
    const fleet = loadFleet(fleetName, dir);
    const { candidate } = fleet.model.rollout;
    const moved = fleet.clusterStacks.filter((s) => candidateWeightIn(s) > 0);
    const cohorts = cohortRollback(fleet);
    if (moved.length === 0 && cohorts.names.length === 0) {
        io.out(`switchyard --fleet ${fleetName}: nothing to roll back — no cluster stack gives ${candidate} traffic, and no cohort sends it users.`);
        return 0;
    }
    const at = io.now();
    const release = releaseId(fleet.model.services, candidate);
    const record = readReleaseRecord(fleet.recordFile, fleet.waves);
    const pending = rollbackStacks(fleet, cohorts, record.rolledBack?.release === release ? (record.rolledBack.pending ?? []) : []);
    writeReleaseRecord(fleet.recordFile, { ...record, rolledBack: { release, at: `${at.toISOString().slice(0, 19)}Z`, reason, pending } });
    await writeRollbackEdits(fleet, cohorts, rollbackNote(at, reason));
    const what = [
        ...(moved.length > 0 ? [`rolled back ${moved.map((s) => s.stack.name).join(", ")} to 0 %`] : []),
        ...(cohorts.names.length > 0 ? [cohortText(fleet, cohorts)] : []),
    ];
    io.out(
        `switchyard --fleet ${fleetName}: ${what.join("; ")} — ${reason}. Apply them, all at once: ` +
            pending.map((n) => `pulumi up --stack ${n}`).join(" & ") +
            ` (or switchyard advance --fleet ${fleetName}, which applies what ${fleet.recordFile.slice(fleet.dir.length + 1)} lists)`,
    );
    return 0;
}

/** `switchyard status --fleet`: the traffic stacks, every cluster stack's weight by wave, and the record (without Prometheus). */
export function runFleetStatus(fleetName: string, dir: string, io: Pick<LoopIo, "out">): number {
    const fleet = loadFleet(fleetName, dir);
    const { rollout } = fleet.model;
    const release = releaseId(fleet.model.services, rollout.candidate);
    const record = readReleaseRecord(fleet.recordFile, fleet.waves);
    const lines = [`fleet ${fleet.name} (${fleet.file}): candidate ${rollout.candidate}, steps ${rollout.steps.join(" → ")}, release ${release}`];
    if (record.rolledBack?.release === release) lines.push(`rolled back ${record.rolledBack.at}: ${record.rolledBack.reason}`);
    lines.push(`traffic (ECR, Route53; a release never moves it): ${fleet.trafficStacks.map((t) => t.name).join(", ")}`);
    for (const wave of fleet.waves) {
        const extra = [wave.soakSeconds > 0 ? `soak ${formatDuration(wave.soakSeconds)}` : "", wave.approval ? "approval" : "", `parallel ${wave.parallel}`].filter((x) => x !== "");
        lines.push(`wave ${wave.name} (${extra.join(", ")}):`);
        for (const s of fleet.clusterStacks.filter((c) => c.wave.name === wave.name)) {
            lines.push(`  ${s.stack.name.padEnd(28)} ${rollout.candidate} ${String(candidateWeightIn(s)).padStart(3)} %  on ${s.cluster.name}${s.group === undefined ? "" : `, group ${s.group}`}`);
        }
        const approved = record.approvals.filter((a) => a.release === release && a.wave === wave.name);
        for (const a of approved) lines.push(`  approved ${a.step} % by ${a.by} at ${a.at}`);
    }
    io.out(lines.join("\n"));
    return 0;
}
