// oktaemu console: reads and drives one org through the control plane.
// Every value from the server is inserted as text, never as HTML.
"use strict";

const base = document.body.dataset.base;
const $ = (id) => document.getElementById(id);
let org = $("org").value;
let token = sessionStorage.getItem("oktaemu-admin-token") || "";

// Control-plane routes the page uses, relative to base.
const routes = {
  orgs: () => "/orgs",
  org: () => `/orgs/${enc(org)}`,
  clock: () => `/orgs/${enc(org)}/clock`,
  advance: () => `/orgs/${enc(org)}/clock/advance`,
  reset: () => `/orgs/${enc(org)}/reset`,
  snapshot: () => `/orgs/${enc(org)}/snapshot`,
  outbox: () => `/orgs/${enc(org)}/outbox`,
  users: () => `/orgs/${enc(org)}/console/users`,
  policies: () => `/orgs/${enc(org)}/console/policies`,
  pushes: () => `/orgs/${enc(org)}/pushes`,
  activations: () => `/orgs/${enc(org)}/console/activations`,
  requests: () => `/orgs/${enc(org)}/console/requests`,
  compare: (id) => `/orgs/${enc(org)}/console/requests/${id}/compare`,
  approve: (tx) => `/orgs/${enc(org)}/pushes/${enc(tx)}/approve`,
  reject: (tx) => `/orgs/${enc(org)}/pushes/${enc(tx)}/reject`,
  activate: () => `/orgs/${enc(org)}/okta-verify/activate`,
};
const enc = encodeURIComponent;

function status(msg, isError) {
  const s = $("status");
  s.textContent = msg;
  s.className = isError ? "error" : "";
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = "SSWS " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (resp.status === 401 || resp.status === 403) {
    $("token-form").hidden = false;
    throw new Error("the control plane wants the admin token (" + (data && data.errorCode || resp.status) + ")");
  }
  if (!resp.ok) {
    throw new Error((data && data.errorSummary) || ("HTTP " + resp.status));
  }
  return data;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? "" : String(c);
    tr.appendChild(td);
  }
  return tr;
}

function list(items) {
  const ul = document.createElement("ul");
  for (const i of items) {
    const li = document.createElement("li");
    if (i instanceof Node) li.appendChild(i); else li.textContent = i;
    ul.appendChild(li);
  }
  return ul;
}

function tag(text) { return el("span", text, "tag " + text); }

function fill(id, rows) {
  const body = $(id);
  body.replaceChildren(...rows);
}

async function refreshOrgs() {
  const orgs = await call("GET", routes.orgs());
  const sel = $("org");
  const keep = org;
  sel.replaceChildren(...orgs.map((o) => { const opt = el("option", o.name); opt.value = o.name; return opt; }));
  if (orgs.some((o) => o.name === keep)) sel.value = keep;
  org = sel.value;
  const cur = orgs.find((o) => o.name === org);
  $("org-info").textContent = cur ? `${cur.engine} engine · fixture ${cur.fixture || "(inline)"}` : "";
}

async function refreshClock() {
  const c = await call("GET", routes.clock());
  $("clock-now").textContent = c.now;
  $("clock-frozen").textContent = c.frozen ? "(frozen)" : "(running)";
}

async function refreshUsers() {
  const users = await call("GET", routes.users());
  const sel = $("outbox-user");
  const keep = sel.value;
  sel.replaceChildren(el("option", "every user"), ...users.map((u) => { const o = el("option", u.login); o.value = u.id; return o; }));
  sel.firstChild.value = "";
  sel.value = keep;
  fill("users-body", users.map((u) => row([
    u.login, u.name, tag(u.status), (u.groups || []).join(", "),
    list((u.factors || []).map((f) => { const s = el("span"); s.append(tag(f.status), " " + f.factorType + " (" + f.provider + ")" + (f.detail ? " " + f.detail : "")); return s; })),
    list((u.enrollments || []).map((e) => e.key + " " + e.status + (e.name ? " · " + e.name : ""))),
    list((u.sessions || []).map((s) => s.id + " until " + s.expiresAt)),
  ])));
}

// challengeNumbers are the three numbers Okta Verify offers for a number
// challenge: the right one and two others.
function challengeNumbers(correct) {
  if (!correct) return [];
  const ns = [correct, (correct - 10 + 37) % 90 + 10, (correct - 10 + 71) % 90 + 10];
  return [...new Set(ns)].sort((a, b) => a - b);
}

async function refreshPending() {
  const [pushes, activations] = await Promise.all([call("GET", routes.pushes()), call("GET", routes.activations())]);
  const logins = {};
  for (const o of $("outbox-user").options) if (o.value) logins[o.value] = o.textContent;
  fill("pushes-body", pushes.map((x) => {
    const actions = el("span");
    const numbers = challengeNumbers(x.correctAnswer);
    let answer = null;
    if (numbers.length) {
      answer = el("select");
      answer.setAttribute("aria-label", "number shown on the sign-in page");
      for (const n of numbers) { const o = el("option", n); o.value = n; answer.appendChild(o); }
    }
    const approve = el("button", "Approve");
    approve.type = "button";
    approve.dataset.tx = x.id;
    approve.onclick = () => act(() => call("POST", routes.approve(x.id), answer ? { answer: Number(answer.value) } : {}), "push approved");
    const reject = el("button", "Reject");
    reject.type = "button";
    reject.onclick = () => act(() => call("POST", routes.reject(x.id), {}), "push rejected");
    if (answer) actions.append(answer, " ");
    actions.append(approve, " ", reject);
    return row([logins[x.userId] || x.userId, x.factorId, x.created, x.expiresAt, numbers.length ? numbers.join(" / ") : "no", actions]);
  }));
  fill("activations-body", activations.map((a) => {
    const b = el("button", "Activate");
    b.type = "button";
    b.onclick = () => act(() => call("POST", routes.activate(), { userId: a.userId, factorId: a.factorId }), "Okta Verify activated");
    return row([a.login, a.factorId, a.created, b]);
  }));
}

