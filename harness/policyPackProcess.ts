// Runs the policy pack the way the Pulumi CLI does and speaks its Analyzer gRPC protocol, so the
// specs test the pack as `pulumi preview --policy-pack policy --policy-pack-config <file>` uses it.
// What the CLI does, and where (pulumi/pulumi):
// - start: sdk/nodejs/dist/pulumi-analyzer-policy resolves @pulumi/pulumi/cmd/run-policy-pack from
//   the pack's directory and runs it with node; NewPolicyAnalyzer (analyzer_plugin.go) starts that
//   shim with cwd = the pack directory, args [engine address, "."] and the stack in the environment;
// - connect: newPlugin (plugin.go) reads stdout up to the first newline, trims it and parses the port,
//   dials 127.0.0.1:<port>, then calls Handshake (Unimplemented is fine) and ConfigureStack;
// - config: parsePolicyPackConfig and ReconcilePolicyPackConfig (analyzer/config.go) read the file,
//   fill schema defaults, apply "all" then each policy, validate against the schemas from
//   GetAnalyzerInfo (with enforcementLevel injected) and send the result with Configure;
// - judge: Analyze for every registered resource (its inputs), AnalyzeStack once with all of them.

import * as grpc from "@grpc/grpc-js";
import analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import type { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import analyzerPb from "@pulumi/pulumi/proto/analyzer_pb.js";
import type {
    AnalyzeDiagnostic,
    AnalyzeResponse,
    AnalyzerInfo as AnalyzerInfoMessage,
    AnalyzerProviderResource,
    AnalyzerResourceOptions,
} from "@pulumi/pulumi/proto/analyzer_pb.js";
import { Ajv, type ValidateFunction } from "ajv";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import type { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb.js";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { RegisteredResource } from "./mockRuntime.ts";
import { PROJECT_ROOT, type StackConfig } from "../model/stackFiles.ts";

export const POLICY_DIR = join(PROJECT_ROOT, "policy");

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";

const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_NUMBERS = Object.fromEntries(Object.entries(LEVELS).map(([n, level]) => [level, Number(n)])) as Record<EnforcementLevel, number>;

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
    initialConfig: Record<string, PolicyConfig>;
}

export interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** Thrown where the CLI stops before the first resource: a config file it cannot read or that breaks a schema. */
export class PolicyConfigError extends Error {}

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && Object.values(LEVELS).includes(value as EnforcementLevel);
}

