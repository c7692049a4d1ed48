// End-to-end tests of the real app window: Xvfb + tauri-driver + WebKitWebDriver (run via scripts/test).
import { run } from "node:test";
import { spec } from "node:test/reporters";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
const here = path.dirname(fileURLToPath(import.meta.url));
const files = fs.readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => path.join(here, f));
let failed = 0;
const stream = run({ files, concurrency: 1, timeout: 600000 }).on("test:fail", () => { failed++; });
stream.compose(spec).pipe(process.stdout);
stream.on("end", () => {
  process.exitCode = failed ? 1 : 0;
  // A stray process must not keep the run alive once every test has reported: if anything still holds the
  // event loop 5 s later, exit anyway (the timer itself does not keep the process alive).
  setTimeout(() => process.exit(process.exitCode), 5000).unref();
});
