/** What the gateway's and billing's background loops share: starting and stopping them. */
package io.zeroscale.gateway.lifecycle;
