// Stack config → a validated, typed model of the fleet. Pure: no Pulumi import and no resources,
// so every bad value is reported before anything is registered.

import { isIP } from "node:net";
import { checkCapacity, readCapacityTarget, readServiceCapacity, type CapacityTarget, type ServiceCapacity } from "./capacity.ts";
import { checkCohorts, readCohorts, readMirror, type Cohort, type MirrorSpec } from "./cohorts.ts";
import { clusterHostname, globalHostname, isPubliclyRoutable, routeHostnames } from "./hostnames.ts";
import { ecrRepositoryName, isFloating, isPinnedByDigest, parseImageReference, type ImageReference } from "./imageReference.ts";
import { checkRollout, readRollout, type RolloutSpec } from "./rollout.ts";
import { colorWeights, greenWeightFor } from "./traffic.ts";
import {
    ObjectReader,
    Problems,
    asInteger,
    closest,
    isPlainObject,
    parseStructured,
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
    /** Peak load and one pod's rate; the capacity check applies only to services that set it. */
    capacity?: ServiceCapacity;
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
    /** Requests routed to one color by header, cookie or query parameter, ahead of the weights. */
    cohorts: Cohort[];
    /** Shadow traffic to the color with the smaller weight; none when unset. */
    mirror?: MirrorSpec;
    /** What every color must meet at its share of a service's peak (services with a capacity block). */
    capacity: CapacityTarget;
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
    /** The stack's config in other namespaces (`aws:region`) by full key, checked for typos of `switchyard`. Default: none. */
    otherKeys?: Readonly<Record<string, string>>;
    /** Whether the stack stores a key of another namespace (full key) as a secret. Default: every one, so no value is echoed. */
    isOtherSecret?(key: string): boolean;
}

export const PROJECT = "switchyard";

/** Full config keys (`switchyard:greenWeight`, `aws:region`) split into this namespace's keys and the others. */
export function switchyardKeys(all: Readonly<Record<string, string>>): { raw: Record<string, string>; otherKeys: Record<string, string> } {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, string> = {};
    const otherKeys: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
        else otherKeys[key] = value;
    }
    return { raw, otherKeys };
}

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
    "cohorts",
    "mirror",
    "capacity",
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
const SERVICE_KEYS = ["name", "port", "replicas", "healthPath", "blue", "green", "resources", "env", "dns", "capacity"] as const;
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
    const imagePullSecrets = c.stringList("imagePullSecrets", "a list of Secret names in the cluster's namespace", {
        pattern: DNS_LABEL,
        minItems: 0,
    });
    if (createNamespace !== undefined && typeof createNamespace !== "boolean") {
        c.problem("createNamespace", "true (switchyard creates the namespace) or false (it exists already)");
    } else if (createNamespace !== false && imagePullSecrets.length > 0) {
        c.problem(
            "createNamespace",
            `false while ${c.at("imagePullSecrets")} is set: the pods need the pull secret in the namespace before they start, so ` +
                `prepare the namespace with the secret and let switchyard use it (a namespace it creates has no secret, and ` +
                `Kubernetes refuses to create one that exists)`,
        );
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
        imagePullSecrets,
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
        } else if (version !== undefined && reference?.tag !== undefined && !tagNamesVersion(reference.tag, version)) {
            c.problem(
                "version",
                `the version the image's tag names (${reference.tag}), or leave version out to take it from the tag: ` +
                    `the version label would otherwise say one release while the pods run another`,
            );
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

/**
 * Whether an image tag names this version: the version itself, with a `v` in front, or followed by
 * a build suffix (`1.4.0-9f2c6a1d3b7e`, as switchyard tags its builds; `1.4.0-alpine`).
 */
export function tagNamesVersion(tag: string, version: string): boolean {
    return [version, `v${version}`].some((v) => tag === v || tag.startsWith(`${v}-`));
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
    // A value already reported as malformed stands in as its default: comparing it would report a
    // second problem about a number the operator never wrote.
    const valid = (kind: "requests" | "limits", quantity: "cpu" | "memory", pattern: RegExp) => {
        const given = (r?.raw(kind) as Record<string, unknown> | undefined)?.[quantity];
        return given === undefined || given === null || (typeof given === "string" && pattern.test(given));
    };
    if (valid("requests", "cpu", CPU) && valid("limits", "cpu", CPU) && quantityValue(requests.cpu, CPU_UNITS) > quantityValue(limits.cpu, CPU_UNITS)) {
        r?.problem("requests", `requests.cpu at most limits.cpu (${limits.cpu})`);
    }
    if (
        valid("requests", "memory", MEMORY) &&
        valid("limits", "memory", MEMORY) &&
        quantityValue(requests.memory, MEMORY_UNITS) > quantityValue(limits.memory, MEMORY_UNITS)
    ) {
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
    const capacity = readServiceCapacity(s);
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
        ...(capacity ? { capacity } : {}),
    } satisfies ServiceSpec;
}

function readList<T>(key: string, raw: string | undefined, problems: Problems, read: (item: unknown, path: string, index: number) => T | undefined): T[] {
    const path = `${PROJECT}:${key}`;
    if (raw === undefined) {
        problems.add(path, undefined, `a non-empty list of ${key} in the stack file`);
        return [];
    }
    const value = parseStructured(path, raw, problems, "a YAML list or object");
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, value, `a non-empty list of ${key}`);
        return [];
    }
    return value.flatMap((item, i) => {
        const parsed = read(item, `${path}[${i}]`, i);
        return parsed === undefined ? [] : [parsed];
    });
}

