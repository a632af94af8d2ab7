/** The benchmark's bare Spring Cloud Gateway: one route, no filter of ours. */
package io.zeroscale.barescg;
