// The program's image references: repository, tag and digest as the Docker reference grammar
// (distribution/reference) splits them, and which references can change under a running color.

import { expect } from "chai";
import { ecrRepositoryName, isFloating, isPinnedByDigest, parseImageReference } from "../model/imageReference.ts";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("image references: parsing", () => {
    it("splits repository, tag and digest, with or without a registry host and port", () => {
        expect(parseImageReference("nginx")).to.deep.equal({ repository: "nginx" });
        expect(parseImageReference("nginx:1.25")).to.deep.equal({ repository: "nginx", tag: "1.25" });
        expect(parseImageReference("ghcr.io/acme-shop/cart-api:2.9.0")).to.deep.equal({ repository: "ghcr.io/acme-shop/cart-api", tag: "2.9.0" });
        expect(parseImageReference("localhost:5000/cart:1")).to.deep.equal({ repository: "localhost:5000/cart", tag: "1" });
        expect(parseImageReference("Registry.Example.com/team/cart:1"), "a host may have capitals, a path may not").to.deep.equal({ repository: "Registry.Example.com/team/cart", tag: "1" });
        expect(parseImageReference(`Registry.Example.com:443/team/cart@${DIGEST}`)).to.deep.equal({
            repository: "Registry.Example.com:443/team/cart",
            digest: DIGEST,
        });
        expect(parseImageReference(`123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/cart:2.9.0@${DIGEST}`)).to.deep.equal({
            repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/cart",
            tag: "2.9.0",
            digest: DIGEST,
        });
    });

    it("takes separators inside path components: dots, underscores and dashes", () => {
        expect(parseImageReference("acme_shop/cart.api:v1")).to.deep.equal({ repository: "acme_shop/cart.api", tag: "v1" });
        expect(parseImageReference("ghcr.io/a-b/c_d/e.f-g:x_1.2-rc")).to.deep.equal({ repository: "ghcr.io/a-b/c_d/e.f-g", tag: "x_1.2-rc" });
    });

    it("takes tags of 1 to 128 characters that do not start with a dot or a dash", () => {
        expect(parseImageReference(`cart:${"a".repeat(128)}`)?.tag).to.have.length(128);
        expect(parseImageReference("cart:_build")?.tag).to.equal("_build");
        for (const tag of ["a".repeat(129), ".1", "-1", ""]) expect(parseImageReference(`cart:${tag}`), tag).to.equal(undefined);
    });

    it("returns undefined, without throwing, for text that is no reference", () => {
        for (const text of [
            "",
            " nginx",
            "nginx ",
            "ghcr.io/Acme/cart:1.0",
            "cart@sha256:abc",
            `cart@sha512:${DIGEST.slice(7)}`,
            "cart:1.0:2.0",
            "ghcr.io//cart",
            "cart-:1",
            "https://ghcr.io/acme/cart:1",
        ]) {
            expect(parseImageReference(text), JSON.stringify(text)).to.equal(undefined);
        }
    });
});

describe("image references: what can change under a running color", () => {
    const parsed = (text: string) => parseImageReference(text)!;

    it("counts only a digest as pinned", () => {
        expect(isPinnedByDigest(parsed(`cart@${DIGEST}`))).to.equal(true);
        expect(isPinnedByDigest(parsed(`cart:2.9.0@${DIGEST}`))).to.equal(true);
        expect(isPinnedByDigest(parsed("cart:2.9.0"))).to.equal(false);
    });

    it("calls latest and untagged references floating, and a release tag or a digest not", () => {
        expect(isFloating(parsed("cart"))).to.equal(true);
        expect(isFloating(parsed("cart:latest"))).to.equal(true);
        expect(isFloating(parsed("cart:2.9.0"))).to.equal(false);
        expect(isFloating(parsed(`cart@${DIGEST}`))).to.equal(false);
        expect(isFloating(parsed(`cart:latest@${DIGEST}`)), "a digest fixes the content whatever the tag").to.equal(false);
    });
});

describe("image references: which ones are in an ECR registry", () => {
    const repositoryOf = (text: string) => {
        const reference = parseImageReference(text);
        expect(reference, text).to.not.equal(undefined);
        return ecrRepositoryName(reference!);
    };

    it("names the repository within the registry, in every partition's host form", () => {
        expect(repositoryOf("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/cart:2.9.0")).to.equal("shop/cart");
        expect(repositoryOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/storefront:1")).to.equal("storefront");
    });

    it("is no ECR repository when the host only contains an ECR host, or there is no host at all", () => {
        for (const text of [
            "x123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/cart:1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/shop/cart:1",
            "1234567890123.dkr.ecr.us-east-1.amazonaws.com/shop/cart:1",
            "ghcr.io/acme-shop/cart:1",
            // One path component on Docker Hub whose name ends like an ECR host: no registry host at all.
            "123456789012.dkr.ecr.us-east-1.amazonaws.comx:1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.cnx:1",
        ]) {
            expect(repositoryOf(text), text).to.equal(undefined);
        }
    });
});
