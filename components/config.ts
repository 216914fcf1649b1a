// Stack config → a validated, typed model of the fleet. Pure: no Pulumi import and no resources,
// so every bad value is reported before anything is registered.

import { isIP } from "node:net";
import { clusterHostname, globalHostname, isPubliclyRoutable, routeHostnames } from "./hostnames.ts";
import { isFloating, isPinnedByDigest, parseImageReference } from "./imageReference.ts";
import { checkRollout, readRollout, type RolloutSpec } from "./rollout.ts";
import { colorWeights, greenWeightFor } from "./traffic.ts";
import {
    ObjectReader,
    Problems,
    asInteger,
    isPlainObject,
    unknownKeyHint,
    type IntegerRule,
} from "./validation.ts";

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

export interface GatewayRef {
    name: string;
    namespace: string;
    /** Listener of the Gateway to attach to; all listeners when unset. */
    sectionName?: string;
}

export interface ClusterSpec {
    name: string;
    /** kubeconfig context; the current context when unset. */
    context?: string;
    namespace: string;
    /** Whether switchyard creates the namespace, or uses one prepared beforehand (e.g. holding pull secrets). */
    createNamespace: boolean;
    gateway: GatewayRef;
    /** Domains served by this cluster's Gateway; service `s` is routed at `s.<domain>`. */
    hostnames: string[];
    /** Overrides the stack's greenWeight on this cluster (canary one cluster first). */
    greenWeight?: number;
    /** Relative share of DNS answers for this cluster; 0 drains it. */
    trafficShare: number;
    /** Hostname or IP address of the cluster's Gateway, the target of its DNS records. */
    gatewayAddress?: string;
    imagePullSecrets: string[];
}

export interface ImageBuild {
    /** Build context, relative to the project directory. */
    context: string;
    /** Dockerfile path, relative to the context. */
    dockerfile: string;
    args: Record<string, string>;
    platform: string;
}

export interface ColorSpec {
    /** A pullable reference; mutually exclusive with build. */
    image?: string;
    build?: ImageBuild;
    /** The `version` label; taken from the image tag when not given. */
    version: string;
}

export interface Quantities {
    cpu: string;
    memory: string;
}

export interface ServiceSpec {
    name: string;
    port: number;
    replicas: number;
    healthPath: string;
    /** Absent colors are not deployed; they can receive no traffic. */
    blue?: ColorSpec;
    green?: ColorSpec;
    resources: { requests: Quantities; limits: Quantities };
    env: Record<string, string>;
    /** DNS record label(s) in `dns.zone`, e.g. `shop` → shop.example.com. */
    dnsRecord: string;
}

export interface HealthCheckSpec {
    protocol: "HTTP" | "HTTPS";
    port: number;
    intervalSeconds: 10 | 30;
    failureThreshold: number;
}

export interface DnsSpec {
    zone: string;
    /** Looked up from `zone` when unset. */
    zoneId?: string;
    ttl: number;
    healthCheck: HealthCheckSpec;
}

export interface AwsSpec {
    region: string;
}

export interface ImagesSpec {
    /** ECR lifecycle policy: images kept per repository. */
    keepLast: number;
    repositoryPrefix: string;
}

export interface StackModel {
    greenWeight: number;
    /** Replicas of a color at weight 0; "full" keeps every color at its full replicas. */
    idleReplicas: number | "full";
    clusters: ClusterSpec[];
    services: ServiceSpec[];
    /** Whether `kubeconfig` holds a secret kubeconfig for the cluster providers. */
    hasKubeconfig: boolean;
    /** Whether `services` is stored as a secret (it holds a `secure:` value): env values and build args then stay secrets. */
    servicesAreSecret: boolean;
    requireImageDigests: boolean;
    dns?: DnsSpec;
    aws?: AwsSpec;
    images: ImagesSpec;
    /** The progressive rollout: candidate color, steps, the per-update guard, and analysis. */
    rollout: RolloutSpec;
}

