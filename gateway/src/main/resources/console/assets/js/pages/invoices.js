// Every tenant's invoices for a month (finance or admin): GET /admin/v1/invoices?period=YYYY-MM,
// the month's CSV, and finalizing a month that is over. The month is in the address
// (admin/invoices?period=2026-11), this month by default.
import {
  h, append, replace, update, pageHeader, card, badge, table, button, field, notice, errorText,
  confirmDialog, usd, num, time,
} from '../dom.js';
import {get, post, api} from '../api.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

function thisMonth() {
  return new Date().toISOString().slice(0, 7); // UTC, as the API's months
}

/** The sum of decimal amounts in micro-dollars (exact for the API's 6 decimals at most). */
function sumUsd(values) {
  let micros = 0;
  for (const v of values) micros += Math.round(Number(v) * 1e6);
  return micros / 1e6;
}

export async function render(ctx) {
  ctx.title('Invoices');
  if (!ctx.session.can('finance')) {
    append(ctx.view, [pageHeader('Invoices'), notice('info', 'All tenants\' invoices need a platform key with the finance or admin scope.')]);
    return;
  }
  const asked = ctx.query.get('period');
  const period = asked && PERIOD.test(asked) ? asked : thisMonth();
  const over = period < thisMonth();

  const status = h('div', {id: 'invoices-status', 'aria-live': 'polite'});
  const listArea = h('div', {id: 'invoices-list', 'aria-live': 'polite'});
  const stats = h('div', {class: 'stats', id: 'invoices-stats'});

  const picker = h('input', {type: 'month', name: 'period', value: period, id: 'invoices-period', min: '1970-01', max: '9998-12', required: true});
  const pick = (event) => {
    event.preventDefault();
    const value = picker.value;
    if (!PERIOD.test(value)) {
      picker.setAttribute('aria-invalid', 'true');
      picker.focus();
      replace(status, notice('error', 'Month (UTC): choose a month (YYYY-MM).'));
      return;
    }
    ctx.navigate(`admin/invoices?period=${value}`);
  };
  const pickerForm = h('form', {novalidate: true, class: 'period-picker', onSubmit: pick},
    field('Month (UTC)', picker),
    h('button', {type: 'submit', class: 'btn btn-secondary', id: 'invoices-show'}, 'Show'));
  // No navigation on `change`: typing a month by keyboard changes it part by part. Show (or Enter) navigates.

  async function downloadCsv() {
    try {
      const response = await api('GET', `/admin/v1/invoices?period=${period}&format=csv`, undefined, {raw: true, accept: 'text/csv'});
      const blob = await response.blob();
      if (!ctx.current()) return;
      const url = URL.createObjectURL(blob);
      const link = h('a', {href: url, download: `invoices-${period}.csv`, hidden: true});
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(status, notice('error', errorText(err)));
    }
  }

  async function finalize() {
    const ok = await confirmDialog(`Finalize ${period}?`,
      `Every tenant with charges in ${period} gets its final invoice, and a finalized invoice never changes: `
      + 'it is served byte for byte the same forever. Usage that arrives later goes on the next open month as adjustment lines.',
      `Finalize ${period}`, 'primary');
    if (!ok || !ctx.current()) return;
    try {
      const result = await post(`/admin/v1/invoices/${period}/finalize`);
      if (!ctx.current()) return;
      const n = result.data.length;
      replace(status, notice('success', `Finalized ${period}: ${n} final invoice${n === 1 ? '' : 's'}.`));
      show(result.data);
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(status, notice('error', errorText(err)));
    }
  }

  function show(invoices) {
    const finals = invoices.filter((i) => i.status === 'final').length;
    update(stats,
      h('div', {class: 'stat'}, h('div', {class: 'label'}, 'Invoices'), h('div', {class: 'value', id: 'invoices-count'}, num(invoices.length))),
      h('div', {class: 'stat'}, h('div', {class: 'label'}, 'Total'), h('div', {class: 'value', id: 'invoices-total'}, usd(sumUsd(invoices.map((i) => i.total_usd))))),
      h('div', {class: 'stat'}, h('div', {class: 'label'}, 'Final'), h('div', {class: 'value'}, `${num(finals)} of ${num(invoices.length)}`)));
    update(listArea, table({
      columns: [
        {label: 'Tenant', cell: (i) => i.tenant},
        {label: 'Number', cell: (i) => h('code', {}, i.number)},
        {label: 'Status', cell: (i) => badge(i.status)}, // draft or final: the same badges as Usage & billing
        {label: 'Lines', class: 'num', cell: (i) => num((i.lines || []).length)},
        {label: 'As of', cell: (i) => time(i.as_of)},
        {label: 'Total', class: 'num', cell: (i) => usd(i.total_usd)},
      ],
      rows: invoices,
      empty: `No invoices for ${period}: no tenant had charges that month.`,
      rowAttrs: (i) => ({'data-number': i.number, 'data-tenant': i.tenant, 'data-status': i.status}),
    }));
  }

  async function load() {
    try {
      const list = await get(`/admin/v1/invoices?period=${period}`);
      if (ctx.current()) show(list.data);
    } catch (err) {
      if (ctx.current() && err.status !== 401) replace(listArea, notice('error', errorText(err)));
    }
  }

  const finalizeButton = button(`Finalize ${period}`, finalize, {kind: 'primary', attrs: {
    id: 'invoices-finalize',
    disabled: !over,
    title: over ? null : `${period} is not over yet: a month is finalized once it has ended.`,
  }});
  append(ctx.view, [
    pageHeader('Invoices',
      button('Download CSV', downloadCsv, {attrs: {id: 'invoices-csv'}}),
      finalizeButton),
    card(null, pickerForm,
      over ? null : h('p', {class: 'muted'}, `${period} is still open: its invoices are drafts that grow with usage until the month has ended and is finalized.`)),
    status,
    stats,
    card(`Invoices for ${period}`, listArea)]);
  await load();
  if (!over) ctx.every(30000, load);
}
