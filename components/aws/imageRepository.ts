import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Color, ImageBuild, ImagesSpec } from "../config.ts";

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
    /** Builds of the colors that build; contexts are relative to the project directory (the program's cwd). */
    builds: ColorBuild[];
    /** Pass build args as Pulumi secrets (they came from a secret config value). */
    argsAreSecret: boolean;
    awsProvider: aws.Provider;
    dockerProvider: docker.Provider;
}

/**
 * An ECR repository for one service (scan on push, immutable tags, bounded history) and the images
 * built into it, one per color that builds. `digests` are `repo@sha256:…` references: a color runs
 * exactly the bytes that were pushed, never whatever a tag points at later.
 */
export class ImageRepository extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly digests: Partial<Record<Color, pulumi.Output<string>>> = {};

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
            awsOpts,
        );
        new aws.ecr.LifecyclePolicy(
            name,
            {
                repository: this.repository.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: `keep the last ${args.images.keepLast} images`,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.images.keepLast },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            awsOpts,
        );
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
                { parent: this, provider: args.dockerProvider },
            );
            this.digests[color] = image.repoDigest;
        }
        this.registerOutputs({ repositoryUrl: this.repository.repositoryUrl });
    }
}
