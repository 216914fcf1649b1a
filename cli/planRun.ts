// One stack's plan, evaluated: its baselines (the stack file as committed and, for a stack of a
// fleet, the fleet file as committed), the runs under Pulumi's mocks, and what changes between
// them. A cluster stack whose colors build reads its traffic stack's `images` output through a
// StackReference; the plan evaluates that traffic stack too and answers the read with its outputs,
// as the backend would. Shared by `npm run plan -- --stack` and `--fleet` (cli/planFleet.ts).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import program from "../index.ts";
import { applyEdit, changedPaths, type ConfigEdit } from "../model/configEdits.ts";
import { PROJECT } from "../model/config/keys.ts";
import { FLEET_FILE_KEYS } from "../model/config/fleetFile.ts";
import { modelInScope, servicesInScope, stackNameFor } from "../model/config/scope.ts";
import type { StackModel } from "../model/config/types.ts";
import { PROJECT_ROOT, missingStack, stackConfigFromText, stackFileConfig, stackModel, type StackConfig } from "../model/stackFiles.ts";
import { ConfigError } from "../model/validation.ts";
import { ProgramError, runProgram, type ProgramRun, type RunOptions } from "../harness/mockRuntime.ts";
import { POLICY_DIR, PolicyPackProcess, readPolicyPackConfig, type Diagnostic } from "../harness/policyPackProcess.ts";
import { diffedInputs } from "../harness/providerModels.ts";
import { builtColors } from "../program/trafficImages.ts";
import { committedText } from "./git.ts";
import { envByName, leafChanges } from "./planDiff.ts";
import { guardRefusals, planWarnings, replacementOf, secretLookingEnv } from "./planWarnings.ts";

/** A mistake in how the plan was asked for: answered with the usage and exit 64, before anything is evaluated. */
export class UsageError extends Error {}

export interface Baseline {
    text: string;
    /** How the output names it: `Pulumi.prod.yaml at HEAD`. */
    name: string;
    /** Said once when the baseline is not what the operator may expect. */
    note?: string;
}

/** `file` (the project's `label`) as committed at `--base` (default HEAD). A file git does not have at HEAD is its own baseline: nothing to compare. */
export function baseline(label: string, file: string, working: string, base: string | undefined): Baseline {
    const committed = committedText(file, base ?? "HEAD");
    if ("text" in committed) return { text: committed.text, name: `${label} at ${base ?? "HEAD"}` };
    if (base !== undefined) throw new UsageError(`--base ${base}: git has no ${label} there (${committed.missing})`);
    return {
        text: working,
        name: `${label} as on disk`,
        note: `${label} is not committed (${committed.missing}): the plan's baseline is the file as it is on disk.`,
    };
}

/** `against HEAD`, or `against the baseline` when the baseline is the file on disk. */
export function againstText(base: Baseline): string {
    return base.name.split(" at ")[1] ?? "the baseline";
}

/** A fleet file's keys as stack config holds them (`switchyard:services`), so edits and diffs work on both alike. */
function fleetConfig(text: string): Record<string, unknown> {
    const content = parse(text) as Record<string, unknown> | null;
    return Object.fromEntries(Object.entries(content ?? {}).map(([key, value]) => [`${PROJECT}:${key}`, value]));
}

let fleetCopies = 0;

/**
 * The fleet file of a plan: as committed (the baseline), and as planned (on disk, with the plan's
 * --set edits). The program reads the fleet file from the project by the path `switchyard:fleet`
 * names, so a baseline or a --set that differs from the file on disk is written to a copy under
 * .switchyard/ (ignored by git) with the same base name — the fleet's name, which its stacks'
 * names follow — and the runs are pointed at it. No resource input names the fleet file's path.
 */
export class FleetFiles {
    readonly base: Baseline;
    /** Paths the file on disk changes against the baseline. */
    readonly handEdits: string[];
    readonly edits: ConfigEdit[];
    /** What `switchyard:fleet` names in the baseline's runs and in the planned ones. */
    readonly basePath: string;
    readonly plannedPath: string;
    private readonly copies: string | undefined;

