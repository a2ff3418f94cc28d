import { fleetMemberStates } from '../../domain/fleet.js';

/** One colour per member state, so a stage row reads at a glance (the legend shows them all). */
const memberColours: Record<(typeof fleetMemberStates)[number], string> = {
  pending: 'background: #eceff3; color: #4a5263;',
  starting: 'background: #d3e3fd; color: #0b3d91;',
  promoting: 'background: #3367d6; color: #fff;',
  soaking: 'background: #a8dab5; color: #0d5223;',
  succeeded: 'background: #188038; color: #fff;',
  failed: 'background: #b3261e; color: #fff;',
  skipped: 'background: #f5f6f8; color: #8a90a0; text-decoration: line-through;',
};

const memberStyles = fleetMemberStates
  .map((state) => `  .member.${state} { ${memberColours[state]} }`)
  .join('\n');
const legend = fleetMemberStates.map((state) => `<span class="member ${state}">${state}</span>`).join('');

/** The fleet view: markup and styles; behaviour comes from /dashboard/fleet.js. */
export const fleetPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard · fleet runs</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
  header { display: flex; gap: 1em; align-items: center; padding: .6em 1.2em; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.1em; margin: 0; } header a { color: #c6d4ff; }
  header form { margin-left: auto; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); gap: 1em; padding: 1em 1.2em; }
  @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); } }
  section { background: #fff; border-radius: 6px; padding: .8em 1em; box-shadow: 0 1px 2px #0002; overflow-wrap: anywhere; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .3em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
  #runs tr { cursor: pointer; } tr.selected { background: #eef3ff; }
  .member { display: inline-block; margin: .15em .3em .15em 0; padding: .15em .5em; border-radius: 4px; font-size: .9em; }
${memberStyles}
  .state { font-weight: 600; } .state.succeeded { color: #137333; } .state.failed, .state.aborted { color: #b3261e; }
  .state.paused, .state.stopping, .state.gated { color: #a15c00; }
  .actions button { margin: .2em .4em .2em 0; } button.danger { color: #b3261e; }
  #message.error { color: #ffb4ab; } #message.ok { color: #a8dab5; }
</style>
</head>
<body>
<header>
  <h1>Switchyard · fleet runs</h1><a href="/dashboard">promotions</a><span id="who"></span><span id="updated"></span><span id="message"></span>
  <form id="token-form"><input id="token" type="password" placeholder="API token" autocomplete="off"> <button>Use token</button></form>
</header>
<main>
  <section><h2>Runs</h2><table><thead><tr><th>id</th><th>strategy</th><th>target</th><th>state</th></tr></thead><tbody id="runs"></tbody></table></section>
  <section><div id="run"></div><p class="legend">members: ${legend}</p></section>
</main>
<script src="/dashboard/fleet.js"></script>
</body>
</html>
`;
