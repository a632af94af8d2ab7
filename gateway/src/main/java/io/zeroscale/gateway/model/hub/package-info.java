/** Hugging Face hub lookups for model import: source references, repo metadata, GPU fit. */
package io.zeroscale.gateway.model.hub;
