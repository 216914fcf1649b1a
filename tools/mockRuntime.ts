// Runs a Pulumi program in-process under Pulumi's official mocks (pulumi.runtime.setMocks) and
// records every RegisterResource request the SDK sends: the same inputs, parent, provider and
// dependencies the engine would receive. Nothing here plans, diffs against state or calls a cloud.

import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks.js";
import { specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import { createHash } from "node:crypto";
import type { StackConfig } from "./stackFiles.ts";

export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Inputs with secrets unwrapped and resource references replaced by their URN. */
    inputs: Record<string, unknown>;
    /** Inputs exactly as sent on the wire (secrets and references in Pulumi's JSON encoding). */
    wireInputs: Record<string, unknown>;
    /** Top-level input names that carry a secret. */
    secretInputs: string[];
    parent: string;
    /** Provider reference `urn::id`, empty for components and the default provider. */
    provider: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
}

export interface ProgramRun {
    resources: RegisteredResource[];
    /** Stack outputs, resolved. */
    outputs: Record<string, unknown>;
}

const MOCK_ACCOUNT = "123456789012";

function digestOf(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** A wire value decoded: resource references reduced to their URN, each secret's value passed to `secret`. */
export function decodeWire(value: unknown, secret: (value: unknown) => unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => decodeWire(item, secret));
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[specialSigKey] === specialSecretSig) return secret(decodeWire(record.value, secret));
        if (record[specialSigKey] === specialResourceSig) return record.urn;
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, decodeWire(v, secret)]));
    }
    return value;
}

/** Secrets unwrapped and resource references reduced to their URN. */
export function plainValue(value: unknown): unknown {
    return decodeWire(value, (secret) => secret);
}

function containsSecret(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(containsSecret);
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        return record[specialSigKey] === specialSecretSig || Object.values(record).some(containsSecret);
    }
    return false;
}

/**
 * Provider-computed outputs the program reads back. Values are derived from the inputs, so the
 * same inputs always give the same outputs and a changed build gives a changed digest.
 */
