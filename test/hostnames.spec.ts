// Which names a service answers on, which DNS record type points at a Gateway, and which Gateway
// addresses Route53's health checkers can reach. Address ranges are the special-purpose ones of
// RFC 6890 (IPv4) and RFC 4291 / RFC 4193 (IPv6), checked at their edges.

import { expect } from "chai";
import type { ClusterSpec, DnsSpec, ServiceSpec } from "../model/config/types.ts";
import { addressRecordType, clusterHostname, globalHostname, isPubliclyRoutable, routeHostnames } from "../model/hostnames.ts";

const service = (name: string, dnsRecord = name) => ({ name, dnsRecord }) as ServiceSpec;
const cluster = (name: string, hostnames: string[]) => ({ name, hostnames }) as ClusterSpec;
const dns = { zone: "shop.example.com" } as DnsSpec;

describe("hostnames: the names a service answers on", () => {
    it("names the global record <record>.<zone> and the per-cluster one <record>.<cluster>.<zone>", () => {
        expect(globalHostname(service("cart", "basket.eu"), dns)).to.equal("basket.eu.shop.example.com");
        expect(clusterHostname(service("cart", "basket"), cluster("eks-use1", []), dns)).to.equal("basket.eks-use1.shop.example.com");
    });

    it("routes <service>.<domain> for each of the cluster's domains, and the DNS names only while DNS is on", () => {
        const east = cluster("east", ["east.example.com", "example.org"]);
        expect(routeHostnames(service("cart"), east, undefined)).to.deep.equal(["cart.east.example.com", "cart.example.org"]);
        expect(routeHostnames(service("cart"), east, dns)).to.deep.equal([
            "cart.east.example.com",
            "cart.example.org",
            "cart.shop.example.com",
            "cart.east.shop.example.com",
        ]);
    });

    it("keeps a wildcard domain's * first, where Gateway API allows it: *.example.com routes *.cart.example.com", () => {
        const wild = cluster("east", ["*.example.com", "shop.example.org"]);
        expect(routeHostnames(service("cart"), wild, undefined)).to.deep.equal(["*.cart.example.com", "cart.shop.example.org"]);
        // The DNS names stay concrete: a Route53 health check asks for one host.
        expect(routeHostnames(service("cart"), wild, dns)).to.deep.equal(["*.cart.example.com", "cart.shop.example.org", "cart.shop.example.com", "cart.east.shop.example.com"]);
        // Gateway API's own pattern for a hostname takes it.
        const gatewayHostname = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
        expect(routeHostnames(service("cart"), wild, undefined)[0]).to.match(gatewayHostname);
    });

    it("lists a hostname once when a domain and the DNS zone give the same name", () => {
        expect(routeHostnames(service("cart"), cluster("east", ["shop.example.com"]), dns)).to.deep.equal([
            "cart.shop.example.com",
            "cart.east.shop.example.com",
        ]);
    });
});

describe("hostnames: the record type that points at a Gateway address", () => {
    it("is A for IPv4, AAAA for IPv6 and CNAME for a hostname", () => {
        expect(addressRecordType("203.0.113.7")).to.equal("A");
        expect(addressRecordType("2001:4860:4860::8888")).to.equal("AAAA");
        expect(addressRecordType("k8s-gateway-1234.elb.us-east-1.amazonaws.com")).to.equal("CNAME");
    });
});

describe("hostnames: addresses a Route53 health check can reach", () => {
    // [last address before the range, first in it, last in it, first after it]
    const ipv4Ranges: [string, string, string, string][] = [
        ["", "0.0.0.0", "0.255.255.255", "1.0.0.0"],
        ["9.255.255.255", "10.0.0.0", "10.255.255.255", "11.0.0.0"],
        ["100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0"],
        ["126.255.255.255", "127.0.0.0", "127.255.255.255", "128.0.0.0"],
        ["169.253.255.255", "169.254.0.0", "169.254.255.255", "169.255.0.0"],
        ["172.15.255.255", "172.16.0.0", "172.31.255.255", "172.32.0.0"],
        ["192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0"],
        ["198.17.255.255", "198.18.0.0", "198.19.255.255", "198.20.0.0"],
        ["223.255.255.255", "224.0.0.0", "239.255.255.255", ""],
        ["", "240.0.0.0", "255.255.255.255", ""],
    ];

    for (const [before, first, last, after] of ipv4Ranges) {
        it(`refuses ${first} to ${last}${before || after ? ` and accepts the addresses around them` : ""}`, () => {
            expect(isPubliclyRoutable(first), first).to.equal(false);
            expect(isPubliclyRoutable(last), last).to.equal(false);
            for (const outside of [before, after].filter((a) => a !== "")) expect(isPubliclyRoutable(outside), outside).to.equal(true);
        });
    }

    it("accepts public IPv4 addresses", () => {
        for (const address of ["8.8.8.8", "34.120.18.40", "203.0.113.7"]) expect(isPubliclyRoutable(address), address).to.equal(true);
    });

    it("refuses the unspecified and loopback IPv6 addresses, unique local, link-local and multicast ranges", () => {
        for (const address of ["::", "::1", "fc00::1", "FD12:3456::1", "fe80::1", "febf:ffff::1", "FF02::1"]) {
            expect(isPubliclyRoutable(address), address).to.equal(false);
        }
    });

    it("accepts global unicast IPv6, also when fc, fd, fe8 or ff appear after the first group or it ends in ::1", () => {
        for (const address of ["2001:4860:4860::8888", "2a01:4f8:fc:fd::1", "2600:fe80:ff::2", "2606:4700::", "2606:4700::1"]) {
            expect(isPubliclyRoutable(address), address).to.equal(true);
        }
    });

    it("accepts any hostname, even one that starts like a private IPv6 prefix: it is resolved at check time", () => {
        for (const address of ["lb.example.com", "fd-gateway.example.com", "ff.example.com"]) expect(isPubliclyRoutable(address), address).to.equal(true);
    });
});
