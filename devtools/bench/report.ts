// Markdown tables for the benchmark's results. Pure formatting: no measuring here.

import type { FleetResult, LoaderResult } from "./results.ts";

const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
const mib = (value: number) => `${Math.round(value)} MiB`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const perResource = (value: number) => value.toFixed(2);

function table(head: string[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function fleetTable(fleets: FleetResult[]): string {
    return table(
        [
            "fleet (S×C)",
            "custom resources",
            "registrations",
            "program",
            "floor",
            "time ratio",
            "marginal ms/resource (program / floor)",
            "peak RSS program",
            "peak RSS floor",
            "RSS ratio",
            "flip: changed / S×C",
        ],
        fleets.map((f) => [
            `${f.size.services}×${f.size.clusters}`,
            String(f.customResources),
            String(f.registrations),
            ms(f.program.wallMs),
            ms(f.floor.wallMs),
            ratio(f.timeRatio),
            `${perResource(f.program.marginalMsPerResource)} / ${perResource(f.floor.marginalMsPerResource)}`,
            mib(f.program.peakRssMiB),
            mib(f.floor.peakRssMiB),
            ratio(f.rssRatio),
            `${f.flip.changed} / ${f.flip.expected}${f.flip.onlyRoutes ? " (HTTPRoutes only)" : " (NOT only HTTPRoutes)"}`,
        ]),
    );
}

export function loaderTable(loaders: LoaderResult[], fleet: string): string {
    return table(
        ["loader", "how", `wall, ${fleet}`, "vs native", "peak RSS", "build before each run"],
        loaders.map((l) =>
            l.unavailable
                ? [l.id, l.setup, `not measured: ${l.unavailable}`, "", "", ""]
                : [l.id, l.setup, ms(l.wallMs!), ratio(l.relativeToNative!), mib(l.peakRssMiB!), l.buildMs === undefined ? "none" : ms(l.buildMs)],
        ),
    );
}
