// Errors the switchyard command reports as they are, exiting 3 with nothing written. Kept apart
// from the commands so that the entry can tell them without loading the commands' dependencies.

export class CommandError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CommandError";
    }
}

/** A usage mistake: an unknown command or flag, no --stack, no such stack. Exits 64 with the usage. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}