/** Config values as the Pulumi SDK hands them over: strings, objects JSON-encoded. Keys without namespace. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export interface ParseEnvironment {
    /** Whether the stack stores this key (without namespace) as a secret. */
    isSecret(key: string): boolean;
    /** Whether a path relative to the project directory exists. */
    pathExists(relativePath: string): boolean;
}

export const PROJECT = "switchyard";

/** Every key of the `switchyard:` namespace. Keep in step with Pulumi.yaml (a test checks). */
export const CONFIG_KEYS = [
    "greenWeight",
    "idleReplicas",
    "clusters",
    "services",
    "kubeconfig",
    "requireImageDigests",
    "dns",
    "aws",
    "images",
    "rollout",
] as const;

const CLUSTER_KEYS = [
    "name",
    "context",
    "namespace",
    "createNamespace",
    "gateway",
    "hostnames",
    "greenWeight",
    "trafficShare",
    "gatewayAddress",
    "imagePullSecrets",
] as const;
const GATEWAY_KEYS = ["name", "namespace", "sectionName"] as const;
const SERVICE_KEYS = ["name", "port", "replicas", "healthPath", "blue", "green", "resources", "env", "dns"] as const;
const COLOR_KEYS = ["image", "build", "version"] as const;
const BUILD_KEYS = ["context", "dockerfile", "args", "platform"] as const;
const RESOURCES_KEYS = ["requests", "limits"] as const;
const QUANTITY_KEYS = ["cpu", "memory"] as const;
const DNS_KEYS = ["enabled", "zone", "zoneId", "ttl", "healthCheck"] as const;
const HEALTH_CHECK_KEYS = ["protocol", "port", "intervalSeconds", "failureThreshold"] as const;
const AWS_KEYS = ["region"] as const;
const IMAGES_KEYS = ["keepLast", "repositoryPrefix"] as const;

export const WEIGHT_RULE: IntegerRule = { min: 0, max: 100, meaning: "percent of traffic sent to green; blue gets the rest" };
const SHARE_RULE: IntegerRule = { min: 0, meaning: "relative share of DNS answers; 0 drains the cluster" };

// DNS-1123 label: Kubernetes object names, and here also cluster names (they become DNS labels).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// DNS-1035 label: Kubernetes Service names must start with a letter.
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// At least two labels, and a last label (the TLD) that is not all digits, so that 10.0.0.256 is no hostname.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+(?=[-a-z0-9]*[a-z])[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const RECORD_LABELS = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$/;
const CPU = /^([0-9]+(\.[0-9]+)?|[0-9]+m)$/;
const MEMORY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** Longest color suffix added to a service name for its Deployment and Service ("-green"). */
const COLOR_SUFFIX = Math.max(...COLORS.map((c) => c.length + 1));
const MAX_SERVICE_NAME = 63 - COLOR_SUFFIX;

export const DEFAULT_RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
} as const;

const CPU_UNITS: Record<string, number> = { m: 1e-3, "": 1 };
const MEMORY_UNITS: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

function quantityValue(text: string, units: Record<string, number>): number {
    const match = /^([0-9.]+)([A-Za-z]*)$/.exec(text)!;
    return Number(match[1]) * units[match[2]!]!;
}

function parseJson(key: string, text: string, problems: Problems): unknown {
    try {
        return JSON.parse(text);
    } catch {
        problems.add(`${PROJECT}:${key}`, text, "a YAML list or object in the stack file (it did not parse as one)");
        return undefined;
    }
}

function readGreenWeight(raw: string | undefined, problems: Problems): number {
    const key = `${PROJECT}:greenWeight`;
    if (raw === undefined) return 0;
    const n = asInteger(raw);
    if (n === undefined || n > 100) {
        const hint = /%\s*$/.test(raw) ? " — without the % sign" : "";
        problems.add(key, raw, `an integer from 0 to 100${hint} (percent of traffic sent to green; blue gets the rest)`);
        return 0;
    }
    return n;
}

