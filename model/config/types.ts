// The typed model of a stack's config: what every reader returns and every layer above reads.
// One home for these shapes, so no reader imports another reader's types back. Pure: types only.

import type { CapacityTarget, ServiceCapacity } from "../capacityAnnotation.ts";
import type { CheckPresetName, MetricSource } from "../metricQueries.ts";

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
    /** What this stack holds of the fleet: all of it, what spans clusters, or one cluster (or one group on it). */
    scope: Scope;
    /** The fleet file the stack reads its shape from, with its groups and waves; absent for inline stack config. */
    fleet?: FleetSpec;
}

/** `switchyard:scope`. */
export type Scope =
    | { kind: "all" }
    /** ECR repositories and builds, Route53 health checks and weighted records: what spans clusters; with a group, that group's. */
    | { kind: "traffic"; group?: string }
    /** One cluster's provider, namespace, colors and routes; with a group, only that group's services. */
    | { kind: "cluster"; cluster: string; group?: string };

/** A set of services that gets its own stack on every cluster (`<fleet>-<cluster>-<group>`). */
export interface GroupSpec {
    name: string;
    services: string[];
}

/** One wave of a fleet rollout: its clusters' stacks move together, then soak, then (optionally) wait for a person. */
export interface WaveSpec {
    name: string;
    clusters: string[];
    /** How many stacks of the wave update at once. */
    parallel: number;
    /** Seconds the wave must stay healthy at a step before the next wave takes that step. */
    soakSeconds: number;
    /** Whether the wave waits for `switchyard approve` before it takes a step. */
    approval: boolean;
}

export interface FleetSpec {
    /** The fleet file, relative to the project: `fleets/prod.yaml`. */
    file: string;
    /** The fleet's name, the file's base name: the prefix of every stack of the fleet (`prod-traffic`). */
    name: string;
    groups: GroupSpec[];
    waves: WaveSpec[];
    /** The top-level keys the fleet file sets, in its order: a problem in one of them is named by the file (fleetLabel). */
    keys: string[];
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
    /** A project file's text (the fleet file), or undefined when there is none. Default: no file exists. */
    readFile?(relativePath: string): string | undefined;
    /** Pulumi.yaml's defaults by key (as the SDK hands values over): a value equal to one was not set by the stack. Default: none. */
    projectDefaults?: Readonly<Record<string, string>>;
    /** The stack's name, checked against the name the fleet gives its scope. Default: not checked. */
    stackName?: string;
}

// switchyard:cohorts and switchyard:mirror (read in model/cohorts.ts)

export type MatchType = "Exact" | "RegularExpression";

export interface ValueMatch {
    name: string;
    value: string;
    type: MatchType;
}

export interface CookieMatch {
    name: string;
    value: string;
}

/** One way to belong to a cohort: every condition must hold (AND). */
export interface CohortMatch {
    headers: ValueMatch[];
    cookie?: CookieMatch;
    queryParams: ValueMatch[];
}

export interface Cohort {
    name: string;
    /** The color every matching request goes to, whatever the weights. */
    color: Color;
    /** Any one of these matches puts a request in the cohort (OR). */
    matches: CohortMatch[];
    /** Services the cohort applies to; every service when unset. */
    services?: string[];
    /** Clusters the cohort applies to; every cluster when unset. */
    clusters?: string[];
}

export interface MirrorSpec {
    /** Percent of the weighted rule's requests copied to the color that gets less traffic. */
    percent: number;
}

// switchyard:rollout (read in model/rollout.ts)

/** One check of a sample: a preset (its query comes from the metric source) or a custom PromQL template. */
export interface CheckSpec {
    name: string;
    /** The preset whose query is used; undefined for a custom check. */
    preset?: CheckPresetName;
    /** PromQL template of a custom check, with {service} {color} {cluster} {namespace} {window}. */
    query?: string;
    /** Which side of the threshold passes: "min" (higher is better) or "max" (lower is better). */
    bound: "min" | "max";
    threshold: number;
    /** A/B judgement: how much worse than the stable color the candidate may be, in the check's unit. */
    maxWorseThanStable?: number;
    /** Unit for people: "%", "ms", or "" for custom checks. */
    unit: string;
    /**
     * A rate of two counters (success-rate, the latency presets; a custom check with `per`), judged from the running
     * counts by anytime-valid tests (model/evidence.ts); absent: a value judged sample by sample.
     */
    rate?: true;
    /** PromQL template of what a custom rate check's events are out of, e.g. sessions for conversions. */
    per?: string;
    /**
     * A latency preset's bar in ms, a bucket boundary of the source's histogram: the check is then the
     * percentage of requests slower than it, and `threshold` the percentage allowed (1 for a p99).
     */
    slowerThanMs?: number;
    /** false: measured and reported (an A/B read-out), never deciding a step. Default true. */
    gate?: false;
}

export interface AnalysisSpec {
    prometheus: {
        url: string;
        /** Whether the stack holds a bearer token (a secret; the value itself never enters the model). */
        hasToken: boolean;
    };
    metrics: MetricSource;
    /** Seconds between samples; also the range each sample covers (the `{window}` placeholder). */
    intervalSeconds: number;
    /** Seconds a step must be live and healthy before advancing; a whole multiple of the interval. */
    windowSeconds: number;
    /** Requests per color per sample below which the sample is inconclusive. */
    minRequests: number;
    /** Failing samples within the live span of a step that roll the release back. */
    failureLimit: number;
    /** The chance a rate test rolls back a candidate as good as stable (and within the bar), at every look at once. */
    alpha: number;
    checks: CheckSpec[];
}

export interface RolloutSpec {
    /** The color being released; the other one is the stable color. */
    candidate: Color;
    /** Candidate weights the rollout walks through, strictly increasing, ending at 100. */
    steps: number[];
    /** Largest rise of the candidate's weight one update may make (100 turns the guard off). */
    maxStep: number;
    /** How each step is judged; needed only by `switchyard analyze`, `advance` and `rollout`. */
    analysis?: AnalysisSpec;
}