async function refreshOutbox() {
  const uid = $("outbox-user").value;
  const msgs = await call("GET", routes.outbox() + (uid ? "?userId=" + enc(uid) : ""));
  fill("outbox-body", msgs.slice().reverse().map((m) => {
    let link = "";
    if (m.link) { link = el("a", m.kind + " link"); link.href = m.link; link.target = "_blank"; link.rel = "noopener"; }
    return row([m.sent, m.userId, m.channel, m.to, m.kind, m.code || "", link]);
  }));
}

function pre(obj) { return el("pre", JSON.stringify(obj, null, 2)); }

async function refreshPolicies() {
  const pols = await call("GET", routes.policies());
  const out = [];
  for (const p of pols) {
    const d = document.createElement("details");
    const s = el("summary");
    s.append(tag(p.status), ` ${p.type} · ${p.name} · priority ${p.priority}`);
    d.appendChild(s);
    if (p.factorsSettings || p.authenticatorsSettings) {
      const grid = el("div", null, "side-by-side");
      const a = el("div"); a.append(el("h4", "factors schema"), p.factorsSettings ? pre(p.factorsSettings) : el("p", p.factorsError || "not expressible", "err"));
      const b = el("div"); b.append(el("h4", "authenticators schema"), p.authenticatorsSettings ? pre(p.authenticatorsSettings) : el("p", p.authenticatorsError || "not expressible", "err"));
      grid.append(a, b);
      d.appendChild(grid);
    } else {
      d.appendChild(pre(p.settings || {}));
    }
    if (p.rules && p.rules.length) d.appendChild(pre(p.rules));
    out.push(d);
  }
  $("policies-body").replaceChildren(...out);
}

async function refreshRequests() {
  const reqs = await call("GET", routes.requests());
  fill("requests-body", reqs.map((r) => {
    const b = el("button", "Compare engines");
    b.type = "button";
    b.onclick = () => compare(r.id);
    return row([r.id, r.time, r.method, r.path + (r.query ? "?" + r.query : ""), r.status, r.errorCode || "", b]);
  }));
}

async function compare(id) {
  try {
    const c = await call("POST", routes.compare(id), {});
    $("compare").hidden = false;
    $("compare-summary").textContent = `${c.method} ${c.path}: Classic ${c.classic.status}, Identity Engine ${c.identity.status} — ${c.differences.length} difference(s)`;
    $("compare-diffs").replaceChildren(...c.differences.map((d) => el("li", d)));
    $("compare-classic").textContent = JSON.stringify(c.classic.body, null, 2);
    $("compare-identity").textContent = JSON.stringify(c.identity.body, null, 2);
  } catch (e) { status(e.message, true); }
}

async function act(fn, done) {
  try { await fn(); await refreshAll(); status(done); } catch (e) { status(e.message, true); }
}

let busy = false;
async function refreshAll() {
  if (busy) return;
  busy = true;
  try {
    await refreshOrgs();
    await Promise.all([refreshClock(), refreshUsers(), refreshPending(), refreshOutbox(), refreshPolicies(), refreshRequests()]);
    if ($("status").className !== "error") status("updated " + new Date().toLocaleTimeString());
  } catch (e) {
    status(e.message, true);
  } finally {
    busy = false;
  }
}

// Live parts refresh every second; the rest on demand.
async function refreshLive() {
  if (busy || !$("token-form").hidden) return;
  try { await Promise.all([refreshClock(), refreshPending(), refreshOutbox(), refreshRequests()]); } catch (e) { status(e.message, true); }
}

$("org").onchange = () => { org = $("org").value; refreshAll(); };
$("outbox-user").onchange = () => refreshOutbox().catch((e) => status(e.message, true));
$("token-button").onclick = () => { $("token-form").hidden = false; $("token").focus(); };
$("token-form").onsubmit = (ev) => {
  ev.preventDefault();
  token = $("token").value;
  sessionStorage.setItem("oktaemu-admin-token", token);
  $("token").value = "";
  $("token-form").hidden = true;
  status("");
  refreshAll();
};
$("clock-set").onsubmit = (ev) => { ev.preventDefault(); act(() => call("PUT", routes.clock(), { now: $("clock-input").value }), "clock set"); };
for (const b of document.querySelectorAll("[data-advance]")) {
  b.onclick = () => act(() => call("POST", routes.advance(), { duration: b.dataset.advance }), "clock advanced " + b.dataset.advance);
}
$("advance-custom").onclick = () => act(() => call("POST", routes.advance(), { duration: $("advance-input").value }), "clock advanced");
$("reset").onclick = () => { if (confirm("Reset org " + org + " to its fixture?")) act(() => call("POST", routes.reset()), "org reset"); };
$("snapshot").onclick = async () => {
  try {
    const snap = await call("GET", routes.snapshot());
    const a = el("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(snap, null, 2)], { type: "application/json" }));
    a.download = org + "-snapshot.json";
    a.click();
    URL.revokeObjectURL(a.href);
    status("snapshot downloaded");
  } catch (e) { status(e.message, true); }
};
$("compare-close").onclick = () => { $("compare").hidden = true; };

if (document.body.dataset.tokenRequired === "true" && !token) $("token-form").hidden = false;
refreshAll();
setInterval(refreshLive, 1000);
