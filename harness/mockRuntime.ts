// Runs a Pulumi program in-process under Pulumi's official mocks (pulumi.runtime.setMocks) and
// records every RegisterResource request the SDK sends: the same inputs, parent, provider and
// dependencies the engine would receive. The providers' answers come from harness/providerModels.ts,
// which follows each provider's source case by case (first deploy, preview, up, a refreshed state
// with a degraded Deployment). Resource hooks are called the way the engine calls them, over the
// SDK's own callback server, when a registration becomes a create or an update.

import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import callbackGrpc from "@pulumi/pulumi/proto/callback_grpc_pb.js";
import callbackPb from "@pulumi/pulumi/proto/callback_pb.js";
import resourcePb from "@pulumi/pulumi/proto/resource_pb.js";
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks.js";
import { specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb.js";
import { createHash, randomBytes } from "node:crypto";
import {
    MOCK_ACCOUNT,
    ProviderError,
    canonical,
    copyLive,
    diffedInputs,
    emptyLive,
    liveFromJson,
    liveToJson,
    respond,
    stepFor,
    type Behaviour,
    type Live,
    type StateEntry,
    type StepKind,
} from "./providerModels.ts";
import type { StackConfig } from "../model/stackFiles.ts";

export { canonical, emptyLive, liveFromJson, liveToJson, type Behaviour, type Live };

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
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    /** What the engine did with it: create, update or nothing; components are always "same". */
    step: StepKind;
}

/** One call of a resource hook, as the engine made it. */
export interface HookCall {
    hook: string;
    kind: "beforeCreate" | "beforeUpdate" | "beforeDelete";
    urn: string;
    /** The hook's error, when it refused. */
    error?: string;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    /** Stack outputs, resolved. */
    outputs: Record<string, unknown>;
    /** The state and the world after this run: unchanged by a preview. */
    live: Live;
    hookCalls: HookCall[];
    /** Warnings the program logged. */
    warnings: string[];
    /** URNs in the prior state that this run no longer registers: the engine deletes them after an update. */
    deleted: string[];
    /** Invokes the program made, with the answers it got. */
    invokes: { token: string; result: Record<string, unknown> }[];
    /** The outputs that are secrets: what the backend lists as the stack's secretOutputNames for another stack's StackReference. */
    secretOutputNames: string[];
}

export interface RunOptions {
    /** `pulumi preview` (and the preview `pulumi up` runs first) when true. */
    preview?: boolean;
    /** The stack's state and the world before the run; a first deploy when absent. */
    live?: Live;
    /** How clusters and registries behave during this run. */
    behaviour?: Behaviour;
    /** Other stacks' outputs by fully qualified name (`organization/switchyard/prod-traffic`), as the backend holds them. */
    stacks?: Readonly<Record<string, Record<string, unknown>>>;
    /** Which of those stacks' outputs are secrets, by the same names (a run's secretOutputNames); none when absent. */
    stackSecrets?: Readonly<Record<string, readonly string[]>>;
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

/** A failed invoke as the engine returns it: a gRPC error whose details the SDK rethrows as the message (runtime/invoke.js). */
function invokeFailure(message: string): Error {
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message });
}

/** A provider's invoke error as the engine words it (pkg/resource/deploy/source_eval.go Invoke). */
function providerInvokeFailure(token: string, providerText: string): Error {
    return invokeFailure(`invocation of ${token} returned an error: ${providerText}`);
}

