// npm run plan -- --fleet <name>: every stack of a split fleet, in the order the orchestrator and CI
// apply them (cli/switchyard/fleetStacks.ts): the traffic stack first when it changes — for an
// undrain the cluster stacks first — then the cluster stacks wave by wave. Each stack is planned as
// `--stack` plans it (its file and the fleet file as committed, hand edits judged like --set), the
// cluster stacks reading the traffic stack's outputs as they will once it applied. Printed: the
// split per service and cluster, then per stack whether it changes, how many resources of which
// kinds, why (the fleet file's changed keys, the stack file's own), and the policy verdict.

import Table from "cli-table3";
import type { ConfigEdit } from "../model/configEdits.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";
import { closest } from "../model/validation.ts";
import type { PlanOutput } from "./planOutput.ts";
import {
    FleetFiles,
    UsageError,
    againstText,
    changeSummary,
    evaluateStack,
    outputsOf,
    policyCode,
    policyLines,
    policyVerdict,
    stackWarnings,
    trafficOutputs,
    type StackOutputs,
    type StackPlan,
    type TrafficOutputs,
} from "./planRun.ts";
import { changedUnder } from "./git.ts";
import { fleetsIn, loadFleet, type Fleet } from "./switchyard/fleet.ts";
import { CHANGE_ORDER, fleetMatrix, type MatrixStack } from "./switchyard/fleetStacks.ts";
import { UsageError as CommandUsageError } from "./switchyard/errors.ts";

export interface FleetPlanOptions {
    fleet: string;
    base: string | undefined;
    edits: ConfigEdit[];
    policy: boolean;
}

/** A stack's place in the plan: planned, or why it could not be. */
type Planned = { entry: MatrixStack; plan: StackPlan } | { entry: MatrixStack; error: string };

/**
 * What a stack's policy verdict is made of besides its config (which `changing` covers): the pack
 * and its per-stack config, the program and the model it evaluates (the pack imports the model too),
 * the mocks the plan evaluates under, the plan itself, the project's build context (app/, whose
 * hash the image tags carry: a `build.context` elsewhere is not compared, and its stacks are judged
 * again only when their config changes), and the project's dependencies. Stack files and fleet
 * files are not here: each stack's own are its inputs, and another stack's cannot change its verdict.
 */
export const VERDICT_INPUTS = ["policy", "index.ts", "components", "model", "program", "harness", "cli", "app", "Pulumi.yaml", "package.json", "package-lock.json"] as const;

/**
 * Whether a stack's policy verdict is its base's, so the pack need not run on it: none of its inputs
 * change, its base is a committed file (a stack or fleet file new on disk has no verdict to keep), and
 * git says nothing under VERDICT_INPUTS differs from the base. Unknown (`inputChanges` undefined: no
 * git, no such revision) is judged.
 */
export function keepsBaseVerdict(changing: boolean, committedBase: boolean, inputChanges: readonly string[] | undefined): boolean {
    return !changing && committedBase && inputChanges !== undefined && inputChanges.length === 0;
}

/** The fleet's stacks as `switchyard stacks --fleet` lists them; bad input named before anything is evaluated. */
function fleetOf(name: string): Fleet {
    const fleets = fleetsIn(PROJECT_ROOT).sort();
    if (!fleets.includes(name)) {
        const guess = closest(name, fleets);
        throw new UsageError(
            `--fleet ${name}: no fleets/${name}.yaml in ${PROJECT_ROOT}${guess ? `: is the fleet called ${guess}?` : ""} (fleets here: ${fleets.length > 0 ? fleets.join(", ") : "none"})`,
        );
    }
    try {
        return loadFleet(name, PROJECT_ROOT);
    } catch (error) {
        if (error instanceof CommandUsageError) throw new UsageError(error.message);
        throw error;
    }
}

interface ColorOutput {
    weight: number;
}
type TrafficOutput = Record<string, Record<string, { blue: ColorOutput; green: ColorOutput }>>;
type DnsOutput = Record<string, { clusters: Record<string, { share: number; percent: number }> }>;

