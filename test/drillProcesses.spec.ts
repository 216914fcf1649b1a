// The drill's processes on a busy machine: several spec files start servers at once, so a port
// found free may be another process's by the time a server binds it.

import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort, startDemoApp, startPrometheus, stopAll, type Running } from "../devtools/drill/processes.ts";

describe("drill processes: ports taken by someone else", function () {
    this.timeout(40_000);
    const running: Running[] = [];
    afterEach(async function () {
        this.timeout(20_000);
        await stopAll(running);
    });

    /** A server that answers every path with 200 and JSON, as the demo app does. */
    async function impostor(): Promise<number> {
        const server: Server = createServer((request, response) => {
            response.writeHead(200, { "content-type": "application/json" });
            response.end(JSON.stringify({ color: "green", path: request.url }));
        });
        await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
        running.push({ stop: () => new Promise<void>((done) => server.close(() => done())) });
        return (server.address() as AddressInfo).port;
    }

    it("starts Prometheus on another port when its first one answers as another server, and its URL is that Prometheus", async () => {
        const taken = await impostor();
        const ports = [taken];
        const prometheus = await startPrometheus([], "drill", async () => ports.shift() ?? (await freePort()));
        running.push(prometheus);
        expect(prometheus.url).to.not.equal(`http://127.0.0.1:${taken}`);
        const info = (await (await fetch(`${prometheus.url}/api/v1/status/buildinfo`)).json()) as { status: string; data: { version: string } };
        expect(info.status).to.equal("success");
        expect(info.data.version).to.match(/^\d+\.\d+\.\d+/);
    });

    it("gives up after three lost ports, saying so", async () => {
        const taken = await impostor();
        const started = await startPrometheus([], "drill", async () => taken).then(
            (p) => (running.push(p), "started"),
            (error: Error) => error.message,
        );
        expect(started).to.match(new RegExp(`another server answers on http://127\\.0\\.0\\.1:${taken}`));
    });

    it("runs the demo app on the port the kernel gave it, and says which", async () => {
        const app = await startDemoApp({ service: "ports", color: "blue", version: "1.0.0" });
        running.push(app);
        expect(app.port).to.be.above(0);
        const body = (await (await fetch(`${app.url}/`)).json()) as { color: string };
        expect(body.color).to.equal("blue");
    });
});
