// A cluster stack's images: colors that give an image run it; colors that build run what the
// traffic stack built and pushed, read from its `images` output through a StackReference. A
// cluster stack whose colors build nothing needs no traffic stack at all.

import * as pulumi from "@pulumi/pulumi";
import type { ColorImages } from "../components/aws/images.ts";
import { stackNameFor } from "../model/config/scope.ts";
import { COLORS, type FleetSpec, type Scope, type ServiceSpec } from "../model/config/types.ts";

/** The traffic stack's `images` output: service → color → `repo:tag@digest` (or the configured reference). */
export type TrafficImages = Record<string, Partial<Record<string, string>>>;

/** Which colors of which services need the traffic stack's image: those that build. */
export function builtColors(services: readonly ServiceSpec[]): { service: string; color: (typeof COLORS)[number] }[] {
    return services.flatMap((service) => COLORS.filter((color) => service[color]?.build !== undefined).map((color) => ({ service: service.name, color })));
}

/**
 * The images of the services a cluster stack holds. Reads the traffic stack only when a color
 * builds, and refuses — before any of the cluster's resources is registered — when its output does
 * not name an image for every such color: the traffic stack goes first for a new build.
 */
export async function imagesForClusterStack(services: readonly ServiceSpec[], fleet: FleetSpec, scope: Scope): Promise<Map<string, ColorImages>> {
    const result = new Map<string, ColorImages>();
    for (const service of services) {
        const images: ColorImages = {};
        for (const color of COLORS) {
            const image = service[color]?.image;
            if (image !== undefined) images[color] = image;
        }
        result.set(service.name, images);
    }
    const needed = builtColors(services);
    if (needed.length === 0) return result;
    // A group's cluster stacks read their group's traffic stack; each traffic shard holds its group's builds.
    const group = scope.kind === "all" ? undefined : scope.group;
    const trafficStack = stackNameFor(fleet.name, group === undefined ? { kind: "traffic" } : { kind: "traffic", group });
    const reference = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${trafficStack}`);
    const details = await reference.getOutputDetails("images");
    const built = (details.value ?? details.secretValue) as TrafficImages | undefined;
    const missing = needed.filter(({ service, color }) => typeof built?.[service]?.[color] !== "string");
    if (missing.length > 0) {
        throw new pulumi.RunError(
            `switchyard: stack ${trafficStack} has no image for ${missing.map((m) => `${m.service}.${m.color}`).join(", ")} in its images output; ` +
                `a build goes to the traffic stack first: run \`pulumi up --stack ${trafficStack}\`, then this cluster's stack (docs/scaling.md)`,
        );
    }
    for (const { service, color } of needed) result.get(service)![color] = built![service]![color]!;
    return result;
}

/** The traffic stack's output of every image a color runs, which its cluster stacks read. */
export function trafficImagesOutput(images: ReadonlyMap<string, ColorImages>): pulumi.Output<TrafficImages> {
    return pulumi.output(Object.fromEntries([...images].map(([service, colors]) => [service, colors]))) as pulumi.Output<TrafficImages>;
}
