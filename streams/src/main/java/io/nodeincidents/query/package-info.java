/**
 * The post-incident query API: what the correlator knows, over HTTP, from any of its instances.
 *
 * <p>{@link io.nodeincidents.query.QueryStores} are the state stores the topology keeps for it (the latest revision
 * of every incident, each host's parsed events by time); {@link io.nodeincidents.query.LocalStores} reads this
 * instance's part of them; {@link io.nodeincidents.query.StreamsQueryBackend} finds the instance that holds a key
 * (Kafka Streams interactive queries, {@code application.server}) and forwards to it, or asks every instance and
 * merges; {@link io.nodeincidents.query.QueryServer} serves it over HTTP (JSON, optional bearer token, OpenAPI
 * document), and {@link io.nodeincidents.query.QueryClient} is its client, used by the forwarding and by
 * {@code nodeincidents query}.
 */
package io.nodeincidents.query;