function readIdleReplicas(raw: string | undefined, problems: Problems): number | "full" {
    if (raw === undefined || raw === "full") return "full";
    const n = asInteger(raw);
    if (n === undefined || n < 1) {
        problems.add(
            `${PROJECT}:idleReplicas`,
            raw,
            `"full" (a color at weight 0 keeps its full replicas) or an integer >= 1 (replicas kept warm for rollback)`,
        );
        return "full";
    }
    return n;
}

function readBoolean(key: string, raw: string | undefined, problems: Problems): boolean {
    if (raw === undefined || raw === "false") return false;
    if (raw === "true") return true;
    problems.add(`${PROJECT}:${key}`, raw, "true or false");
    return false;
}

function readGateway(cluster: ObjectReader): GatewayRef {
    const gateway = cluster.object("gateway", GATEWAY_KEYS, {
        required: true,
        allowed: "an object with the Gateway's name, namespace and optional sectionName",
    });
    if (!gateway) return { name: "", namespace: "" };
    const sectionName = gateway.optionalString("sectionName", "a listener name of that Gateway", DNS_LABEL);
    return {
        name: gateway.string("name", "the name of a Gateway (a DNS-1123 label)", { pattern: DNS_LABEL }) ?? "",
        namespace: gateway.string("namespace", "the namespace of that Gateway", { pattern: DNS_LABEL }) ?? "",
        ...(sectionName === undefined ? {} : { sectionName }),
    };
}

function readCluster(value: unknown, path: string, problems: Problems): ClusterSpec | undefined {
    if (!isPlainObject(value)) {
        problems.add(path, value, "an object with name, namespace, gateway and hostnames");
        return undefined;
    }
    const c = new ObjectReader(value, path, problems, CLUSTER_KEYS);
    const name = c.string("name", "a lowercase DNS label, e.g. eks-us-east-1 (it names resources and DNS records)", {
        pattern: DNS_LABEL,
    });
    const context = c.optionalString("context", "the name of a context in your kubeconfig");
    const greenWeight = c.optionalInteger("greenWeight", WEIGHT_RULE);
    const gatewayAddress = c.optionalString("gatewayAddress", "a hostname or an IP address of the cluster's Gateway");
    if (gatewayAddress !== undefined && !HOSTNAME.test(gatewayAddress) && isIP(gatewayAddress) === 0) {
        c.problem("gatewayAddress", "a hostname (e.g. a load balancer's DNS name) or an IPv4/IPv6 address");
    }
    const createNamespace = c.raw("createNamespace");
    if (createNamespace !== undefined && typeof createNamespace !== "boolean") {
        c.problem("createNamespace", "true (switchyard creates the namespace) or false (it exists already)");
    }
    return {
        name: name ?? "",
        ...(context === undefined ? {} : { context }),
        namespace: c.string("namespace", "a Kubernetes namespace name (DNS-1123 label)", {
            pattern: DNS_LABEL,
            fallback: "switchyard",
        })!,
        createNamespace: createNamespace !== false,
        gateway: readGateway(c),
        hostnames: c.stringList("hostnames", "a non-empty list of domains, e.g. [shop.example.com]", {
            pattern: HOSTNAME,
            minItems: 1,
        }),
        ...(greenWeight === undefined ? {} : { greenWeight }),
        trafficShare: c.integer("trafficShare", SHARE_RULE, 1),
        ...(gatewayAddress === undefined ? {} : { gatewayAddress }),
        imagePullSecrets: c.stringList("imagePullSecrets", "a list of Secret names in the cluster's namespace", {
            pattern: DNS_LABEL,
            minItems: 0,
        }),
    };
}

function readBuild(color: ObjectReader, env: ParseEnvironment): ImageBuild | undefined {
    const build = color.object("build", BUILD_KEYS, {
        required: false,
        allowed: "an object with context, optional dockerfile, args and platform",
    });
    if (!build) return undefined;
    const context = build.string("context", "a directory relative to the project, e.g. app");
    const dockerfile = build.string("dockerfile", "a Dockerfile path relative to the context", { fallback: "Dockerfile" })!;
    if (context !== undefined) {
        if (!env.pathExists(context)) {
            build.problem("context", "an existing directory relative to the project directory");
        } else if (!env.pathExists(`${context}/${dockerfile}`)) {
            build.problem("dockerfile", `a file that exists in ${context}/`);
        }
    }
    return {
        context: context ?? "",
        dockerfile,
        args: build.stringMap("args", "build arguments as NAME: value"),
        platform: build.string("platform", "an OCI platform such as linux/amd64", {
            pattern: /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/,
            fallback: "linux/amd64",
        })!,
    };
}

