// The console's front page: the first section the key may open.
export async function render(ctx) {
  const s = ctx.session;
  let to = 'keys';
  if (s.platform) to = s.can('admin') ? 'admin/tenants' : 'admin/invoices';
  else if (s.can('deployments:read')) to = 'deployments';
  else if (s.canInfer()) to = 'playground';
  else if (s.can('usage:read')) to = 'usage';
  ctx.navigate(to, {replace: true});
}
