/** Small web helpers shared by the API handlers: reading JSON request bodies with exact errors. */
package io.zeroscale.gateway.web;
