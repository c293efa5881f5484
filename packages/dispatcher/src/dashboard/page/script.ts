/**
 * The dashboard's script: plain browser JavaScript, no build step. A hash router draws the runs list,
 * a run (its DAG from the server's dagre layout, live through the event stream) and the schedules.
 * It holds no backtick and no dollar-brace, so it can live in this template literal.
 */
export const PAGE_SCRIPT = String.raw`
(() => {
  "use strict";
  // Every value from the server reaches the DOM through textContent or setAttribute, never
  // through innerHTML: a context string holding markup is shown as text.
  const base = document.querySelector('meta[name="cloacina-base"]').getAttribute("content") || "";
  const main = document.getElementById("main");
  const live = document.getElementById("live");
  const RUN_STATUSES = ["Running", "Completed", "Failed", "Cancelled"];
  const TASK_STATUSES = ["Pending", "Ready", "Running", "Completed", "Failed", "Skipped", "Cancelled"];
  const TASK_STATUS_BY_EVENT = {
    "task.ready": "Ready", "task.started": "Running", "task.retrying": "Ready", "task.completed": "Completed",
    "task.failed": "Failed", "task.skipped": "Skipped", "task.cancelled": "Cancelled",
  };
  const RUN_STATUS_BY_EVENT = {
    "run.started": "Running", "run.completed": "Completed", "run.failed": "Failed", "run.cancelled": "Cancelled",
  };
  let dispose = () => {};

  // ---- DOM helpers -------------------------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, String(v));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    append(el, children);
    return el;
  }
  function setLive(state, text) {
    live.className = "live " + state;
    live.textContent = text;
  }

  // ---- API ---------------------------------------------------------------------------------
  async function api(path, options) {
    const init = Object.assign({ headers: { Accept: "application/json" }, credentials: "same-origin" }, options || {});
    const res = await fetch(base + path, init);
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    if (!res.ok) {
      const e = (body && body.error) || { code: "HTTP_" + res.status, message: res.statusText };
      const err = new Error(e.message);
      err.code = e.code;
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function post(path) { return api(path, { method: "POST" }); }

  // ---- formatting --------------------------------------------------------------------------
  function fmtDuration(ms) {
    if (ms === undefined || ms === null) return "";
    if (ms < 1000) return Math.round(ms) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
    const m = Math.floor(ms / 60000), sec = Math.round((ms % 60000) / 1000);
    if (m < 60) return m + "m " + sec + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  function ago(iso) {
    const ms = Date.now() - new Date(iso).getTime();
    if (ms < 45000) return "just now";
    if (ms < 3600000) return Math.round(ms / 60000) + " min ago";
    if (ms < 86400000) return Math.round(ms / 3600000) + " h ago";
    return Math.round(ms / 86400000) + " d ago";
  }
  function elapsed(run) {
    if (run.durationMs !== undefined) return run.durationMs;
    return Date.now() - new Date(run.createdAt).getTime();
  }
  function pill(status, extra) {
    return h("span", { class: "pill s-" + status, "data-status": status }, extra || status);
  }
  function shortId(id) { return id.length > 13 ? id.slice(0, 8) + "…" : id; }

  // ---- pretty-printing context values (display forms made by the server's display.ts) ------
  function tagOf(v) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
    const k = Object.keys(v)[0];
    return k !== undefined && k.charAt(0) === "$" ? k : null;
  }
  function span(cls, text) { return h("span", { class: cls }, text); }
  function renderValue(v, depth) {
    depth = depth || 0;
    if (v === null) return span("v-null", "null");
    switch (typeof v) {
      case "string": return span("v-str", JSON.stringify(v));
      case "number": return span("v-num", String(v));
      case "boolean": return span("v-bool", String(v));
    }
    if (Array.isArray(v)) return block("Array(" + v.length + ")", "[", "]", v.map((x) => [null, x]), depth);
    const tag = tagOf(v);
    switch (tag) {
      case "$undefined": return span("v-undef", "undefined");
      case "$number": return span("v-num", v.$number);
      case "$bigint": return span("v-num", v.$bigint + "n");
      case "$date": return h("span", { class: "v-date", title: fmtTime(v.$date) }, "Date(" + v.$date + ")");
      case "$regexp": return span("v-tag", v.$regexp);
      case "$circular": return span("v-tag", "[Circular]");
      case "$deep": return span("v-tag", "[…]");
      case "$more": return span("v-null", "… " + v.$more + " more");
      case "$symbol": return span("v-tag", "Symbol(" + v.$symbol + ")");
      case "$function": return span("v-tag", "[Function " + v.$function + "]");
      case "$string":
        return h("span", null, span("v-str", JSON.stringify(v.$string)), span("v-null", " … (" + v.length + " characters)"));
      case "$bytes":
        return h("span", null, span("v-tag", v.type + "(" + v.length + ") "),
          span("v-str", v.$bytes), v.truncated ? span("v-null", " …") : null);
      case "$map":
        return block("Map(" + v.$map.length + ")", "Map {", "}", v.$map.map((kv) => [kv[0], kv[1], true]), depth);
      case "$set":
        return block("Set(" + v.$set.length + ")", "Set [", "]", v.$set.map((x) => [null, x]), depth);
      case "$object":
        return objectBlock(v.$object, depth);
      case null:
        return objectBlock(v, depth);
      default:
        return span("v-tag", JSON.stringify(v));
    }
  }
  function objectBlock(obj, depth) {
    const keys = Object.keys(obj);
    return block("{…} " + keys.length + " keys", "{", "}", keys.map((k) => [k, obj[k], false]), depth);
  }
  // entries: [key or null, value, keyIsValue]
  function block(summary, open, close, entries, depth) {
    if (entries.length === 0) return span("v-punct", open + close);
    const body = h("span", null, span("v-punct", open), entries.map(([k, val, keyIsValue]) => {
      const row = h("div", { class: "row" });
      if (keyIsValue) append(row, [renderValue(k, depth + 1), span("v-punct", " => ")]);
      else if (k !== null) append(row, [span("v-key", /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)), span("v-punct", ": ")]);
      append(row, [renderValue(val, depth + 1)]);
      return row;
    }), span("v-punct", close));
    if (depth >= 2 || entries.length > 30) {
      return h("details", null, h("summary", null, summary), body);
    }
    return body;
  }
  function valueBox(v) { return h("div", { class: "value" }, renderValue(v, 0)); }

  function errorBox(err) {
    if (!err) return null;
    const parts = [h("div", { class: "msg" }, err.name + (err.code ? " [" + err.code + "]" : "") + ": " + err.message)];
    if (err.stack) parts.push(h("pre", { class: "stack" }, err.stack));
    let cause = err.cause, n = 0;
    while (cause && n < 8) {
      parts.push(h("div", { class: "msg cause" }, "Caused by " + cause.name + (cause.code ? " [" + cause.code + "]" : "") + ": " + cause.message));
      if (cause.stack) parts.push(h("pre", { class: "stack" }, cause.stack));
      cause = cause.cause; n += 1;
    }
    return h("div", { class: "error" }, parts);
  }

  // ---- live events -------------------------------------------------------------------------
  /** Follows /api/events; falls back to calling poll() every 2 s while the stream is down. */
  function follow(query, onEvent, poll) {
    let es = null, timer = null, closed = false;
    const startPolling = () => { if (!timer && poll) timer = setInterval(poll, 2000); };
    const stopPolling = () => { if (timer) { clearInterval(timer); timer = null; } };
    try {
      es = new EventSource(base + "/api/events" + query);
      es.addEventListener("open", () => { setLive("on", "live"); stopPolling(); });
      es.addEventListener("message", (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { console.error(e); } });
      es.addEventListener("end", () => { es.close(); setLive("", "finished"); onEvent(null); });
      es.addEventListener("failure", () => { setLive("off", "polling"); startPolling(); });
      es.addEventListener("error", () => {
        if (closed) return;
        setLive("off", es.readyState === EventSource.CLOSED ? "polling" : "reconnecting");
        startPolling();
      });
    } catch (e) {
      setLive("off", "polling");
      startPolling();
    }
    return () => { closed = true; if (es) es.close(); stopPolling(); };
  }
  function debounce(fn, ms) {
    let t = null;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // ---- runs list ---------------------------------------------------------------------------
  function hashQuery() {
    const i = location.hash.indexOf("?");
    return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : "");
  }
  function runsView() {
    const params = hashQuery();
    const state = { status: params.get("status") || "", search: params.get("search") || "", next: null, runs: [] };
    const statusSelect = h("select", { "aria-label": "Status", id: "status-filter" },
      h("option", { value: "" }, "All statuses"), RUN_STATUSES.map((st) => h("option", { value: st }, st)));
    statusSelect.value = state.status;
    const search = h("input", { type: "search", id: "search", placeholder: "Search execution id or workflow…", value: state.search });
    const tbody = h("tbody");
    const note = h("span", { class: "muted" });
    const moreBtn = h("button", { onclick: () => load(true) }, "Load more");
    const table = h("table", { class: "runs" },
      h("thead", null, h("tr", null, ["Status", "Workflow", "Execution id", "Created", "Duration"].map((t) => h("th", null, t)))),
      tbody);
    main.replaceChildren(
      h("div", { class: "toolbar" }, h("h1", null, "Runs"), statusSelect, search),
      h("div", { class: "card" }, table, h("div", { class: "more" }, moreBtn, note)));

    let seq = 0, alive = true;
    async function load(more) {
      const mine = ++seq;
      const q = new URLSearchParams();
      if (state.status) q.set("status", state.status);
      if (state.search) q.set("search", state.search);
      q.set("limit", more ? "50" : String(Math.max(50, state.runs.length)));
      if (more && state.next) q.set("cursor", state.next);
      let page;
      try { page = await api("/api/runs?" + q.toString()); } catch (e) {
        if (mine === seq) { tbody.replaceChildren(h("tr", null, h("td", { colspan: 5, class: "empty" }, "Could not load runs: " + e.message))); }
        return;
      }
      if (mine !== seq || !alive) return;
      state.runs = more ? state.runs.concat(page.runs) : page.runs;
      state.next = page.next;
      render(page.partial);
    }
    function render(partial) {
      if (state.runs.length === 0) {
        tbody.replaceChildren(h("tr", null, h("td", { colspan: 5, class: "empty" }, "No runs match.")));
      } else {
        tbody.replaceChildren(...state.runs.map((r) => h("tr", {
          class: "row", "data-execution-id": r.executionId, "data-status": r.status,
          onclick: () => { location.hash = "#/runs/" + encodeURIComponent(r.executionId); },
        },
        h("td", null, pill(r.status)),
        h("td", null, h("a", { href: "#/runs/" + encodeURIComponent(r.executionId) }, r.workflow)),
        h("td", { class: "mono", title: r.executionId }, r.executionId),
        h("td", { title: fmtTime(r.createdAt) }, ago(r.createdAt)),
        h("td", null, r.status === "Running" ? h("span", { class: "muted" }, fmtDuration(elapsed(r)) + "…") : fmtDuration(r.durationMs)))));
      }
      moreBtn.hidden = !state.next;
      note.textContent = partial ? "Searched the most recent runs only; load more to search further back." : "";
    }
    const syncHash = () => {
      const q = new URLSearchParams();
      if (state.status) q.set("status", state.status);
      if (state.search) q.set("search", state.search);
      const target = "#/" + (q.toString() ? "?" + q.toString() : "");
      if (location.hash !== target) history.replaceState(null, "", target);
    };
    statusSelect.addEventListener("change", () => { state.status = statusSelect.value; syncHash(); void load(false); });
    const searchChanged = debounce(() => { state.search = search.value.trim(); syncHash(); void load(false); }, 250);
    search.addEventListener("input", searchChanged);
    void load(false);
    const reload = debounce(() => load(false), 400);
    const stop = follow("", (e) => { if (e && e.type && e.type.startsWith("run.")) reload(); }, () => load(false));
    return () => { alive = false; stop(); };
  }

  // ---- one run -----------------------------------------------------------------------------
  function runView(id) {
    const state = { detail: null, layout: null, selected: null, open: new Set(), flash: null, busy: false, lastSeq: null };
    const contexts = new Map();
    main.replaceChildren(h("p", { class: "muted" }, "Loading run…"));
    // Requests still in flight when the user leaves must not draw over the next page.
    let seq = 0, alive = true;

    async function refresh() {
      const mine = ++seq;
      let body;
      try { body = await api("/api/runs/" + encodeURIComponent(id)); } catch (e) {
        if (mine !== seq || !alive) return;
        if (!state.detail) {
          main.replaceChildren(h("div", { class: "card" }, h("p", null, h("a", { href: "#/" }, "← Runs")),
            h("div", { class: "flash bad" }, e.code === "RUN_NOT_FOUND" ? "No run " + id + "." : "Could not load the run: " + e.message)));
        }
        return;
      }
      if (mine !== seq || !alive) return;
      state.detail = body.run;
      state.layout = body.layout;
      for (const t of body.run.tasks) contexts.delete(t.id); // outputs may have changed
      render();
    }

    async function act(kind) {
      if (state.busy) return;
      state.busy = true;
      render();
      try {
        const r = await post("/api/runs/" + encodeURIComponent(id) + "/" + kind);
        state.flash = { bad: false, text: kind === "cancel" ? "Cancel requested (" + r.status + ")." : "Retry started (" + r.status + ")." };
        if (kind === "retry") restartFollow();
      } catch (e) {
        state.flash = { bad: true, text: (e.code ? e.code + ": " : "") + e.message };
      }
      state.busy = false;
      await refresh();
    }

    function render() {
      const run = state.detail;
      if (!run || !alive) return;
      const canCancel = run.status === "Running";
      const canRetry = run.status === "Failed" || run.status === "Cancelled";
      const head = h("div", { class: "card" },
        h("p", { class: "back" }, h("a", { href: "#/" }, "← Runs")),
        h("div", { class: "run-head" },
          h("h1", null, run.workflow),
          h("span", { id: "run-status" }, pill(run.status)),
          run.cancelRequested && run.status === "Running" ? pill("Cancelled", "cancel requested") : null,
          h("div", { class: "actions" },
            canCancel ? h("button", { class: "danger", id: "cancel", disabled: state.busy || run.cancelRequested, onclick: () => act("cancel") }, "Cancel") : null,
            canRetry ? h("button", { class: "primary", id: "retry", disabled: state.busy, onclick: () => act("retry") }, "Retry") : null)),
        h("div", { class: "meta" },
          metaItem("Execution id", h("span", { class: "mono" }, run.executionId)),
          metaItem("Version", h("span", { class: "mono", title: run.workflowVersion }, run.workflowVersion.slice(0, 12))),
          metaItem("Created", fmtTime(run.createdAt)),
          metaItem("Finished", run.finishedAt ? fmtTime(run.finishedAt) : "—"),
          metaItem("Duration", run.status === "Running" ? fmtDuration(elapsed(run)) + " so far" : fmtDuration(run.durationMs)),
          metaItem("Tasks", run.tasks.filter((t) => t.status === "Completed").length + " / " + run.tasks.length + " completed")),
        run.error ? errorBox(run.error) : null);
      const flash = state.flash ? h("div", { class: "flash" + (state.flash.bad ? " bad" : ""), id: "flash" }, state.flash.text) : null;
      const dag = h("div", { class: "card" }, h("h2", null, "Graph"), h("div", { class: "dag-wrap" }, drawDag(run, state.layout)),
        h("div", { class: "legend" }, TASK_STATUSES.map((st) => h("span", { class: "s-" + st }, st))));
      const input = h("div", { class: "card" }, h("h2", null, "Run input"), valueBox(run.input));
      const tasks = h("div", { class: "card" }, h("h2", null, "Tasks"), run.tasks.map(taskCard));
      main.replaceChildren(...[head, flash, dag, tasks, input].filter(Boolean));
    }
    function metaItem(label, value) { return h("div", null, h("span", { class: "label" }, label), value); }

    function drawDag(run, layout) {
      const byId = new Map(run.tasks.map((t) => [t.id, t]));
      const svg = s("svg", { class: "dag", id: "dag", width: layout.width, height: layout.height,
        viewBox: "0 0 " + layout.width + " " + layout.height, role: "img", "aria-label": "Task graph" });
      svg.appendChild(s("defs", null, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9aa3b2" }))));
      for (const e of layout.edges) {
        if (e.points.length === 0) continue;
        const d = e.points.map((p, i) => (i === 0 ? "M" : "L") + p.x + "," + p.y).join(" ");
        svg.appendChild(s("path", { class: "edge", d, "marker-end": "url(#arrow)", "data-from": e.from, "data-to": e.to }));
      }
      for (const n of layout.nodes) {
        const t = byId.get(n.id);
        const status = t ? t.status : "Pending";
        const x = n.x - n.width / 2, y = n.y - n.height / 2;
        const label = n.id.length > 34 ? n.id.slice(0, 33) + "…" : n.id;
        const sub = status + (t && t.attempts > 1 ? " · attempt " + t.attempts : "") + (t && t.durationMs !== undefined ? " · " + fmtDuration(t.durationMs) : "");
        const g = s("g", { class: "node s-" + status + (state.selected === n.id ? " selected" : ""), "data-task-id": n.id, "data-status": status, tabindex: 0 },
          s("title", null, n.id + " — " + status),
          s("rect", { class: "box", x, y, width: n.width, height: n.height, rx: 8 }),
          s("rect", { class: "band", x: x + 1, y: y + 1, width: 6, height: n.height - 2, rx: 3 }),
          s("text", { x: x + 16, y: y + 19 }, label),
          s("text", { class: "sub", x: x + 16, y: y + 35 }, sub));
        g.addEventListener("click", () => select(n.id));
        svg.appendChild(g);
      }
      return svg;
    }

    function select(taskId) {
      state.selected = taskId;
      render();
      const card = document.getElementById("task-" + taskId);
      if (card) card.scrollIntoView({ behavior: "smooth", block: "center" });
    }

    function taskCard(t) {
      const facts = [
        h("span", null, "attempt " + t.attempts + " / " + t.maxAttempts),
        t.recoveries ? h("span", null, t.recoveries + " recoveries") : null,
        t.startedAt ? h("span", { title: "started " + fmtTime(t.startedAt) }, "started " + fmtTime(t.startedAt)) : null,
        t.durationMs !== undefined ? h("span", null, fmtDuration(t.durationMs)) : null,
      ];
      const card = h("div", { class: "task s-" + t.status + (state.selected === t.id ? " selected" : ""), id: "task-" + t.id, "data-task-id": t.id },
        h("div", { class: "task-head" }, h("strong", { class: "mono" }, t.id), pill(t.status), h("div", { class: "facts" }, facts)),
        t.dependsOn.length ? h("div", { class: "deps" }, "after " + t.dependsOn.join(", ")) : null,
        t.error ? errorBox(t.error) : null);
      if (t.failedAttempts.length) {
        append(card, [details(t.id + ":attempts", "Failed attempts (" + t.failedAttempts.length + ")", () =>
          h("ul", { class: "attempts" }, t.failedAttempts.map((a) => h("li", null,
            h("strong", null, "Attempt " + a.attempt), " " + a.status.toLowerCase() + " at " + fmtTime(a.finishedAt) + ": ",
            a.error.name + ": " + a.error.message,
            a.error.stack ? h("pre", { class: "stack" }, a.error.stack) : null))))]);
      }
      if (t.output !== undefined) append(card, [details(t.id + ":output", "Output", () => valueBox(t.output), true)]);
      append(card, [details(t.id + ":input", "Input context", () => inputContext(t.id))]);
      return card;
    }

    /** A <details> whose open state survives re-renders; its body is built when opened. */
    function details(key, title, build, openByDefault) {
      const isOpen = state.open.has(key) || (openByDefault && !state.open.has("!" + key));
      const el = h("details", { "data-key": key, open: isOpen }, h("summary", null, title));
      if (isOpen) el.appendChild(build());
      el.addEventListener("toggle", () => {
        if (el.open) {
          state.open.add(key); state.open.delete("!" + key);
          if (el.children.length === 1) el.appendChild(build());
        } else { state.open.delete(key); state.open.add("!" + key); }
      });
      return el;
    }

    function inputContext(taskId) {
      const box = h("div", { class: "value" }, span("v-null", "loading…"));
      const cached = contexts.get(taskId);
      const fill = (v) => box.replaceChildren(renderValue(v, 0));
      if (cached) { fill(cached); return box; }
      api("/api/runs/" + encodeURIComponent(id) + "/tasks/" + encodeURIComponent(taskId)).then((r) => {
        contexts.set(taskId, r.input);
        fill(r.input);
      }, (e) => box.replaceChildren(span("v-null", "Could not load: " + e.message)));
      return box;
    }

    /** Applies an event at once (node colour, run status), then refetches the detail. */
    const refetch = debounce(refresh, 150);
    function onEvent(e) {
      if (!e) {
        // The run's stream ended at a final event; a retry since then needs a new one.
        void refresh().then(() => { if (state.detail && state.detail.status === "Running") restartFollow(); });
        return;
      }
      if (e.seq) state.lastSeq = e.seq;
      if (!state.detail || e.executionId !== id) return;
      if (e.taskId && TASK_STATUS_BY_EVENT[e.type]) {
        const t = state.detail.tasks.find((x) => x.id === e.taskId);
        if (t) t.status = TASK_STATUS_BY_EVENT[e.type];
        const node = document.querySelector('#dag g.node[data-task-id="' + CSS.escape(e.taskId) + '"]');
        if (node) {
          node.setAttribute("class", "node s-" + TASK_STATUS_BY_EVENT[e.type] + (state.selected === e.taskId ? " selected" : ""));
          node.setAttribute("data-status", TASK_STATUS_BY_EVENT[e.type]);
        }
      }
      if (RUN_STATUS_BY_EVENT[e.type]) {
        state.detail.status = RUN_STATUS_BY_EVENT[e.type];
        const el = document.getElementById("run-status");
        if (el) el.replaceChildren(pill(state.detail.status));
      }
      refetch();
    }
    let stop = () => {};
    function restartFollow() {
      stop();
      if (!alive) return;
      // From the run's first event, or after the last one seen (after a retry).
      const after = state.lastSeq ? "&after=" + encodeURIComponent(state.lastSeq) : "";
      stop = follow("?executionId=" + encodeURIComponent(id) + after, onEvent, () => {
        if (!state.detail || state.detail.status === "Running") void refresh();
      });
    }
    void refresh().then(restartFollow);
    return () => { alive = false; stop(); };
  }

  // ---- schedules ---------------------------------------------------------------------------
  function schedulesView() {
    const tbody = h("tbody");
    const flash = h("div");
    main.replaceChildren(
      h("div", { class: "toolbar" }, h("h1", null, "Schedules")), flash,
      h("div", { class: "card" }, h("table", null,
        h("thead", null, h("tr", null, ["Schedule", "Workflow", "Cron", "Time zone", "Next fire", "Last fired", "Missed fires", "State", ""].map((t) => h("th", null, t)))),
        tbody)));
    let alive = true;
    async function load() {
      let body;
      try { body = await api("/api/schedules"); } catch (e) {
        if (!alive) return;
        tbody.replaceChildren(h("tr", null, h("td", { colspan: 9, class: "empty" }, "Could not load schedules: " + e.message)));
        return;
      }
      if (!alive) return;
      if (body.schedules.length === 0) {
        tbody.replaceChildren(h("tr", null, h("td", { colspan: 9, class: "empty" }, "No schedules. Create one with executor.schedule(workflow, { cron }).")));
        return;
      }
      tbody.replaceChildren(...body.schedules.map((sc) => h("tr", { "data-schedule-id": sc.id },
        h("td", { class: "mono" }, sc.id),
        h("td", null, sc.workflow),
        h("td", { class: "mono" }, sc.cron),
        h("td", null, sc.timezone),
        h("td", { title: sc.nextFireAt }, sc.paused ? "—" : fmtTime(sc.nextFireAt)),
        h("td", null, sc.lastFiredAt ? fmtTime(sc.lastFiredAt) : "never"),
        h("td", null, sc.missed),
        h("td", null, pill(sc.paused ? "Paused" : "Active")),
        h("td", null, h("button", { onclick: (ev) => toggle(sc, ev.currentTarget) }, sc.paused ? "Resume" : "Pause")))));
    }
    async function toggle(sc, btn) {
      btn.disabled = true;
      try {
        await post("/api/schedules/" + encodeURIComponent(sc.id) + "/" + (sc.paused ? "resume" : "pause"));
        flash.replaceChildren();
      } catch (e) {
        flash.replaceChildren(h("div", { class: "flash bad" }, (e.code ? e.code + ": " : "") + e.message));
      }
      await load();
    }
    setLive("", "");
    void load();
    const timer = setInterval(load, 10000);
    return () => { alive = false; clearInterval(timer); };
  }

  // ---- routing -----------------------------------------------------------------------------
  function route() {
    dispose();
    const path = location.hash.replace(/^#/, "").split("?")[0] || "/";
    const runMatch = /^\/runs\/(.+)$/.exec(path);
    for (const a of document.querySelectorAll("[data-nav]")) {
      a.classList.toggle("active", a.getAttribute("data-nav") === (path === "/schedules" ? "schedules" : "runs"));
    }
    if (runMatch) dispose = runView(decodeURIComponent(runMatch[1]));
    else if (path === "/schedules") dispose = schedulesView();
    else dispose = runsView();
  }
  window.addEventListener("hashchange", route);
  route();
})();
`;
