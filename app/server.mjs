// Demo service for switchyard: answers with its color and version and serves a health path, so a
// traffic shift is visible from outside (curl the public name and count the colors).
import { createServer } from "node:http";

// switchyard sets these from the service's config; the fallbacks serve `docker run`.
const port = Number(process.env.SWITCHYARD_PORT ?? process.env.PORT ?? 8080);
const healthPath = process.env.SWITCHYARD_HEALTH_PATH ?? "/healthz";
const color = process.env.SWITCHYARD_COLOR ?? "unknown";
const version = process.env.SWITCHYARD_VERSION ?? process.env.APP_VERSION ?? "unknown";
let draining = false;

const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === healthPath) {
        response.writeHead(draining ? 503 : 200, { "content-type": "text/plain" });
        response.end(draining ? "draining\n" : "ok\n");
        return;
    }
    response.writeHead(200, { "content-type": "application/json", "x-switchyard-color": color });
    response.end(`${JSON.stringify({ color, version, path })}\n`);
});

// Fail readiness first, then close, so the rolling update never drops an in-flight request.
process.on("SIGTERM", () => {
    draining = true;
    setTimeout(() => server.close(() => process.exit(0)), 5000).unref();
});

server.listen(port, () => console.log(`switchyard demo ${color} ${version} listening on :${port}`));
