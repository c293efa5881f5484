/** The schedules (`#/schedules`): the table, with Pause/Resume, reloaded every 10 s. */
import { api, describeError, messageOf, post } from "./api.js";
import { h } from "./dom.js";
import { fmtTime } from "./format.js";
import { main, setLive } from "./page.js";
import { pill } from "./status.js";
import type { ScheduleView } from "./wire.js";

const COLUMNS = ["Schedule", "Workflow", "Cron", "Time zone", "Next fire", "Last fired", "Missed fires", "State", ""];
const RELOAD_MS = 10000;

/** Draws the schedules into `main`; returns the function that stops it. */
export function schedulesView(): () => void {
  const tbody = h("tbody");
  const flash = h("div");
  main.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", null, "Schedules")),
    flash,
    h(
      "div",
      { class: "card" },
      h(
        "table",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            COLUMNS.map((t) => h("th", null, t)),
          ),
        ),
        tbody,
      ),
    ),
  );
  let alive = true;

  async function load(): Promise<void> {
    let body: { schedules: ScheduleView[] };
    try {
      body = await api<{ schedules: ScheduleView[] }>("/api/schedules");
    } catch (e) {
      if (!alive) return;
      tbody.replaceChildren(emptyRow("Could not load schedules: " + messageOf(e)));
      return;
    }
    if (!alive) return;
    if (body.schedules.length === 0) {
      tbody.replaceChildren(emptyRow("No schedules. Create one with executor.schedule(workflow, { cron })."));
      return;
    }
    tbody.replaceChildren(...body.schedules.map(scheduleRow));
  }

  function scheduleRow(sc: ScheduleView): HTMLTableRowElement {
    const button = h("button", null, sc.paused ? "Resume" : "Pause");
    button.addEventListener("click", () => void toggle(sc, button));
    return h(
      "tr",
      { "data-schedule-id": sc.id },
      h("td", { class: "mono" }, sc.id),
      h("td", null, sc.workflow),
      h("td", { class: "mono" }, sc.cron),
      h("td", null, sc.timezone),
      h("td", { title: sc.nextFireAt }, sc.paused ? "—" : fmtTime(sc.nextFireAt)),
      h("td", null, sc.lastFiredAt ? fmtTime(sc.lastFiredAt) : "never"),
      h("td", null, sc.missed),
      h("td", null, pill(sc.paused ? "Paused" : "Active")),
      h("td", null, button),
    );
  }

  async function toggle(sc: ScheduleView, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    try {
      await post("/api/schedules/" + encodeURIComponent(sc.id) + "/" + (sc.paused ? "resume" : "pause"));
      flash.replaceChildren();
    } catch (e) {
      flash.replaceChildren(h("div", { class: "flash bad" }, describeError(e)));
    }
    await load();
  }

  setLive("", "");
  void load();
  const timer = setInterval(() => void load(), RELOAD_MS);
  return () => {
    alive = false;
    clearInterval(timer);
  };
}

function emptyRow(text: string): HTMLTableRowElement {
  return h("tr", null, h("td", { colspan: 9, class: "empty" }, text));
}
