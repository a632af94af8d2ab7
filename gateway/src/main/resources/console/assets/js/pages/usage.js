// TODO(#21): the usage page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('Usage & billing');
  append(ctx.view, pageHeader('Usage & billing'));
}
