/** The dashboard's one HTML document. Everything else is drawn by its script (../browser/main.ts). */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function attr(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** `base` is the path the app is mounted at, without a trailing slash ("" at the root). */
export function pageHtml(base: string): string {
  const b = attr(base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="cloacina-base" content="${b}">
<title>Cloacina</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${b}/assets/app.css">
<script src="${b}/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/"><span class="brand-mark"></span>Cloacina</a>
  <nav>
    <a href="#/" data-nav="runs">Runs</a>
    <a href="#/schedules" data-nav="schedules">Schedules</a>
  </nav>
  <span id="live" class="live" title="Live updates">connecting</span>
</header>
<main id="main"><p class="muted">Loading…</p></main>
</body>
</html>
`;
}
