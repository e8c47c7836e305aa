/**
 * Correlation of one host's kernel memory events with its runtime failures into incidents, with a diagnosis and
 * remediation. Plain Java, no Kafka types.
 *
 * <p>How a topology uses it: key kernel events and runtime failures by host; keep one {@link
 * io.nodeincidents.incident.HostIncidentState} per host in a key-value store (bytes via {@link
 * io.nodeincidents.incident.HostIncidentStateCodec}); for every event call {@link
 * io.nodeincidents.incident.IncidentAggregator#onKernelEvent} or {@link
 * io.nodeincidents.incident.IncidentAggregator#onRuntimeFailure} with the task's stream time, store the returned state
 * and forward the returned incidents keyed by incidentId; from a stream-time punctuator (e.g. every 10 s) call {@link
 * io.nodeincidents.incident.IncidentAggregator#onTime} for every stored host. Delete a host's entry when {@link
 * io.nodeincidents.incident.HostIncidentState#isIdle()}.
 */
package io.nodeincidents.incident;
