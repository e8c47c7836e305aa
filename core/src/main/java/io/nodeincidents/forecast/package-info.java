/**
 * Forecasting memory fragmentation from each host's memory samples, before pods fail: {@link
 * io.nodeincidents.forecast.FragmentationForecast} steps a host's {@link io.nodeincidents.forecast.HostMemoryState}
 * with each {@code NodeMemorySample} and raises FRAGMENTATION_RISK incidents; {@link
 * io.nodeincidents.forecast.MemoryEvidence} joins the forecast to the allocation failures that follow. Plain Java,
 * no Kafka types; uses {@code incident} for kernel releases.
 */
package io.nodeincidents.forecast;
