/** The port through which the activator runs instances, and what it says about them. */
package io.zeroscale.activator.runtime;