function readColor(
    service: ObjectReader,
    color: Color,
    requireDigest: boolean,
    env: ParseEnvironment,
): ColorSpec | undefined {
    const c = service.object(color, COLOR_KEYS, {
        required: false,
        allowed: `an object with image (or build) and an optional version`,
    });
    if (!c) return undefined;
    const image = c.optionalString("image", "an image reference such as registry/repo:1.4.2 or repo@sha256:<digest>");
    const build = readBuild(c, env);
    let version = c.optionalString("version", "a Kubernetes label value, e.g. 1.4.2", LABEL_VALUE);
    if (image !== undefined && build !== undefined) {
        c.problem("build", `either ${c.at("image")} or ${c.at("build")}, not both`);
    }
    if (image !== undefined) {
        const reference = parseImageReference(image);
        if (!reference) {
            c.problem("image", "an image reference such as registry/repo:1.4.2 or repo@sha256:<64 hex digits>");
        } else if (isFloating(reference)) {
            c.problem("image", "a release tag or digest; latest and untagged images can change under a running color");
        } else if (requireDigest && !isPinnedByDigest(reference)) {
            c.problem("image", `a reference pinned by digest (repo@sha256:...), because ${PROJECT}:requireImageDigests is true`);
        }
        if (version === undefined && reference?.tag !== undefined && LABEL_VALUE.test(reference.tag)) {
            version = reference.tag;
        }
    }
    if (image === undefined && build === undefined) {
        c.problem("image", `an image reference, or a build under ${c.at("build")}; remove ${c.path} to leave ${color} undeployed`);
    }
    if (version === undefined && !c.has("version") && (image !== undefined || build !== undefined)) {
        c.problem("version", "a version label (required when the image has no usable tag, and for builds)");
    }
    return {
        ...(image === undefined ? {} : { image }),
        ...(build === undefined ? {} : { build }),
        version: version ?? "",
    };
}

function readQuantities(resources: ObjectReader | undefined, key: "requests" | "limits"): Quantities {
    const fallback = DEFAULT_RESOURCES[key];
    const q = resources?.object(key, QUANTITY_KEYS, { required: false, allowed: "an object with cpu and memory" });
    if (!q) return { ...fallback };
    return {
        cpu: q.string("cpu", "a CPU quantity such as 250m or 1", { pattern: CPU, fallback: fallback.cpu })!,
        memory: q.string("memory", "a memory quantity such as 256Mi or 1Gi", { pattern: MEMORY, fallback: fallback.memory })!,
    };
}

function readResources(service: ObjectReader): ServiceSpec["resources"] {
    const r = service.object("resources", RESOURCES_KEYS, {
        required: false,
        allowed: "an object with requests and limits, each with cpu and memory",
    });
    const requests = readQuantities(r, "requests");
    const limits = readQuantities(r, "limits");
    if (quantityValue(requests.cpu, CPU_UNITS) > quantityValue(limits.cpu, CPU_UNITS)) {
        r?.problem("requests", `requests.cpu at most limits.cpu (${limits.cpu})`);
    }
    if (quantityValue(requests.memory, MEMORY_UNITS) > quantityValue(limits.memory, MEMORY_UNITS)) {
        r?.problem("requests", `requests.memory at most limits.memory (${limits.memory})`);
    }
    return { requests, limits };
}