/** Each service's split on each cluster, as planned, with what it was where it changes. */
function splitTable(fleet: Fleet, planned: Planned[], traffic: StackPlan | undefined): string {
    const clusters = fleet.model.clusters.map((c) => c.name);
    const services = fleet.model.services.map((s) => s.name);
    const cell = new Map<string, string>();
    const weights = (output: unknown, cluster: string, service: string) => {
        const colors = (output as TrafficOutput | undefined)?.[cluster]?.[service];
        return colors ? `${colors.blue.weight} / ${colors.green.weight}` : undefined;
    };
    for (const p of planned) {
        if (!("plan" in p) || p.entry.kind !== "cluster") continue;
        const cluster = p.entry.cluster!;
        for (const service of services) {
            const now = weights(p.plan.run.outputs.traffic, cluster, service);
            if (now === undefined) continue;
            const was = weights(p.plan.baseRun.outputs.traffic, cluster, service);
            cell.set(`${service}|${cluster}`, was !== undefined && was !== now ? `${now} (was ${was})` : now);
        }
    }
    const table = new Table({ style: { head: [], border: [], compact: true }, head: ["service  (blue % / green %)", ...clusters] });
    for (const service of services) table.push([service, ...clusters.map((c) => cell.get(`${service}|${c}`) ?? "(not planned)")]);
    const dns = traffic?.run.outputs.dns as DnsOutput | undefined;
    if (dns) {
        const answers = (output: unknown, cluster: string) => {
            const first = Object.values((output as DnsOutput | undefined) ?? {})[0];
            const c = first?.clusters[cluster];
            return c ? `${c.percent} % (${c.share})` : undefined;
        };
        table.push([
            "DNS answers (share)",
            ...clusters.map((c) => {
                const now = answers(dns, c) ?? "";
                const was = answers(traffic!.baseRun.outputs.dns, c);
                return was !== undefined && was !== now ? `${now} (was ${was})` : now;
            }),
        ]);
    }
    return table.toString();
}

/** Why a stack changes: the fleet file's keys this plan changes, the stack file's own, and the traffic stack's outputs it reads. */
function whyLines(plan: StackPlan, files: FleetFiles): string[] {
    const why: string[] = [];
    if (plan.handEdits.length > 0) why.push(`Pulumi.${plan.stack}.yaml (its own keys): ${plan.handEdits.join(", ")}`);
    if (files.changing) why.push(`${files.file} (the fleet's keys): ${files.changedPaths.join(", ")}`);
    if (plan.reads?.changes) why.push(`the images of ${plan.reads.colors.join(", ")} it reads from ${plan.reads.stack}'s images output change`);
    return why;
}

function stackTitle(entry: MatrixStack): string {
    if (entry.kind === "traffic") return `${entry.stack} (traffic)`;
    return `${entry.stack} (cluster ${entry.scope}, wave ${entry.wave}${entry.approval ? ", approval" : ""})`;
}

/** Worst of the stacks' exit codes: a failed stack (1) over a mandatory violation (3) over planned (0). */
function worst(codes: number[]): number {
    if (codes.includes(1)) return 1;
    if (codes.includes(3)) return 3;
    return 0;
}

