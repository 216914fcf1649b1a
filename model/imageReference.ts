// Container image references: what a tag or digest is, and which references are immutable.
// Pure: no Pulumi import.

export interface ImageReference {
    /** Everything before the tag and digest, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/cart`. */
    repository: string;
    tag?: string;
    /** `sha256:<64 hex>` when the reference is pinned by digest. */
    digest?: string;
}

// registry host (optional, may carry a port), path components, optional tag, optional digest.
const REFERENCE =
    /^(?<repository>(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

export function parseImageReference(text: string): ImageReference | undefined {
    const match = REFERENCE.exec(text);
    if (!match?.groups) return undefined;
    const { repository, tag, digest } = match.groups;
    return {
        repository: repository!,
        ...(tag === undefined ? {} : { tag }),
        ...(digest === undefined ? {} : { digest }),
    };
}

/** True for `repo@sha256:…`: the only reference that cannot change under a running color. */
export function isPinnedByDigest(reference: ImageReference): boolean {
    return reference.digest !== undefined;
}

/** A tag that names no release: `latest`, or no tag and no digest at all. */
export function isFloating(reference: ImageReference): boolean {
    return reference.digest === undefined && (reference.tag === undefined || reference.tag === "latest");
}

// An ECR registry host: <12-digit account>.dkr.ecr.<region>.amazonaws.com (.com.cn in China).
const ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The repository name within ECR (`shop/storefront`) when the reference points into an ECR registry. */
export function ecrRepositoryName(reference: ImageReference): string | undefined {
    const slash = reference.repository.indexOf("/");
    if (slash === -1 || !ECR_HOST.test(reference.repository.slice(0, slash))) return undefined;
    return reference.repository.slice(slash + 1);
}
