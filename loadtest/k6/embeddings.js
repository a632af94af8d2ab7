// Embeddings against a deployment of family `embedding`.
//   k6 run -e BASE_URL=http://localhost:8080 -e API_KEY=$KEY -e MODEL=my-embedder loadtest/k6/embeddings.js
// Optional: VUS (20), DURATION (1m), BATCH (8 inputs per request), P95_MS (1000).
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, MODEL, requireEnv, params } from './lib.js';

const BATCH = parseInt(__ENV.BATCH || '8', 10);

export const options = {
  scenarios: {
    embeddings: {
      executor: 'constant-vus',
      vus: parseInt(__ENV.VUS || '20', 10),
      duration: __ENV.DURATION || '1m',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:embeddings}': ['p(95)<' + (__ENV.P95_MS || '1000')],
  },
};

export function setup() {
  requireEnv();
}

export default function () {
  const input = [];
  for (let i = 0; i < BATCH; i++) {
    input.push('k6 sentence ' + i + ' from vu ' + __VU + ' iteration ' + __ITER);
  }
  const res = http.post(BASE_URL + '/v1/embeddings',
    JSON.stringify({ model: MODEL, input: input }), params({ kind: 'embeddings' }));
  let body = null;
  try {
    body = res.status === 200 ? JSON.parse(res.body) : null;
  } catch (e) {
    body = null;
  }
  check(res, {
    'embeddings: status 200': function (r) { return r.status === 200; },
    'embeddings: one vector per input': function () {
      return body !== null && body.object === 'list' && body.data && body.data.length === BATCH;
    },
    'embeddings: vectors are non-empty numbers': function () {
      if (body === null || !body.data) {
        return false;
      }
      for (let i = 0; i < body.data.length; i++) {
        const e = body.data[i].embedding;
        if (!e || e.length === 0 || typeof e[0] !== 'number') {
          return false;
        }
      }
      return true;
    },
    'embeddings: usage counted': function () { return body !== null && body.usage && body.usage.prompt_tokens > 0; },
  });
}
