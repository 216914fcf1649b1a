// Which hostnames a service answers on. Pure: no Pulumi import.

import type { ClusterSpec, DnsSpec, ServiceSpec } from "./config.ts";

/** The public, weighted name of a service across every cluster: `<record>.<zone>`. */
export function globalHostname(service: ServiceSpec, dns: DnsSpec): string {
    return `${service.dnsRecord}.${dns.zone}`;
}

/** A name that reaches one cluster only, used by its health check and by operators: `<record>.<cluster>.<zone>`. */
export function clusterHostname(service: ServiceSpec, cluster: ClusterSpec, dns: DnsSpec): string {
    return `${service.dnsRecord}.${cluster.name}.${dns.zone}`;
}

/** Every hostname the service's HTTPRoute on one cluster must accept. */
export function routeHostnames(service: ServiceSpec, cluster: ClusterSpec, dns: DnsSpec | undefined): string[] {
    const names = cluster.hostnames.map((domain) => `${service.name}.${domain}`);
    if (dns) names.push(globalHostname(service, dns), clusterHostname(service, cluster, dns));
    return [...new Set(names)];
}
