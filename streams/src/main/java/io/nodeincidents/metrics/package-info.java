/**
 * The correlator's Prometheus metrics ({@link io.nodeincidents.metrics.CorrelatorMetrics}): incidents, decoded
 * events and dead letters counted, and the Kafka Streams client metrics, consumer lag included.
 */
package io.nodeincidents.metrics;
