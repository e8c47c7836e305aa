/**
 * Fleet view: incidents of one cause on several hosts within a window become one {@code FleetAlert}. Plain Java, no
 * Kafka types.
 *
 * <p>How a topology uses it: re-key emitted incidents by cause; keep one {@link io.nodeincidents.fleet.FleetCauseState}
 * per cause in a key-value store (a record of strings and longs: Jackson serializes it); for every incident call
 * {@link io.nodeincidents.fleet.FleetRollup#onIncident}, store the state and forward the alerts keyed by alertId.
 */
package io.nodeincidents.fleet;
