/** Boots, watches, drains and stops model instances through a runtime (process or Kubernetes). */
package io.zeroscale.activator;
