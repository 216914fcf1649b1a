// What applies a fleet's cluster stacks: `pulumi preview` then `pulumi up --refresh` per stack
// through the Automation API, or, with --rehearse, each stack evaluated offline under Pulumi's
// mocks. Both say what a stack last applied — the Automation API from the stack's `traffic` output,
// the rehearsal from a file it keeps per stack under .switchyard/rehearsal/ — so a run that stops
// during an up is resumed from the stacks, never from memory.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadStackConfig } from "../../model/stackFiles.ts";
import { PULUMI_CLI_MISSING, findPulumiCli } from "./commands.ts";
import { CommandError } from "./errors.ts";
import type { Fleet, FleetDeployer } from "./fleet.ts";
import type { LiveJson } from "../../harness/providerModels.ts";

type TrafficOutput = Record<string, Record<string, { green?: { weight?: number } }>>;

const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

/** What a rehearsal applied to a cluster stack, kept in .switchyard/rehearsal/<stack>.json. */
export interface RehearsedStack {
    /** The greenWeight its `traffic` output showed: what live() answers. */
    greenWeight?: number;
    /** The spec of each HTTPRoute it registered, by the route's metadata.name: what that cluster's Gateway would be given. */
    routes?: Record<string, unknown>;
    /**
     * The stack's state and world after the apply (harness/providerModels.ts Live): what the next
     * apply starts from, in this process or the next one (each scheduled pass is its own), so the
     * gate compares the new objects with the old ones as a backend's state would let it.
     */
    live?: LiveJson;
}

export function rehearsalStateFile(dir: string, stack: string): string {
    return join(dir, ".switchyard", "rehearsal", `${stack}.json`);
}

/** What the rehearsal last applied to the stack; undefined when it never was. */
export function readRehearsal(dir: string, stack: string): RehearsedStack | undefined {
    const file = rehearsalStateFile(dir, stack);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as RehearsedStack;
}

/** The greenWeight a cluster stack's `traffic` output shows (every service of a cluster stack has the same). */
export function liveGreenWeight(traffic: unknown): number | undefined {
    if (typeof traffic !== "object" || traffic === null) return undefined;
    for (const services of Object.values(traffic as TrafficOutput)) {
        for (const colors of Object.values(services ?? {})) {
            const weight = colors?.green?.weight;
            if (typeof weight === "number") return weight;
        }
    }
    return undefined;
}

export async function fleetAutomationDeployer(dir: string, out: (text: string) => void, policy: { packs: string[]; configs: string[] }): Promise<FleetDeployer> {
    if (!findPulumiCli()) throw new CommandError(PULUMI_CLI_MISSING);
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
    const stacks = new Map<string, ReturnType<typeof LocalWorkspace.selectStack>>();
    const select = (stackName: string) => {
        if (!stacks.has(stackName)) stacks.set(stackName, LocalWorkspace.selectStack({ stackName, workDir: dir }));
        return stacks.get(stackName)!;
    };
    const policyOptions = {
        ...(policy.packs.length > 0 ? { policyPacks: policy.packs } : {}),
        ...(policy.configs.length > 0 ? { policyPackConfigs: policy.configs } : {}),
    };
    return {
        name: "pulumi preview + up --refresh",
        async apply(stackName, reason) {
            const stack = await select(stackName);
            const prefix = (line: string) => out(`[${stackName}] ${line.replace(/\n$/, "")}`);
            out(`pulumi preview --refresh --stack ${stackName}: ${reason}`);
            await stack.preview({ refresh: true, message: `switchyard rollout: ${reason}`, onOutput: prefix, ...policyOptions });
            out(`pulumi up --refresh --stack ${stackName}: ${reason}`);
            await stack.up({ refresh: true, message: `switchyard rollout: ${reason}`, onOutput: prefix, ...policyOptions });
        },
        async live(stackName) {
            const outputs = await (await select(stackName)).outputs();
            return liveGreenWeight(outputs.traffic?.value);
        },
    };
}

/** A stack the pass handed on with --defer-apply, and why. */
export interface DeferredApply {
    stack: string;
    reason: string;
}

/** What --defer-apply writes: the stacks to apply, at most `parallel` at once. */
export interface DeferredApplies {
    parallel: number;
    stacks: DeferredApply[];
}

/**
 * --defer-apply <file>: applies nothing. Each stack the pass would apply is listed in the file with
 * why, rewritten at each one, for CI to apply one job per stack under that stack's own lock;
 * `parallel` is the fewest stacks any of the pass's batches lets update at once (a wave's
 * parallel). What each stack last applied still comes from `live` (the backend's outputs), so the
 * next pass applies again whatever did not land.
 */
