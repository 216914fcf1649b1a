// The policy pack's own image reference parser (policy/images.ts), written apart from the
// program's so that the pack checks the program rather than itself. Cases follow the Docker
// reference grammar (distribution/reference): what a registry host looks like, path components,
// tags of up to 128 characters, sha256 and sha512 digests.

import { expect } from "chai";
import { isFloating, parseImageReference } from "../policy/images.ts";

const SHA256 = `sha256:${"0123456789abcdef".repeat(4)}`;
const SHA512 = `sha512:${"0123456789abcdef".repeat(8)}`;

describe("policy image references: parsing", () => {
    it("reads Docker Hub names, whose first part is a path, not a host", () => {
        expect(parseImageReference("nginx")).to.deep.equal({ repository: "nginx" });
        expect(parseImageReference("library/nginx:1.25")).to.deep.equal({ repository: "library/nginx", tag: "1.25" });
        expect(parseImageReference("example.com")).to.deep.equal({ repository: "example.com" });
        expect(parseImageReference("Acme/cart"), "an uppercase first part is neither a host nor a path").to.equal(undefined);
    });

    it("tells a registry host by a dot, a port or the name localhost, in any case", () => {
        expect(parseImageReference("localhost/cart")).to.deep.equal({ repository: "localhost/cart" });
        expect(parseImageReference("registry:5000/cart:1")).to.deep.equal({ repository: "registry:5000/cart", tag: "1" });
        expect(parseImageReference("Registry.Example.com:443/team/cart")).to.deep.equal({ repository: "Registry.Example.com:443/team/cart" });
        expect(parseImageReference("My-Registry.io/cart:2")).to.deep.equal({ repository: "My-Registry.io/cart", tag: "2" });
        expect(parseImageReference("Registry.Example.com/team/cart")).to.deep.equal({ repository: "Registry.Example.com/team/cart" });
        for (const text of ["Registry/cart", "registry:port/cart", "registry.:5000/cart", "registry.io:/cart", "_Registry.io/cart"]) {
            expect(parseImageReference(text), text).to.equal(undefined);
        }
    });

    it("takes path components joined by '.', '_', '__' or dashes, and nothing else", () => {
        expect(parseImageReference("ghcr.io/acme--shop/cart__api.v2:1")).to.deep.equal({ repository: "ghcr.io/acme--shop/cart__api.v2", tag: "1" });
        for (const text of ["ghcr.io/a___b", "ghcr.io/-cart", "ghcr.io/cart-", "ghcr.io/acme/Cart", "ghcr.io/", "ghcr.io//cart", "a..b"]) {
            expect(parseImageReference(text), text).to.equal(undefined);
        }
    });

    it("takes a tag after the last slash only, of 1 to 128 characters not starting with '.' or '-'", () => {
        expect(parseImageReference("localhost:5000/cart")).to.deep.equal({ repository: "localhost:5000/cart" });
        expect(parseImageReference(`cart:${"a".repeat(128)}`)?.tag).to.have.length(128);
        for (const tag of ["a".repeat(129), ".1", "-1", "", "1+2"]) expect(parseImageReference(`cart:${tag}`), tag).to.equal(undefined);
    });

    it("takes sha256 and sha512 digests of the right length in lowercase hex only", () => {
        expect(parseImageReference(`cart@${SHA256}`)).to.deep.equal({ repository: "cart", digest: SHA256 });
        expect(parseImageReference(`ghcr.io/acme/cart:2.9.0@${SHA512}`)).to.deep.equal({ repository: "ghcr.io/acme/cart", tag: "2.9.0", digest: SHA512 });
        for (const digest of [SHA256.slice(0, -1), `${SHA256}0`, SHA256.toUpperCase(), `sha512:${SHA256.slice(7)}`, `x${SHA256}`, `${SHA512}0`, `sha512:${"g".repeat(128)}`, "sha256:"]) {
            expect(parseImageReference(`cart@${digest}`), digest).to.equal(undefined);
        }
    });
});

describe("policy image references: floating", () => {
    it("calls latest and untagged references floating, unless a digest fixes them", () => {
        expect(isFloating(parseImageReference("cart")!)).to.equal(true);
        expect(isFloating(parseImageReference("cart:latest")!)).to.equal(true);
        expect(isFloating(parseImageReference("cart:1.0")!)).to.equal(false);
        expect(isFloating(parseImageReference(`cart:latest@${SHA256}`)!)).to.equal(false);
    });
});
