import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Color, ImageBuild, ImagesSpec } from "../../model/config/types.ts";

export interface ColorBuild {
    color: Color;
    build: ImageBuild;
    /** Image tag: the version and a hash of the build inputs, unique per distinct build. */
    tag: string;
}

export interface ImageRepositoryArgs {
    /** Repository name within ECR, e.g. `switchyard/storefront`. */
    repositoryName: string;
    images: ImagesSpec;
    /** Tags of the images the service's colors run: the lifecycle policy never expires them. */
    keepTags: string[];
    /** Builds whose tag is not in the repository yet; contexts are relative to the project directory (the program's cwd). */
    builds: ColorBuild[];
    /** Pass build args as Pulumi secrets (they came from a secret config value). */
    argsAreSecret: boolean;
    awsProvider: aws.Provider;
    /** Needed when there is something to build. */
    dockerProvider?: docker.Provider;
}

/**
 * ECR lifecycle rules count an image into a rule's selection whenever a tag matches, and an image a
 * rule selects cannot be expired by a rule of lower priority (AWS ECR User Guide, "Lifecycle policy
 * evaluation rules"). One rule per kept tag — a tag list within one rule means all of them — with a
 * count no repository reaches, then "keep the last N" over everything: live images are never
 * expired, and they count among the N.
 */
export function lifecyclePolicy(keepTags: string[], keepLast: number): string {
    const kept = [...new Set(keepTags)].sort();
    const rules = [
        ...kept.map((tag, i) => ({
            rulePriority: i + 1,
            description: `keep ${tag}: a color runs it`,
            selection: { tagStatus: "tagged", tagPatternList: [tag], countType: "imageCountMoreThan", countNumber: 100000 },
            action: { type: "expire" },
        })),
        {
            // A rule over any tag status must come last (the highest rulePriority).
            rulePriority: kept.length + 1,
            description: `keep the last ${keepLast} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepLast },
            action: { type: "expire" },
        },
    ];
    return JSON.stringify({ rules });
}

/** `repo:tag@sha256:…`: the tag names the image for the lifecycle policy, the digest pins the bytes a color runs. */
export function pinnedReference(repositoryUrl: pulumi.Input<string>, tag: string, digest: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${repositoryUrl}:${tag}@${digest}`;
}

/**
 * The ECR repository of one service (scan on push, immutable tags, bounded history that keeps every
 * image a color runs) and the builds that push to it. `images` are `repo:tag@sha256:…`: a color runs
 * exactly the bytes that were pushed, and the tag names them for the lifecycle policy. The
 * repository is protected and retained: removing it would take the images a rollback needs.
 */
export class ImageRepository extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly repositoryUrl: pulumi.Output<string>;
    readonly images: Partial<Record<Color, pulumi.Output<string>>> = {};

    constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:aws:ImageRepository", name, {}, opts);
        const awsOpts = { parent: this, provider: args.awsProvider };
        this.repository = new aws.ecr.Repository(
            name,
            {
                name: args.repositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
            },
            { ...awsOpts, protect: true, retainOnDelete: true },
        );
        this.repositoryUrl = this.repository.repositoryUrl;
        new aws.ecr.LifecyclePolicy(name, { repository: this.repository.name, policy: lifecyclePolicy(args.keepTags, args.images.keepLast) }, awsOpts);
        if (args.builds.length > 0) {
            const token = aws.ecr.getAuthorizationTokenOutput({ registryId: this.repository.registryId }, { parent: this, provider: args.awsProvider });
            for (const { color, build, tag } of args.builds) {
                const buildArgs = Object.fromEntries(
                    Object.entries(build.args).map(([key, value]) => [key, args.argsAreSecret ? pulumi.secret(value) : value]),
                );
                const image = new docker.Image(
                    `${name}.${color}`,
                    {
                        imageName: pulumi.interpolate`${this.repository.repositoryUrl}:${tag}`,
                        build: {
                            context: build.context,
                            dockerfile: `${build.context}/${build.dockerfile}`,
                            args: buildArgs,
                            platform: build.platform,
                        },
                        registry: {
                            server: this.repository.repositoryUrl,
                            username: token.userName,
                            password: pulumi.secret(token.password),
                        },
                    },
                    { parent: this, provider: args.dockerProvider! },
                );
                // repoDigest is `repo@sha256:…`; the tag goes back in so a frozen copy of this reference keeps naming it.
                this.images[color] = pinnedReference(this.repository.repositoryUrl, tag, image.repoDigest.apply((d) => d.slice(d.indexOf("@") + 1)));
            }
        }
        this.registerOutputs({ repositoryUrl: this.repository.repositoryUrl });
    }
}