export function fleetDeferredDeployer(live: FleetDeployer["live"], file: string): FleetDeployer {
    const applies: DeferredApplies = { parallel: 1, stacks: [] };
    let fewest = Infinity;
    const write = () => {
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, `${JSON.stringify(applies)}\n`);
        renameSync(temporary, file);
    };
    try {
        write();
    } catch (error) {
        throw new CommandError(`--defer-apply: cannot write ${file}: ${(error as Error).message}; nothing was read or changed`);
    }
    return {
        name: `the apply jobs that read ${file}`,
        deferred: true,
        async apply(stack, reason, together) {
            // A stack resumed and then moved by the same pass is applied once, with its file as it is last.
            const known = applies.stacks.find((s) => s.stack === stack);
            if (known) known.reason = reason;
            else applies.stacks.push({ stack, reason });
            fewest = Math.min(fewest, together);
            applies.parallel = Math.max(1, fewest);
            write();
        },
        live,
    };
}

/**
 * --rehearse: each cluster stack evaluated under the mocks, with its traffic stack (with groups, its
 * group's shard) evaluated once first and its outputs handed to the cluster stack's StackReference,
 * as the backend would. The program reads the fleet's project (fleet.dir): its Pulumi.yaml, fleet
 * file and build contexts. Each apply starts from the state the stack's last one left (its
 * rehearsal file), whichever process made it.
 */
export async function fleetRehearsalDeployer(fleet: Pick<Fleet, "dir" | "clusterStacks">, out: (text: string) => void): Promise<FleetDeployer> {
    const { liveFromJson, liveToJson, runProgram } = await import("../../harness/mockRuntime.ts");
    const { default: switchyard } = await import("../../index.ts");
    const { dir } = fleet;
    // The fleet's own project, not this repository: a copy (a drill's, a spec's) rehearses its own fleet file.
    const program = () => switchyard(dir);
    const stateDir = join(dir, ".switchyard", "rehearsal");
    const trafficOf = new Map(fleet.clusterStacks.map((s) => [s.stack.name, s.trafficStack]));
    const trafficOutputs = new Map<string, Record<string, unknown> | undefined>();
    // The mocks are one per process: stacks the orchestrator applies at once are rehearsed in turn.
    let queue: Promise<unknown> = Promise.resolve();
    const rehearse = async (stack: string, reason: string) => {
        const trafficStack = trafficOf.get(stack);
        if (trafficStack === undefined) throw new CommandError(`${stack} is not a cluster stack of the fleet: the rehearsal applies cluster stacks only`);
        // A fleet whose colors build nothing may have no traffic stack: its cluster stacks read none.
        if (!trafficOutputs.has(trafficStack)) {
            const exists = existsSync(join(dir, `Pulumi.${trafficStack}.yaml`));
            trafficOutputs.set(trafficStack, exists ? (await runProgram(program, loadStackConfig(trafficStack, {}, dir))).outputs : undefined);
        }
        const outputs = trafficOutputs.get(trafficStack);
        // What the stack's last apply left, whichever process made it: never a first deploy again.
        const before = readRehearsal(dir, stack)?.live;
        const run = await runProgram(program, loadStackConfig(stack, {}, dir), {
            ...(before ? { live: liveFromJson(before) } : {}),
            ...(outputs ? { stacks: { [`organization/switchyard/${trafficStack}`]: outputs } } : {}),
        });
        const greenWeight = liveGreenWeight(run.outputs.traffic);
        // The routes as registered, so a drill's stand-in for the cluster's Gateway splits its load
        // by the objects this apply produced, not by the file or a summary output.
        const routes = Object.fromEntries(
            run.resources.filter((r) => r.type === HTTPROUTE).map((r) => [(r.inputs.metadata as { name: string }).name, r.inputs.spec]),
        );
        const state: RehearsedStack = { ...(greenWeight === undefined ? {} : { greenWeight }), routes, live: liveToJson(run.live) };
        mkdirSync(stateDir, { recursive: true });
        const temporary = `${rehearsalStateFile(dir, stack)}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify(state));
        // Renamed into place: a reader (live(), a drill's Gateway) never sees half a file.
        renameSync(temporary, rehearsalStateFile(dir, stack));
        out(`rehearsed ${stack} (${reason}): green ${greenWeight} %`);
    };
    return {
        name: "a rehearsal under Pulumi's mocks (nothing deployed)",
        apply(stack, reason) {
            const run = queue.then(() => rehearse(stack, reason));
            queue = run.catch(() => {});
            return run;
        },
        async live(stack) {
            const value = readRehearsal(dir, stack)?.greenWeight;
            return typeof value === "number" ? value : undefined;
        },
    };
}
