// Shared helpers for the Zeroscale k6 scripts. Plain ES2015 (runs on k6 v0.48 and later):
// no optional chaining, no nullish coalescing.
import { check, fail } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
export const API_KEY = __ENV.API_KEY || '';
export const MODEL = __ENV.MODEL || '';
export const MAX_TOKENS = parseInt(__ENV.MAX_TOKENS || '16', 10);

/** Fails the test at start-up when the environment is incomplete. */
export function requireEnv() {
  if (!API_KEY) {
    fail('set API_KEY (the demo tenant key is in $ZEROSCALE_HOME/demo-api-key)');
  }
  if (!MODEL) {
    fail('set MODEL to a deployment\'s model_name (or <tenant>/<model_name>)');
  }
}

export function params(tags, timeout) {
  return {
    headers: {
      'Authorization': 'Bearer ' + API_KEY,
      'Content-Type': 'application/json',
    },
    tags: tags || {},
    // A cold deployment holds the request while an instance boots: allow for it.
    timeout: timeout || __ENV.TIMEOUT || '120s',
  };
}

export function chatBody(stream, prompt) {
  const body = {
    model: MODEL,
    messages: [{ role: 'user', content: prompt || 'Say hello to k6, vu ' + __VU + ' iter ' + __ITER }],
    max_tokens: MAX_TOKENS,
  };
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}

/** Checks an OpenAI chat.completion body; true when all checks passed. */
export function checkChat(res) {
  const body = res.status === 200 ? parseJson(res.body) : null;
  return check(res, {
    'chat: status 200': function (r) { return r.status === 200; },
    'chat: object chat.completion': function () { return body !== null && body.object === 'chat.completion'; },
    'chat: has a message': function () {
      return body !== null && body.choices && body.choices.length > 0 &&
        body.choices[0].message && typeof body.choices[0].message.content === 'string';
    },
    'chat: usage counted': function () {
      return body !== null && body.usage && body.usage.completion_tokens > 0;
    },
  });
}

/**
 * Splits a text/event-stream body into events. Returns
 * {events: [data strings], comments: n, framingOk: bool, done: bool}.
 * Framing: every event is one or more `data:` lines ended by a blank line; comment lines
 * (`: waiting for instance`, sent while a request is held) are allowed; `[DONE]` comes last.
 */
export function parseSse(text) {
  const out = { events: [], comments: 0, framingOk: true, done: false };
  if (typeof text !== 'string') {
    out.framingOk = false;
    return out;
  }
  const blocks = text.split(/\r?\n\r?\n/);
  const last = blocks.pop();
  if (last !== '') {
    out.framingOk = false; // the stream did not end with a blank line
  }
  for (let i = 0; i < blocks.length; i++) {
    const lines = blocks[i].split(/\r?\n/);
    const data = [];
    for (let j = 0; j < lines.length; j++) {
      const line = lines[j];
      if (line.indexOf(':') === 0) {
        out.comments++;
      } else if (line.indexOf('data:') === 0) {
        data.push(line.substring(5).replace(/^ /, ''));
      } else if (line !== '') {
        out.framingOk = false;
      }
    }
    if (data.length === 0) {
      continue;
    }
    if (out.done) {
      out.framingOk = false; // nothing may follow [DONE]
    }
    const payload = data.join('\n');
    if (payload === '[DONE]') {
      out.done = true;
    } else {
      out.events.push(payload);
    }
  }
  return out;
}

/** Checks a streamed chat completion; returns the parsed stream. */
export function checkChatStream(res) {
  const sse = res.status === 200 ? parseSse(res.body) : parseSse(null);
  let chunksOk = sse.events.length > 0;
  let text = '';
  let usage = null;
  for (let i = 0; i < sse.events.length; i++) {
    const c = parseJson(sse.events[i]);
    if (c === null || c.object !== 'chat.completion.chunk') {
      chunksOk = false;
      continue;
    }
    if (c.choices && c.choices.length > 0 && c.choices[0].delta && c.choices[0].delta.content) {
      text += c.choices[0].delta.content;
    }
    if (c.usage) {
      usage = c.usage;
    }
  }
  check(res, {
    'stream: status 200': function (r) { return r.status === 200; },
    'stream: text/event-stream': function (r) {
      return String(r.headers['Content-Type'] || r.headers['content-type'] || '').indexOf('text/event-stream') === 0;
    },
    'stream: SSE framing': function () { return sse.framingOk; },
    'stream: every event is a chat.completion.chunk': function () { return chunksOk; },
    'stream: ends with [DONE]': function () { return sse.done; },
    'stream: has text': function () { return text.length > 0; },
    'stream: usage in the last chunk': function () { return usage !== null && usage.completion_tokens > 0; },
  });
  return sse;
}

/** A number from a response header, or -1. */
export function headerNumber(res, name) {
  const v = res.headers[name] || res.headers[name.toLowerCase()];
  if (v === undefined || v === null || v === '') {
    return -1;
  }
  const n = parseFloat(v);
  return isNaN(n) ? -1 : n;
}

export function header(res, name) {
  return res.headers[name] || res.headers[name.toLowerCase()] || '';
}
