// Cold-start burst: N clients hit a scaled-to-zero deployment at the same instant. Every
// request must be held (not rejected) while an instance boots, then answered.
//   k6 run -e BASE_URL=http://localhost:8080 -e API_KEY=$KEY -e MODEL=my-llama loadtest/k6/cold-start.js
// The deployment must be at zero when the test starts (`min_instances: 0`, status
// `scaled_to_zero`); setup() checks that when the key may read deployments.
// Optional: CLIENTS (50), TIMEOUT (300s: the longest boot you accept), WAIT_P95_MS (120000).
import http from 'k6/http';
import { check, fail } from 'k6';
import { Trend, Rate } from 'k6/metrics';
import { BASE_URL, MODEL, API_KEY, requireEnv, params, chatBody, checkChat, headerNumber, header } from './lib.js';

const CLIENTS = parseInt(__ENV.CLIENTS || '50', 10);
const coldWait = new Trend('cold_start_wait', true);
const heldShare = new Rate('cold_start_held');

export const options = {
  scenarios: {
    burst: {
      executor: 'per-vu-iterations',
      vus: CLIENTS,
      iterations: 1,
      maxDuration: __ENV.MAX_DURATION || '10m',
    },
  },
  thresholds: {
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    cold_start_wait: ['p(95)<' + (__ENV.WAIT_P95_MS || '120000')],
  },
};

export function setup() {
  requireEnv();
  const res = http.get(BASE_URL + '/api/v1/deployments/' + encodeURIComponent(MODEL),
    { headers: { Authorization: 'Bearer ' + API_KEY } });
  if (res.status === 200) {
    const d = JSON.parse(res.body);
    if (d.instances && d.instances.ready > 0) {
      fail('deployment ' + MODEL + ' is warm (' + d.instances.ready + ' ready): wait until it is scaled to zero');
    }
    return { status: d.status };
  }
  return { status: 'unknown (GET /api/v1/deployments answered ' + res.status + ')' };
}

export default function () {
  const res = http.post(BASE_URL + '/v1/chat/completions', chatBody(false, 'cold start'),
    params({ kind: 'cold' }, __ENV.TIMEOUT || '300s'));
  checkChat(res);
  const held = header(res, 'X-Zeroscale-Cold-Start') === 'true';
  heldShare.add(held);
  check(res, {
    'cold: held while the instance booted (x-zeroscale-cold-start)': function () { return held; },
  });
  const wait = headerNumber(res, 'X-Zeroscale-Cold-Start-Wait-Ms');
  if (wait >= 0) {
    coldWait.add(wait);
  }
}