export async function planFleet(opts: FleetPlanOptions, io: PlanOutput): Promise<number> {
    const progress = (text: string) => io.err(`switchyard plan: ${text}`);
    const fleet = fleetOf(opts.fleet);
    const matrix = fleetMatrix(fleet);
    const files = FleetFiles.open(fleet.file, opts.base, opts.edits);
    try {
        const common = { rev: opts.base, fleet: files, progress };
        const known = new Map<string, StackPlan>();
        const failed = new Map<string, string>();
        const evaluate = async (entry: MatrixStack, traffic?: TrafficOutputs): Promise<Planned> => {
            try {
                return { entry, plan: await evaluateStack(entry.stack, { ...common, edits: [], ...(traffic ? { traffic } : {}) }) };
            } catch (error) {
                if (error instanceof UsageError) throw error;
                return { entry, error: error instanceof Error ? error.message : String(error) };
            }
        };
        // The traffic stack first: its outputs are what the cluster stacks read.
        const trafficPlans: Planned[] = [];
        for (const entry of matrix.traffic) {
            const planned = await evaluate(entry);
            if ("plan" in planned) known.set(entry.stack, planned.plan);
            else failed.set(entry.stack, planned.error);
            trafficPlans.push(planned);
        }
        const trafficPlan = trafficPlans.map((p) => ("plan" in p ? p.plan : undefined)).find((p) => p !== undefined);
        const trafficChanges = trafficPlans.some((p) => !("plan" in p) || p.plan.change.total > 0);
        // An undrain (a cluster's trafficShare rising from 0) applies the cluster's routes before Route53 answers with it.
        const undrained = trafficPlan
            ? trafficPlan.model.clusters.filter((c) => c.trafficShare > 0 && trafficPlan.baseModel.clusters.find((b) => b.name === c.name)?.trafficShare === 0).map((c) => c.name)
            : [];
        const trafficFirst = !(trafficChanges && undrained.length > 0);
        const read = trafficOutputs(common, known);
        const traffic: TrafficOutputs = async (stack, moment): Promise<StackOutputs> => {
            const why = failed.get(stack);
            if (why !== undefined) throw new Error(`its traffic stack ${stack} did not evaluate: ${why.split("\n")[0]}`);
            // Before the traffic stack applies, a cluster stack reads what it outputs now.
            const plan = known.get(stack);
            if (plan && (moment === "base" || !trafficFirst)) return outputsOf(plan.baseRun);
            return read(stack, moment);
        };
        const clusterEntries = [...matrix.clusters].sort((a, b) => (a.waveIndex ?? 0) - (b.waveIndex ?? 0));
        const clusterPlans: Planned[] = [];
        for (const entry of clusterEntries) clusterPlans.push(await evaluate(entry, traffic));
        const ordered = trafficFirst ? [...trafficPlans, ...clusterPlans] : [...clusterPlans, ...trafficPlans];

        const setText = opts.edits.map((e) => `${e.path}=${e.value}`).join(", ");
        io.out(`switchyard plan: fleet ${fleet.name} (${fleet.file}), ${ordered.length} stacks${setText ? `; set in ${fleet.file}: ${setText}` : ""}`);
        if (files.base.note) io.out(files.base.note);
        if (files.handEdits.length > 0) io.out(`Hand edits in ${fleet.file} against ${againstText(files.base)}, planned like --set: ${files.handEdits.join(", ")}`);
        for (const p of ordered) {
            if (!("plan" in p)) continue;
            if (p.plan.base.note) io.out(p.plan.base.note);
            if (p.plan.handEdits.length > 0) io.out(`Hand edits in Pulumi.${p.entry.stack}.yaml against ${againstText(p.plan.base)}, planned like --set: ${p.plan.handEdits.join(", ")}`);
        }
        io.out("Desired state evaluated from config under Pulumi's mocks; not a diff against live infrastructure (that is `pulumi preview`).\n");
        io.out(`Split per cluster, as planned:\n${splitTable(fleet, ordered, trafficPlan)}`);

        const trafficName = matrix.traffic.map((t) => t.stack).join(", ");
        const order = !trafficChanges
            ? `${trafficName} ${matrix.traffic.length === 1 ? "does" : "do"} not change; the cluster stacks apply wave by wave (${fleet.waves.map((w) => w.name).join(" → ")})`
            : trafficFirst
              ? `${trafficName} first, then the cluster stacks wave by wave (${fleet.waves.map((w) => w.name).join(" → ")}): ${CHANGE_ORDER.build.why}`
              : `the cluster stacks first (undrain of ${undrained.join(", ")}), then ${trafficName}: ${CHANGE_ORDER.undrain.why}`;
        io.out(`\nStacks, in the order they apply — ${order}:`);

        const codes: number[] = [];
        // A stack none of whose inputs change is judged as its base was, unless the pack, the program
        // or anything else its verdict is made of changed too: the pack runs only where its verdict
        // can differ from the base's (a start of the pack is seconds of type-checking, per stack).
        const inputChanges = opts.policy ? changedUnder(PROJECT_ROOT, VERDICT_INPUTS, opts.base ?? "HEAD") : undefined;
        for (const p of ordered) {
            io.out("");
            if (!("plan" in p)) {
                io.out(`${stackTitle(p.entry)}: failed\n${p.error.replace(/^/gm, "    ")}`);
                codes.push(1);
                continue;
            }
            const { plan } = p;
            io.out(`${stackTitle(p.entry)}: ${plan.change.total > 0 ? changeSummary(plan.change) : "no change"}`);
            const why = whyLines(plan, files);
            if (plan.change.total > 0) {
                for (const line of why) io.out(`  why: ${line}`);
                for (const line of plan.change.lines) io.out(`  ${line}`);
            } else if (plan.changing) {
                io.out(`  no resource inputs change for: ${why.join("; ")}`);
            }
            for (const warning of stackWarnings(plan)) io.out(`  warning: ${warning}`);
            if (!opts.policy) {
                codes.push(0);
                continue;
            }
            if (keepsBaseVerdict(plan.changing, plan.base.note === undefined && files.base.note === undefined, inputChanges)) {
                io.out(`  policy pack: not run: none of this stack's inputs change, and the pack and the program are as ${opts.base ?? "HEAD"} has them, so its verdict is the base's`);
                codes.push(0);
                continue;
            }
            progress(`running the policy pack with policy/config/${plan.stack}.json…`);
            try {
                const diagnostics = await policyVerdict(plan.planned, plan.run);
                for (const line of policyLines(plan.stack, diagnostics)) io.out(`  ${line}`);
                codes.push(policyCode(diagnostics));
            } catch (error) {
                io.out(`  policy pack: failed: ${error instanceof Error ? error.message : String(error)}`);
                codes.push(1);
            }
        }
        const changing = ordered.filter((p) => !("plan" in p) || p.plan.change.total > 0).map((p) => p.entry.stack);
        const code = worst(codes);
        io.out(`\n${changing.length} of ${ordered.length} stacks change${changing.length > 0 ? `: ${changing.join(", ")}` : ""}.`);
        const failedStacks = ordered.filter((p) => !("plan" in p)).map((p) => p.entry.stack);
        if (failedStacks.length > 0) io.out(`Failed: ${failedStacks.join(", ")}.`);
        return code;
    } finally {
        files.dispose();
    }
}
