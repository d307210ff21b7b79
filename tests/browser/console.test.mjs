// The console in a real headless Chromium (Debian's), driven by playwright-core: signing in,
// the language switch, CSRF refusal, a volunteer refused, no script or style refused by the
// Content-Security-Policy, and axe-core with no serious or critical violation. Screenshots
// of every page in both languages go to $YUI_SCREENSHOTS. Run by tests/browser/run.sh.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = process.env.YUI_BASE_URL ?? "http://127.0.0.1:18090";
const SHOTS = process.env.YUI_SCREENSHOTS ?? "screenshots";
const COORDINATOR = ["coordinator@nara-east.example.jp", "tsukigase-coordinator-demo"];
const VOLUNTEER = ["volunteer1@nara-east.example.jp", process.env.YUI_VOLUNTEER_PASSWORD];

mkdirSync(SHOTS, { recursive: true });
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.YUI_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh browser profile in `locale`, recording what the page refused or threw. */
async function visit(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    // Statuses are asserted where they matter (a wrong password answers 401, there is no
    // favicon); what counts here is a script or style the policy refused, or a script error.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(message.text());
    }
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  return { context, page, problems };
}

async function signIn(page, [email, password]) {
  await page.goto(`${BASE}/console`);
  assert.match(page.url(), /\/console\/sign-in\?next=/);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("form[action='/console/sign-in'] button[type=submit]");
}

/** axe-core on the page as it stands: no serious or critical violation. */
async function accessible(page, name) {
  await page.evaluate(AXE); // evaluated through the DevTools protocol, not a <script>
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const grave = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(
    grave.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `${name}: accessibility`,
  );
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test("a coordinator signs in, reads today and switches language", async () => {
  const { context, page, problems } = await visit("ja-JP");
  await page.goto(`${BASE}/console/sign-in`);
  assert.equal(await page.getAttribute("html", "lang"), "ja");
  await accessible(page, "sign-in ja");
  await shot(page, "sign-in-ja");

  // A wrong password: the form again with the reason, no session.
  await page.fill("#email", COORDINATOR[0]);
  await page.fill("#password", "not the password");
  await page.click("form[action='/console/sign-in'] button[type=submit]");
  assert.ok(await page.isVisible("[role=alert]"));

  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);
  assert.equal(await page.textContent("h1"), "今日");
  assert.ok((await page.textContent("main")).includes("Nara East"));
  assert.ok((await page.textContent("main")).includes("件の注文"));
  await accessible(page, "today ja");
  await shot(page, "today-ja");

  await page.click("form.language button[value=en]");
  await page.waitForURL(`${BASE}/console/today`);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.textContent("h1"), "Today");
  await accessible(page, "today en");
  await shot(page, "today-en");

  // Keyboard: the skip link is the first stop and leads to the content.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");

  await page.click("form[action='/console/sign-out'] button");
  await page.waitForURL(/\/console\/sign-in/);
  assert.equal(await page.getAttribute("html", "lang"), "en", "the choice stays in this browser");
  await shot(page, "sign-in-en");
  assert.deepEqual(problems, [], "nothing refused by the policy, no script error");
  await context.close();
});

test("a form with a forged CSRF token is refused and changes nothing", async () => {
  const { context, page } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);
  // Another site's form would not know the token: change it, then send.
  await page.evaluate(() => {
    for (const input of document.querySelectorAll("input[name=csrf_token]")) input.value = "forged";
  });
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/console/sign-out")),
    page.click("form[action='/console/sign-out'] button"),
  ]);
  assert.equal(answer.status(), 403);
  assert.ok((await page.textContent("main")).includes("もう一度お試しください"));
  await shot(page, "refused-csrf-ja");
  // Still signed in.
  await page.goto(`${BASE}/console/today`);
  assert.equal(await page.textContent("h1"), "今日");
  await context.close();
});

test("a volunteer is refused with a page saying why", async () => {
  assert.ok(VOLUNTEER[1], "YUI_VOLUNTEER_PASSWORD is set");
  for (const locale of ["ja-JP", "en-GB"]) {
    const { context, page } = await visit(locale);
    await signIn(page, VOLUNTEER);
    // Back where the sign-in began (/console), which is not for them.
    await page.waitForURL(`${BASE}/console`);
    const text = await page.textContent("main");
    assert.ok(
      locale === "ja-JP" ? text.includes("コーディネーター") : text.includes("coordinators"),
      text,
    );
    const status = await page.evaluate(async () => (await fetch("/console/today")).status);
    assert.equal(status, 403);
    await accessible(page, `refused ${locale}`);
    await shot(page, `refused-role-${locale.slice(0, 2)}`);
    await context.close();
  }
});

test("the impact page reads in both languages and its CSV opens in Excel", async () => {
  const { context, page, problems } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);
  await page.click("nav a[href='/console/impact']");
  await page.waitForURL(/\/console\/impact/);
  assert.equal(await page.textContent("h1"), "効果");
  assert.ok(await page.isVisible("#impact-table"));
  await accessible(page, "impact ja");
  await shot(page, "impact-ja");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("a[download]"),
  ]);
  assert.match(download.suggestedFilename(), /^yui-impact-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark");
  const rows = bytes.subarray(3).toString("utf8").trim().split("\r\n").map((l) => l.split(","));
  assert.equal(rows[0][2], "届けた世帯数");
  assert.equal(rows.at(-1)[0], "total");
  assert.equal(rows.at(-1)[2], "0", "the demo has delivered nothing yet");

  await page.click("form.language button[value=en]");
  await page.waitForURL(/\/console\/impact/);
  assert.equal(await page.textContent("h1"), "Impact");
  await accessible(page, "impact en");
  await shot(page, "impact-en");
  assert.deepEqual(problems, []);
  await context.close();
});

/** Through the API: a resident whose address was not found, waiting for a place. */
async function residentToPlace(name) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: COORDINATOR[0], password: COORDINATOR[1] }),
  });
  const { access_token } = await login.json();
  const created = await fetch(`${BASE}/api/v1/residents`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ name, phone: "0742-00-1234", address: "奈良市どこか", fulfilment: "hub_pickup" }),
  });
  assert.equal(created.status, 201);
  return (await created.json()).id;
}

test("a coordinator places a resident from the review list by clicking the map", async () => {
  const id = await residentToPlace("地図 花子");
  const { context, page, problems } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);
  const started = Date.now();
  await page.click("nav a[href='/console/map']");
  await page.waitForSelector("#map[data-ready]");
  const firstPaint = Date.now() - started;
  console.log(`map first paint (navigation to every layer drawn): ${firstPaint} ms`);
  assert.equal(await page.getAttribute("#map", "data-ready"), "60");
  await accessible(page, "map ja");
  await shot(page, "map-ja");

  await page.click(`button.choose[data-resident='${id}']`);
  assert.equal(await page.getAttribute(`button.choose[data-resident='${id}']`, "aria-pressed"), "true");
  await page.click("#map", { position: { x: 300, y: 250 } });
  await page.click("#place-here");
  await page.waitForSelector("#map[data-ready='61']");
  assert.equal(await page.$(`button.choose[data-resident='${id}']`), null, "off the review list");

  await page.click("form.language button[value=en]");
  await page.waitForSelector("#map[data-ready]");
  assert.equal(await page.textContent("h1"), "Map");
  await accessible(page, "map en");
  await shot(page, "map-en");
  assert.deepEqual(problems, []);
  await context.close();
});
