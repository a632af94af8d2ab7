// TODO(#21): the invoices page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Invoices');
  append(ctx.view, pageHeader('Invoices'));
}
