// Policy config (--policy-pack-config): each policy's thresholds as a JSON schema that carries the
// default. The schema is the only place a default lives: the CLI fills it in before Configure, and a
// rule that is given no value (no config file, or a test calling it directly) reads the same one.

import type { PolicyConfigSchema } from "@pulumi/policy";

type PropertySchema = PolicyConfigSchema["properties"][string];

/** Why a policy runs below its stack's usual level; docs/policy.md asks for it on every prod override. */
const REASON: PropertySchema = {
    type: "string",
    minLength: 1,
    description: "Why this policy runs below the level its stack normally requires, with a ticket or incident id.",
};

/** A policy's config schema: its own properties plus the shared override reason. */
export function configSchema(properties: Record<string, PropertySchema> = {}): PolicyConfigSchema {
    return { properties: { ...properties, reason: REASON } };
}

/** The config a rule was given, with every property it left out taken from the schema's default. */
export function settingsOf<T extends object>(schema: PolicyConfigSchema, given: object): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (property.default !== undefined) defaults[key] = property.default;
    }
    return { ...defaults, ...given } as T;
}
