/**
 * Incident revisions pushed to Prometheus Alertmanager (API v2): {@link io.nodeincidents.alerting.IncidentAlerts}
 * maps a revision to one alert, {@link io.nodeincidents.alerting.AlertmanagerSender} queues and posts them off the
 * stream thread and re-sends the open ones, {@link io.nodeincidents.alerting.AlertmanagerSettings} declares the
 * settings. Uses the schemas and Micrometer; nothing of the topology or the query API.
 */
package io.nodeincidents.alerting;
