/**
 * The ports the activator's host application provides: the control plane's deployment status
 * ({@link io.zeroscale.activator.core.DeploymentStatusPort}) and billing's spend limits ({@link
 * io.zeroscale.activator.core.BudgetPort}).
 */
package io.zeroscale.activator.core;