    readonly file: string;

    private constructor(file: string, base: Baseline, handEdits: string[], edits: ConfigEdit[], basePath: string, plannedPath: string, copies: string | undefined) {
        this.file = file;
        this.base = base;
        this.handEdits = handEdits;
        this.edits = edits;
        this.basePath = basePath;
        this.plannedPath = plannedPath;
        this.copies = copies;
    }

    /** `file` relative to the project (fleets/prod.yaml); `edits` apply to it (the fleet plan's --set). */
    static open(file: string, rev: string | undefined, edits: ConfigEdit[] = []): FleetFiles {
        for (const edit of edits) {
            const colon = edit.path.indexOf(":");
            const namespace = colon === -1 ? PROJECT : edit.path.slice(0, colon);
            const key = /^[^.[]*/.exec(edit.path.slice(colon + 1))![0];
            if (namespace !== PROJECT || !FLEET_FILE_KEYS.includes(key)) {
                throw new UsageError(
                    `--set ${edit.path}: a fleet plan's --set edits ${file}, which has no key ${JSON.stringify(colon === -1 ? key : edit.path.split(/[.[]/)[0])}; ` +
                        `its keys: ${FLEET_FILE_KEYS.join(", ")}. A stack's own key (greenWeight) is planned by editing its stack file, or with --stack <stack> --set`,
                );
            }
            if (edit.secret) throw new UsageError(`--set-secret ${edit.path}: a fleet file holds no secrets (it is plain text in the repository); a secret belongs in a stack file`);
        }
        const path = join(PROJECT_ROOT, file);
        const working = readFileSync(path, "utf8");
        const base = baseline(file, path, working, rev);
        const handEdits = changedPaths(fleetConfig(base.text), fleetConfig(working), PROJECT);
        let planned = working;
        if (edits.length > 0) {
            let config = fleetConfig(working);
            for (const edit of edits) config = applyEdit(config, edit, PROJECT);
            planned = stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key.slice(PROJECT.length + 1), value])));
        }
        const copies = base.text !== working || planned !== working ? join(".switchyard", `plan-${process.pid}-${++fleetCopies}`) : undefined;
        const copy = (which: string, text: string) => {
            const relative = join(copies!, which, file);
            mkdirSync(join(PROJECT_ROOT, copies!, which, file, ".."), { recursive: true });
            writeFileSync(join(PROJECT_ROOT, relative), text);
            return relative;
        };
        const basePath = base.text === working ? file : copy("base", base.text);
        const plannedPath = planned === working ? file : copy("planned", planned);
        return new FleetFiles(file, base, handEdits, edits, basePath, plannedPath, copies);
    }

    get changing(): boolean {
        return this.handEdits.length > 0 || this.edits.length > 0;
    }

    /** The paths this plan changes in the fleet file: the hand edits, then the --set ones. */
    get changedPaths(): string[] {
        return [...new Set([...this.handEdits, ...this.edits.map((e) => e.path.replace(`${PROJECT}:`, ""))])];
    }

    /** A message with the copies' paths named as the fleet file they stand for. */
    named(text: string): string {
        let named = text;
        if (this.basePath !== this.file) named = named.replaceAll(this.basePath, `${this.file} (${this.base.name.replace(`${this.file} `, "")})`);
        if (this.plannedPath !== this.file) named = named.replaceAll(this.plannedPath, `${this.file} (as planned, with --set)`);
        return named;
    }

    dispose(): void {
        if (this.copies) rmSync(join(PROJECT_ROOT, this.copies), { recursive: true, force: true });
    }
}

