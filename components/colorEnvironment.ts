import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Color, ServiceSpec } from "../model/config/types.ts";
import { colorStatus, type ColorStatus } from "../model/gate.ts";
import { IMAGE_TAG_ANNOTATION, colorLabels, colorObjectName, colorSelector } from "../model/labels.ts";

export interface ColorEnvironmentArgs {
    service: ServiceSpec;
    color: Color;
    /** Image the color runs: a reference from config, or the digest of a build. */
    image: pulumi.Input<string>;
    /** Value of the `version` label. */
    version: string;
    /** Pods to run; never derived from a weight unless the stack opted into idle scaling. */
    replicas: number;
    namespace: pulumi.Input<string>;
    /** Annotations on the Deployment's own metadata (never its pod template, which would roll the pods). Default: none. */
    annotations?: Record<string, string>;
    /** Secrets the kubelet uses to pull the image. Default: none. */
    imagePullSecrets?: string[];
    /** Pass the service's env values as Pulumi secrets (they came from a secret config value). Default: false. */
    envIsSecret?: boolean;
    /**
     * Resources the Deployment waits for: for a color at weight 0, its route, so traffic is drained
     * before the color is scaled down. Default: none.
     */
    waitFor?: pulumi.Resource[];
    /** The build tag of the image, for a color that builds: recorded in an annotation. Default: none. */
    imageTag?: string;
    /** Keep the image the live Deployment runs (ECR could not say which tags exist). Default: false. */
    keepLiveImage?: boolean;
    /** Resource hooks bound to the Deployment, e.g. the stable color's guard. Default: none. */
    hooks?: pulumi.ResourceHookBinding;
    provider: k8s.Provider;
}

/**
 * An Output's own state, through the SDK's accessors (sdk/nodejs/output.ts): its value with unknowns
 * kept, and whether it is known. Each promise() call costs a few promises; an `apply` or `all` costs
 * whole Outputs (a dozen promises and closures each, held until the Deployment's registration is
 * answered): at 1,000 services on one cluster, about 70 MiB of a preview's live heap (docs/performance.md).
 * A failed registration rejects them (sdk/nodejs runtime/resource.ts resolveURN, on the engine's
 * Result FAIL or an SDK-side error), which `apply` never reports.
 */
interface OutputState<T> {
    promise(withUnknowns?: boolean): Promise<T>;
    isKnown: Promise<boolean>;
}

function stateOf<T>(output: pulumi.Output<T>): OutputState<T> {
    return output as unknown as OutputState<T>;
}

/**
 * One color of one service on one cluster: a Deployment that rolls with no unavailable pods and a
 * Service that selects that color alone. The Kubernetes provider waits for the Deployment's
 * rollout on create and update; the route's gate reads the status it ends with (see gate.ts).
 */