/** Reports each entry whose name an earlier entry has; returns their indexes, so later checks do not report the same mistake again. */
function checkUnique(key: string, names: string[], problems: Problems): Set<number> {
    const firstIndex = new Map<string, number>();
    const repeated = new Set<number>();
    names.forEach((name, i) => {
        if (name === "") return;
        const first = firstIndex.get(name);
        if (first === undefined) {
            firstIndex.set(name, i);
        } else {
            repeated.add(i);
            problems.add(`${PROJECT}:${key}[${i}].name`, name, `a name not used by another entry (${key}[${first}] is also "${name}")`);
        }
    });
    return repeated;
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
        const zone = d.raw("zone");
        const zoneHint = typeof zone === "string" && zone.endsWith(".") ? ` — without the trailing dot (${zone.replace(/\.+$/, "")})` : "";
        return {
            zone: d.string("zone", `the Route53 hosted zone name, e.g. example.com${zoneHint}`, { pattern: HOSTNAME }) ?? "",
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
    const value = parseStructured(`${PROJECT}:${key}`, raw, problems, "a YAML list or object");
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
        problems.add(`${PROJECT}:${key}`, value, `an object with ${known.join(", ")}`);
        return undefined;
    }
    return read(new ObjectReader(value, `${PROJECT}:${key}`, problems, known));
}

/**
 * The hint for an unknown key. `pulumi config set switchyard.greenWeight 30` stores the key
 * `switchyard.greenWeight` in the project's namespace, and with --path a `switchyard` object: both
 * mean the namespace was written with a dot.
 */
function keyHint(key: string): string {
    const dotted = /^switchyard[.:](.+)$/.exec(key);
    if (key === PROJECT || dotted) {
        const name = dotted ? closest(dotted[1]!, CONFIG_KEYS) ?? dotted[1]! : "<key>";
        return `did you mean "${name}"? A namespace and its key are separated by a colon: ${PROJECT}:${name}`;
    }
    return unknownKeyHint(key, CONFIG_KEYS);
}

/** Cross-field rules: they need the whole model, so they run after every field was read. */
interface FleetContext {
    /** Whether aws.region was given, valid or not. */
    regionGiven: boolean;
    /** Indexes of services whose name an earlier service has (reported already). */
    repeatedServices: Set<number>;
    /** Indexes of clusters that set trafficShare themselves. */
    explicitShares: Set<number>;
}

