/** The dashboard's stylesheet. Status colours are defined once, as custom properties. */
export const PAGE_STYLE = String.raw`
:root {
  --bg: #f5f6f8; --card: #ffffff; --text: #1c2230; --muted: #6b7383; --line: #e3e6ec;
  --accent: #4f46e5; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  --Pending: #94a3b8; --Ready: #8b5cf6; --Running: #2563eb; --Waiting: #0891b2; --Completed: #16a34a;
  --Failed: #dc2626; --Skipped: #cbd5e1; --Cancelled: #ea580c;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 52px;
  background: #111827; color: #e5e7eb; position: sticky; top: 0; z-index: 5; }
.brand { color: #fff; font-weight: 700; font-size: 16px; display: flex; align-items: center; gap: 8px; }
.brand:hover { text-decoration: none; }
.brand-mark { width: 14px; height: 14px; border-radius: 4px; background: linear-gradient(135deg, #818cf8, #22d3ee); }
.top nav { display: flex; gap: 4px; }
.top nav a { color: #cbd5e1; padding: 6px 12px; border-radius: 6px; }
.top nav a.active, .top nav a:hover { background: #1f2937; color: #fff; text-decoration: none; }
.live { margin-left: auto; font-size: 12px; color: #9ca3af; display: flex; align-items: center; gap: 6px; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #6b7280; }
.live.on::before { background: #22c55e; box-shadow: 0 0 0 3px rgba(34,197,94,.25); }
.live.off::before { background: #f59e0b; }
main { max-width: 1280px; margin: 0 auto; padding: 24px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 12px; }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); font-size: 12.5px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
  margin-bottom: 16px; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.toolbar { display: flex; gap: 10px; align-items: center; margin-bottom: 14px; flex-wrap: wrap; }
.toolbar h1 { margin-right: auto; }
input, select, button { font: inherit; }
input[type=search], select { padding: 7px 10px; border: 1px solid #cfd4dc; border-radius: 7px; background: #fff; }
input[type=search] { width: 300px; }
button { padding: 7px 14px; border-radius: 7px; border: 1px solid #cfd4dc; background: #fff; cursor: pointer; }
button:hover:not(:disabled) { background: #f3f4f6; }
button:disabled { opacity: .5; cursor: default; }
button.danger { border-color: #fca5a5; color: #b91c1c; }
button.danger:hover:not(:disabled) { background: #fef2f2; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover:not(:disabled) { background: #4338ca; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; padding: 8px 10px; border-bottom: 1px solid var(--line); }
td { padding: 9px 10px; border-bottom: 1px solid #eef0f3; vertical-align: middle; }
tr.row { cursor: pointer; }
tr.row:hover td { background: #f8f9fb; }
.pill { display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px; border-radius: 999px; font-size: 12px;
  font-weight: 600; background: #f1f5f9; color: #334155; white-space: nowrap; }
.pill::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: var(--c, #94a3b8); }
.pill.s-Running::before { animation: pulse 1.2s ease-in-out infinite; }
.s-Pending { --c: var(--Pending); } .s-Ready { --c: var(--Ready); } .s-Running { --c: var(--Running); }
.s-Waiting { --c: var(--Waiting); }
.s-Completed { --c: var(--Completed); } .s-Failed { --c: var(--Failed); } .s-Skipped { --c: var(--Skipped); }
.s-Cancelled { --c: var(--Cancelled); } .s-Active { --c: var(--Completed); } .s-Paused { --c: var(--Pending); }
.pill.s-Failed { background: #fef2f2; color: #991b1b; } .pill.s-Completed { background: #f0fdf4; color: #166534; }
.pill.s-Running { background: #eff6ff; color: #1e40af; } .pill.s-Cancelled { background: #fff7ed; color: #9a3412; }
.pill.s-Waiting { background: #ecfeff; color: #155e75; }
@keyframes pulse { 50% { opacity: .35; } }
.more { margin-top: 12px; display: flex; gap: 12px; align-items: center; }
.empty { padding: 28px; text-align: center; color: var(--muted); }
.run-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
.run-head .actions { margin-left: auto; display: flex; gap: 8px; }
.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px 24px; margin-top: 12px; }
.meta .label { display: block; font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.flash { padding: 9px 12px; border-radius: 8px; margin-bottom: 14px; background: #eef2ff; color: #3730a3; }
.flash.bad { background: #fef2f2; color: #991b1b; }
.dag-wrap { overflow: auto; }
svg.dag { display: block; margin: 0 auto; }
svg.dag .edge { fill: none; stroke: #9aa3b2; stroke-width: 1.6; }
svg.dag .node { cursor: pointer; }
svg.dag .node rect.box { fill: #fff; stroke: var(--c); stroke-width: 2; }
svg.dag .node rect.band { fill: var(--c); }
svg.dag .node.selected rect.box { stroke-width: 3.5; }
svg.dag .node.s-Running rect.box { animation: pulse 1.2s ease-in-out infinite; }
svg.dag .node.s-Skipped rect.box { stroke-dasharray: 5 4; }
svg.dag text { font-family: var(--mono); font-size: 12.5px; fill: var(--text); }
svg.dag text.sub { font-family: system-ui, sans-serif; font-size: 11px; fill: var(--muted); }
svg.dag .node rect.bar { fill: #e5e7eb; }
svg.dag .node rect.bar-done { fill: var(--Completed); }
svg.dag .node rect.bar-failed { fill: var(--Failed); }
svg.dag a.child-link text.sub { fill: var(--accent); text-decoration: underline; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; margin-top: 10px; font-size: 12px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend span::before { content: ""; width: 10px; height: 10px; border-radius: 3px; background: var(--c); }
.task { border: 1px solid var(--line); border-left: 4px solid var(--c); border-radius: 8px; padding: 12px 14px;
  margin-bottom: 12px; background: #fff; }
.task.selected { box-shadow: 0 0 0 3px rgba(79,70,229,.25); }
.task-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.task-head .facts { margin-left: auto; display: flex; gap: 14px; color: var(--muted); font-size: 12.5px; flex-wrap: wrap; }
.error { margin-top: 10px; border: 1px solid #fecaca; background: #fff5f5; border-radius: 8px; padding: 10px 12px; }
.back { margin: 0 0 10px; }
.error .msg.cause { margin-top: 8px; }
.error .msg { font-weight: 600; color: #991b1b; word-break: break-word; }
.error pre, pre.stack { margin: 8px 0 0; font-family: var(--mono); font-size: 12px; white-space: pre-wrap;
  word-break: break-word; color: #4b5563; max-height: 260px; overflow: auto; }
.attempts { margin-top: 10px; font-size: 13px; }
.attempts li { margin: 4px 0; }
details { margin-top: 10px; }
details > summary { cursor: pointer; color: #374151; font-weight: 600; font-size: 13px; }
.value { font-family: var(--mono); font-size: 12.5px; background: #f8fafc; border: 1px solid #eef0f3;
  border-radius: 8px; padding: 10px 12px; margin-top: 8px; overflow: auto; max-height: 420px; }
.value .row { padding-left: 18px; white-space: pre-wrap; word-break: break-word; }
.value details { margin: 0; display: inline; }
.value details > summary { display: inline; font-weight: 400; color: var(--muted); }
.v-key { color: #7c3aed; } .v-str { color: #047857; } .v-num { color: #1d4ed8; } .v-bool { color: #b45309; }
.v-null, .v-undef { color: #9ca3af; } .v-tag { color: #be185d; } .v-date { color: #0e7490; } .v-punct { color: #6b7280; }
.deps { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
.waiting { font-size: 12.5px; color: #155e75; margin-top: 4px; }
.child-run { font-size: 12.5px; margin-top: 4px; }
.instances { margin-top: 10px; }
.instance-counts { font-size: 13px; font-weight: 600; color: #374151; }
table.instance-list { margin-top: 6px; font-size: 12.5px; }
table.instance-list th, table.instance-list td { padding: 4px 8px; }
.instance-error { color: #991b1b; word-break: break-word; }
button.show-more { margin-top: 8px; font-size: 12.5px; padding: 4px 10px; }
.parent-mark { margin-left: 8px; font-size: 12px; color: var(--muted); }
ul.child-runs { list-style: none; margin: 0; padding: 0; }
ul.child-runs li { padding: 4px 0; display: flex; align-items: center; gap: 8px; }
.signal-form { margin-top: 10px; display: flex; flex-direction: column; gap: 6px; max-width: 640px; }
.signal-form label { font-size: 12.5px; font-weight: 600; color: #374151; }
.signal-form textarea { padding: 7px 10px; border: 1px solid #cfd4dc; border-radius: 7px; resize: vertical; }
.signal-actions { display: flex; align-items: center; gap: 10px; }
.signal-error { color: #991b1b; font-size: 12.5px; word-break: break-word; }
`;