export class ColorEnvironment extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    /** Name of the Kubernetes Service, for backendRefs. */
    readonly serviceName: string;
    private lastStatus: ColorStatus = { phase: "unknown" };
    /**
     * The status once the engine has answered the Deployment's registration. Only a preview may wait
     * for it: in `up` that answer comes after the provider's rollout await.
     */
    readonly settled: Promise<ColorStatus>;
    private settleRefused: () => void = () => {};

    constructor(name: string, args: ColorEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:ColorEnvironment", name, {}, opts);
        const { service, color } = args;
        const objectName = colorObjectName(service.name, color);
        const labels = colorLabels(service.name, color, args.version);
        const annotations = { ...args.annotations, ...(args.imageTag === undefined ? {} : { [IMAGE_TAG_ANNOTATION]: args.imageTag }) };
        const probe = { httpGet: { path: service.healthPath, port: "http" } };
        const env = Object.keys(service.env)
            .sort()
            .map((key) => ({ name: key, value: args.envIsSecret ? pulumi.secret(service.env[key]!) : service.env[key]! }));
        this.deployment = new k8s.apps.v1.Deployment(
            name,
            {
                metadata: {
                    name: objectName,
                    namespace: args.namespace,
                    labels,
                    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
                },
                spec: {
                    replicas: args.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: colorSelector(service.name, color) },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                    template: {
                        metadata: { labels },
                        spec: {
                            ...(args.imagePullSecrets?.length
                                ? { imagePullSecrets: args.imagePullSecrets.map((secret) => ({ name: secret })) }
                                : {}),
                            containers: [
                                {
                                    name: "app",
                                    image: args.image,
                                    ports: [{ name: "http", containerPort: service.port, protocol: "TCP" }],
                                    env: [
                                        ...env,
                                        // What the config says about this color, for apps that want to follow it.
                                        { name: "SWITCHYARD_SERVICE", value: service.name },
                                        { name: "SWITCHYARD_COLOR", value: color },
                                        { name: "SWITCHYARD_VERSION", value: args.version },
                                        { name: "SWITCHYARD_PORT", value: String(service.port) },
                                        { name: "SWITCHYARD_HEALTH_PATH", value: service.healthPath },
                                    ],
                                    resources: { requests: { ...service.resources.requests }, limits: { ...service.resources.limits } },
                                    readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
                                    livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
                                    securityContext: { allowPrivilegeEscalation: false },
                                },
                            ],
                        },
                    },
                },
            },
            {
                parent: this,
                provider: args.provider,
                dependsOn: args.waitFor ?? [],
                ...(args.hooks ? { hooks: args.hooks } : {}),
                // The engine sets an ignored path back to its live value (pkg/resource/deploy/step_generator.go processIgnoreChanges).
                ...(args.keepLiveImage ? { ignoreChanges: ["spec.template.spec.containers[0].image"] } : {}),
            },
        );
        this.service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name: objectName, namespace: args.namespace, labels: colorSelector(service.name, color) },
                spec: {
                    type: "ClusterIP",
                    selector: colorSelector(service.name, color),
                    ports: [{ name: "http", port: service.port, targetPort: "http", protocol: "TCP" }],
                },
            },
            { parent: this, provider: args.provider },
        );
        this.serviceName = objectName;
        // Kept for the route's gate, which runs while the engine is mid-update and must not wait:
        // a value the provider has not returned yet stays "unknown". Read only when both are known,
        // as `all(...).apply` would; a failed registration leaves it "unknown" (settled below reports it).
        const metadata = stateOf(this.deployment.metadata);
        const status = stateOf(this.deployment.status);
        Promise.all([metadata.isKnown, status.isKnown, metadata.promise(true), status.promise(true)]).then(
            ([metadataKnown, statusKnown, metadataValue, statusValue]) => {
                if (metadataKnown && statusKnown) this.lastStatus = colorStatus({ metadata: metadataValue, status: statusValue });
            },
            () => {},
        );
        // The URN is known even where a preview leaves the status unknown, and arrives in the same
        // answer; the next turn of the event loop comes after the status is read above.
        // A refused registration never resolves the URN, and the engine waits for a hook that waits
        // on it (its hook context is not cancelled by step errors): a failure settles as "unknown".
        this.settled = new Promise((resolve) => {
            this.settleRefused = () => resolve({ phase: "unknown" });
            // No Output may hold the Immediate: the SDK walks every Output's value for unknowns
            // (sdk/nodejs/output.js containsUnknowns), through it into Node's queue of every pending
            // one, quadratic in the Deployments.
            stateOf(this.deployment.urn)
                .promise(true)
                .then(() => {
                    setImmediate(() => resolve(this.lastStatus));
                }, this.settleRefused);
        });
        // The names the objects were given, as the provider returns them: an output lifted from each
        // object's metadata would cost two Outputs per object, held until its registration is answered.
        this.registerOutputs({ deployment: objectName, service: objectName });
    }

    /** Called by a hook of this Deployment that refuses it, so nothing waits for its registration. */
    refused(): void {
        this.settleRefused();
    }

    /** The status of this color's Deployment as the provider last returned it in this run. */
    get status(): ColorStatus {
        return this.lastStatus;
    }
}
