package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.runtime.InstanceRuntime;
import java.time.Clock;

/** What every part of the loop shares: the policy, the clock, the runtime and the pass's state. */
record Parts(
    ActivatorPolicy policy,
    Clock clock,
    InstanceRuntime runtime,
    Fleet fleet,
    Events events,
    EndpointSync endpoints) {}
