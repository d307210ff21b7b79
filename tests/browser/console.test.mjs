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

  await follow(page, "form.language button[value=en]");
  assert.equal(page.url(), `${BASE}/console/today`);
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

  await follow(page, "form.language button[value=en]");
  assert.match(page.url(), /\/console\/impact/);
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

  await follow(page, "form.language button[value=en]");
  await page.waitForSelector("#map[data-ready]");
  assert.equal(await page.textContent("h1"), "Map");
  await accessible(page, "map en");
  await shot(page, "map-en");
  assert.deepEqual(problems, []);
  await context.close();
});

/** A JSON call to the API as the holder of `token`; answers [status, body]. */
async function api(method, path, token, body, headers = {}) {
  const answer = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return [answer.status, text ? JSON.parse(text) : null, answer.headers];
}

async function tokenOf([email, password]) {
  const [status, body] = await api("POST", "/api/v1/auth/login", null, { email, password });
  assert.equal(status, 200, JSON.stringify(body));
  return body.access_token;
}

/** The page in Japanese and English: axe-core on each, a screenshot of each, back to Japanese. */
async function bothLanguages(page, name) {
  await accessible(page, `${name} ja`);
  await shot(page, `${name}-ja`);
  await follow(page, "form.language button[value=en]");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await accessible(page, `${name} en`);
  await shot(page, `${name}-en`);
  await follow(page, "form.language button[value=ja]");
}

// Clicks what sends a form or follows a link and waits for the page it leads to. Waiting for a
// URL or a selector alone is not enough where the page being left already matches it: the
// next step would then act on (or read) the old page.
async function follow(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

test("a coordinator keys in a phone order, plans the day, offers a declined run and closes a case", async () => {
  const coordinator = await tokenOf(COORDINATOR);
  const [, requests] = await api("GET", "/api/v1/requests?limit=1", coordinator);
  const date = requests.items[0].delivery_date;
  const [, area] = await api("GET", `/api/v1/areas/${requests.items[0].area_id}`, coordinator);
  const [, hubs] = await api("GET", "/api/v1/hubs", coordinator);
  const hubList = hubs.items ?? hubs;
  const [created, resident] = await api("POST", "/api/v1/residents", coordinator, {
    name: "電話 花子", phone: "0742-22-2222", address: "奈良市東部 1",
    location: hubList[0].location, fulfilment: "hub_pickup",
  });
  assert.equal(created, 201);

  const { context, page, problems } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);

  // A phone order, keyed in.
  await page.goto(`${BASE}/console/requests?date=${date}`);
  assert.equal(await page.textContent("h1"), "注文");
  await bothLanguages(page, "requests");
  await page.selectOption("#resident_id", resident.id);
  await page.fill("#delivery_date", date);
  await page.fill("input[name=item_name_0]", "牛乳");
  await page.fill("input[name=item_quantity_0]", "2");
  await page.fill("input[name=item_unit_0]", "本");
  await page.selectOption("select[name=item_temperature_0]", "chilled");
  await page.selectOption("select[name=item_substitution_0]", "ask");
  await page.fill("input[name=item_name_1]", "食パン");
  await Promise.all([page.waitForNavigation(), page.click("form.order button[type=submit]")]);
  assert.match(page.url(), /\/console\/requests\/[0-9a-f-]{36}$/, await page.textContent("main"));
  assert.equal(await page.getAttribute("#request-status", "data-status"), "submitted");
  assert.ok((await page.textContent("main")).includes("ご家族に聞く"));
  await bothLanguages(page, "request");
  const [, mine] = await api("GET", `/api/v1/requests?delivery_date=${date}&limit=100`, coordinator);
  const keyed = mine.items.filter((r) => r.resident_id === resident.id);
  assert.equal(keyed.length, 1);
  assert.deepEqual(keyed[0].items.map((i) => [i.name, i.temperature]), [["牛乳", "chilled"], ["食パン", "ambient"]]);

  // A preview, then the plan locked.
  await page.goto(`${BASE}/console/planning?date=${date}`);
  await follow(page, "button[name=lock][value=false]");
  await page.waitForSelector("#plan-status[data-status=preview]");
  await follow(page, "button[name=lock][value=true]");
  await page.waitForSelector("#plan-status[data-status=locked]");
  const [, plans] = await api("GET", `/api/v1/plans?area_id=${area.id}&delivery_date=${date}`, coordinator);
  const plan = plans.items[0];
  assert.equal(plan.status, "locked");

  const runs = plan.runs.filter((r) => r.carrier.kind === "volunteer" && r.stops.some((s) => s.request_id));
  assert.ok(runs.length >= 2, "two volunteer runs");
  // The vans reach the hubs with what was planned.
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const [, day] = await api("GET", `/api/v1/requests?delivery_date=${date}&limit=100`, coordinator);
  const planned = new Set(day.items.filter((r) => r.status === "planned").map((r) => r.id));
  for (const load of plan.post_loads) {
    const van = plan.runs.find((r) => r.carrier.id === load.post_trip_id);
    const carried = load.request_ids.filter((id) => planned.has(id));
    if (carried.length === 0) continue;
    for (const [kind, extra] of [["van_loaded", { run_id: van.id }], ["hub_received", {}]]) {
      const [status, body] = await api("POST", "/api/v1/handovers", coordinator, {
        id: crypto.randomUUID(), kind, occurred_at: now, hub_id: load.hub_id,
        request_ids: carried, crates: load.slots, ...extra,
      });
      assert.equal(status, 201, JSON.stringify(body));
    }
  }
  // A volunteer declines their run; it is offered to another from the page.
  const volunteerOf = (run) => [`volunteer${run.carrier.name.split(" ").at(-1)}@nara-east.example.jp`, VOLUNTEER[1]];
  const declining = await tokenOf(volunteerOf(runs[0]));
  const [declined] = await api("POST", `/api/v1/runs/${runs[0].id}/decline`, declining, { reason: "熱が出ました" });
  assert.equal(declined, 200);
  await page.reload();
  assert.ok((await page.textContent(`tr[data-run='${runs[0].id}']`)).includes("熱が出ました"));
  await bothLanguages(page, "planning");
  await follow(page, `tr[data-run='${runs[0].id}'] form[action$='/reassign'] button`);
  assert.match(page.url(), /\/console\/planning/);
  const [, offered] = await api("GET", `/api/v1/runs/${runs[0].id}`, coordinator);
  assert.equal(offered.status, "offered");
  assert.notEqual(offered.carrier.id, runs[0].carrier.id);

  // A door on the other run is not answered; the case is closed.
  const carrying = await tokenOf(volunteerOf(runs[1]));
  const door = runs[1].stops.find((s) => s.request_id).request_id;
  for (const [kind, extra] of [["run_picked_up", {}], ["door_failed", { reason: "no_answer" }]]) {
    const [status, body] = await api("POST", "/api/v1/handovers", carrying, {
      id: crypto.randomUUID(), kind, occurred_at: now, run_id: runs[1].id, request_ids: [door], ...extra,
    });
    assert.equal(status, 201, JSON.stringify(body));
  }
  await page.goto(`${BASE}/console/field?date=${date}`);
  const row = "tr[data-escalation]";
  await page.waitForSelector(row);
  const caseId = await page.getAttribute(row, "data-escalation");
  await bothLanguages(page, "field");
  await page.click(`${row} details summary`);
  await page.selectOption(`#outcome-${caseId}`, "resident_safe");
  await page.fill(`#note-${caseId}`, "お電話でご無事を確認しました");
  await follow(page, `${row} details button[type=submit]`);
  assert.match(page.url(), /\/console\/field/);
  assert.equal(await page.$(row), null, "no case open");
  const [, closed] = await api("GET", `/api/v1/escalations/${caseId}`, coordinator);
  assert.equal(closed.status, "resolved");
  assert.equal(closed.outcome, "resident_safe");

  assert.deepEqual(problems, []);
  await context.close();
});

