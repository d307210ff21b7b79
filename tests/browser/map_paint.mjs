// Benchmark, not a test: the map's first paint (navigation to every layer drawn) against a
// running Yui, signed in as the demo's coordinator; five loads, each in a fresh profile.
// Used with `bench_console`, which grows the demo's area to 2,000 residents (README,
// "Measuring").
//
//   node tests/browser/map_paint.mjs [BASE_URL]
import { chromium } from "playwright-core";

const BASE = process.argv[2] ?? "http://127.0.0.1:8080";
const COORDINATOR = ["coordinator@nara-east.example.jp", "tsukigase-coordinator-demo"];

const browser = await chromium.launch({
  executablePath: process.env.YUI_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const times = [];
let drawn = 0;
for (let round = 0; round < 5; round++) {
  const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/console/sign-in`);
  await page.fill("#email", COORDINATOR[0]);
  await page.fill("#password", COORDINATOR[1]);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/console/sign-in'] button[type=submit]")]);
  const started = Date.now();
  await page.click("nav a[href='/console/map']");
  await page.waitForSelector("#map[data-ready]", { timeout: 60000 });
  times.push(Date.now() - started);
  drawn = Number(await page.getAttribute("#map", "data-ready"));
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(`map first paint with ${drawn} residents drawn: median ${times[2]} ms, slowest ${times[4]} ms (${times.join(", ")})`);
