import { fleetDashboardRules } from './fleet-rules.js';

/**
 * The fleet view's browser script, served as a static file: plain JavaScript calling the fleet API
 * with the token the person entered (shared with the promotion view through sessionStorage). A run is
 * drawn as one row per stage with its members as cells coloured by state, refreshed every 2 s. It
 * renders with textContent only, so nothing from the API is interpreted as HTML.
 */
export const fleetScript = `
'use strict';
${fleetDashboardRules}
const $ = (id) => document.getElementById(id);
// refreshMessage: the message box holds a refresh's error, which a later successful refresh clears.
const state = { selected: sessionStorage.getItem('switchyard.fleetRun') || '', me: null, meFor: null, refreshMessage: false };
const token = () => sessionStorage.getItem('switchyard.token') || '';

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'onclick') node.addEventListener('click', value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: Object.assign(token() ? { authorization: 'Bearer ' + token() } : {}, body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Error(data.message || response.status + ' ' + response.statusText);
  return data;
}

function say(message, isError, fromRefresh) {
  $('message').textContent = message;
  $('message').className = !message ? '' : isError ? 'error' : 'ok';
  state.refreshMessage = Boolean(fromRefresh);
}

async function act(label, call) {
  try {
    await call();
    await refresh();
    say(label + ': done');
  } catch (error) {
    say(label + ': ' + error.message, true);
  }
}

function actionButton(run, action) {
  const path = '/v1/fleet-runs/' + encodeURIComponent(run.id);
  const ask = (question, then) => { const reason = prompt(question); if (reason) then(reason); };
  switch (action.kind) {
    case 'pause':
      return el('button', { 'data-action': 'pause', onclick: () => act('pause', () => api('POST', path + '/pause', { reason: 'paused from the dashboard' })) }, 'Pause');
    case 'resume':
      return el('button', { 'data-action': 'resume', onclick: () => act('resume', () => api('POST', path + '/resume')) }, 'Resume');
    case 'approve':
      return el('button', { 'data-action': 'approve-' + action.stage, onclick: () => act('approve ' + action.stage, () => api('POST', path + '/approve', { stage: action.stage })) }, 'Approve ' + action.stage);
    case 'stop':
      return el('button', { 'data-action': 'stop', onclick: () => ask('Why stop? (no new member starts; running promotions finish)', (reason) => act('stop', () => api('POST', path + '/stop', { reason }))) }, 'Stop');
    default:
      return el('button', { 'data-action': 'abort', class: 'danger', onclick: () => ask('Why abort? Every member in flight is rolled back.', (reason) => act('abort', () => api('POST', path + '/abort', { reason }))) }, 'Abort…');
  }
}

function memberCell(member) {
  const title = member.platform + ': ' + member.state + (member.promotionId ? ' (' + member.promotionId + ')' : '') + (member.message ? ' — ' + member.message : '') + (member.lastError ? ' — retrying: ' + member.lastError : '');
  return el('span', { class: 'member ' + member.state, title, 'data-platform': member.platform, 'data-state': member.state }, member.platform + (member.rollbackRequested ? ' ↩' : ''));
}

async function renderRuns() {
  const { items } = await api('GET', '/v1/fleet-runs?limit=20');
  if (!state.selected && items[0]) state.selected = items[0].id;
  $('runs').replaceChildren(...items.map((run) =>
    el('tr', { class: run.id === state.selected ? 'selected' : '', 'data-id': run.id, onclick: () => select(run.id) },
      el('td', {}, run.id), el('td', {}, run.strategy.name), el('td', {}, run.targetVersion), el('td', { class: 'state ' + run.state }, run.state))));
}

async function renderRun() {
  const pane = $('run');
  if (!state.selected) return pane.replaceChildren(el('p', {}, 'No fleet run yet. Start one with: switchyard fleet start --strategy <name> --target <version>'));
  const run = await api('GET', '/v1/fleet-runs/' + encodeURIComponent(state.selected));
  const rows = fleetRows(run).map(({ stage, members }) => {
    const failed = members.filter((m) => m.state === 'failed').length;
    const waiting = stage.gates.filter((status) => !status.metAt).map((status) => status.gate.kind === 'approval' ? 'approval' : 'wait ' + Math.round(status.gate.ms / 1000) + ' s');
    return el('tr', { 'data-stage': stage.name },
      el('td', {}, el('strong', {}, stage.name), el('br', {}), el('span', { class: 'state ' + stage.state }, stage.state)),
      el('td', {}, members.length ? '' : '(no members)', ...members.map(memberCell)),
      el('td', {}, stage.concurrency + ' at once · ' + failed + '/' + stage.failureBudget + ' failed' + (waiting.length && (stage.state === 'pending' || stage.state === 'gated') ? ' · waits for ' + waiting.join(', ') : '') + (stage.message ? ' · ' + stage.message : '')));
  });
  const actions = fleetActions(state.me && state.me.role, run).map((action) => actionButton(run, action));
  pane.replaceChildren(
    el('h2', {}, run.id + ' · ' + run.strategy.name + ' → ' + run.targetVersion),
    el('p', {}, 'state ', el('span', { class: 'state ' + run.state, 'data-state': run.state }, run.state + (run.stoppingAs ? ' (ending ' + run.stoppingAs + ')' : '')), run.reason ? ' — ' + run.reason : '', ' · started by ' + run.createdBy + ' at ' + run.createdAt),
    el('div', { class: 'actions' }, ...actions),
    el('table', { class: 'stages' }, el('thead', {}, el('tr', {}, el('th', {}, 'stage'), el('th', {}, 'members'), el('th', {}, 'budget and gates'))), el('tbody', {}, ...rows)),
  );
}

async function whoAmI() {
  const used = token();
  if (state.me && state.meFor === used) return state.me;
  const me = await api('GET', '/v1/me');
  if (token() === used) {
    state.me = me;
    state.meFor = used;
    $('who').textContent = me.name + ' (' + me.role + ')';
  }
  return me;
}

function select(id) {
  state.selected = id;
  sessionStorage.setItem('switchyard.fleetRun', id);
  refresh();
}

async function refresh() {
  const used = token();
  try {
    await whoAmI();
    await renderRuns();
    await renderRun();
    if (token() !== used) return;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    if (state.refreshMessage) say('');
  } catch (error) {
    if (token() !== used) return;
    state.me = null;
    $('who').textContent = '';
    say(token() ? error.message : 'Enter an API token to begin (' + error.message + ').', true, true);
  }
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.me = null;
  sessionStorage.setItem('switchyard.token', $('token').value.trim());
  $('token').value = '';
  refresh();
});
refresh();
setInterval(refresh, 2000);
`;