function readService(
    value: unknown,
    path: string,
    problems: Problems,
    requireDigest: boolean,
    env: ParseEnvironment,
): ServiceSpec | undefined {
    if (!isPlainObject(value)) {
        problems.add(path, value, "an object with name, port, replicas and blue/green images");
        return undefined;
    }
    const s = new ObjectReader(value, path, problems, SERVICE_KEYS);
    const name = s.string(
        "name",
        `a lowercase DNS-1035 label of at most ${MAX_SERVICE_NAME} characters, starting with a letter`,
        { pattern: SERVICE_NAME },
    );
    if (name !== undefined && name.length > MAX_SERVICE_NAME) {
        s.problem("name", `at most ${MAX_SERVICE_NAME} characters, so "<name>-green" fits a Kubernetes name`);
    }
    const dns = s.object("dns", ["record"], { required: false, allowed: "an object with record" });
    const env_ = s.stringMap("env", "environment variables as NAME: value", ENV_NAME);
    for (const reserved of Object.keys(env_).filter((k) => k.startsWith("SWITCHYARD_"))) {
        problems.add(`${s.at("env")}.${reserved}`, reserved, "names not starting with SWITCHYARD_ (switchyard sets those)");
    }
    const blue = readColor(s, "blue", requireDigest, env);
    const green = readColor(s, "green", requireDigest, env);
    if (!blue && !green) {
        s.problem("blue", `at least one color with an image (${s.at("blue")}.image or ${s.at("green")}.image)`);
    }
    return {
        name: name ?? "",
        port: s.integer("port", { min: 1, max: 65535, meaning: "the container's HTTP port" }),
        replicas: s.integer("replicas", { min: 1, meaning: "pods per color that carries traffic" }, 2),
        healthPath: s.string("healthPath", "an HTTP path starting with /", { pattern: HTTP_PATH, fallback: "/healthz" })!,
        ...(blue ? { blue } : {}),
        ...(green ? { green } : {}),
        resources: readResources(s),
        env: env_,
        dnsRecord: dns?.optionalString("record", "DNS label(s) within dns.zone, e.g. shop or shop.eu", RECORD_LABELS) ?? name ?? "",
    } satisfies ServiceSpec;
}

function readList<T>(key: string, raw: string | undefined, problems: Problems, read: (item: unknown, path: string) => T | undefined): T[] {
    const path = `${PROJECT}:${key}`;
    if (raw === undefined) {
        problems.add(path, undefined, `a non-empty list of ${key} in the stack file`);
        return [];
    }
    const value = parseJson(key, raw, problems);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, value, `a non-empty list of ${key}`);
        return [];
    }
    return value.flatMap((item, i) => {
        const parsed = read(item, `${path}[${i}]`);
        return parsed === undefined ? [] : [parsed];
    });
}

function checkUnique(key: string, names: string[], problems: Problems): void {
    const firstIndex = new Map<string, number>();
    names.forEach((name, i) => {
        if (name === "") return;
        const first = firstIndex.get(name);
        if (first === undefined) {
            firstIndex.set(name, i);
        } else {
            problems.add(`${PROJECT}:${key}[${i}].name`, name, `a name not used by another entry (${key}[${first}] is also "${name}")`);
        }
    });
}

function readDns(raw: string | undefined, problems: Problems): DnsSpec | undefined {
    return readObjectKey("dns", raw, DNS_KEYS, problems, (d): DnsSpec | undefined => {
        const enabled = d.raw("enabled");
        if (enabled !== undefined && typeof enabled !== "boolean") d.problem("enabled", "true or false");
        if (enabled !== true) return undefined;
        const zoneId = d.optionalString("zoneId", "a Route53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ", /^Z[A-Z0-9]{1,32}$/);
        // An absent healthCheck reads as an empty one, so every field takes its default below.
        const hc =
            d.object("healthCheck", HEALTH_CHECK_KEYS, {
                required: false,
                allowed: "an object with protocol, port, intervalSeconds and failureThreshold",
            }) ?? new ObjectReader({}, d.at("healthCheck"), problems, HEALTH_CHECK_KEYS);
        const protocol = hc.string("protocol", "HTTP or HTTPS", { pattern: /^HTTPS?$/, fallback: "HTTPS" }) as HealthCheckSpec["protocol"];
        const interval = hc.integer("intervalSeconds", { min: 10, max: 30, meaning: "10 or 30, the intervals Route53 offers" }, 30);
        if (interval !== 10 && interval !== 30) hc.problem("intervalSeconds", "10 or 30 (the intervals Route53 offers)");
        return {
            zone: d.string("zone", "the Route53 hosted zone name, e.g. example.com", { pattern: HOSTNAME }) ?? "",
            ...(zoneId === undefined ? {} : { zoneId }),
            ttl: d.integer("ttl", { min: 1, max: 86400, meaning: "seconds resolvers may cache an answer" }, 30),
            healthCheck: {
                protocol,
                port: hc.integer("port", { min: 1, max: 65535 }, protocol === "HTTPS" ? 443 : 80),
                intervalSeconds: interval === 10 ? 10 : 30,
                failureThreshold: hc.integer("failureThreshold", { min: 1, max: 10 }, 3),
            },
        };
    });
}

