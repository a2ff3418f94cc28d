/**
 * The dashboard's browser script, served as a static file. Plain JavaScript (no build step): it calls
 * the same REST API as the CLI with the token the person enters, and renders with textContent only, so
 * nothing from the API is ever interpreted as HTML.
 */
export const dashboardScript = `
'use strict';
const $ = (id) => document.getElementById(id);
const state = { selected: sessionStorage.getItem('switchyard.selected') || '', platforms: [] };
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

function say(message, isError) {
  const box = $('message');
  box.textContent = message;
  box.className = isError ? 'error' : 'ok';
}

async function act(label, call) {
  try {
    await call();
    say(label + ': done');
    await refresh();
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

async function renderPromotions() {
  const { items } = await api('GET', '/v1/promotions?limit=20');
  // Nothing chosen yet: show the newest promotion.
  if (!state.selected && items[0]) state.selected = items[0].id;
  $('promotions').replaceChildren(...items.map((p) =>
    el('tr', { class: p.id === state.selected ? 'selected' : '', onclick: () => select(p.id) },
      el('td', {}, p.id), el('td', {}, p.platform), el('td', {}, p.fromVersion + ' → ' + p.toVersion),
      el('td', { class: 'phase ' + p.phase }, p.phase), el('td', {}, p.currentStage), el('td', {}, p.traffic.green + '%'))));
}

async function renderDetail() {
  const pane = $('detail');
  if (!state.selected) return pane.replaceChildren(el('p', {}, 'Select a promotion.'));
  const p = await api('GET', '/v1/promotions/' + encodeURIComponent(state.selected));
  const open = p.gates.filter((g) => !g.approvedAt);
  const finished = p.phase === 'succeeded' || p.phase === 'rolled-back' || p.phase === 'abandoned';
  const stages = Object.entries(p.stages).map(([name, s]) =>
    el('tr', { class: s.state }, el('td', {}, name), el('td', {}, s.state), el('td', {}, since(s.startedAt, s.finishedAt)), el('td', {}, s.message)));
  const actions = finished ? [] : [
    el('button', { onclick: () => act('pause', () => api('POST', '/v1/promotions/' + p.id + '/pause', { reason: 'paused from the dashboard' })) }, 'Pause'),
    el('button', { onclick: () => act('resume', () => api('POST', '/v1/promotions/' + p.id + '/resume')) }, 'Resume'),
    el('button', { onclick: () => { const green = Number(prompt('Percent of traffic to green (0-100)')); if (!Number.isNaN(green)) act('weight', () => api('PUT', '/v1/promotions/' + p.id + '/traffic', { green })); } }, 'Set weight…'),
    el('button', { class: 'danger', onclick: () => { const reason = prompt('Why roll back?'); if (reason) act('rollback', () => api('POST', '/v1/promotions/' + p.id + '/rollback', { reason })); } }, 'Roll back'),
    ...open.map((g) => el('button', { class: 'approve', onclick: () => act('approve ' + g.id, () => api('POST', '/v1/promotions/' + p.id + '/approve', { gate: g.id })) }, 'Approve ' + g.id)),
  ];
  pane.replaceChildren(
    el('h2', {}, p.id + ' · ' + p.platform + ' ' + p.fromVersion + ' → ' + p.toVersion),
    el('p', {}, 'phase ', el('span', { class: 'phase ' + p.phase }, p.phase), p.pauseReason ? ' — ' + p.pauseReason : ''),
    weightBar(p.traffic.green),
    el('p', { class: 'history' }, 'verified weights: ' + (p.traffic.history.map((h) => h.green + '%' + (h.reason === 'step' ? '' : ' (' + h.reason + ')')).join(' → ') || 'none yet')),
    el('p', {}, 'blue: slot ' + p.blue.slot + ' ' + p.blue.name + ' → green: slot ' + p.green.slot + ' ' + p.green.name + (p.green.adopted ? ' (adopted)' : '')),
    p.rollback ? el('p', {}, 'rollback (' + p.rollback.mode + ', green ' + p.rollback.green + '): ' + p.rollback.step + ' — ' + p.rollback.message) : '',
    p.rollback && p.rollback.warning ? el('p', { class: 'error' }, 'warning: ' + p.rollback.warning) : '',
    el('div', { class: 'actions' }, ...actions),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'stage'), el('th', {}, 'state'), el('th', {}, 'took'), el('th', {}, 'message'))), el('tbody', {}, ...stages)),
    el('h3', {}, 'Events'),
    el('ol', { class: 'events' }, ...p.events.slice(-25).map((e) => el('li', {}, e.at.slice(11, 19) + '  ' + e.type + '  ' + e.message + '  [' + e.actor + ']'))),
  );
}

function select(id) {
  state.selected = id;
  sessionStorage.setItem('switchyard.selected', id);
  refresh();
}

async function refresh() {
  try {
    await Promise.all([renderPlatforms(), renderPromotions()]);
    await renderDetail();
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (error) {
    say(token() ? error.message : 'Enter an API token to begin (' + error.message + ').', true);
  }
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('switchyard.token', $('token').value.trim());
  $('token').value = '';
  refresh();
});
$('start-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act('promote', async () => {
    const p = await api('POST', '/v1/promotions', { platform: $('start-platform').value, targetVersion: $('start-version').value.trim() });
    select(p.id);
  });
});
refresh();
setInterval(refresh, 2000);
`;
