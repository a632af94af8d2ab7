/** Start-up checks shared by the gateway's validated settings records. */
package io.zeroscale.gateway.settings;
