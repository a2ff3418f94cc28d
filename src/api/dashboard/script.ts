import { probeLines } from '../../analysis/probe-lines.js';
import { dashboardRules } from './rules.js';

/**
 * The dashboard's browser script, served as a static file. Plain JavaScript (no build step): it calls
 * the same REST API as the CLI with the token the person enters, and renders with textContent only, so
 * nothing from the API is ever interpreted as HTML. What each role is offered comes from rules.ts.
 */
export const dashboardScript = `
'use strict';
${dashboardRules}
${probeLines.toString()}
const $ = (id) => document.getElementById(id);
// me: the token's principal from GET /v1/me, asked once per token; refreshMessage: the message box
// holds a refresh's error (e.g. "enter an API token"), which a later successful refresh clears.
const state = { selected: sessionStorage.getItem('switchyard.selected') || '', platforms: [], me: null, meFor: null, refreshMessage: false };
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
  const box = $('message');
  box.textContent = message;
  box.className = !message ? '' : isError ? 'error' : 'ok';
  state.refreshMessage = Boolean(fromRefresh);
}

async function act(label, call) {
  try {
    await call();
    // "done" once the page shows the result, so what is selected and shown is what was acted on.
    await refresh();
    say(label + ': done');
  } catch (error) {
    say(label + ': ' + error.message, true);
  }
}

function weightBar(green) {
  return el('div', { class: 'bar', title: 'blue ' + (100 - green) + '% / green ' + green + '%' },
    el('span', { class: 'blue', style: 'width:' + (100 - green) + '%' }, 100 - green > 8 ? 'blue ' + (100 - green) + '%' : ''),
    el('span', { class: 'green', style: 'width:' + green + '%' }, green > 8 ? 'green ' + green + '%' : ''));
}

function since(start, end) {
  if (!start) return '';
  const seconds = Math.round(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000);
  return seconds < 120 ? seconds + ' s' : Math.round(seconds / 60) + ' min';
}

async function renderPlatforms() {
  const list = $('platforms');
  const { items } = await api('GET', '/v1/platforms');
  state.platforms = items;
  list.replaceChildren(...items.map((p) =>
    el('li', {}, el('strong', {}, p.name), ' ' + p.router + ' · live: slot ' + p.live.slot + ' ' + p.live.cluster +
      (p.live.version ? ' (' + p.live.version + ')' : '') + (p.live.promotionId ? ', made live by ' + p.live.promotionId : ', from config') +
      ' · next green: slot ' + p.green.slot + ' ' + p.green.cluster,
      p.activePromotion ? el('a', { href: '#', onclick: (e) => { e.preventDefault(); select(p.activePromotion); } }, ' active: ' + p.activePromotion) : ' (idle)')));
  $('start-platform').replaceChildren(...items.map((p) => el('option', { value: p.name }, p.name)));
}

async function whoAmI() {
  const used = token();
  if (state.me && state.meFor === used) return state.me;
  const me = await api('GET', '/v1/me');
  // Keep the answer only if the token is still the one asked about.
  if (token() === used) {
    state.me = me;
    state.meFor = used;
    $('who').textContent = me.name + ' (' + me.role + ')';
  }
  return me;
}

/** A table cell whose full text is also its title: the CSS may cut it short to fit. */
function cell(text, cls) {
  return el('td', cls ? { class: cls, title: text } : { title: text }, text);
}

async function renderPromotions() {
  const { items } = await api('GET', '/v1/promotions?limit=20');
  // Nothing chosen yet: show the newest promotion.
  if (!state.selected && items[0]) state.selected = items[0].id;
  $('promotions').replaceChildren(...items.map((p) =>
    el('tr', { class: p.id === state.selected ? 'selected' : '', 'data-id': p.id, onclick: () => select(p.id) },
      cell(p.id, 'id'), cell(p.platform), cell(p.fromVersion + ' → ' + p.toVersion),
      cell(p.phase, 'phase ' + p.phase), cell(p.currentStage), cell(p.traffic.green + '%'))));
}

function approve(p, gate, confirm) {
  if (confirm) {
    const typed = prompt('Approving ' + gate + ' deletes blue cluster ' + p.blue.name + ' for good. Type its name to confirm:');
    const check = checkDecommissionConfirmation(typed, p);
    if (!check.send) return say(check.message, true);
  }
  act('approve ' + gate, () => api('POST', '/v1/promotions/' + p.id + '/approve', { gate }));
}

function actionButton(p, action) {
  const path = '/v1/promotions/' + p.id;
  switch (action.kind) {
    case 'pause':
      return el('button', { 'data-action': 'pause', onclick: () => act('pause', () => api('POST', path + '/pause', { reason: 'paused from the dashboard' })) }, 'Pause');
    case 'resume':
      return el('button', { 'data-action': 'resume', onclick: () => act('resume', () => api('POST', path + '/resume')) }, 'Resume');
    case 'weight':
      return el('button', { 'data-action': 'weight', onclick: () => { const green = Number(prompt('Percent of traffic to green (0-100)')); if (!Number.isNaN(green)) act('weight', () => api('PUT', path + '/traffic', { green })); } }, 'Set weight…');
    case 'rollback':
      return el('button', { 'data-action': 'rollback', class: 'danger', onclick: () => { const reason = prompt('Why roll back?'); if (reason) act('rollback', () => api('POST', path + '/rollback', { reason })); } }, 'Roll back');
    default:
      return el('button', { 'data-action': 'approve-' + action.gate, class: action.confirm ? 'approve danger' : 'approve', onclick: () => approve(p, action.gate, action.confirm) },
        'Approve ' + action.gate + (action.confirm ? ' (delete ' + p.blue.name + ')…' : ''));
  }
}

async function renderDetail() {
  const pane = $('detail');
  if (!state.selected) return pane.replaceChildren(el('p', {}, 'Select a promotion.'));
  const p = await api('GET', '/v1/promotions/' + encodeURIComponent(state.selected));
  const stages = Object.entries(p.stages).map(([name, s]) =>
    el('tr', { class: s.state, 'data-stage': name }, el('td', {}, name), el('td', {}, s.state), el('td', {}, since(s.startedAt, s.finishedAt)), el('td', {}, s.message)));
  // Only what this token may do: a viewer gets no buttons, and deleting blue is offered to admins only.
  const actions = promotionActions(state.me && state.me.role, p).map((action) => actionButton(p, action));
  pane.replaceChildren(
    el('h2', {}, p.id + ' · ' + p.platform + ' ' + p.fromVersion + ' → ' + p.toVersion),
    el('p', {}, 'phase ', el('span', { class: 'phase ' + p.phase, 'data-phase': p.phase }, p.phase), p.pauseReason ? ' — ' + p.pauseReason : ''),
    weightBar(p.traffic.green),
    el('p', { class: 'history' }, 'verified weights: ' + (p.traffic.history.map((h) => h.green + '%' + (h.reason === 'step' ? '' : ' (' + h.reason + ')')).join(' → ') || 'none yet')),
    el('ul', { class: 'probe' }, ...probeLines(p.stages['shift-traffic'] && p.stages['shift-traffic'].saved).map((line) => el('li', {}, 'probe ' + line))),
    el('p', {}, 'blue: slot ' + p.blue.slot + ' ' + p.blue.name + ' → green: slot ' + p.green.slot + ' ' + p.green.name + (p.green.adopted ? ' (adopted)' : '')),
    p.rollback ? el('p', {}, 'rollback (' + p.rollback.mode + ', green ' + p.rollback.green + '): ' + p.rollback.step + ' — ' + p.rollback.message) : '',
    p.rollback && p.rollback.warning ? el('p', { class: 'error' }, 'warning: ' + p.rollback.warning) : '',
    el('div', { class: 'actions' }, ...actions),
    el('table', { class: 'stages' }, el('thead', {}, el('tr', {}, el('th', {}, 'stage'), el('th', {}, 'state'), el('th', {}, 'took'), el('th', {}, 'message'))), el('tbody', {}, ...stages)),
    el('h3', {}, 'Events'),
    el('ol', { class: 'events' }, ...p.events.slice(-25).map((e) => el('li', {}, e.at.slice(11, 19) + '  ' + e.type + '  ' + e.message + '  [' + e.actor + ']'))),
  );
}

function choose(id) {
  state.selected = id;
  sessionStorage.setItem('switchyard.selected', id);
}

function select(id) {
  choose(id);
  refresh();
}

async function refresh() {
  const used = token();
  try {
    const me = await whoAmI();
    await Promise.all([renderPlatforms(), renderPromotions()]);
    await renderDetail();
    if (token() !== used) return;
    $('start-form').hidden = !mayStart(me.role);
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    // The token works now: an earlier refresh's error (such as "enter an API token") is stale.
    if (state.refreshMessage) say('');
  } catch (error) {
    // A refresh that began before the token was entered or changed: the newer one speaks for the page.
    if (token() !== used) return;
    // Ask who the token belongs to again next time: it may have been revoked.
    state.me = null;
    $('who').textContent = '';
    $('start-form').hidden = true;
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
$('start-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act('promote', async () => {
    const p = await api('POST', '/v1/promotions', { platform: $('start-platform').value, targetVersion: $('start-version').value.trim() });
    choose(p.id);
  });
});
refresh();
setInterval(refresh, 2000);
`;
