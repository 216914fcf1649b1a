// Which hostnames a service answers on. Pure: no Pulumi import.

import { isIP } from "node:net";
import type { ClusterSpec, DnsSpec, ServiceSpec } from "./config/types.ts";

/** The public, weighted name of a service across every cluster: `<record>.<zone>`. */
export function globalHostname(service: ServiceSpec, dns: DnsSpec): string {
    return `${service.dnsRecord}.${dns.zone}`;
}

/** A name that reaches one cluster only, used by its health check and by operators: `<record>.<cluster>.<zone>`. */
export function clusterHostname(service: ServiceSpec, cluster: ClusterSpec, dns: DnsSpec): string {
    return `${service.dnsRecord}.${cluster.name}.${dns.zone}`;
}

/**
 * The service's name under one of its cluster's domains: `cart.shop.example.com`. Under a wildcard
 * domain the wildcard stays first, where Gateway API allows it: `*.example.com` gives
 * `*.cart.example.com`, every name below cart.example.com (tenant1.cart.example.com).
 */
export function serviceHostname(service: Pick<ServiceSpec, "name">, domain: string): string {
    return domain.startsWith("*.") ? `*.${service.name}.${domain.slice(2)}` : `${service.name}.${domain}`;
}

/** Every hostname the service's HTTPRoute on one cluster must accept. */
export function routeHostnames(service: ServiceSpec, cluster: ClusterSpec, dns: DnsSpec | undefined): string[] {
    const names = cluster.hostnames.map((domain) => serviceHostname(service, domain));
    if (dns) names.push(globalHostname(service, dns), clusterHostname(service, cluster, dns));
    return [...new Set(names)];
}

/** The record type that points a name at a Gateway address. */
export function addressRecordType(address: string): "A" | "AAAA" | "CNAME" {
    const version = isIP(address);
    return version === 4 ? "A" : version === 6 ? "AAAA" : "CNAME";
}

// Ranges Route53 health checkers cannot reach (private, loopback, link-local, shared, multicast, reserved).
const UNREACHABLE_V4: [string, number][] = [
    ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16],
    ["172.16.0.0", 12], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
];
const UNREACHABLE_V6 = [/^::1?$/, /^f[cd]/i, /^fe[89ab]/i, /^ff/i];

function ipv4Number(address: string): number {
    return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** False for IP addresses the public internet (and so a Route53 health check) cannot reach. */
export function isPubliclyRoutable(address: string): boolean {
    const version = isIP(address);
    if (version === 4) {
        const n = ipv4Number(address);
        return !UNREACHABLE_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(ipv4Number(base) / 2 ** (32 - bits)));
    }
    if (version === 6) return !UNREACHABLE_V6.some((range) => range.test(address));
    return true;
}