function mockState(args: MockResourceArgs, regionOf: (provider: string | undefined) => string): { id: string; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, unknown>;
    const metadata = inputs.metadata as { name?: string; namespace?: string } | undefined;
    switch (args.type) {
        case "aws:ecr/repository:Repository": {
            const region = regionOf(args.provider);
            return {
                id: String(inputs.name),
                state: {
                    ...inputs,
                    registryId: MOCK_ACCOUNT,
                    repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${inputs.name}`,
                    arn: `arn:aws:ecr:${region}:${MOCK_ACCOUNT}:repository/${inputs.name}`,
                },
            };
        }
        case "docker:index/image:Image": {
            const repository = String(inputs.imageName).replace(/:[^:/]+$/, "");
            return { id: `${args.name}-id`, state: { ...inputs, repoDigest: `${repository}@sha256:${digestOf([inputs.imageName, inputs.build])}` } };
        }
        case "aws:route53/healthCheck:HealthCheck":
            return { id: digestOf([args.name, inputs.fqdn]).slice(0, 36), state: inputs };
        case "kubernetes:apps/v1:Deployment": {
            // The provider returns a Deployment once its rollout is complete: every replica updated and available.
            const replicas = (inputs.spec as { replicas?: number } | undefined)?.replicas ?? 1;
            const status = { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
            return { id: `${metadata?.namespace}/${metadata?.name}`, state: { ...inputs, status } };
        }
        default:
            if (metadata?.name) return { id: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name, state: inputs };
            return { id: `${args.name}-id`, state: inputs };
    }
}

function mockCall(args: MockCallArgs): Record<string, unknown> {
    switch (args.token) {
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return { userName: "AWS", password: "mock-ecr-token", proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.amazonaws.com` };
        case "aws:route53/getZone:getZone":
            return { zoneId: `Z${digestOf(args.inputs.name).slice(0, 20).toUpperCase()}`, name: args.inputs.name };
        default:
            throw new Error(`no mock for invoke ${args.token}; add one in tools/mockRuntime.ts`);
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getProtect(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
}

type Callback = (error: unknown, response?: { getUrn(): string }) => void;

/** Changes what the mocked provider returns for a resource, e.g. a Deployment whose live status has degraded. */
export type AdjustState = (type: string, name: string, state: Record<string, unknown>) => Record<string, unknown>;

interface MonitorHooks {
    registerResource(request: RegisterRequest, callback: Callback): void;
    signalAndWaitForShutdown?: (request: unknown, callback: (error: unknown, response: unknown) => void) => void;
}

/**
 * Installs Pulumi's mock monitor with switchyard's provider mocks, as the test runner and the
 * benchmark's language host both need it. `record`, when given, receives every registration the
 * SDK sends; without it registrations pass through untouched.
 */
export async function installMocks(
    project: string,
    stack: string,
    preview: boolean,
    record?: (resource: RegisteredResource) => void,
    adjustState?: AdjustState,
): Promise<void> {
    const providerRegions = new Map<string, string>();
    const regionOf = (reference: string | undefined) => providerRegions.get(reference?.split("::").pop() ?? "") ?? "us-east-1";
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const result = mockState(args, regionOf);
                if (adjustState) result.state = adjustState(args.type, args.name, result.state);
                if (args.type === "pulumi:providers:aws") providerRegions.set(result.id, String(args.inputs.region));
                return result;
            },
            call: mockCall,
        },
        project,
        stack,
        preview,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorHooks;
    if (record) {
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request, callback) => {
            register(request, (error, response) => {
                if (!error && response) {
                    const wireInputs = request.getObject()?.toJavaScript() ?? {};
                    const propertyDependencies: Record<string, string[]> = {};
                    request.getPropertydependenciesMap().forEach((value, key) => {
                        propertyDependencies[key] = value.getUrnsList();
                    });
                    record({
                        urn: response.getUrn(),
                        type: request.getType(),
                        name: request.getName(),
                        custom: request.getCustom(),
                        inputs: plainValue(wireInputs) as Record<string, unknown>,
                        wireInputs,
                        secretInputs: Object.keys(wireInputs).filter((k) => containsSecret(wireInputs[k])),
                        parent: request.getParent(),
                        provider: request.getProvider(),
                        dependencies: request.getDependenciesList(),
                        propertyDependencies,
                        protect: request.getProtect(),
                        deleteBeforeReplace: request.getDeletebeforereplace(),
                        ignoreChanges: request.getIgnorechangesList(),
                    });
                }
                callback(error, response);
            });
        };
    }
    // The language host signals shutdown once the program is done; the mock monitor has nothing to wait for.
    monitor.signalAndWaitForShutdown = (_request, callback) => callback(null, {});
}

/**
 * Runs `program` as the language host would (inside the root Stack resource) under the given
 * stack config, and returns what it registered. Each call resets the SDK's state, so one process
 * can run the same program under several configs.
 */
export async function runProgram(
    program: () => unknown,
    stackConfig: StackConfig,
    options: { preview?: boolean; adjustState?: AdjustState } = {},
): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
    await installMocks(stackConfig.project, stackConfig.stack, options.preview ?? false, (resource) => resources.push(resource), options.adjustState);
    pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
    // A failing program rejects more than one SDK promise with the same error; the language host
    // reports it once through its unhandledRejection handler, and so does this.
    const stray: unknown[] = [];
    const onStray = (reason: unknown) => stray.push(reason);
    process.on("unhandledRejection", onStray);
    let outputs: unknown;
    try {
        outputs = await pulumi.runtime.runInPulumiStack(async () => program());
    } catch (error) {
        throw new ProgramError(error, resources);
    } finally {
        await pulumi.runtime.disconnect();
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onStray);
    }
    if (stray.length > 0) throw new ProgramError(stray[0], resources);
    // The engine rejects a second registration of a URN; the mock monitor would accept it.
    const urns = new Set<string>();
    for (const { urn } of resources) {
        if (urns.has(urn)) throw new ProgramError(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`), resources);
        urns.add(urn);
    }
    return { resources, outputs: plainValue(outputs ?? {}) as Record<string, unknown> };
}

/** The program failed; `resources` holds what it had registered by then. */
export class ProgramError extends Error {
    readonly resources: RegisteredResource[];
    constructor(cause: unknown, resources: RegisteredResource[]) {
        super(cause instanceof Error ? cause.message : String(cause), { cause });
        this.name = "ProgramError";
        this.resources = resources;
    }
}

/** Canonical JSON (sorted keys), for comparing inputs across runs. */
export function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        typeof v === "object" && v !== null && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

export interface InputChange {
    urn: string;
    type: string;
    kind: "changed" | "added" | "removed";
    /** Top-level input names that differ. */
    keys: string[];
}

/** Resources whose recorded inputs differ between two runs of the same program (by URN). */
export function inputChanges(before: Pick<ProgramRun, "resources">, after: Pick<ProgramRun, "resources">): InputChange[] {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const changes: InputChange[] = [];
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        old.delete(resource.urn);
        if (!previous) {
            changes.push({ urn: resource.urn, type: resource.type, kind: "added", keys: Object.keys(resource.inputs) });
            continue;
        }
        const keys = [...new Set([...Object.keys(previous.inputs), ...Object.keys(resource.inputs)])].filter(
            (k) => canonical(previous.inputs[k]) !== canonical(resource.inputs[k]),
        );
        if (keys.length > 0) changes.push({ urn: resource.urn, type: resource.type, kind: "changed", keys });
    }
    for (const resource of old.values()) changes.push({ urn: resource.urn, type: resource.type, kind: "removed", keys: [] });
    return changes;
}