/** Invokes (data sources) the program calls, answered like the providers do. */
function mockCall(args: MockCallArgs, live: Live, behaviour: Behaviour): Record<string, unknown> {
    const failure = behaviour.failingInvokes?.[args.token];
    if (failure !== undefined) throw providerInvokeFailure(args.token, failure);
    switch (args.token) {
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            // A fresh token per call, as ECR issues them, so a spec can tell which one the program passed on.
            return { userName: "AWS", password: randomBytes(24).toString("base64"), proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.amazonaws.com` };
        case "aws:route53/getZone:getZone":
            return { zoneId: `Z${createHash("sha256").update(JSON.stringify(args.inputs.name)).digest("hex").slice(0, 20).toUpperCase()}`, name: args.inputs.name };
        case "aws:ecr/getRepositories:getRepositories":
            // DescribeRepositories paged over the whole registry (terraform-provider-aws internal/service/ecr/repositories_data_source.go).
            return { id: "us-east-1", names: [...live.registry.keys()].sort(), region: "us-east-1" };
        case "aws:ecr/getImages:getImages": {
            // ListImages on a missing repository: the data source turns RepositoryNotFoundException into the
            // plugin SDK's retry.NotFoundError, whose text is only "couldn't find resource", under the
            // diagnostic's summary (terraform-provider-aws internal/service/ecr/images_data_source.go,
            // terraform-plugin-sdk helper/retry/error.go, pulumi-terraform-bridge pkg/pf/tfbridge/provider_diagnostics.go).
            const images = live.registry.get(String(args.inputs.repositoryName));
            if (!images) throw providerInvokeFailure(args.token, "reading ECR Images: couldn't find resource");
            return {
                repositoryName: args.inputs.repositoryName,
                imageIds: images.flatMap((image) =>
                    image.tags.length === 0 ? [{ imageDigest: image.digest }] : image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag })),
                ),
            };
        }
        default:
            throw new Error(`no mock for invoke ${args.token}; add one in harness/mockRuntime.ts`);
    }
}

/**
 * Inputs with every ignoreChanges path set back to its old value, as the engine does before it
 * diffs an existing resource (pkg/resource/deploy/step_generator.go processIgnoreChanges); a create
 * keeps the new inputs. Paths are `a.b[0].c`.
 */
export function ignoringChanges(wire: Record<string, unknown>, old: Record<string, unknown> | undefined, paths: string[]): Record<string, unknown> {
    if (old === undefined || paths.length === 0) return wire;
    const result = structuredClone(wire);
    for (const path of paths) {
        const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
        let from: any = old;
        let to: any = result;
        for (const key of keys.slice(0, -1)) {
            from = from?.[key];
            to = to?.[key];
        }
        const last = keys[keys.length - 1]!;
        if (from === undefined || to === undefined || typeof to !== "object" || !(last in from)) continue;
        to[last] = structuredClone(from[last]);
    }
    return result;
}

interface HooksBinding {
    getBeforeCreateList(): string[];
    getBeforeUpdateList(): string[];
    getBeforeDeleteList(): string[];
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
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getHooks(): HooksBinding | undefined;
}

interface HookRegistration {
    getName(): string;
    getOnDryRun(): boolean;
    getCallback(): { getToken(): string; getTarget(): string } | undefined;
}

type Callback = (error: unknown, response?: { getUrn(): string }) => void;

interface MockMonitorInternals {
    registerResource(request: RegisterRequest, callback: Callback): void;
    registerResourceHook?: (request: HookRegistration, callback: (error: unknown, response: unknown) => void) => void;
    signalAndWaitForShutdown?: (request: unknown, callback: (error: unknown, response: unknown) => void) => void;
    newUrn(parent: string, type: string, name: string): string;
}

interface Hook {
    onDryRun: boolean;
    token: string;
    target: string;
}

/** A property map as the engine marshals it for a hook: JSON values, secrets and unknowns kept in their wire form. */
function struct(value: Record<string, unknown>) {
    return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Record<string, JavaScriptValue>);
}

type CallbacksClient = InstanceType<typeof callbackGrpc.CallbacksClient>;

/**
 * Calls a hook as the engine's resource monitor does (pkg/resource/deploy/source_eval.go
 * wrapResourceHookCallback), over one client per callback server that every hook call shares
 * (source_eval.go GetCallbacksClient keeps them by target): a connection per call was the harness's
 * cost, in the program's process, not the engine's.
 */
function invokeHook(clients: Map<string, CallbacksClient>, hook: Hook, request: InstanceType<typeof resourcePb.ResourceHookRequest>): Promise<string> {
    let client = clients.get(hook.target);
    if (client === undefined) {
        client = new callbackGrpc.CallbacksClient(hook.target, grpc.credentials.createInsecure());
        clients.set(hook.target, client);
    }
    const invoke = new callbackPb.CallbackInvokeRequest().setToken(hook.token).setRequest(request.serializeBinary());
    return new Promise((resolve, reject) => {
        client.invoke(invoke, (error, response) => {
            if (error) return reject(error);
            resolve(resourcePb.ResourceHookResponse.deserializeBinary(response.getResponse_asU8()).getError());
        });
    });
}

/**
 * Whether the engine denies `pkg` its default provider: `pulumi:disable-default-providers` lists the
 * packages, "*" every one (pkg/resource/deploy/source_eval.go and step_generator.go deny a resource
 * or invoke without a provider with sdk/go/common/diag/errors.go GetDefaultProviderDenied).
 */
function defaultProviderDenied(pkg: string): boolean {
    const text = pulumi.runtime.allConfig()["pulumi:disable-default-providers"];
    if (text === undefined) return false;
    const denied = JSON.parse(text) as string[];
    return denied.includes("*") || denied.includes(pkg);
}

function defaultProviderDeniedError(pkg: string, what: string): Error {
    return new Error(`Default provider for '${pkg}' disabled. '${what}' must use an explicit provider.`);
}

/** The engine's side of one run: its first failed step, the steps still running, and the deletes it runs after the program. */
export interface EngineSteps {
    /** The first step that failed; no step starts after it (pkg/resource/deploy/step_executor.go cancelDueToError). */
    failure: Error | undefined;
    /** The first provider await that failed: it fails the update and cancels the deletes, not the steps begun while it waited. */
    awaitFailure: Error | undefined;
    /** Registrations still being stepped. */
    pending: Set<Promise<void>>;
    /** Runs a DeleteStep's before-hooks for an old object: the hooks its state names, with its old inputs and outputs. */
    beforeDelete(urn: string, entry: StateEntry): Promise<void>;
    /** Old objects this run replaced, by URN, in the order their creates ran. */
    replaced: Map<string, StateEntry>;
    /** Closes the connections to the program's callback server once the run is over. */
    close(): void;
}

/**
 * Installs Pulumi's mock monitor with switchyard's provider models, as the test runner and the
 * benchmark's language host both need it. `record`, when given, receives every registration.
 */
export async function installMocks(
    project: string,
    stack: string,
    preview: boolean,
    record?: (resource: RegisteredResource) => void,
    context: { live?: Live; behaviour?: Behaviour; hookCalls?: HookCall[]; next?: Live; invokes?: ProgramRun["invokes"]; stacks?: RunOptions["stacks"]; stackSecrets?: RunOptions["stackSecrets"] } = {},
): Promise<EngineSteps> {
    const live = context.live ?? emptyLive();
    const next = context.next ?? copyLive(live);
    const behaviour = context.behaviour ?? {};
    const providerRegions = new Map<string, string>();
    const regionOf = (reference: string) => providerRegions.get(reference.split("::").pop() ?? "") ?? "us-east-1";
    /** Answers computed by the registration wrapper, handed to the mock monitor's newResource. */
    const answers = new Map<string, { id: string; state: Record<string, unknown> }>();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.type === "pulumi:pulumi:StackReference") return readStackReference(String(args.inputs.name), context.stacks, context.stackSecrets);
                const key = `${args.type}::${args.name}`;
                const answer = answers.get(key);
                answers.delete(key);
                const result = answer ?? { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
                if (args.type === "pulumi:providers:aws") providerRegions.set(result.id, String(args.inputs.region));
                return result;
            },
            call: (args) => {
                const pkg = args.token.split(":")[0]!;
                if (!args.provider && defaultProviderDenied(pkg)) throw invokeFailure(defaultProviderDeniedError(pkg, args.token).message);
                const result = mockCall(args, next, behaviour);
                context.invokes?.push({ token: args.token, result });
                return result;
            },
        },
        project,
        stack,
        preview,
        // The DIY backend's organization; the service backend's is the account's.
        "organization",
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorInternals;
    const hooks = new Map<string, Hook>();
    const clients = new Map<string, CallbacksClient>();
    // The SDK's mock monitor has no RegisterResourceHook; the engine's keeps the hook's callback address,
    // one hook per name (pkg/resource/deploy/resource_hooks.go RegisterResourceHook).
    monitor.registerResourceHook = (request, callback) => {
        const name = request.getName();
        if (name === "") return callback(new Error("resource hook name cannot be empty"), undefined);
        if (hooks.has(name)) return callback(new Error(`resource hook already registered for name "${name}"`), undefined);
        const cb = request.getCallback();
        hooks.set(name, { onDryRun: request.getOnDryRun(), token: cb?.getToken() ?? "", target: cb?.getTarget() ?? "" });
        callback(null, {});
    };
    const close = () => {
        for (const client of clients.values()) client.close();
        clients.clear();
    };
    const steps: EngineSteps = { failure: undefined, awaitFailure: undefined, pending: new Set(), beforeDelete, replaced: new Map(), close };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
        const stepped = (async () => {
            const type = request.getType();
            const name = request.getName();
            const urn = monitor.newUrn(request.getParent(), type, name);
            if (steps.failure !== undefined) {
                // After a failed step the step executor cancels the deployment's context: no further
                // event becomes a step (pkg/resource/deploy/step_executor.go cancelDueToError,
                // executeChain; deployment_executor.go leaves its event loop on ctx.Done() and never
                // reaches the deletes), and the resource monitor shuts down under the program
                // (source_eval.go RegisterResource: "resource monitor shut down while sending resource
                // registration", gRPC Unavailable, on which the SDK stops quietly). The CLI reports
                // the failed step; runProgram does too.
                callback(new Error(`${urn}: resource monitor shut down while sending resource registration`));
                return;
            }
            const fail = (error: Error, cancels = true) => {
                if (cancels) steps.failure ??= error;
                callback(error);
            };
            const prior = live.resources.get(urn);
            const wireInputs = ignoringChanges(request.getObject()?.toJavaScript() ?? {}, prior?.inputs, request.getIgnorechangesList());
            const custom = request.getCustom();
            const step: StepKind = custom ? stepFor(type, name, wireInputs, prior, behaviour) : prior === undefined ? "create" : "same";
            const pkg = type.split(":")[0]!;
            if (custom && pkg !== "pulumi" && request.getProvider() === "" && defaultProviderDenied(pkg)) {
                fail(defaultProviderDeniedError(pkg, urn));
                return;
            }
            const refusal = custom ? behaviour.refusedRegistrations?.[name] : undefined;
            if (refusal !== undefined) {
                // Check runs while the engine generates the step, before any hook (pkg/resource/deploy/step_generator.go).
                fail(new Error(`${urn}: ${refusal}`));
                return;
            }
            if (step === "replace" && prior?.protect && request.getProtect()) {
                // pkg/resource/deploy/step_generator.go: a protected resource is never replaced (a replacement deletes it).
                fail(
                    new Error(
                        `unable to replace resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, ` +
                            "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`",
                    ),
                );
                return;
            }
            // A replacement creates a new object: its hooks and its provider see no old state
            // (pkg/resource/deploy/step.go CreateStep.Apply passes no old inputs or outputs to beforeCreate).
            // The old object is deleted after every other step (create-before-delete, the default:
            // step_generator.go "the delete step is generated later on"), or first, in the same chain
            // as the create, when deleteBeforeReplace is set (step_generator.go NewDeleteReplacementStep
            // ahead of NewCreateReplacementStep). Either delete runs the old state's beforeDelete hooks.
            const operation: StepKind = step === "replace" ? "create" : step;
            const seen = step === "replace" ? undefined : prior;
            try {
                if (step === "replace" && request.getDeletebeforereplace()) {
                    await beforeDelete(urn, prior!);
                    if (!preview) next.resources.delete(urn);
                } else if (step === "replace") {
                    steps.replaced.set(urn, prior!);
                    if (!preview) next.condemned.set(urn, structuredClone(prior!));
                }
                if (custom && step !== "same") await runBeforeHooks(request.getHooks(), urn, type, name, operation, wireInputs, seen);
                const answer = custom
                    ? respond({ type, name, step: operation, preview, wire: wireInputs, prior: seen, live: next, behaviour, region: regionOf(request.getProvider()) })
                    : { id: "", outputs: {} };
                if (custom) answers.set(`${type}::${name}`, { id: answer.id, state: answer.outputs });
                if (!preview) remember(urn, type, name, answer.id, wireInputs, answer.outputs, undefined, request);
            } catch (error) {
                if (error instanceof ProviderError && error.partial && !preview) {
                    remember(urn, type, name, prior?.id ?? urn, wireInputs, error.partial, error.message, request);
                }
                // A provider's await fails minutes after its step began: steps that do not depend on it
                // have started by then and run to their end. Only the deletes after the program are
                // cancelled (runProgram). A hook, Check or protect refusal fails its step at once.
                const failed = error instanceof Error ? new Error(`${urn}: ${error.message}`) : new Error(`${urn}: ${String(error)}`);
                if (error instanceof ProviderError) steps.awaitFailure ??= failed;
                fail(failed, !(error instanceof ProviderError));
                return;
            }
            register(request, (error, response) => {
                if (!error && response) record?.(recorded(request, response.getUrn(), wireInputs, step));
                callback(error, response);
            });
        })();
        steps.pending.add(stepped);
        void stepped.finally(() => steps.pending.delete(stepped));
    };

    function remember(
        urn: string,
        type: string,
        name: string,
        id: string,
        inputs: Record<string, unknown>,
        outputs: Record<string, unknown>,
        initError: string | undefined,
        request: RegisterRequest,
    ): void {
        const entry: StateEntry = { type, name, id, inputs, outputs, protect: request.getProtect(), retainOnDelete: request.getRetainondelete() };
        if (initError !== undefined) entry.initError = initError;
        const deleteHooks = request.getHooks()?.getBeforeDeleteList() ?? [];
        if (deleteHooks.length > 0) entry.beforeDelete = deleteHooks;
        next.resources.set(urn, entry);
    }

    /** CreateStep/UpdateStep.Apply run the before-hooks first; a preview skips hooks without onDryRun (pkg/resource/deploy/deployment.go RunHooks). */
    async function runBeforeHooks(
        binding: HooksBinding | undefined,
        urn: string,
        type: string,
        name: string,
        step: StepKind,
        wire: Record<string, unknown>,
        prior: StateEntry | undefined,
    ): Promise<void> {
        const kind = step === "create" ? "beforeCreate" : "beforeUpdate";
        const names = binding ? (kind === "beforeCreate" ? binding.getBeforeCreateList() : binding.getBeforeUpdateList()) : [];
        for (const hookName of names) {
            const hook = hooks.get(hookName);
            if (!hook) throw new Error(`hook "${hookName}" was not registered`);
            if (preview && !hook.onDryRun) continue;
            const request = new resourcePb.ResourceHookRequest().setUrn(urn).setId(prior?.id ?? "").setName(name).setType(type).setNewInputs(struct(wire));
            if (prior) request.setOldInputs(struct(prior.inputs)).setOldOutputs(struct(prior.outputs));
            const error = await invokeHook(clients, hook, request);
            context.hookCalls?.push({ hook: hookName, kind, urn, ...(error ? { error } : {}) });
            if (error) throw new Error(`before hook "${hookName}" failed: ${error}`);
        }
    }
    /**
     * DeleteStep.Apply's before-hooks (pkg/resource/deploy/step.go): the hooks the old state names
     * (s.old.ResourceHooks), each looked up among the hooks this run registered, a missing one failing
     * the delete (deployment.go RunHooks "hook %q was not registered"); they get the old inputs and
     * old outputs and no new ones, and run in previews too when onDryRun. A refusal fails the step
     * before the provider's Delete.
     */
    async function beforeDelete(urn: string, entry: StateEntry): Promise<void> {
        try {
            for (const hookName of entry.beforeDelete ?? []) {
                const hook = hooks.get(hookName);
                if (!hook) throw new Error(`hook "${hookName}" was not registered`);
                if (preview && !hook.onDryRun) continue;
                const request = new resourcePb.ResourceHookRequest()
                    .setUrn(urn)
                    .setId(entry.id)
                    .setName(entry.name)
                    .setType(entry.type)
                    .setOldInputs(struct(entry.inputs))
                    .setOldOutputs(struct(entry.outputs));
                const error = await invokeHook(clients, hook, request);
                context.hookCalls?.push({ hook: hookName, kind: "beforeDelete", urn, ...(error ? { error } : {}) });
                if (error) throw new Error(`before hook "${hookName}" failed: ${error}`);
            }
        } catch (error) {
            const failed = new Error(`${urn}: ${error instanceof Error ? error.message : String(error)}`);
            steps.failure ??= failed;
            throw failed;
        }
    }
    // The language host signals shutdown once the program is done; runProgram runs the deletes it waits for.
    monitor.signalAndWaitForShutdown = (_request, callback) => callback(null, {});
    return steps;
}

