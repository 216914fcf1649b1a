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
 * The repositories that exist in the provider's registry, from one DescribeRepositories listing
 * (aws.ecr.getRepositories). Asking for the repository itself rather than reading a failed image
 * listing: on a missing repository ECR's getImages says only "reading ECR Images: couldn't find
 * resource" (terraform-provider-aws internal/service/ecr/images_data_source.go wraps
 * RepositoryNotFoundException in terraform-plugin-sdk's retry.NotFoundError).
 */
async function existingRepositories(provider: aws.Provider): Promise<Set<string>> {
    const { names } = await aws.ecr.getRepositories({}, { provider });
    return new Set(names);
}

/** Tags already pushed to a repository that exists, with their digests (ListImages, paged). */
async function pushedTags(repositoryName: string, provider: aws.Provider): Promise<Map<string, string>> {
    const { imageIds } = await aws.ecr.getImages({ repositoryName }, { provider });
    return new Map(imageIds.filter((id) => id.imageTag).map((id) => [id.imageTag!, id.imageDigest!]));
}

/** The tag of each color's image in its service's ECR repository: its build's, or the frozen reference's. */
export function colorImageTags(model: StackModel, service: ServiceSpec, projectDir: string): Partial<Record<Color, string>> {
    const { builds } = colorsInRepository(model, service, projectDir);
    const frozen = COLORS.flatMap((color) => {
        const tag = service[color]?.build === undefined ? ownRepositoryImage(model, service, color)?.tag : undefined;
        return tag === undefined ? [] : [[color, tag] as const];
    });
    return Object.fromEntries([...builds.map((b) => [b.color, b.tag] as const), ...frozen]);
}

/** The repository tags of every color of these services that uses its ECR repository, by service name (a cluster stack's). */
export function imageTagsOf(model: StackModel, services: readonly ServiceSpec[], projectDir: string): Map<string, Partial<Record<Color, string>>> {
    return new Map(services.map((service) => [service.name, colorImageTags(model, service, projectDir)] as const).filter(([, tags]) => Object.keys(tags).length > 0));
}

export interface ImagePlan {
    /** The image every deployed color runs, by service name. */
    images: Map<string, ColorImages>;
    /** The tag of each color's image in its service's repository (its build's, or the frozen reference's), by service name. */
    imageTags: Map<string, Partial<Record<Color, string>>>;
    /**
     * Set when ECR could not say which tags exist (access denied, throttled, unreachable): the colors
     * that build keep the image they run and nothing is built, so a change that needs no new image
     * (a shift, a rollback) goes on; a color that needs a tag it does not run is refused by its hook.
     */
    ecrUnavailable?: string;
}

/**
 * The image every deployed color runs, by service name: the configured reference, or for a color
 * that builds, `repo:tag@digest` in the service's ECR repository. A tag that is already in the
 * repository is reused, never built again: ECR's immutable tags would refuse the push, and
 * pulumi-docker rebuilds on changes the tag does not follow (its own context digest), so an
 * identical build must not be left to it. A service keeps its repository (retained and protected)
 * while any of its colors runs an image from it, including after the color stopped building.
 */
export async function resolveImagePlan(model: StackModel, projectDir: string, awsProvider: aws.Provider | undefined): Promise<ImagePlan> {
    const plan: ImagePlan = { images: new Map(), imageTags: new Map() };
    let dockerProvider: docker.Provider | undefined;
    let repositories: Set<string> | undefined;
    for (const service of model.services) {
        const images: ColorImages = {};
        for (const color of COLORS) {
            const image = service[color]?.image;
            if (image !== undefined) images[color] = image;
        }
        plan.images.set(service.name, images);
        const { builds, frozenTags } = colorsInRepository(model, service, projectDir);
        if (builds.length === 0 && frozenTags.length === 0) continue;
        plan.imageTags.set(service.name, colorImageTags(model, service, projectDir));
        // config validation guarantees an AWS region whenever a service uses its ECR repository
        const provider = awsProvider!;
        const repositoryName = repositoryNameOf(model, service);
        let pushed: Map<string, string> | undefined = new Map();
        if (builds.length > 0 && plan.ecrUnavailable === undefined) {
            try {
                repositories ??= await existingRepositories(provider);
                if (repositories.has(repositoryName)) pushed = await pushedTags(repositoryName, provider);
            } catch (error) {
                plan.ecrUnavailable = error instanceof Error ? error.message : String(error);
            }
        }
        if (plan.ecrUnavailable !== undefined) pushed = undefined;
        // Without ECR's answer nothing is built: a tag may be there, and an immutable repository refuses it twice.
        const toBuild = pushed === undefined ? [] : builds.filter((b) => !pushed.has(b.tag));
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
            const digest = pushed?.get(tag);
            if (pushed === undefined) images[color] = pulumi.interpolate`${repository.repositoryUrl}:${tag}`;
            else images[color] = digest === undefined ? repository.images[color]! : pinnedReference(repository.repositoryUrl, tag, digest);
        }
    }
    if (plan.ecrUnavailable !== undefined) {
        pulumi.log.warn(
            `ECR did not answer (${plan.ecrUnavailable}): nothing is built, and every color that builds keeps the image it runs; ` +
                `a color whose build tag changed is refused until ECR answers.`,
        );
    }
    return plan;
}

/** The images of resolveImagePlan alone. */
export async function resolveImages(model: StackModel, projectDir: string, awsProvider: aws.Provider | undefined): Promise<Map<string, ColorImages>> {
    return (await resolveImagePlan(model, projectDir, awsProvider)).images;
}
