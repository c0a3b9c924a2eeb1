// Drives Swagger UI (/docs) in headless Chromium: authorizes with an admin
// key, then on every operation presses "Try it out" and "Execute" with the
// document's examples (uploads get real files), and checks each answer is a
// status the document lists for it — and for operations whose examples can
// succeed, a success. Then loads ReDoc (/redoc). Fails if either page
// requests anything from another host. Run by scripts/browser-test.sh.
//   node browser-try-it-out.mjs BASE_URL KEY FILE_DIR OUT_DIR CHROMIUM
import puppeteer from "puppeteer-core";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [base, key, files, out, chromium] = process.argv.slice(2);
const origin = new URL(base).origin;
const spec = await (await fetch(`${base}/openapi.json`)).json();

// Operations whose examples cannot succeed on a fresh server: no job exists.
const mayFail = new Set(["get /jobs/{id}", "get /jobs/{id}/result"]);
// Files for the upload forms.
const uploads = {
  "/upload/generate": "people.csv",
  "/upload/unstructured": "people.csv",
  "/upload/unstructured/generate": "book.xlsx",
};

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const offHost = [];
const failures = [];
const results = [];
let sent = [];
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1600 });
  page.on("request", (r) => {
    const u = r.url();
    sent.push(`${r.method()} ${u}`);
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:")) offHost.push(u);
  });
  page.on("pageerror", (e) => failures.push(`page error on ${page.url()}: ${e.message}`));

  await page.goto(`${base}/docs`, { waitUntil: "networkidle0" });
  await page.waitForSelector(".opblock");

  // Authorize with the key (bearer scheme).
  await page.click(".btn.authorize");
  await page.waitForSelector(".modal-ux input");
  await page.type(".modal-ux input", key);
  await page.click(".modal-ux .auth-btn-wrapper .btn.authorize");
  await page.click(".modal-ux .btn-done");

  // Every operation in document order, POST /projects first (the others use project `demo`).
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) ops.push({ path, method, op: item[method] });
  }
  ops.sort((a, b) => (b.path === "/projects" && b.method === "post") - (a.path === "/projects" && a.method === "post"));

  for (const { path, method, op } of ops) {
    const name = `${method} ${path}`;
    const block = await page.evaluateHandle(
      (method, path) =>
        [...document.querySelectorAll(`.opblock.opblock-${method}`)].find(
          (el) => el.querySelector(".opblock-summary-path")?.getAttribute("data-path") === path,
        ),
      method,
      path,
    );
    const el = block.asElement();
    if (!el) {
      failures.push(`${name}: not shown by Swagger UI`);
      continue;
    }
    await el.evaluate((e) => e.scrollIntoView());
    if (!(await el.$(".try-out__btn"))) await (await el.$(".opblock-summary-control, .opblock-summary")).click();
    await el.waitForSelector(".try-out__btn");
    await (await el.$(".try-out__btn")).click();
    await el.waitForSelector(".execute");
    if (uploads[path]) {
      const input = await el.$('input[type="file"]');
      await input.uploadFile(join(files, uploads[path]));
      // Form fields: the project (from its example when Swagger UI leaves it empty).
      for (const row of await el.$$("tr[data-param-name], .parameters tr")) {
        const label = await row.evaluate((r) => r.querySelector(".parameter__name")?.textContent ?? "");
        const text = await row.$('input[type="text"]');
        if (text && label.startsWith("project")) {
          await text.click({ clickCount: 3 });
          await text.type("demo");
        }
      }
    }
    sent = [];
    await (await el.$(".execute")).click();
    await el.waitForSelector(".live-responses-table tbody td.response-col_status", { timeout: 30000 });
    const status = (await el.$eval(".live-responses-table tbody td.response-col_status", (s) => s.textContent.trim())).split(/\s/)[0];
    const documented = Object.keys(op.responses);
    const request = sent.find((r) => !r.includes("/openapi.json")) ?? "";
    results.push({ operation: name, status, documented, request });
    const route = new RegExp(`^${method.toUpperCase()} ${origin}${path.replace(/\{[^}]+\}/g, "[^/?]+")}(\\?|$)`);
    if (!route.test(request))
      failures.push(`${name}: Swagger UI sent ${request}`);
    const ok = status.startsWith("2");
    if (!documented.includes(status)) failures.push(`${name}: answered ${status}, which the document does not list (${documented})`);
    else if (!ok && !mayFail.has(name)) failures.push(`${name}: its example answered ${status} (${request})`);
    console.log(`${ok || mayFail.has(name) ? "ok" : "FAIL"}: Try it out ${name} -> ${status}`);
  }
  await page.screenshot({ path: join(out, "docs-try-it-out.png"), fullPage: false });

  await page.goto(`${base}/redoc`, { waitUntil: "networkidle0" });
  const redocText = await page.evaluate(() => document.body.innerText);
  if (!redocText.includes("Create a project")) failures.push("ReDoc did not render the operations");
  else console.log("ok: ReDoc rendered the operations");
  await page.screenshot({ path: join(out, "redoc.png") });
} finally {
  await browser.close();
}
if (offHost.length) failures.push(`requests to other hosts: ${[...new Set(offHost)].join(", ")}`);
else console.log("ok: no request left the server's origin");
writeFileSync(join(out, "try-it-out.json"), JSON.stringify({ results, failures }, null, 2));
for (const f of failures) console.log(`FAIL: ${f}`);
process.exit(failures.length ? 1 : 0);