/** The fleet file a stack file names (`switchyard:fleet`), if any. */
export function fleetFileOf(stack: string): string | undefined {
    const config = stackFileConfig(readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8"), PROJECT);
    const file = config[`${PROJECT}:fleet`];
    return typeof file === "string" && file !== "" && existsSync(join(PROJECT_ROOT, file)) ? file : undefined;
}

/** A stack's outputs as another stack's StackReference reads them: the values, and which are secrets. */
export interface StackOutputs {
    outputs: Record<string, unknown>;
    secretOutputNames: string[];
}

export function outputsOf(run: ProgramRun): StackOutputs {
    return { outputs: run.outputs, secretOutputNames: run.secretOutputNames };
}

/** The traffic stack a stack reads, and why: its colors that build. Undefined when it reads none. */
export function trafficStackRead(model: StackModel): { stack: string; colors: string[] } | undefined {
    const { scope, fleet } = model;
    if (scope.kind !== "cluster" || !fleet) return undefined;
    const colors = builtColors(servicesInScope(model.services, scope, fleet.groups));
    if (colors.length === 0) return undefined;
    const stack = stackNameFor(fleet.name, scope.group === undefined ? { kind: "traffic" } : { kind: "traffic", group: scope.group });
    return { stack, colors: colors.map((c) => `${c.service}.${c.color}`) };
}

/** Answers a traffic stack's outputs, before the change (`base`) and after it (`planned`). */
export type TrafficOutputs = (stack: string, moment: "base" | "planned") => Promise<StackOutputs>;

export interface ChangeList {
    /** Resources that change, per type. */
    counts: Map<string, number>;
    total: number;
    /** One line per changed resource and, indented, per changed value. */
    lines: string[];
}

export function changeList(base: ProgramRun, planned: ProgramRun): ChangeList {
    const before = new Map(base.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
    const lines: string[] = [];
    const counts = new Map<string, number>();
    const count = (type: string) => counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const resource of planned.resources.filter((r) => r.custom).sort((a, b) => a.urn.localeCompare(b.urn))) {
        const name = `${resource.type} ${resource.name}`;
        const previous = before.get(resource.urn);
        before.delete(resource.urn);
        if (!previous) {
            lines.push(`  + ${name}`);
            count(resource.type);
            continue;
        }
        const old = envByName(diffedInputs(resource.type, previous.wireInputs));
        const now = envByName(diffedInputs(resource.type, resource.wireInputs));
        const leaves = leafChanges(old, now);
        if (leaves.length === 0) continue;
        count(resource.type);
        // Like `pulumi preview`: +- for an object the provider replaces (a new name or namespace), ~ for an update.
        const replaced = replacementOf(resource.type, old, now);
        lines.push(replaced ? `  +- ${name} (replaced: ${replaced})` : `  ~ ${name}`, ...leaves.map((l) => `      ${l.path}: ${l.before} → ${l.after}`));
    }
    for (const removed of before.values()) {
        lines.push(`  - ${removed.type} ${removed.name}`);
        count(removed.type);
    }
    return { counts, total: [...counts.values()].reduce((a, b) => a + b, 0), lines };
}

/** `6 resource(s) change: 6 kubernetes:…:HTTPRoute`, or that none does. */
export function changeSummary(change: ChangeList): string {
    if (change.total === 0) return "No resource inputs change.";
    return `${change.total} resource(s) change: ${[...change.counts].map(([type, n]) => `${n} ${type}`).join(", ")}`;
}

export function changesText(change: ChangeList): string {
    return change.total === 0 ? changeSummary(change) : `${changeSummary(change)}\n${change.lines.join("\n")}`;
}

export interface StackPlan {
    stack: string;
    base: Baseline;
    /** The stack file as it is on disk. */
    working: string;
    /** Paths the stack file on disk changes against its baseline. */
    handEdits: string[];
    edits: ConfigEdit[];
    committed: StackConfig;
    planned: StackConfig;
    baseModel: StackModel;
    model: StackModel;
    /** The traffic stack this one reads, when a color builds, and whether what it reads there changes. */
    reads?: { stack: string; colors: string[]; changes: boolean };
    baseRun: ProgramRun;
    /** The change as `pulumi preview` evaluates it; baseRun when nothing changes. */
    run: ProgramRun;
    changing: boolean;
    change: ChangeList;
    /** The outputs once the change is applied (a traffic stack's, which its cluster stacks read). */
    appliedOutputs(): Promise<StackOutputs>;
}

export interface EvaluateOptions {
    /** --base: the revision whose files are the baseline; HEAD when undefined. */
    rev: string | undefined;
    /** The stack's own --set edits. */
    edits: ConfigEdit[];
    /** The fleet file the stack reads, with its baseline and edits. */
    fleet?: FleetFiles;
    traffic?: TrafficOutputs;
    progress(text: string): void;
}

function referenceOptions(config: StackConfig, stack: string, outputs: StackOutputs): RunOptions {
    const name = `organization/${config.project}/${stack}`;
    return { stacks: { [name]: outputs.outputs }, stackSecrets: { [name]: outputs.secretOutputNames } };
}

/** The stack evaluated as committed (deployed) and as planned (previewed against that state). */
export async function evaluateStack(stack: string, options: EvaluateOptions): Promise<StackPlan> {
    const missing = missingStack(stack);
    if (missing) throw new UsageError(missing);
    const label = `Pulumi.${stack}.yaml`;
    const path = join(PROJECT_ROOT, label);
    const working = readFileSync(path, "utf8");
    const base = baseline(label, path, working, options.rev);
    // Hand edits on disk are part of the change, as if given with --set.
    const handEdits = changedPaths(stackFileConfig(base.text, PROJECT), stackFileConfig(working, PROJECT), PROJECT);
    const committed = stackConfigFromText(stack, base.text);
    const planned = stackConfigFromText(stack, working, options.edits);
    const { fleet } = options;
    const fleetKey = `${PROJECT}:fleet`;
    if (fleet && committed.config[fleetKey] === fleet.file) committed.config[fleetKey] = fleet.basePath;
    if (fleet && planned.config[fleetKey] === fleet.file) planned.config[fleetKey] = fleet.plannedPath;
    const named = (text: string) => fleet?.named(text) ?? text;
    let baseModel: StackModel;
    try {
        baseModel = stackModel(committed);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new Error(named(`${base.name}${fleet ? ` with ${fleet.base.name}` : ""}, the plan's baseline, does not load; plan against another with --base <rev>.\n${error.message}`));
    }
    let model: StackModel;
    try {
        model = stackModel(planned);
    } catch (error) {
        if (error instanceof ConfigError) throw new Error(named(error.message));
        throw error;
    }
    const reads = trafficStackRead(model) ?? trafficStackRead(baseModel);
    const refs = async (moment: "base" | "planned", m: StackModel, config: StackConfig): Promise<RunOptions> => {
        const read = trafficStackRead(m);
        if (!read) return {};
        if (!options.traffic) return {};
        return referenceOptions(config, read.stack, await options.traffic(read.stack, moment));
    };
    const baseRefs = await refs("base", baseModel, committed);
    const plannedRefs = await refs("planned", model, planned);
    const readsChange = JSON.stringify(baseRefs.stacks ?? {}) !== JSON.stringify(plannedRefs.stacks ?? {});
    const changing = handEdits.length > 0 || options.edits.length > 0 || (fleet?.changing ?? false) || readsChange;
    // The committed stack as deployed (twice, so a finished build has left the state as it does
    // after a real update), then the change previewed against that state as `pulumi preview` runs
    // it: the readiness gate and rollout.maxStep judge it too.
    const evaluated = async <T>(work: () => Promise<T>): Promise<T> => {
        try {
            return await work();
        } catch (error) {
            throw new Error(named(error instanceof Error ? error.message : String(error)));
        }
    };
    options.progress(`evaluating ${base.name}${fleet && fleet.basePath !== fleet.file ? ` with ${fleet.base.name}` : ""} as deployed, under Pulumi's mocks…`);
    const deployed = await evaluated(() => runProgram(program, committed, baseRefs));
    const baseRun = await evaluated(() => runProgram(program, committed, { ...baseRefs, live: deployed.live }));
    if (changing) options.progress(`previewing the change against it…`);
    // A change the guards refuse: every refusal of the preview, reason first, not the first route's error behind its URN.
    const previewed = async () => {
        try {
            return await runProgram(program, planned, { ...plannedRefs, live: baseRun.live, preview: true });
        } catch (error) {
            const refused = error instanceof ProgramError ? guardRefusals(error.run.hookCalls) : undefined;
            throw refused === undefined ? error : new Error(refused);
        }
    };
    const run = changing ? await evaluated(previewed) : baseRun;
    let applied: Promise<StackOutputs> | undefined;
    return {
        stack,
        base,
        working,
        handEdits,
        edits: options.edits,
        committed,
        planned,
        baseModel,
        model,
        ...(reads ? { reads: { ...reads, changes: readsChange } } : {}),
        baseRun,
        run,
        changing,
        change: changeList(baseRun, run),
        appliedOutputs() {
            if (!changing) return Promise.resolve(outputsOf(baseRun));
            // An up, not a preview: what a build pushed is known once the stack is applied.
            applied ??= evaluated(() => runProgram(program, planned, { ...plannedRefs, live: baseRun.live })).then(outputsOf);
            return applied;
        },
    };
}

/**
 * A plan's warnings: the change's own on what the stack deploys (its clusters and group, at its own
 * weight; a traffic stack deploys no pods or routes, so none), env values named like secrets in the
 * stack file as written (with --set), and the program's.
 */
export function stackWarnings(plan: StackPlan): string[] {
    let written = stackFileConfig(plan.working, PROJECT);
    for (const edit of plan.edits) written = applyEdit(written, edit, PROJECT);
    const deploys = plan.model.scope.kind !== "traffic";
    return [...(deploys ? planWarnings(modelInScope(plan.baseModel), modelInScope(plan.model)) : []), ...secretLookingEnv(written, PROJECT), ...plan.run.warnings];
}

/**
 * The traffic stacks' outputs, each stack evaluated once (baseline and planned) and kept: what a
 * cluster stack's StackReference reads. A traffic stack without a stack file is a config problem of
 * the cluster stack that reads it, said before that stack is evaluated.
 */
export function trafficOutputs(options: Omit<EvaluateOptions, "traffic" | "edits">, known: Map<string, StackPlan> = new Map()): TrafficOutputs {
    return async (stack, moment) => {
        let plan = known.get(stack);
        if (!plan) {
            if (missingStack(stack)) {
                throw new ConfigError([
                    `Pulumi.${stack}.yaml: got no such file; allowed: the traffic stack whose images output a cluster stack reads when a color builds (docs/scaling.md)`,
                ]);
            }
            options.progress(`evaluating ${stack}, whose images output the stack reads…`);
            plan = await evaluateStack(stack, { ...options, edits: [] });
            known.set(stack, plan);
        }
        return moment === "base" ? outputsOf(plan.baseRun) : plan.appliedOutputs();
    };
}

export async function policyVerdict(stack: StackConfig, run: ProgramRun): Promise<Diagnostic[]> {
    if (!existsSync(join(POLICY_DIR, "node_modules"))) {
        throw new Error("the policy pack is not installed: run npm ci --prefix policy, or plan with --no-policy");
    }
    const configFile = join(POLICY_DIR, "config", `${stack.stack}.json`);
    const pack = await PolicyPackProcess.start(stack);
    try {
        return await pack.check({ stack, resources: run.resources, ...(existsSync(configFile) ? { config: readPolicyPackConfig(configFile) } : {}) });
    } finally {
        await pack.stop();
    }
}

/** The exit code of a policy verdict: 3 when a mandatory policy is violated. */
export function policyCode(diagnostics: readonly Diagnostic[]): number {
    return diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 3 : 0;
}

/** The verdict's lines, as the single-stack plan prints them. */
export function policyLines(stack: string, diagnostics: readonly Diagnostic[]): string[] {
    if (diagnostics.length === 0) return [`Policy pack (policy/config/${stack}.json): no violations.`];
    // The SDK puts the policy's description before the violation's own message.
    return [
        `Policy pack (policy/config/${stack}.json): ${diagnostics.length} violation(s)`,
        ...diagnostics.map((d) => `  ${d.enforcementLevel} ${d.policyName} on ${d.urn.split("::").pop()}:\n      ${d.message.split("\n").pop()}`),
    ];
}
