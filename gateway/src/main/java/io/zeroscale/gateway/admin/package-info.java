/** Admin API (/admin/v1): tenants and API keys, for admin keys. */
package io.zeroscale.gateway.admin;
