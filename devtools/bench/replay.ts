// Re-registers recorded custom resources with no components and no logic: one flat constructor call
// each, same type, name, inputs, provider and dependencies. The benchmark's floor program runs it.

import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { decodeWire, type RegisteredResource } from "../../harness/mockRuntime.ts";

type Construct = (name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The provider SDK class of every custom type the program registers: the floor pays what any
 * TypeScript program declaring these resources pays, and nothing of switchyard's structure.
 */
export const PROVIDER_CLASSES: Record<string, Construct> = {
    "kubernetes:core/v1:Namespace": (name, inputs, opts) => new k8s.core.v1.Namespace(name, inputs, opts),
    "kubernetes:apps/v1:Deployment": (name, inputs, opts) => new k8s.apps.v1.Deployment(name, inputs as unknown as k8s.apps.v1.DeploymentArgs, opts),
    "kubernetes:core/v1:Service": (name, inputs, opts) => new k8s.core.v1.Service(name, inputs, opts),
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": (name, inputs, opts) =>
        new k8s.apiextensions.CustomResource(name, inputs as unknown as k8s.apiextensions.CustomResourceArgs, opts),
    "aws:route53/record:Record": (name, inputs, opts) => new aws.route53.Record(name, inputs as unknown as aws.route53.RecordArgs, opts),
    "aws:route53/healthCheck:HealthCheck": (name, inputs, opts) =>
        new aws.route53.HealthCheck(name, inputs as unknown as aws.route53.HealthCheckArgs, opts),
    "aws:ecr/repository:Repository": (name, inputs, opts) => new aws.ecr.Repository(name, inputs, opts),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (name, inputs, opts) =>
        new aws.ecr.LifecyclePolicy(name, inputs as unknown as aws.ecr.LifecyclePolicyArgs, opts),
    "docker:index/image:Image": (name, inputs, opts) => new docker.Image(name, inputs as unknown as docker.ImageArgs, opts),
};

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** A provider registered from its recorded inputs; ProviderResource itself is abstract. */
class RecordedProvider extends pulumi.ProviderResource {}


/**
 * Registers every recorded custom resource. Providers are replayed with their recorded wire inputs
 * (their SDK classes would re-encode them); there are only a few per stack.
 */
export function replayCustomResources(recorded: RegisteredResource[]): void {
    const custom = recorded.filter((r) => r.custom);
    const byUrn = new Map(custom.map((r) => [r.urn, r]));
    const created = new Map<string, pulumi.CustomResource>();
    // Dependencies first: a resource's dependsOn and provider must exist when it is constructed.
    const create = (resource: RegisteredResource): pulumi.CustomResource => {
        const existing = created.get(resource.urn);
        if (existing) return existing;
        // Wire inputs back to program values: secrets re-wrapped, resource references as their URN.
        const inputs = decodeWire(resource.wireInputs, (secret) => pulumi.secret(secret)) as pulumi.Inputs;
        let instance: pulumi.CustomResource;
        if (resource.type.startsWith(PROVIDER_TYPE_PREFIX)) {
            instance = new RecordedProvider(resource.type.slice(PROVIDER_TYPE_PREFIX.length), resource.name, inputs);
        } else {
            const construct = PROVIDER_CLASSES[resource.type];
            if (!construct) throw new Error(`the floor has no class for ${resource.type}; add it to PROVIDER_CLASSES in devtools/bench/replay.ts`);
            const provider = byUrn.get(resource.provider.split("::").slice(0, -1).join("::"));
            const dependsOn = resource.dependencies.flatMap((urn) => {
                const dependency = byUrn.get(urn);
                return dependency ? [create(dependency)] : [];
            });
            instance = construct(resource.name, inputs, {
                ...(provider ? { provider: create(provider) as pulumi.ProviderResource } : {}),
                dependsOn,
            });
        }
        created.set(resource.urn, instance);
        return instance;
    };
    for (const resource of custom) create(resource);
}