function readObjectKey<T>(key: string, raw: string | undefined, known: readonly string[], problems: Problems, read: (r: ObjectReader) => T): T | undefined {
    if (raw === undefined) return undefined;
    const value = parseJson(key, raw, problems);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
        problems.add(`${PROJECT}:${key}`, value, `an object with ${known.join(", ")}`);
        return undefined;
    }
    return read(new ObjectReader(value, `${PROJECT}:${key}`, problems, known));
}

/** Cross-field rules: they need the whole model, so they run after every field was read. */
function checkFleet(model: StackModel, problems: Problems): void {
    model.clusters.forEach((cluster, ci) => {
        const weights = colorWeights(greenWeightFor(model.greenWeight, cluster));
        const source = cluster.greenWeight === undefined ? `${PROJECT}:greenWeight is ${model.greenWeight}` : `${PROJECT}:clusters[${ci}].greenWeight is ${cluster.greenWeight}`;
        model.services.forEach((service, si) => {
            for (const color of COLORS) {
                if (weights[color] > 0 && service[color] === undefined && service.name !== "") {
                    problems.add(
                        `${PROJECT}:services[${si}].${color}.image`,
                        undefined,
                        `an image (or build) for ${color}, since ${color} receives ${weights[color]}% on cluster ` +
                            `${cluster.name} (${source}); or move the weight off ${color}`,
                    );
                }
            }
        });
        if (model.dns && cluster.gatewayAddress === undefined) {
            problems.add(`${PROJECT}:clusters[${ci}].gatewayAddress`, undefined, `the Gateway's hostname or IP, required while ${PROJECT}:dns.enabled is true`);
        } else if (model.dns && !isPubliclyRoutable(cluster.gatewayAddress!)) {
            problems.add(
                `${PROJECT}:clusters[${ci}].gatewayAddress`,
                cluster.gatewayAddress,
                "a public address while DNS is on: Route53 health checks cannot reach private, loopback or reserved IPs",
            );
        }
        checkHostnames(model, cluster, problems);
    });
    if (model.dns && model.clusters.length > 0 && model.clusters.every((c) => c.trafficShare === 0)) {
        problems.add(
            `${PROJECT}:clusters[*].trafficShare`,
            model.clusters.map((c) => c.trafficShare),
            "at least one cluster with a share above 0 (all zero would leave DNS nothing to answer with)",
        );
    }
    model.services.forEach((service, si) => {
        if (service.blue?.build && service.green?.build && service.blue.build.context === service.green.build.context) {
            problems.add(
                `${PROJECT}:services[${si}].green.build.context`,
                service.green.build.context,
                `a context not shared with blue: editing it would rebuild and roll the live color too. ` +
                    `Pin the live color to the digest it runs (pulumi stack output traffic) as its image, or give each color its own directory`,
            );
        }
    });
    const building = model.services.some((s) => COLORS.some((c) => s[c]?.build !== undefined));
    if ((model.dns || building) && !model.aws) {
        problems.add(`${PROJECT}:aws.region`, undefined, `an AWS region such as us-east-1 (needed for ${model.dns ? "Route53" : "ECR image builds"})`);
    }
}

