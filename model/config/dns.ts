// `switchyard:dns`: the Route53 zone, TTL and the health check each cluster's record carries. Pure.

import { ObjectReader, type Problems } from "../validation.ts";
import { readObjectKey } from "./keys.ts";
import { HOSTNAME } from "./patterns.ts";
import type { DnsSpec, HealthCheckSpec } from "./types.ts";

const DNS_KEYS = ["enabled", "zone", "zoneId", "ttl", "healthCheck"] as const;
const HEALTH_CHECK_KEYS = ["protocol", "port", "intervalSeconds", "failureThreshold"] as const;

export function readDns(raw: string | undefined, problems: Problems): DnsSpec | undefined {
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
