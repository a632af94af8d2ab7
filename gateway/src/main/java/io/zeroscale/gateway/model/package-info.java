/** The tenant's model library: import from the Hugging Face hub, list, rename, delete. */
package io.zeroscale.gateway.model;
