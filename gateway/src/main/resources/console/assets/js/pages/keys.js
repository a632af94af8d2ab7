// TODO(#21): the keys page.
import {pageHeader, append} from '../dom.js';

export async function render(ctx) {
  ctx.title('API keys');
  append(ctx.view, pageHeader('API keys'));
}
