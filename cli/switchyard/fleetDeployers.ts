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
import type { FleetDeployer } from "./fleet.ts";

type TrafficOutput = Record<string, Record<string, { green?: { weight?: number } }>>;

const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

/** What a rehearsal applied to a cluster stack, kept in .switchyard/rehearsal/<stack>.json. */
export interface RehearsedStack {
    /** The greenWeight its `traffic` output showed: what live() answers. */
    greenWeight?: number;
    /** The spec of each HTTPRoute it registered, by the route's metadata.name: what that cluster's Gateway would be given. */
    routes?: Record<string, unknown>;
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

/**
 * --rehearse: each cluster stack evaluated under the mocks, with the traffic stack evaluated once
 * first and its outputs handed to the cluster stacks' StackReference, as the backend would.
 */
export async function fleetRehearsalDeployer(fleetName: string, dir: string, out: (text: string) => void): Promise<FleetDeployer> {
    const { runProgram } = await import("../../harness/mockRuntime.ts");
    const { default: program } = await import("../../index.ts");
    const stateDir = join(dir, ".switchyard", "rehearsal");
    const trafficStack = `${fleetName}-traffic`;
    let trafficOutputs: Record<string, unknown> | undefined;
    const previous = new Map<string, Awaited<ReturnType<typeof runProgram>>>();
    // The mocks are one per process: stacks the orchestrator applies at once are rehearsed in turn.
    let queue: Promise<unknown> = Promise.resolve();
    const rehearse = async (stack: string, reason: string) => {
        if (!trafficOutputs && existsSync(join(dir, `Pulumi.${trafficStack}.yaml`))) {
            trafficOutputs = (await runProgram(program, loadStackConfig(trafficStack, {}, dir))).outputs;
        }
        const run = await runProgram(program, loadStackConfig(stack, {}, dir), {
            ...(previous.has(stack) ? { live: previous.get(stack)!.live } : {}),
            ...(trafficOutputs ? { stacks: { [`organization/switchyard/${trafficStack}`]: trafficOutputs } } : {}),
        });
        previous.set(stack, run);
        const greenWeight = liveGreenWeight(run.outputs.traffic);
        // The routes as registered, so a drill's stand-in for the cluster's Gateway splits its load
        // by the objects this apply produced, not by the file or a summary output.
        const routes = Object.fromEntries(
            run.resources.filter((r) => r.type === HTTPROUTE).map((r) => [(r.inputs.metadata as { name: string }).name, r.inputs.spec]),
        );
        const state: RehearsedStack = { ...(greenWeight === undefined ? {} : { greenWeight }), routes };
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
