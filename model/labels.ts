// Names and labels shared by a color's Deployment and Service and the route that selects them.
// Nothing here may depend on a weight: these end up in workload specs and names.

import type { Color } from "./config/types.ts";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "switchyard" } as const;

/** Name of a color's Deployment and Service, e.g. `cart-green`. */
export function colorObjectName(service: string, color: Color): string {
    return `${service}-${color}`;
}

/** Selects exactly one color of one service; immutable on a Deployment, so version stays out. */
export function colorSelector(service: string, color: Color): Record<string, string> {
    return { app: service, color };
}

export function colorLabels(service: string, color: Color, version: string): Record<string, string> {
    return { ...colorSelector(service, color), version, ...MANAGED_BY };
}

/** On a building color's Deployment (never its pods): the build tag it runs, so a hook can compare it without the image. */
export const IMAGE_TAG_ANNOTATION = "switchyard.io/image-tag";
