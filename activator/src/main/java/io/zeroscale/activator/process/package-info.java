/** The {@code process} runtime: instances as local processes (the engine simulator by default). */
package io.zeroscale.activator.process;