function checkFleet(model: StackModel, problems: Problems, context: FleetContext): void {
    const { regionGiven } = context;
    const largest = Math.max(...model.services.map((s) => s.replicas));
    if (typeof model.idleReplicas === "number" && model.services.length > 0 && model.idleReplicas > largest) {
        problems.add(
            `${PROJECT}:idleReplicas`,
            model.idleReplicas,
            `"full", or an integer up to the most replicas a service runs (${largest}): an idle color never runs more pods than a ` +
                `serving one, so ${model.idleReplicas} would keep every idle color at full size and save nothing`,
        );
    }
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
        checkHostnames(model, cluster, context.repeatedServices, problems);
        if (!model.dns && context.explicitShares.has(ci)) {
            problems.add(
                `${PROJECT}:clusters[${ci}].trafficShare`,
                cluster.trafficShare,
                `no trafficShare while ${PROJECT}:dns.enabled is false: without DNS nothing splits traffic across clusters, ` +
                    `so it would drain or weight nothing (enable dns, or remove the key)`,
            );
        }
        checkRouteLimits(model, cluster, ci, problems);
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
    const inRepository = checkRepositoryImages(model, problems);
    // A region that was given but is malformed has its own problem line already.
    if ((model.dns || building || inRepository) && !model.aws && !regionGiven) {
        const needs = model.dns ? "Route53" : building ? "ECR image builds" : "the ECR repository a color runs its image from";
        problems.add(`${PROJECT}:aws.region`, undefined, `an AWS region such as us-east-1 (needed for ${needs})`);
    }
}

/** The ECR repository of a service's builds: `<images.repositoryPrefix>/<service>`. */
export function repositoryNameOf(model: Pick<StackModel, "images">, service: Pick<ServiceSpec, "name">): string {
    return `${model.images.repositoryPrefix}/${service.name}`;
}

/** A color's configured image, parsed, when it points into its service's own ECR repository (e.g. a frozen build). */
export function ownRepositoryImage(model: Pick<StackModel, "images">, service: ServiceSpec, color: Color): ImageReference | undefined {
    const image = service[color]?.image;
    const reference = image === undefined ? undefined : parseImageReference(image);
    return reference && ecrRepositoryName(reference) === repositoryNameOf(model, service) ? reference : undefined;
}

/**
 * An image a color runs from its service's own ECR repository (`<images.repositoryPrefix>/<service>`,
 * e.g. a color frozen after its build) must give its tag as well as its digest: the repository's
 * lifecycle policy keeps the images colors run by their tags. Returns whether any color does.
 */
function checkRepositoryImages(model: StackModel, problems: Problems): boolean {
    let found = false;
    model.services.forEach((service, si) => {
        for (const color of COLORS) {
            const reference = ownRepositoryImage(model, service, color);
            if (!reference) continue;
            found = true;
            if (reference.tag === undefined || reference.digest === undefined) {
                problems.add(
                    `${PROJECT}:services[${si}].${color}.image`,
                    service[color]!.image,
                    `repo:tag@sha256:<digest> for an image in ${service.name}'s own ECR repository, so its lifecycle policy can keep it by tag ` +
                        `(copy the reference from pulumi stack output traffic)`,
                );
            }
        }
    });
    return found;
}

/** Gateway API's HTTPRoute takes at most 16 hostnames, each at most 253 characters. */
const MAX_ROUTE_HOSTNAMES = 16;
const MAX_HOSTNAME_LENGTH = 253;