/**
 * A StackReference is a read the engine answers itself (pkg/resource/deploy/builtins.go,
 * readStackReference): the backend's outputs of that stack, with the names of the secret ones; a
 * stack the backend does not have fails the read with the backend's error, and the program with it.
 */
function readStackReference(name: string, stacks: RunOptions["stacks"], secrets: RunOptions["stackSecrets"]): { id: string; state: Record<string, unknown> } {
    const outputs = stacks?.[name];
    if (outputs === undefined) throw new Error(`reading stack reference ${name}: stack '${name}' not found`);
    return { id: name, state: { name, outputs, secretOutputNames: [...(secrets?.[name] ?? [])] } };
}

function recorded(request: RegisterRequest, urn: string, wireInputs: Record<string, unknown>, step: StepKind): RegisteredResource {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((value, key) => {
        propertyDependencies[key] = value.getUrnsList();
    });
    return {
        urn,
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
        retainOnDelete: request.getRetainondelete(),
        deleteBeforeReplace: request.getDeletebeforereplace(),
        ignoreChanges: request.getIgnorechangesList(),
        step,
    };
}

/**
 * Runs `program` as the language host would (inside the root Stack resource) under the given
 * stack config, and returns what it registered. Each call resets the SDK's state, so one process
 * can run the same program under several configs.
 */
