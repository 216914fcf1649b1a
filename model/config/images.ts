// `switchyard:images` (ECR lifecycle and repository prefix) and the rules for images a color runs
// from its service's own ECR repository. Pure.

import { ecrRepositoryName, parseImageReference, type ImageReference } from "../imageReference.ts";
import type { Problems } from "../validation.ts";
import { PROJECT, readObjectKey } from "./keys.ts";
import { COLORS, type Color, type ImagesSpec, type ServiceSpec, type StackModel } from "./types.ts";

const IMAGES_KEYS = ["keepLast", "repositoryPrefix"] as const;

export function readImages(raw: string | undefined, problems: Problems): ImagesSpec {
    return readObjectKey("images", raw, IMAGES_KEYS, problems, (r) => ({
        keepLast: r.integer("keepLast", { min: 1, max: 1000, meaning: "images kept per ECR repository" }, 20),
        repositoryPrefix: r.string("repositoryPrefix", "an ECR repository namespace, e.g. switchyard", {
            pattern: /^[a-z0-9]+([._-][a-z0-9]+)*$/,
            fallback: PROJECT,
        })!,
    })) ?? { keepLast: 20, repositoryPrefix: PROJECT };
}

/** The ECR repository of a service's builds: `<images.repositoryPrefix>/<service>`. */
export function repositoryNameOf(model: Pick<StackModel, "images">, service: Pick<ServiceSpec, "name">): string {
    return `${model.images.repositoryPrefix}/${service.name}`;
}

/** A color's configured image, parsed, when it points into its service's own ECR repository (e.g. a frozen build). */
export function ownRepositoryImage(model: Pick<StackModel, "images">, service: ServiceSpec, color: Color): ImageReference | undefined {
    const image = service[color]?.image;
    const reference = image === undefined ? undefined : parseImageReference(image);
    return reference && ecrRepositoryName(reference) === repositoryNameOf(model, service) ? reference : undefined;
}

/**
 * An image a color runs from its service's own ECR repository (`<images.repositoryPrefix>/<service>`,
 * e.g. a color frozen after its build) must give its tag as well as its digest: the repository's
 * lifecycle policy keeps the images colors run by their tags. Returns whether any color does.
 */
export function checkRepositoryImages(model: StackModel, problems: Problems): boolean {
    let found = false;
    model.services.forEach((service, si) => {
        for (const color of COLORS) {
            const reference = ownRepositoryImage(model, service, color);
            if (!reference) continue;
            found = true;
            if (reference.tag === undefined || reference.digest === undefined) {
                problems.add(
                    `${PROJECT}:services[${si}].${color}.image`,
                    service[color]!.image,
                    `repo:tag@sha256:<digest> for an image in ${service.name}'s own ECR repository, so its lifecycle policy can keep it by tag ` +
                        `(copy the reference from pulumi stack output traffic)`,
                );
            }
        }
    });
    return found;
}