test("a coordinator changes an area setting and sets the depot by clicking the map", async () => {
  const { context, page, problems } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);
  await page.click("nav a[href='/console/settings']");
  await page.waitForURL(`${BASE}/console/settings`);
  await bothLanguages(page, "settings");
  await page.fill("#chilled_minutes", "180");
  await page.click("#depot-map", { position: { x: 200, y: 140 } });
  const lat = await page.inputValue("#depot_lat");
  assert.match(lat, /^-?\d+\.\d{6}$/, "the click filled the depot");
  await page.click("form.settings button[type=submit]");
  await page.waitForURL(`${BASE}/console/settings?saved=1`);
  assert.ok(await page.isVisible("p.notice"));
  const coordinator = await tokenOf(COORDINATOR);
  const [, me] = await api("GET", "/api/v1/me", coordinator);
  const [, area] = await api("GET", `/api/v1/areas/${me.area_id}`, coordinator);
  assert.equal(area.cold_chain.chilled_minutes, 180);
  assert.equal(area.depot.lat.toFixed(6), lat);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a coordinator reads residents, people, exports and the audit trail, and downloads the residents' CSV", async () => {
  const coordinator = await tokenOf(COORDINATOR);
  const { context, page, problems } = await visit("ja-JP");
  await signIn(page, COORDINATOR);
  await page.waitForURL(`${BASE}/console/today`);

  // Today's cards lead to their queues.
  await page.click("[data-queue='/console/people#waiting'] a");
  await page.waitForURL(`${BASE}/console/people#waiting`);
  assert.ok(await page.isVisible("#waiting"));
  await bothLanguages(page, "people");

  await page.click("nav a[href='/console/residents']");
  await page.waitForURL(`${BASE}/console/residents`);
  await bothLanguages(page, "residents");
  const first = await page.getAttribute("tr[data-resident] a", "href");
  await page.goto(`${BASE}${first}`);
  await bothLanguages(page, "resident");
  await follow(page, "form[action$='/link-codes'] button");
  assert.match(await page.textContent("#link-code"), /^[0-9A-Z]{8}$/);
  await shot(page, "link-code-ja");

  await page.click("nav a[href='/console/audit']");
  await page.waitForURL(`${BASE}/console/audit`);
  assert.ok(await page.isVisible("tr[data-audit]"));
  await bothLanguages(page, "audit");

  await page.click("nav a[href='/console/exports']");
  await page.waitForURL(`${BASE}/console/exports`);
  await bothLanguages(page, "exports");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("a[href='/console/exports/residents.csv']"),
  ]);
  assert.equal(download.suggestedFilename(), "yui-residents.csv");
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark");
  const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n");
  assert.equal(lines[0].split(",")[1], "名前");
  let residents = 0;
  for (let cursor = null; ; ) {
    const [, listed] = await api("GET", `/api/v1/residents?limit=100${cursor ? `&cursor=${cursor}` : ""}`, coordinator);
    residents += listed.items.length;
    if (!listed.next_cursor) break;
    cursor = listed.next_cursor;
  }
  assert.equal(lines.length - 1, residents, "one row a resident");
  assert.deepEqual(problems, []);
  await context.close();
});
