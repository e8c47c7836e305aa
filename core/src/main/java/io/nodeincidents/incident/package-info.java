/**
 * Correlation of one host's kernel memory events with its runtime failures into incidents, with a diagnosis and
 * remediation. Plain Java, no Kafka types.
 *
 * <p>How a topology uses it: key kernel events and runtime failures by host; keep one {@link
 * io.nodeincidents.incident.HostIncidentState} per host in a key-value store (bytes via {@link
 * io.nodeincidents.incident.HostIncidentStateCodec}); for every event call {@link
 * io.nodeincidents.incident.IncidentAggregator#onKernelEvent} or {@link
 * io.nodeincidents.incident.IncidentAggregator#onRuntimeFailure} with the host's own event time, store the returned
 * state and forward the returned incidents keyed by incidentId; from a stream-time punctuator (e.g. every 10 s) call
 * {@link io.nodeincidents.incident.IncidentAggregator#onTime} for every stored host, again with that host's time.
 *
 * <p>The host's time, not the task's stream time: several hosts share a partition, and one whose entries run far
 * behind the others' (an old log replayed into a live system) would see its failures dropped as late and its
 * incidents resolved at once. The topology keeps a clock per host: the newest event time seen for it, moved on by
 * stream time while it is quiet (io.nodeincidents.topology.HostClock); when all hosts are live it is stream time.
 *
 * <p>Delete a host's entry when {@link
 * io.nodeincidents.incident.HostIncidentState#isIdle()}.
 */
package io.nodeincidents.incident;
