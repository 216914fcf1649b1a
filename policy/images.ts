// Container image references as a registry resolves them: which ones can change under a running
// pod. Written apart from the program's own parser so that the pack checks the program, not itself.

export interface ImageReference {
    /** Registry host (optional) and repository path, e.g. `ghcr.io/acme-shop/cart`. */
    repository: string;
    tag?: string;
    /** `sha256:<64 hex>` or `sha512:<128 hex>`. */
    digest?: string;
}

const HOST = /^(localhost|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+|[a-zA-Z0-9-]+:[0-9]+|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+:[0-9]+)$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Parses `[host[:port]/]path[:tag][@digest]`; undefined when the text is not a valid reference. */
export function parseImageReference(text: string): ImageReference | undefined {
    const at = text.indexOf("@");
    const name = at === -1 ? text : text.slice(0, at);
    const digest = at === -1 ? undefined : text.slice(at + 1);
    if (digest !== undefined && !DIGEST.test(digest)) return undefined;
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tag = colon > slash ? name.slice(colon + 1) : undefined;
    const repository = colon > slash ? name.slice(0, colon) : name;
    if (tag !== undefined && !TAG.test(tag)) return undefined;
    const parts = repository.split("/");
    // The first part is a registry host only when it looks like one; Docker Hub paths have no host.
    const path = parts.length > 1 && HOST.test(parts[0]!) ? parts.slice(1) : parts;
    if (path.length === 0 || !path.every((part) => PATH_COMPONENT.test(part))) return undefined;
    return {
        repository,
        ...(tag === undefined ? {} : { tag }),
        ...(digest === undefined ? {} : { digest }),
    };
}

/** A reference that names no fixed content: no digest, and either no tag or `latest`. */
export function isFloating(reference: ImageReference): boolean {
    return reference.digest === undefined && (reference.tag === undefined || reference.tag === "latest");
}
