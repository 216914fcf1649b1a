// Synthetic fleets for the benchmark: S services × C clusters cut from the prod stack's own entries,
// so every generated service and cluster has the shape of one a user wrote (builds, digests, DNS).

import { loadStackConfig, type StackConfig } from "../../model/stackFiles.ts";

export interface FleetSize {
    services: number;
    clusters: number;
}

type Entry = Record<string, unknown>;

function entries(config: StackConfig, key: string): Entry[] {
    const text = config.config[`${config.project}:${key}`];
    if (text === undefined) throw new Error(`the prod stack has no ${config.project}:${key} to copy`);
    return JSON.parse(text) as Entry[];
}

/** Cluster i is prod cluster i mod n, renamed, serving its own domain; gateway, address, share and pull secrets kept. */
export function fleetClusters(templates: Entry[], count: number): Entry[] {
    return Array.from({ length: count }, (_, i) => {
        const template = templates[i % templates.length]!;
        const name = `${String(template.name)}-${i}`;
        const zone = String((template.hostnames as string[])[0]).split(".").slice(1).join(".");
        return { ...template, name, hostnames: [`${name}.${zone}`] };
    });
}

/** Service j is prod service j mod n, renamed; images, builds, resources, env and DNS record (renamed) kept. */
export function fleetServices(templates: Entry[], count: number): Entry[] {
    return Array.from({ length: count }, (_, j) => {
        const template = templates[j % templates.length]!;
        const name = `${String(template.name)}-${j}`;
        const dns = template.dns as { record: string } | undefined;
        return { ...template, name, ...(dns ? { dns: { record: `${dns.record}-${j}` } } : {}) };
    });
}

/** The prod stack's config with its services and clusters replaced by a generated fleet. */
export function fleetStackConfig(size: FleetSize, greenWeight: number): StackConfig {
    const prod = loadStackConfig("prod");
    const key = (name: string) => `${prod.project}:${name}`;
    return {
        ...prod,
        config: {
            ...prod.config,
            [key("clusters")]: JSON.stringify(fleetClusters(entries(prod, "clusters"), size.clusters)),
            [key("services")]: JSON.stringify(fleetServices(entries(prod, "services"), size.services)),
            [key("greenWeight")]: String(greenWeight),
        },
    };
}