/** `--policy-pack-config` as the CLI parses it: each entry a level, or an object with an optional level and properties. */
export function parsePolicyPackConfig(text: string): Record<string, PolicyConfig> {
    if (text.trim() === "") return {};
    const result: Record<string, PolicyConfig> = {};
    for (const [name, value] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
        let entry: PolicyConfig;
        if (typeof value === "string") {
            if (!isLevel(value)) throw new PolicyConfigError(`parsing enforcement level for "${name}": "${value}" is not a valid enforcement level`);
            entry = { enforcementLevel: value };
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                throw new PolicyConfigError(`parsing enforcement level for "${name}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
            }
            entry = {
                ...(enforcementLevel === undefined ? {} : { enforcementLevel }),
                ...(Object.keys(properties).length > 0 ? { properties } : {}),
            };
        } else {
            throw new PolicyConfigError(`parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
        if (entry.enforcementLevel !== undefined || entry.properties !== undefined) result[name] = entry;
    }
    return result;
}

export function readPolicyPackConfig(path: string): Record<string, PolicyConfig> {
    return parsePolicyPackConfig(readFileSync(path, "utf8"));
}

function applyConfig(result: Record<string, PolicyConfig>, given: Record<string, PolicyConfig>): void {
    const all = given.all?.enforcementLevel;
    if (all !== undefined) for (const entry of Object.values(result)) entry.enforcementLevel = all;
    for (const [name, entry] of Object.entries(given)) {
        const current = result[name] ?? {};
        const level = entry.enforcementLevel ?? current.enforcementLevel;
        result[name] = {
            ...(level === undefined ? {} : { enforcementLevel: level }),
            ...(current.properties || entry.properties ? { properties: { ...current.properties, ...entry.properties } } : {}),
        };
    }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** Compiling a schema costs far more than using it, and every check reconciles the same ones. */
function validatorFor(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile(schema)));
    return validate;
}

/** ReconcilePolicyPackConfig: schema defaults, then the pack's initial config, then the file; validated like the CLI. */
export function reconcilePolicyPackConfig(info: AnalyzerInfo, given: Record<string, PolicyConfig>): Record<string, PolicyConfig> {
    const result: Record<string, PolicyConfig> = {};
    for (const policy of info.policies) {
        const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
        result[policy.name] = {
            enforcementLevel: policy.enforcementLevel,
            ...(defaults.length > 0 ? { properties: Object.fromEntries(defaults.map(([key, schema]) => [key, schema.default])) } : {}),
        };
    }
    applyConfig(result, info.initialConfig);
    applyConfig(result, given);
    const problems: string[] = [];
    for (const policy of info.policies) {
        if (!policy.configSchema) continue;
        const properties = { ...policy.configSchema.properties };
        if (info.supportsConfig) properties.enforcementLevel = { type: "string", enum: ["advisory", "mandatory", "disabled"] };
        const validate = validatorFor({ type: "object", properties, ...(policy.configSchema.required.length ? { required: policy.configSchema.required } : {}) });
        if (!validate(result[policy.name]?.properties ?? {})) {
            for (const error of validate.errors ?? []) problems.push(`${policy.name}: ${error.instancePath || "(root)"} ${error.message}`);
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(`policy pack configuration is invalid:\n${problems.join("\n")}`);
    return result;
}

/** Strips keys the engine never sends a policy (SkipInternalKeys). */
function analyzerProperties(inputs: Record<string, unknown>): Struct {
    const kept = Object.entries(inputs).filter(([key]) => !key.startsWith("__"));
    return structPb.Struct.fromJavaScript(Object.fromEntries(kept) as Record<string, JavaScriptValue>);
}

function resourceOptions(resource: RegisteredResource): AnalyzerResourceOptions {
    return new analyzerPb.AnalyzerResourceOptions()
        .setProtect(resource.protect)
        .setIgnorechangesList(resource.ignoreChanges)
        .setDeletebeforereplace(resource.deleteBeforeReplace)
        .setDeletebeforereplacedefined(resource.deleteBeforeReplace)
        .setParent(resource.parent)
        .setCustomtimeouts(new analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
}

/** The provider a resource was registered with (`urn::id`), as the engine resolves it for the analyzer. */
function analyzerProvider(resource: RegisteredResource, byUrn: Map<string, RegisteredResource>): AnalyzerProviderResource | undefined {
    if (resource.provider === "") return undefined;
    const provider = byUrn.get(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
    if (!provider) throw new Error(`${resource.urn} names provider ${resource.provider}, which the program did not register`);
    return new analyzerPb.AnalyzerProviderResource()
        .setUrn(provider.urn)
        .setType(provider.type)
        .setName(provider.name)
        .setProperties(analyzerProperties(provider.wireInputs));
}

function toDiagnostic(d: AnalyzeDiagnostic, fallbackUrn: string): Diagnostic {
    return {
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        message: d.getMessage(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()]!,
        // The engine attributes a diagnostic without a URN to the analyzed resource, or for a stack policy to the stack.
        urn: d.getUrn() || fallbackUrn,
    };
}

type Unary<Req, Res> = (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        method(request, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

export interface StackOperation {
    stack: StackConfig;
    resources: RegisteredResource[];
    /** `--policy-pack-config`; none leaves every policy at the pack's own level. */
    config?: Record<string, PolicyConfig>;
    dryRun?: boolean;
}

/** The pack as a running process with a connected Analyzer client. */
export class PolicyPackProcess {
    readonly port: number;
    private readonly child: ChildProcessWithoutNullStreams;
    private readonly client: AnalyzerClient;
    private readonly output: { stderr: string };

    private constructor(child: ChildProcessWithoutNullStreams, port: number, output: { stderr: string }) {
        this.child = child;
        this.port = port;
        this.output = output;
        this.client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }

    /** Starts the pack as the pulumi-analyzer-policy shim does and waits for the port it prints. */
    static async start(stack: StackConfig, options: { dryRun?: boolean; timeoutMs?: number } = {}): Promise<PolicyPackProcess> {
        const runPolicyPack = createRequire(join(POLICY_DIR, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
        // The CLI passes its engine's address; run-policy-pack drops it (argv._.shift()) and the pack never dials it.
        const engineAddress = "127.0.0.1:0";
        const dryRun = String(options.dryRun ?? true);
        const child = spawn(process.execPath, [runPolicyPack, engineAddress, "."], {
            cwd: POLICY_DIR,
            env: {
                ...process.env,
                PULUMI_CONFIG: JSON.stringify(stack.config),
                PULUMI_NODEJS_PROJECT: stack.project,
                PULUMI_NODEJS_STACK: stack.stack,
                PULUMI_NODEJS_DRY_RUN: dryRun,
                PULUMI_PROJECT: stack.project,
                PULUMI_STACK: stack.stack,
                PULUMI_DRY_RUN: dryRun,
            },
        });
        const output = { stderr: "" };
        child.stderr.setEncoding("utf8").on("data", (text: string) => (output.stderr += text));
        const port = await new Promise<number>((resolve, reject) => {
            let line = "";
            const fail = (why: string) => {
                child.kill();
                reject(new Error(`policy pack in ${POLICY_DIR} ${why}; its stderr:\n${output.stderr}`));
            };
            const timer = setTimeout(() => fail(`printed no port within ${options.timeoutMs ?? 30000} ms`), options.timeoutMs ?? 30000);
            const onData = (text: string) => {
                line += text;
                const newline = line.indexOf("\n");
                if (newline === -1) return;
                clearTimeout(timer);
                child.stdout.off("data", onData);
                child.off("exit", onExit);
                const port = Number(line.slice(0, newline).trim());
                if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`wrote an invalid port to stdout: ${JSON.stringify(line.slice(0, newline))}`);
                else resolve(port);
            };
            const onExit = (code: number | null) => {
                clearTimeout(timer);
                fail(`exited with code ${code} before printing its port`);
            };
            child.stdout.setEncoding("utf8").on("data", onData);
            child.on("exit", onExit);
        });
        const pack = new PolicyPackProcess(child, port, output);
        // The CLI calls Handshake right after dialing the plugin (newPlugin, plugin.go).
        await pack.handshake().catch(async (error: unknown) => {
            await pack.stop();
            throw error;
        });
        return pack;
    }

    get stderr(): string {
        return this.output.stderr;
    }

    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    /** Handshake as the CLI sends it after dialing; "unimplemented" is an answer the CLI accepts. */
    async handshake(): Promise<"ok" | "unimplemented"> {
        const request = new analyzerPb.AnalyzerHandshakeRequest().setEngineAddress("127.0.0.1:0").setRootDirectory(POLICY_DIR).setProgramDirectory(POLICY_DIR);
        try {
            await call(this.client.handshake.bind(this.client), request);
            return "ok";
        } catch (error) {
            if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return "unimplemented";
            throw error;
        }
    }

    async configureStack(stack: StackConfig, dryRun: boolean): Promise<void> {
        const request = new analyzerPb.AnalyzerStackConfigureRequest()
            .setStack(stack.stack)
            .setProject(stack.project)
            .setOrganization("organization")
            .setDryRun(dryRun)
            .setConfigSecretKeysList(stack.secretKeys);
        for (const [key, value] of Object.entries(stack.config)) request.getConfigMap().set(key, value);
        await call(this.client.configureStack.bind(this.client), request);
    }

    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        const info = await call<Empty, AnalyzerInfoMessage>(this.client.getAnalyzerInfo.bind(this.client), new emptyPb.Empty());
        const initialConfig: Record<string, PolicyConfig> = {};
        info.getInitialconfigMap().forEach((value, key) => {
            initialConfig[key] = { enforcementLevel: LEVELS[value.getEnforcementlevel()]!, properties: value.getProperties()?.toJavaScript() ?? {} };
        });
        return {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            initialConfig,
            policies: info.getPoliciesList().map((p) => {
                const schema = p.getConfigschema();
                return {
                    name: p.getName(),
                    description: p.getDescription(),
                    enforcementLevel: LEVELS[p.getEnforcementlevel()]!,
                    ...(schema
                        ? {
                              configSchema: {
                                  properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>,
                                  required: schema.getRequiredList(),
                              },
                          }
                        : {}),
                };
            }),
        };
    }

    async configure(config: Record<string, PolicyConfig>): Promise<void> {
        const request = new analyzerPb.ConfigureAnalyzerRequest();
        for (const [name, entry] of Object.entries(config)) {
            const policyConfig = new analyzerPb.PolicyConfig()
                .setEnforcementlevel(LEVEL_NUMBERS[entry.enforcementLevel ?? "advisory"])
                .setProperties(structPb.Struct.fromJavaScript((entry.properties ?? {}) as Record<string, JavaScriptValue>));
            request.getPolicyconfigMap().set(name, policyConfig);
        }
        await call(this.client.configure.bind(this.client), request);
    }

    async analyze(resource: RegisteredResource, byUrn: Map<string, RegisteredResource>): Promise<Diagnostic[]> {
        const request = new analyzerPb.AnalyzeRequest()
            .setUrn(resource.urn)
            .setType(resource.type)
            .setName(resource.name)
            .setProperties(analyzerProperties(resource.wireInputs))
            .setOptions(resourceOptions(resource));
        const provider = analyzerProvider(resource, byUrn);
        if (provider) request.setProvider(provider);
        const response = await call<typeof request, AnalyzeResponse>(this.client.analyze.bind(this.client), request);
        return response.getDiagnosticsList().map((d) => toDiagnostic(d, resource.urn));
    }

    async analyzeStack(resources: RegisteredResource[], byUrn: Map<string, RegisteredResource>): Promise<Diagnostic[]> {
        const request = new analyzerPb.AnalyzeStackRequest().setResourcesList(
            resources.map((resource) => {
                const item = new analyzerPb.AnalyzerResource()
                    .setUrn(resource.urn)
                    .setType(resource.type)
                    .setName(resource.name)
                    .setProperties(analyzerProperties(resource.wireInputs))
                    .setOptions(resourceOptions(resource))
                    .setParent(resource.parent)
                    .setDependenciesList(resource.dependencies);
                const provider = analyzerProvider(resource, byUrn);
                if (provider) item.setProvider(provider);
                for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
                    if (urns.length > 0) item.getPropertydependenciesMap().set(key, new analyzerPb.AnalyzerPropertyDependencies().setUrnsList(urns));
                }
                return item;
            }),
        );
        const response = await call<typeof request, AnalyzeResponse>(this.client.analyzeStack.bind(this.client), request);
        const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
        return response.getDiagnosticsList().map((d) => toDiagnostic(d, stackUrn));
    }

    /** One `pulumi preview` against this pack: stack config, policy config, every resource, then the stack. */
    async check(operation: StackOperation): Promise<Diagnostic[]> {
        const dryRun = operation.dryRun ?? true;
        await this.configureStack(operation.stack, dryRun);
        const info = await this.getAnalyzerInfo();
        await this.configure(reconcilePolicyPackConfig(info, operation.config ?? {}));
        const byUrn = new Map(operation.resources.map((r) => [r.urn, r]));
        // The engine analyzes each resource as the program registers it, many at a time.
        const perResource = await Promise.all(operation.resources.map((resource) => this.analyze(resource, byUrn)));
        return [...perResource.flat(), ...(await this.analyzeStack(operation.resources, byUrn))];
    }

    async stop(): Promise<void> {
        this.client.close();
        if (!this.running) return;
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill("SIGTERM");
        await exited;
    }
}
