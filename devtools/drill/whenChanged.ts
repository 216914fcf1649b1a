// A file read as often as a load or a fake asks (many times a second), parsed again only when its
// text changed: parsing, not reading, was most of a drill's load and of one rollout spec's minute.

import { readFileSync } from "node:fs";

/** A reader of files through `parse`, which keeps each file's last text and what `parse` made of it. */
export function whenChanged<T>(parse: (text: string) => T): (file: string) => T {
    const lastRead = new Map<string, { text: string; value: T }>();
    return (file) => {
        const text = readFileSync(file, "utf8");
        const last = lastRead.get(file);
        if (last?.text === text) return last.value;
        const value = parse(text);
        lastRead.set(file, { text, value });
        return value;
    };
}
