// Usage & billing: this month's cost and GPU-hours (GET /api/v1/usage), the usage per deployment
// and per instance, the spend limit (GET/PATCH /api/v1/billing/settings) and the invoices
// (GET /api/v1/invoices, each viewable and downloadable as CSV). Money is shown as the API gives it.
import {h, append, replace, update, pageHeader, card, badge, button, field, notice, errorText, form, table, facts, usd, num, time, duration} from '../dom.js';
import {api, get, patch, seg} from '../api.js';
import {intInput, decimalInput, refuse} from '../dom.js';

/** An ISO-8601 UTC time without milliseconds. */
function iso(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function stat(label, value, id) {
  return h('div', {class: 'stat', id}, h('div', {class: 'label'}, label), h('div', {class: 'value'}, value));
}

/** GPU-hours with up to 3 decimals ("1", "0.125"). */
function hours(value) {
  return num(value, 3);
}

/** The invoice's status (draft or final, as the API names it) is the badge's class, as on the Invoices page. */
function invoiceBadge(status) {
  return badge(status);
}

/** The state of the spend limit as a badge. */
function limitState(limit) {
  if (!limit) return badge('stopped', 'No limit');
  if (limit.reached) return badge('failed', 'Limit reached');
  if (limit.alert && limit.alert.reached) return badge('pending', 'Alert threshold reached');
  return badge('active', 'Within the limit');
}

export async function render(ctx) {
  ctx.title('Usage & billing');
  const s = ctx.session;
  append(ctx.view, pageHeader('Usage & billing'));
  const canRead = !s.platform && s.can('usage:read');
  const canWrite = !s.platform && s.can('billing:write');
  if (!canRead && !canWrite) {
    append(ctx.view, notice('info', 'This key may not read usage: that needs the usage:read scope.'));
    return;
  }

  const stats = h('div', {class: 'stats', id: 'usage-stats', 'aria-live': 'polite'});
  const perDeployment = h('div', {id: 'usage-deployments'});
  const limitFacts = h('div', {'aria-live': 'polite'});
  const limitFormBox = h('div', {});
  const limitBox = h('div', {id: 'usage-spend-limit'}, limitFacts, limitFormBox);
  const invoicesBox = h('div', {id: 'usage-invoices'});
  const invoiceBox = h('div', {id: 'usage-invoice', 'aria-live': 'polite'});
  const period = h('p', {class: 'muted', id: 'usage-period'});
  let usage = null;
  let settings = null;

  const loadUsage = async () => {
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const u = await get(`/api/v1/usage?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(now))}`);
    if (!ctx.current()) return;
    usage = u;
    showUsage();
  };

  function showUsage() {
    const gpuHours = usage.deployments.reduce((sum, d) => sum + Number(d.billed_gpu_hours), 0);
    const limit = usage.spend_limit;
    update(stats,
      stat('Cost this month', usd(usage.total_cost_usd), 'usage-cost'),
      stat('GPU-hours billed', hours(gpuHours), 'usage-gpu-hours'),
      stat('Instances', num(usage.instances.length), 'usage-instances'),
      stat('Spend limit left', limit ? usd(limit.remaining_usd) : 'No limit', 'usage-remaining'));
    update(period, `From ${time(usage.from)} to ${time(usage.to)} (UTC month so far; as of ${time(usage.as_of)}).`);
    const open = perDeployment.querySelector('details[open]') !== null;
    update(perDeployment,
      table({
        columns: [
          {label: 'Deployment', cell: (d) => d.deployment},
          {label: 'GPU', cell: (d) => d.gpu},
          {label: 'Instances', cell: (d) => num(d.instances), class: 'num'},
          {label: 'GPU-hours', cell: (d) => hours(d.billed_gpu_hours), class: 'num'},
          {label: 'Cost', cell: (d) => usd(d.cost_usd), class: 'num'},
        ],
        rows: usage.deployments,
        rowAttrs: (d) => ({'data-deployment': d.deployment}),
        empty: 'No usage this month yet: a deployment is billed from the moment an instance holds its GPUs.',
      }),
      usage.instances.length ? h('details', {class: 'advanced', open},
        h('summary', {}, `Per instance (${usage.instances.length})`),
        table({
          columns: [
            {label: 'Deployment', cell: (i) => i.deployment},
            {label: 'GPU', cell: (i) => `${i.num_gpus} × ${i.gpu}`},
            {label: 'Started', cell: (i) => time(i.started_at)},
            {label: 'Ended', cell: (i) => (i.running ? badge('running') : time(i.ended_at))},
            {label: 'Ran', cell: (i) => duration(Number(i.gpu_seconds) / Number(i.num_gpus || 1)), class: 'num'},
            {label: 'Billed GPU-hours', cell: (i) => hours(i.billed_gpu_hours), class: 'num'},
            {label: 'Rate', cell: (i) => `${usd(i.rate_usd_per_gpu_hour)}/GPU-h`, class: 'num'},
            {label: 'Cost', cell: (i) => usd(i.cost_usd), class: 'num'},
          ],
          rows: usage.instances,
          rowAttrs: (i) => ({'data-instance': i.instance_id}),
        }),
        h('p', {class: 'muted'}, 'The first hour of each instance is billed when it starts; costs are rounded per row.'))
        : null);
    if (settings) showLimit();
  }

  function showLimit() {
    const limit = usage ? usage.spend_limit : null;
    const none = 'None';
    if (!canRead) {
      replace(limitFacts, facts([
        ['Your monthly limit', settings.spend_limit_usd === null ? none : usd(settings.spend_limit_usd)],
        ['Administrator\'s ceiling', settings.spend_limit_ceiling_usd === null ? none : usd(settings.spend_limit_ceiling_usd)],
        ['Limit in force', settings.effective_spend_limit_usd === null ? 'No limit' : usd(settings.effective_spend_limit_usd)],
        ['Alert', settings.alert_threshold_pct === null ? none : `at ${settings.alert_threshold_pct} %`],
      ]));
      return;
    }
    const rows = [
      ['Your monthly limit', settings.spend_limit_usd === null ? none : usd(settings.spend_limit_usd)],
      ['Administrator\'s ceiling', settings.spend_limit_ceiling_usd === null ? none : usd(settings.spend_limit_ceiling_usd)],
      ['Limit in force', settings.effective_spend_limit_usd === null ? 'No limit' : usd(settings.effective_spend_limit_usd)],
      ['Spent this month', usd(limit ? limit.spent_usd : usage && usage.total_cost_usd)],
      limit ? ['Reserved for starting instances', usd(limit.reserved_usd)] : null,
      ['Alert', settings.alert_threshold_pct === null ? none
        : `at ${settings.alert_threshold_pct} %${limit && limit.alert ? ` (${usd(limit.alert.threshold_usd)})` : ''}`],
      ['State', limitState(limit)],
    ];
    replace(limitFacts,
      facts(rows),
      limit && limit.message ? notice('warning', limit.message) : null);
  }

  /** The form (with billing:write), rebuilt only when the settings change, never under typing. */
  function showLimitForm(done) {
    if (!canWrite) return;
    replace(limitFormBox, limitForm(), done ? notice('success', done) : null);
  }

  /**
   * The spend-limit form. With usage:read it shows the current settings and an empty field
   * removes the limit; without it (billing:write alone cannot read them) an empty field is kept as
   * it is and "Remove my limit" clears it. An entry that does not parse is refused, nothing is sent.
   */
  function limitForm() {
    const known = settings !== null;
    const amount = h('input', {id: 'usage-spend-limit-input', name: 'spend_limit_usd', type: 'text', inputmode: 'decimal', autocomplete: 'off',
      value: !known || settings.spend_limit_usd === null ? '' : String(settings.spend_limit_usd)});
    const alert = h('input', {id: 'usage-alert-input', name: 'alert_threshold_pct', type: 'text', inputmode: 'numeric', autocomplete: 'off', min: '1', max: '100', step: '1',
      value: !known || settings.alert_threshold_pct === null ? '' : String(settings.alert_threshold_pct)});
    let clearing = false;
    const save = async (body, done) => {
      settings = await patch('/api/v1/billing/settings', body);
      if (!ctx.current()) return;
      if (canRead) await loadUsage().catch(() => {}); // the limit also shows in the usage
      if (!ctx.current()) return;
      showLimit();
      showLimitForm(done);
    };
    const ceiling = known ? settings.spend_limit_ceiling_usd : null;
    const empty = known ? 'Empty: no limit of your own.' : 'Empty: kept as it is.';
    return h('div', {class: 'limit-form'},
      h('h3', {}, 'Change your limit'),
      form(async () => {
        const body = {};
        if (clearing) {
          clearing = false;
          body.spend_limit_usd = null;
        } else {
          const value = decimalInput(amount, 'Monthly spend limit');
          const pct = intInput(alert, 'Alert at');
          if (known || value !== undefined) body.spend_limit_usd = value ?? null;
          if (known || pct !== undefined) body.alert_threshold_pct = pct ?? null;
          if (Object.keys(body).length === 0) refuse(amount, 'Type a limit or an alert threshold first.');
        }
        const limit = body.spend_limit_usd;
        await save(body, limit === undefined ? 'Saved.'
          : limit === null ? 'Saved: no spend limit of your own.' : `Saved: your spend limit is ${usd(limit)} a month.`);
      },
      h('div', {class: 'field-row'},
        field('Monthly spend limit (USD)', amount,
          `${empty} A dot before the cents, e.g. 25.50.${ceiling === null ? '' : ` At most ${usd(ceiling)} (the administrator's ceiling).`}`),
        field('Alert at (% of the limit)', alert, known ? 'Empty: no alert.' : 'Empty: kept as it is.')),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'btn btn-primary', id: 'usage-spend-save'}, 'Save limit'),
        known && settings.spend_limit_usd === null ? null
          : h('button', {type: 'submit', class: 'btn btn-secondary', id: 'usage-spend-clear',
            onClick: () => { clearing = true; }}, 'Remove my limit'))));
  }

  async function loadInvoices() {
    const list = (await get('/api/v1/invoices')).data;
    if (!ctx.current()) return;
    replace(invoicesBox, table({
      columns: [
        {label: 'Number', cell: (i) => h('code', {}, i.number)},
        {label: 'Period', cell: (i) => i.period},
        {label: 'Status', cell: (i) => invoiceBadge(i.status)},
        {label: 'Total', cell: (i) => usd(i.total_usd), class: 'num'},
        {label: 'Actions', cell: (i) => h('div', {class: 'actions'},
          button('View', () => viewInvoice(i.number), {attrs: {class: 'btn btn-secondary btn-small invoice-view'}}),
          button('Download CSV', (event) => downloadCsv(i.number, event.currentTarget), {attrs: {class: 'btn btn-secondary btn-small invoice-csv'}}))},
      ],
      rows: list,
      rowAttrs: (i) => ({'data-number': i.number}),
      empty: 'No invoices yet: an invoice appears once a month has charges.',
    }));
  }

  async function viewInvoice(number) {
    replace(invoiceBox, h('p', {class: 'muted'}, 'Loading…'));
    try {
      const inv = await get(`/api/v1/invoices/${seg(number)}`);
      if (!ctx.current()) return;
      replace(invoiceBox, card(`Invoice ${inv.number}`,
        facts([
          ['Period', `${inv.period} (${time(inv.period_start)} to ${time(inv.period_end)})`],
          ['Status', invoiceBadge(inv.status)],
          inv.status === 'draft' ? ['As of', time(inv.as_of)] : null,
          ['Subtotal', usd(inv.subtotal_usd)],
          ['Total', h('strong', {}, usd(inv.total_usd))],
        ]),
        h('h3', {}, 'Line items'),
        table({
          columns: [
            {label: 'Type', cell: (l) => l.type},
            {label: 'Usage period', cell: (l) => l.usage_period},
            {label: 'Deployment', cell: (l) => l.deployment},
            {label: 'GPU', cell: (l) => l.gpu},
            {label: 'Instances', cell: (l) => num(l.instances), class: 'num'},
            {label: 'GPU-hours', cell: (l) => hours(l.billed_gpu_hours), class: 'num'},
            {label: 'Rate', cell: (l) => `${usd(l.rate_usd_per_gpu_hour)}/GPU-h`, class: 'num'},
            {label: 'Amount', cell: (l) => usd(l.amount_usd), class: 'num'},
          ],
          rows: inv.lines,
          empty: 'No line items.',
        }),
        h('div', {class: 'actions'}, button('Close', () => replace(invoiceBox), {attrs: {class: 'btn btn-secondary btn-small invoice-close'}}))));
      invoiceBox.scrollIntoView({block: 'nearest'});
    } catch (err) {
      if (ctx.current()) replace(invoiceBox, notice('error', errorText(err)));
    }
  }

  async function downloadCsv(number, trigger) {
    trigger.disabled = true;
    try {
      const response = await api('GET', `/api/v1/invoices/${seg(number)}`, undefined, {raw: true, accept: 'text/csv'});
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = h('a', {href: url, download: `${number}.csv`, hidden: true});
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      if (ctx.current()) replace(invoiceBox, notice('error', errorText(err)));
    } finally {
      trigger.disabled = false;
    }
  }

  if (!canRead) {
    // billing:write without usage:read: the limit can be set, not read (GET needs usage:read).
    append(ctx.view,
      notice('info', 'This key may change the spend limit (billing:write) but not read the usage, the invoices or the '
        + 'current settings: those need the usage:read scope.'),
      card('Spend limit', limitBox));
    showLimitForm(null);
    return;
  }

  append(ctx.view, [
    period,
    stats,
    card('Usage per deployment', perDeployment),
    card('Spend limit', limitBox),
    card('Invoices', invoicesBox),
    invoiceBox,
  ]);

  const [u, st, inv] = await Promise.allSettled([
    loadUsage(),
    get('/api/v1/billing/settings').then((x) => { settings = x; }),
    loadInvoices(),
  ]);
  if (!ctx.current()) return;
  if (u.status === 'rejected') replace(perDeployment, notice('error', errorText(u.reason)));
  if (st.status === 'rejected') replace(limitBox, notice('error', errorText(st.reason)));
  else {
    showLimit();
    showLimitForm(null);
  }
  if (inv.status === 'rejected') replace(invoicesBox, notice('error', errorText(inv.reason)));
  ctx.every(30000, () => { loadUsage().catch(() => {}); });
}