function checkRouteLimits(model: StackModel, cluster: ClusterSpec, ci: number, problems: Problems): void {
    const routes = model.services.filter((s) => s.name !== "").map((service) => ({ service, hostnames: routeHostnames(service, cluster, model.dns) }));
    const crowded = routes.find((r) => r.hostnames.length > MAX_ROUTE_HOSTNAMES);
    if (crowded) {
        problems.add(
            `${PROJECT}:clusters[${ci}].hostnames`,
            cluster.hostnames,
            `at most ${MAX_ROUTE_HOSTNAMES - (model.dns ? 2 : 0)} domains: an HTTPRoute takes at most ${MAX_ROUTE_HOSTNAMES} hostnames, ` +
                `and ${crowded.service.name}'s route on ${cluster.name} would get ${crowded.hostnames.length}${model.dns ? " (with its two DNS names)" : ""}`,
        );
    }
    const tooLong = routes.flatMap((r) => r.hostnames).find((h) => h.length > MAX_HOSTNAME_LENGTH);
    if (tooLong !== undefined) {
        problems.add(
            `${PROJECT}:clusters[${ci}].hostnames`,
            cluster.hostnames,
            `domains short enough that every route hostname has at most ${MAX_HOSTNAME_LENGTH} characters; ${tooLong} has ${tooLong.length}`,
        );
    }
}

/** Two routes on one Gateway must not claim the same hostname, nor two services one DNS name. */
function checkHostnames(model: StackModel, cluster: ClusterSpec, repeated: Set<number>, problems: Problems): void {
    const claimedBy = new Map<string, number>();
    model.services.forEach((service, si) => {
        if (service.name === "" || repeated.has(si)) return;
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
    const problems = new Problems((path) => {
        const [, namespace, key] = /^([^:]*):([^.[]*)/.exec(path) ?? [];
        return namespace === PROJECT ? env.isSecret(key ?? "") : (env.isOtherSecret?.(`${namespace}:${key}`) ?? true);
    });
    for (const key of Object.keys(raw)) {
        if (!(CONFIG_KEYS as readonly string[]).includes(key) && raw[key] !== undefined) {
            problems.add(`${PROJECT}:${key}`, raw[key], `no such config key; ${keyHint(key)}`);
        }
    }
    for (const [key, value] of Object.entries(env.otherKeys ?? {})) {
        const colon = key.indexOf(":");
        const namespace = colon === -1 ? key : key.slice(0, colon);
        if (closest(namespace, [PROJECT]) === PROJECT) {
            problems.add(key, value, `no such config namespace; did you mean "${PROJECT}:${key.slice(colon + 1)}"?`);
        }
    }
    const requireImageDigests = readBoolean("requireImageDigests", raw.requireImageDigests, problems);
    const explicitShares = new Set<number>();
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
        clusters: readList("clusters", raw.clusters, problems, (item, path, index) => {
            if (isPlainObject(item) && item.trafficShare !== undefined && item.trafficShare !== null) explicitShares.add(index);
            return readCluster(item, path, problems);
        }),
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
        cohorts: readCohorts(raw.cohorts, problems),
        capacity: readCapacityTarget(raw.capacity, problems),
        rollout: readRollout(raw.rollout, problems, env.isSecret("rollout")),
    };
    const mirror = readMirror(raw.mirror, problems);
    if (mirror) model.mirror = mirror;
    const dns = readDns(raw.dns, problems);
    if (dns) model.dns = dns;
    let regionGiven = false;
    const region = readObjectKey("aws", raw.aws, AWS_KEYS, problems, (r) => {
        regionGiven = r.has("region");
        return r.optionalString("region", "an AWS region such as us-east-1", AWS_REGION);
    });
    if (region !== undefined) model.aws = { region };
    checkUnique("clusters", model.clusters.map((c) => c.name), problems);
    const repeatedServices = checkUnique("services", model.services.map((s) => s.name), problems);
    checkFleet(model, problems, { regionGiven, repeatedServices, explicitShares });
    checkCohorts(model, problems);
    checkCapacity(model, model.rollout.candidate, problems);
    checkRollout(model, problems);
    problems.throwIfAny();
    return model;
}

