import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, DnsSpec, ServiceSpec } from "../../model/config/types.ts";
import { addressRecordType, clusterHostname, globalHostname } from "../../model/hostnames.ts";

export interface ClusterWeight {
    cluster: ClusterSpec;
    /** Route53 weight, 0–255; 0 keeps the record but sends it no answers. */
    weight: number;
    /**
     * What the weighted record waits for: the cluster's route and the Deployments that take traffic
     * there, so a cluster enters DNS only once it can answer. Empty for a drained cluster.
     */
    waitFor: pulumi.Resource[];
}

export interface WeightedDnsArgs {
    service: ServiceSpec;
    dns: DnsSpec;
    zoneId: pulumi.Input<string>;
    clusters: ClusterWeight[];
    provider: aws.Provider;
}

/**
 * One service's public name, split across clusters by Route53 weights. Per cluster: a direct name
 * for that cluster's Gateway, a health check on the service's health path through it, and a
 * weighted CNAME to the direct name that drops out of answers when the check fails. Pointing every
 * weighted record at a name (never at an address) keeps one record type even when some Gateways
 * have IPs and others hostnames, which Route53 requires of a weighted set.
 */
export class WeightedDns extends pulumi.ComponentResource {
    readonly hostname: string;
    readonly records: aws.route53.Record[] = [];

    constructor(name: string, args: WeightedDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:aws:WeightedDns", name, {}, opts);
        const { service, dns, provider } = args;
        this.hostname = globalHostname(service, dns);
        for (const { cluster, weight, waitFor } of args.clusters) {
            const address = cluster.gatewayAddress!;
            const direct = clusterHostname(service, cluster, dns);
            const type = addressRecordType(address);
            const resourceName = `${name}.${cluster.name}`;
            const directRecord = new aws.route53.Record(
                `${resourceName}.direct`,
                { zoneId: args.zoneId, name: direct, type, ttl: dns.ttl, records: [address] },
                // A changed record type (IP ↔ hostname) is a replacement; Route53 holds one type per name.
                { parent: this, provider, deleteBeforeReplace: true },
            );
            const healthCheck = new aws.route53.HealthCheck(
                resourceName,
                {
                    type: dns.healthCheck.protocol,
                    fqdn: direct,
                    ...(type === "CNAME" ? {} : { ipAddress: address }),
                    port: dns.healthCheck.port,
                    resourcePath: service.healthPath,
                    requestInterval: dns.healthCheck.intervalSeconds,
                    failureThreshold: dns.healthCheck.failureThreshold,
                    ...(dns.healthCheck.protocol === "HTTPS" ? { enableSni: true } : {}),
                    tags: { Name: direct, "switchyard:service": service.name, "switchyard:cluster": cluster.name },
                },
                { parent: this, provider },
            );
            this.records.push(
                new aws.route53.Record(
                    resourceName,
                    {
                        zoneId: args.zoneId,
                        name: this.hostname,
                        type: "CNAME",
                        ttl: dns.ttl,
                        records: [direct],
                        setIdentifier: cluster.name,
                        weightedRoutingPolicies: [{ weight }],
                        healthCheckId: healthCheck.id,
                    },
                    { parent: this, provider, dependsOn: [directRecord, ...waitFor] },
                ),
            );
        }
        this.registerOutputs({ hostname: this.hostname });
    }
}
