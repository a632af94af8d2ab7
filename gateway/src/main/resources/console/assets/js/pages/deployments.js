// The tenant's deployments: one row each, refreshed every 3 s.
import {get} from '../api.js';
import {h, replace, update, append, pageHeader, card, badge, table, notice, errorText, num, ago} from '../dom.js';

const BASE = '/console/';

function statusCell(d) {
  return h('div', {class: 'status-cell'},
    badge(d.status),
    d.reason ? h('div', {class: 'muted reason'}, d.reason) : null,
    d.warning ? h('div', {class: 'muted reason'}, d.warning) : null);
}

function instancesCell(d) {
  const i = d.instances || {};
  return h('span', {title: 'desired / starting / ready / draining'},
    `${num(i.desired)} / ${num(i.starting)} / ${num(i.ready)} / ${num(i.draining)}`);
}

function listTable(deployments, ctx) {
  const empty = h('div', {class: 'empty-state'},
    h('p', {class: 'empty'}, 'No deployments yet.'),
    h('p', {},
      'Import a model under ', h('a', {href: `${BASE}models`}, 'Models'),
      ctx.session.can('deployments:write')
        ? [', then ', h('a', {href: `${BASE}deploy`}, 'deploy it'), ' to serve it behind an OpenAI-compatible endpoint.']
        : '; a key with deployments:write can deploy it.'));
  if (deployments.length === 0) return empty;
  return table({
    columns: [
      {label: 'Name', cell: (d) => h('a', {href: `${BASE}deployments/${encodeURIComponent(d.id)}`, class: 'deployment-link'}, d.model_name)},
      {label: 'Status', cell: statusCell},
      {label: 'Family', cell: (d) => d.family},
      {label: 'GPU', cell: (d) => `${d.gpu} × ${d.num_gpus}`},
      {label: 'Instances (desired / starting / ready / draining)', cell: instancesCell},
      {label: 'Queue', class: 'num', cell: (d) => num(d.queue_depth)},
      {label: 'Min–max', cell: (d) => `${num(d.settings && d.settings.min_instances)}–${num(d.settings && d.settings.max_instances)}`},
      {label: 'Updated', cell: (d) => h('time', {datetime: d.updated_at, title: d.updated_at}, ago(d.updated_at))},
    ],
    rows: deployments,
    rowAttrs: (d) => ({'data-id': d.id, 'data-name': d.model_name, 'data-status': d.status}),
  });
}

export async function render(ctx) {
  ctx.title('Deployments');
  if (!ctx.session.can('deployments:read')) {
    append(ctx.view, [pageHeader('Deployments'), notice('info',
      'This key cannot read deployments (it lacks deployments:read), so it cannot see the deployments: sign in with a key that has deployments:read.')]);
    return;
  }
  const actions = ctx.session.can('deployments:write')
    ? h('a', {href: `${BASE}deploy`, class: 'btn btn-primary', id: 'deploy-link'}, 'Deploy a model')
    : null;
  const body = h('div', {id: 'deployments-list'});
  const status = h('div', {class: 'refresh-status'});
  append(ctx.view, [pageHeader('Deployments', actions), card(null, status, body)]);

  let first = true;
  const load = async () => {
    try {
      const list = await get('/api/v1/deployments');
      if (!ctx.current()) return;
      const rows = [...(list.data || [])].sort((a, b) => String(a.model_name).localeCompare(String(b.model_name)));
      update(body, listTable(rows, ctx));
      replace(status);
    } catch (err) {
      if (!ctx.current()) return;
      if (first) throw err;
      if (err.status === 401) return;
      replace(status, notice('error', errorText(err)));
    } finally {
      first = false;
    }
  };
  await load();
  ctx.every(3000, load);
}
