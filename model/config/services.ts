// `switchyard:services`: each service's port, replicas, health path, colors (image or build, and
// version), resources, env and DNS record; the capacity block is read in model/capacity.ts. Pure.

import { readServiceCapacity } from "../capacity.ts";
import { isFloating, isPinnedByDigest, parseImageReference } from "../imageReference.ts";
import { ObjectReader, isPlainObject, type Problems } from "../validation.ts";
import { PROJECT } from "./keys.ts";
import {
    CPU,
    CPU_UNITS,
    DEFAULT_RESOURCES,
    ENV_NAME,
    HTTP_PATH,
    LABEL_VALUE,
    MAX_SERVICE_NAME,
    MEMORY,
    MEMORY_UNITS,
    RECORD_LABELS,
    SERVICE_NAME,
    quantityValue,
} from "./patterns.ts";
import type { Color, ColorSpec, ImageBuild, ParseEnvironment, Quantities, ServiceSpec } from "./types.ts";

const SERVICE_KEYS = ["name", "port", "replicas", "healthPath", "blue", "green", "resources", "env", "dns", "capacity"] as const;
const COLOR_KEYS = ["image", "build", "version"] as const;
const BUILD_KEYS = ["context", "dockerfile", "args", "platform"] as const;
const RESOURCES_KEYS = ["requests", "limits"] as const;
const QUANTITY_KEYS = ["cpu", "memory"] as const;

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
        cpu: q.quantity("cpu", "a CPU quantity such as 250m or 1", { pattern: CPU, fallback: fallback.cpu }),
        memory: q.quantity("memory", "a memory quantity such as 256Mi or 1Gi", { pattern: MEMORY, fallback: fallback.memory }),
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
        return given === undefined || given === null || ((typeof given === "string" || typeof given === "number") && pattern.test(String(given)));
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

export function readService(
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