/** Two routes on one Gateway must not claim the same hostname, nor two services one DNS name. */
function checkHostnames(model: StackModel, cluster: ClusterSpec, problems: Problems): void {
    const claimedBy = new Map<string, number>();
    model.services.forEach((service, si) => {
        if (service.name === "") return;
        const fromDns = new Set(model.dns ? [globalHostname(service, model.dns), clusterHostname(service, cluster, model.dns)] : []);
        for (const hostname of routeHostnames(service, cluster, model.dns)) {
            const other = claimedBy.get(hostname);
            if (other === undefined) {
                claimedBy.set(hostname, si);
            } else if (other !== si) {
                const key = fromDns.has(hostname) ? `services[${si}].dns.record` : `services[${si}].name`;
                problems.add(
                    `${PROJECT}:${key}`,
                    fromDns.has(hostname) ? service.dnsRecord : service.name,
                    `a name whose hostnames no other service uses: ${hostname} on cluster ${cluster.name} is also services[${other}]'s`,
                );
            }
        }
    });
}

/**
 * Parses the `switchyard:` config namespace. Throws a ConfigError listing every problem found;
 * returns a model only when the whole config is valid.
 */
export function parseStackConfig(raw: RawConfig, env: ParseEnvironment): StackModel {
    // A problem inside a secret key (e.g. a service env value) names the key, never the value.
    const problems = new Problems((path) => env.isSecret(/^[^:]+:([^.[]+)/.exec(path)?.[1] ?? ""));
    for (const key of Object.keys(raw)) {
        if (!(CONFIG_KEYS as readonly string[]).includes(key) && raw[key] !== undefined) {
            problems.add(`${PROJECT}:${key}`, raw[key], `no such config key; ${unknownKeyHint(key, CONFIG_KEYS)}`);
        }
    }
    const requireImageDigests = readBoolean("requireImageDigests", raw.requireImageDigests, problems);
    const kubeconfig = raw.kubeconfig ?? "";
    if (kubeconfig !== "" && !env.isSecret("kubeconfig")) {
        problems.add(
            `${PROJECT}:kubeconfig`,
            "<a plaintext kubeconfig>",
            `a Pulumi secret: run 'pulumi config set --secret kubeconfig < merged-kubeconfig.yaml' (plaintext credentials must not sit in the stack file)`,
        );
    }
    const model: StackModel = {
        greenWeight: readGreenWeight(raw.greenWeight, problems),
        idleReplicas: readIdleReplicas(raw.idleReplicas, problems),
        clusters: readList("clusters", raw.clusters, problems, (item, path) => readCluster(item, path, problems)),
        services: readList("services", raw.services, problems, (item, path) =>
            readService(item, path, problems, requireImageDigests, env),
        ),
        hasKubeconfig: kubeconfig !== "",
        servicesAreSecret: env.isSecret("services"),
        requireImageDigests,
        images: readObjectKey("images", raw.images, IMAGES_KEYS, problems, (r) => ({
            keepLast: r.integer("keepLast", { min: 1, max: 1000, meaning: "images kept per ECR repository" }, 20),
            repositoryPrefix: r.string("repositoryPrefix", "an ECR repository namespace, e.g. switchyard", {
                pattern: /^[a-z0-9]+([._-][a-z0-9]+)*$/,
                fallback: PROJECT,
            })!,
        })) ?? { keepLast: 20, repositoryPrefix: PROJECT },
        rollout: readRollout(raw.rollout, problems, env.isSecret("rollout")),
    };
    const dns = readDns(raw.dns, problems);
    if (dns) model.dns = dns;
    const region = readObjectKey("aws", raw.aws, AWS_KEYS, problems, (r) =>
        r.optionalString("region", "an AWS region such as us-east-1", AWS_REGION),
    );
    if (region !== undefined) model.aws = { region };
    checkUnique("clusters", model.clusters.map((c) => c.name), problems);
    checkUnique("services", model.services.map((s) => s.name), problems);
    checkFleet(model, problems);
    checkRollout(model, problems);
    problems.throwIfAny();
    return model;
}

