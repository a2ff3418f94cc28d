/** The dashboard page: markup and styles; behaviour comes from /dashboard/app.js. */
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
  header { display: flex; gap: 1em; align-items: center; padding: .6em 1.2em; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.1em; margin: 0; }
  header form { margin-left: auto; } header a { color: #c6d4ff; }
  /* minmax(0, …): a long id or message wraps or is cut inside its column instead of widening the page. */
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; padding: 1em 1.2em; }
  @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); } }
  section { background: #fff; border-radius: 6px; padding: .8em 1em; box-shadow: 0 1px 2px #0002; overflow-wrap: break-word; }
  h2, #platforms, .events { overflow-wrap: anywhere; }
  table.stages td:nth-child(-n+3) { white-space: nowrap; } table.stages td:last-child { overflow-wrap: anywhere; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .25em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
  /* The promotions table keeps its columns: every cell is cut with an ellipsis (its title holds the full
     text) except the id, which wraps at any character so the whole id stays readable. */
  table.promotions { table-layout: fixed; font-size: .92em; }
  table.promotions th, table.promotions td { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: .25em .3em; }
  table.promotions td.id { white-space: normal; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .9em; }
  table.promotions col.id { width: 29%; } table.promotions col.platform { width: 13%; } table.promotions col.versions { width: 17%; }
  table.promotions col.phase { width: 17%; } table.promotions col.stage { width: 15%; } table.promotions col.green { width: 9%; }
  tr.selected { background: #eef3ff; } #promotions tr { cursor: pointer; }
  .phase { font-weight: 600; } .phase.succeeded { color: #137333; } .phase.rolled-back, .phase.rolling-back, .phase.abandoned { color: #b3261e; }
  .phase.paused, .phase.waiting-approval { color: #a15c00; }
  tr.succeeded td:nth-child(2) { color: #137333; } tr.failed td:nth-child(2) { color: #b3261e; } tr.running td:nth-child(2) { color: #0b57d0; } tr.interrupted td:nth-child(2) { color: #8a5a00; }
  .bar { display: flex; height: 1.6em; border-radius: 4px; overflow: hidden; margin: .5em 0; font-size: .85em; color: #fff; }
  .bar .blue { background: #3367d6; display: flex; align-items: center; justify-content: center; }
  .bar .green { background: #188038; display: flex; align-items: center; justify-content: center; }
  .actions button { margin: .2em .4em .2em 0; } button.danger { color: #b3261e; } button.approve { font-weight: 600; }
  #message.error { color: #b3261e; } #message.ok { color: #137333; }
  .events { font-family: ui-monospace, monospace; font-size: .85em; padding-left: 1.5em; }
  ul { padding-left: 1.2em; }
</style>
</head>
<body>
<header>
  <h1>Switchyard</h1><a href="/dashboard/fleet">fleet runs</a><span id="who"></span><span id="updated"></span><span id="message"></span>
  <form id="token-form"><input id="token" type="password" placeholder="API token" autocomplete="off"> <button>Use token</button></form>
</header>
<main>
  <div>
    <section><h2>Platforms</h2><ul id="platforms"></ul>
      <form id="start-form" hidden>Promote <select id="start-platform"></select> to <input id="start-version" size="5" placeholder="1.36"> <button>Start</button></form>
    </section>
    <section><h2>Promotions</h2><table class="promotions">
      <colgroup><col class="id"><col class="platform"><col class="versions"><col class="phase"><col class="stage"><col class="green"></colgroup>
      <thead><tr><th>id</th><th title="platform">platform</th><th title="versions">versions</th><th title="phase">phase</th><th title="stage">stage</th><th title="traffic to green">green</th></tr></thead>
      <tbody id="promotions"></tbody></table></section>
  </div>
  <section id="detail"></section>
</main>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;
