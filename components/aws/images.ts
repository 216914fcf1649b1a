import type * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COLORS, type Color, type StackModel } from "../config.ts";
import { buildContextHash } from "./buildContext.ts";
import { ImageRepository, type ColorBuild } from "./imageRepository.ts";

export type ColorImages = Partial<Record<Color, pulumi.Input<string>>>;

/**
 * The image every deployed color runs, by service name: the configured reference, or for colors
 * that build, the digest their build pushed to the service's ECR repository.
 */
export function resolveImages(model: StackModel, projectDir: string, awsProvider: aws.Provider | undefined): Map<string, ColorImages> {
    const result = new Map<string, ColorImages>();
    let dockerProvider: docker.Provider | undefined;
    for (const service of model.services) {
        const images: ColorImages = {};
        const builds: ColorBuild[] = [];
        for (const color of COLORS) {
            const spec = service[color];
            if (spec?.image !== undefined) images[color] = spec.image;
            if (spec?.build !== undefined) {
                const hash = buildContextHash(projectDir, spec.build).slice(0, 12);
                builds.push({ color, build: spec.build, tag: `${spec.version}-${hash}` });
            }
        }
        if (builds.length > 0) {
            dockerProvider ??= new docker.Provider("docker", {});
            const repository = new ImageRepository(service.name, {
                repositoryName: `${model.images.repositoryPrefix}/${service.name}`,
                images: model.images,
                builds,
                argsAreSecret: model.servicesAreSecret,
                // config validation guarantees an AWS region whenever a color builds
                awsProvider: awsProvider!,
                dockerProvider,
            });
            Object.assign(images, repository.digests);
        }
        result.set(service.name, images);
    }
    return result;
}
