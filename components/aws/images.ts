import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COLORS, type Color, type ServiceSpec, type StackModel } from "../../model/config/types.ts";
import { ownRepositoryImage, repositoryNameOf } from "../../model/config/images.ts";
import { buildContextHash } from "../../model/buildContext.ts";
import { ImageRepository, pinnedReference, type ColorBuild } from "./imageRepository.ts";

export type ColorImages = Partial<Record<Color, pulumi.Input<string>>>;

/**
 * The tags of the images a service's colors run from its ECR repository: colors that build (their
 * tag is the build's) and colors frozen to an image pushed there earlier (config validation makes
 * those give `repo:tag@sha256:…`). Empty when the service never used its repository.
 */
export function colorsInRepository(model: StackModel, service: ServiceSpec, projectDir: string): { builds: ColorBuild[]; frozenTags: string[] } {
    const builds: ColorBuild[] = [];
    const frozenTags: string[] = [];
    for (const color of COLORS) {
        const spec = service[color];
        if (spec?.build !== undefined) {
            const hash = buildContextHash(projectDir, spec.build).slice(0, 12);
            builds.push({ color, build: spec.build, tag: `${spec.version}-${hash}` });
        } else {
            const tag = ownRepositoryImage(model, service, color)?.tag;
            if (tag !== undefined) frozenTags.push(tag);
        }
    }
    return { builds, frozenTags };
}

/**
 * Tags already pushed to a repository, with their digests. A repository that does not exist yet
 * (a first deploy) has none; ECR's DescribeImages fails on it with RepositoryNotFoundException,
 * which the AWS provider passes on. Any other failure stops the program.
 */
async function pushedTags(repositoryName: string, provider: aws.Provider): Promise<Map<string, string>> {
    try {
        const { imageIds } = await aws.ecr.getImages({ repositoryName }, { provider });
        return new Map(imageIds.filter((id) => id.imageTag).map((id) => [id.imageTag!, id.imageDigest!]));
    } catch (error) {
        if (String(error).includes("RepositoryNotFoundException")) return new Map();
        throw error;
    }
}

/**
 * The image every deployed color runs, by service name: the configured reference, or for a color
 * that builds, `repo:tag@digest` in the service's ECR repository. A tag that is already in the
 * repository is reused, never built again: ECR's immutable tags would refuse the push, and
 * pulumi-docker rebuilds on changes the tag does not follow (its own context digest), so an
 * identical build must not be left to it. A service keeps its repository (retained and protected)
 * while any of its colors runs an image from it, including after the color stopped building.
 */
export async function resolveImages(model: StackModel, projectDir: string, awsProvider: aws.Provider | undefined): Promise<Map<string, ColorImages>> {
    const result = new Map<string, ColorImages>();
    let dockerProvider: docker.Provider | undefined;
    for (const service of model.services) {
        const images: ColorImages = {};
        for (const color of COLORS) {
            const image = service[color]?.image;
            if (image !== undefined) images[color] = image;
        }
        result.set(service.name, images);
        const { builds, frozenTags } = colorsInRepository(model, service, projectDir);
        if (builds.length === 0 && frozenTags.length === 0) continue;
        // config validation guarantees an AWS region whenever a service uses its ECR repository
        const provider = awsProvider!;
        const repositoryName = repositoryNameOf(model, service);
        const pushed = builds.length > 0 ? await pushedTags(repositoryName, provider) : new Map<string, string>();
        const toBuild = builds.filter((b) => !pushed.has(b.tag));
        if (toBuild.length > 0) dockerProvider ??= new docker.Provider("docker", {});
        const repository = new ImageRepository(service.name, {
            repositoryName,
            images: model.images,
            keepTags: [...builds.map((b) => b.tag), ...frozenTags],
            builds: toBuild,
            argsAreSecret: model.servicesAreSecret,
            awsProvider: provider,
            ...(dockerProvider ? { dockerProvider } : {}),
        });
        for (const { color, tag } of builds) {
            const digest = pushed.get(tag);
            images[color] = digest === undefined ? repository.images[color]! : pinnedReference(repository.repositoryUrl, tag, digest);
        }
    }
    return result;
}
