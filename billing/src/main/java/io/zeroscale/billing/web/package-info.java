/** Billing's HTTP reads (usage, invoices) and finance's month closing, on the gateway's WebFlux. */
package io.zeroscale.billing.web;