export async function runProgram(program: () => unknown, stackConfig: StackConfig, options: RunOptions = {}): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
    const hookCalls: HookCall[] = [];
    const warnings: string[] = [];
    const invokes: ProgramRun["invokes"] = [];
    const prior = options.live ?? emptyLive();
    const next = copyLive(prior);
    const preview = options.preview ?? false;
    const steps = await installMocks(stackConfig.project, stackConfig.stack, preview, (resource) => resources.push(resource), {
        live: prior,
        next,
        behaviour: options.behaviour ?? {},
        hookCalls,
        invokes,
        ...(options.stacks ? { stacks: options.stacks } : {}),
        ...(options.stackSecrets ? { stackSecrets: options.stackSecrets } : {}),
    });
    pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
    // Without an engine the SDK prints warnings to the console; keep them instead.
    const consoleWarn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(" ").replace(/^warning: \[runtime\] /, ""));
    // A failing program rejects more than one SDK promise with the same error; the language host
    // reports it once through its unhandledRejection handler, and so does this. A rejection the SDK
    // handles later (the stack's outputs serialized after a resource failed) is no longer stray:
    // Node says so with rejectionHandled, and without that bookkeeping it warns
    // (PromiseRejectionHandledWarning). The language host never sees that: it exits at the first.
    const stray = new Map<Promise<unknown>, unknown>();
    const onStray = (reason: unknown, promise: Promise<unknown>) => stray.set(promise, reason);
    const onHandled = (promise: Promise<unknown>) => stray.delete(promise);
    process.on("unhandledRejection", onStray);
    process.on("rejectionHandled", onHandled);
    let outputs: unknown;
    let returned: unknown;
    const secretOutputNames: string[] = [];
    const result = () => ({ resources, live: preview ? prior : next, hookCalls, warnings, invokes, deleted: deletedBy(prior, resources), secretOutputNames });
    try {
        outputs = await pulumi.runtime.runInPulumiStack(async () => (returned = await program())).catch((error: unknown) => {
            throw steps.failure ?? error;
        });
        // The engine keeps each output's secretness; the resolved values above have lost it.
        if (typeof returned === "object" && returned !== null) {
            for (const [name, value] of Object.entries(returned)) {
                if (await pulumi.isSecret(pulumi.output(value))) secretOutputNames.push(name);
            }
        }
        // The language host signals shutdown, after which the engine runs its deletes, only once the
        // event loop is empty (sdk/nodejs/cmd/run/index.ts beforeExit): every registration the program
        // began has been answered, whether or not the stack's outputs waited for it.
        await waitForRPCs();
        while (steps.pending.size > 0) await Promise.all([...steps.pending]);
        const failed = steps.failure ?? steps.awaitFailure;
        if (failed) throw failed;
        // The deletes come after every other step, while the program waits in SignalAndWaitForShutdown
        // (sdk/nodejs/runtime/settings.ts: "wait until the monitor has completed all steps, including
        // deletion steps"), so its delete hooks are still served.
        const refused = await performDeletes(prior, next, resources, steps, preview);
        if (refused) throw refused;
    } catch (error) {
        throw new ProgramError(error, result());
    } finally {
        steps.close();
        await pulumi.runtime.disconnect();
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onStray);
        process.off("rejectionHandled", onHandled);
        console.warn = consoleWarn;
    }
    if (stray.size > 0) throw new ProgramError(stray.values().next().value, result());
    // The engine rejects a second registration of a URN; the mock monitor would accept it.
    const urns = new Set<string>();
    for (const { urn } of resources) {
        if (urns.has(urn)) throw new ProgramError(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`), result());
        urns.add(urn);
    }
    return { ...result(), outputs: plainValue(outputs ?? {}) as Record<string, unknown> };
}

/** The SDK's wait for every RPC it has begun (sdk/nodejs/runtime/settings.ts waitForRPCs; internal to its typings). */
function waitForRPCs(): Promise<void> {
    return (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

function deletedBy(prior: Live, resources: RegisteredResource[]): string[] {
    const registered = new Set(resources.map((r) => r.urn));
    return [...prior.resources.keys()].filter((urn) => !registered.has(urn));
}

/**
 * After the program, the engine deletes the old objects of replacements (this run's and any an earlier
 * run left condemned) and what it no longer registers (pkg/resource/deploy/step_generator.go
 * GenerateDeletes), dependents first (the reverse of the state's order); each delete runs the old
 * state's beforeDelete hooks first, in a preview too, and the first failure cancels the deletes that
 * follow. A protected resource stops the update; one with retainOnDelete leaves Pulumi's state but
 * stays in the cloud; an ECR repository that still holds images is refused by AWS
 * (RepositoryNotEmptyException) unless forceDelete is set.
 */
async function performDeletes(prior: Live, next: Live, resources: RegisteredResource[], steps: EngineSteps, preview: boolean): Promise<Error | undefined> {
    const condemned = [...prior.condemned, ...steps.replaced].reverse();
    for (const [urn, entry] of condemned) {
        try {
            await steps.beforeDelete(urn, entry);
        } catch (error) {
            return error as Error;
        }
        if (!preview) next.condemned.delete(urn);
    }
    for (const urn of deletedBy(prior, resources).reverse()) {
        const entry = prior.resources.get(urn)!;
        try {
            await steps.beforeDelete(urn, entry);
        } catch (error) {
            return error as Error;
        }
        if (preview) continue;
        if (entry.protect) return new Error(`unable to delete resource "${urn}" as it is currently marked for protection`);
        next.resources.delete(urn);
        if (entry.retainOnDelete || entry.type !== "aws:ecr/repository:Repository") continue;
        const name = String(entry.outputs.name);
        if ((next.registry.get(name) ?? []).length > 0 && entry.outputs.forceDelete !== true) {
            return new Error(`deleting ECR Repository (${name}): RepositoryNotEmptyException: The repository cannot be deleted because it still contains images`);
        }
        next.registry.delete(name);
    }
    return undefined;
}

/** The program failed; `run` holds what it had registered (and changed) by then. */
export class ProgramError extends Error {
    readonly resources: RegisteredResource[];
    readonly run: Omit<ProgramRun, "outputs">;
    constructor(cause: unknown, run: Omit<ProgramRun, "outputs">) {
        // The SDK wraps an error once for every output it passes through on the way to the stack's outputs.
        super((cause instanceof Error ? cause.message : String(cause)).replace(/^(error serializing property "[^"]*": )+/, ""), { cause });
        this.name = "ProgramError";
        this.resources = run.resources;
        this.run = run;
    }
}

export interface InputChange {
    urn: string;
    type: string;
    kind: "changed" | "added" | "removed";
    /** Top-level input names that differ. */
    keys: string[];
}

/** Resources whose recorded inputs differ between two runs of the same program (by URN), as their providers compare them. */
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
        const [before, after] = [diffedInputs(resource.type, previous.inputs), diffedInputs(resource.type, resource.inputs)];
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => canonical(before[k]) !== canonical(after[k]));
        if (keys.length > 0) changes.push({ urn: resource.urn, type: resource.type, kind: "changed", keys });
    }
    for (const resource of old.values()) changes.push({ urn: resource.urn, type: resource.type, kind: "removed", keys: [] });
    return changes;
}
