// Serves the files of one directory over HTTP on 127.0.0.1 (the lab's artifact store): GET/HEAD /<name>.
// Usage: node serve-files.mjs <dir> <port>
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const [dir, port] = process.argv.slice(2);
if (!dir || !port) {
  console.error("usage: node serve-files.mjs <dir> <port>");
  process.exit(2);
}

http
  .createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname.slice(1));
    const file = path.join(dir, name);
    let size = -1;
    try {
      if (name && !name.includes("/") && !name.startsWith(".")) size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      size = -1;
    }
    if (size < 0 || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(size < 0 ? 404 : 405, { "content-type": "text/plain" }).end(size < 0 ? `no artifact ${name}\n` : "GET or HEAD only\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/gzip", "content-length": size });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  })
  .listen(Number(port), "127.0.0.1", () => console.log(`serving ${dir} on http://127.0.0.1:${port}`));
