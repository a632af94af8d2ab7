// Autoscaling ramp: load grows from 0 to PEAK clients, stays, and falls back, while an
// observer records the deployment's instances. Checks that nothing fails while the fleet
// grows and shrinks (SPEC §7: no request lost or cut in a scale-up/scale-down cycle).
//   k6 run -e BASE_URL=http://localhost:8080 -e API_KEY=$KEY -e MODEL=my-llama loadtest/k6/autoscaling-ramp.js
// Use a deployment with max_instances > 1 and a small max_batch_size (e.g. 8) so that the
// ramp needs more than one instance. Optional: PEAK (64), RAMP (2m), HOLD (3m), STREAM (true).
import http from 'k6/http';
import { sleep } from 'k6';
import { Trend, Gauge } from 'k6/metrics';
import { BASE_URL, MODEL, API_KEY, requireEnv, params, chatBody, checkChat, checkChatStream, headerNumber } from './lib.js';

const PEAK = parseInt(__ENV.PEAK || '64', 10);
const STREAM = (__ENV.STREAM || 'true') === 'true';
const queueWait = new Trend('queue_wait', true);
const ready = new Gauge('instances_ready');
const desired = new Gauge('instances_desired');
const queueDepth = new Gauge('queue_depth');

export const options = {
  scenarios: {
    ramp: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.RAMP || '2m', target: PEAK },
        { duration: __ENV.HOLD || '3m', target: PEAK },
        { duration: __ENV.RAMP || '2m', target: 0 },
      ],
      gracefulRampDown: '60s',
    },
    observer: {
      executor: 'constant-vus',
      vus: 1,
      duration: __ENV.OBSERVE || '7m',
      exec: 'observe',
    },
  },
  thresholds: {
    'http_req_failed{scenario:ramp}': ['rate==0'],
    'checks{scenario:ramp}': ['rate==1'],
    'http_req_duration{scenario:ramp}': ['p(95)<' + (__ENV.P95_MS || '30000')],
  },
};

export function setup() {
  requireEnv();
}

export default function () {
  const res = http.post(BASE_URL + '/v1/chat/completions', chatBody(STREAM),
    params({ kind: 'ramp' }, __ENV.TIMEOUT || '300s'));
  if (STREAM) {
    checkChatStream(res);
  } else {
    checkChat(res);
  }
  const wait = headerNumber(res, 'X-Zeroscale-Queue-Wait-Ms');
  if (wait >= 0) {
    queueWait.add(wait);
  }
}

/** Every 5 s: the deployment's instances and queue depth (needs deployments:read). */
export function observe() {
  const res = http.get(BASE_URL + '/api/v1/deployments/' + encodeURIComponent(MODEL),
    { headers: { Authorization: 'Bearer ' + API_KEY }, tags: { kind: 'observe' } });
  if (res.status === 200) {
    const d = JSON.parse(res.body);
    if (d.instances) {
      ready.add(d.instances.ready);
      desired.add(d.instances.desired);
    }
    queueDepth.add(d.queue_depth || 0);
  }
  sleep(5);
}
