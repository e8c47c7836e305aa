package io.nodeincidents.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in the JVM together: one shared block cache of
 * {@code rocksdb.memory.bytes}, index and filter blocks in it, and a write buffer manager that counts the memtables
 * ({@code rocksdb.memtable.bytes} of it) against the same cache. Without it each store of each task has its own
 * 50 MB block cache and up to three 16 MB memtables (windowed stores: per segment), so RSS grows with partitions.
 * The pattern of Kafka Streams' memory management guide.
 *
 * <p>The cache is made from the first configuration seen and shared for the life of the JVM (one correlator per JVM).
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    private static final double INDEX_FILTER_SHARE = 0.1;
    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long total = bytes(configs, CorrelatorSettings.ROCKSDB_MEMORY.name(),
                CorrelatorSettings.ROCKSDB_MEMORY.defaultValue());
        long memtables = Math.min(total, bytes(configs, CorrelatorSettings.ROCKSDB_MEMTABLES.name(),
                CorrelatorSettings.ROCKSDB_MEMTABLES.defaultValue()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedRocksDbMemory.class) {
            if (cache == null) {
                cache = new LRUCache(total, -1, false, INDEX_FILTER_SHARE);
                writeBuffers = new WriteBufferManager(memtables, cache);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBuffers);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        // memtables keep Kafka Streams' size (16 MB): the write buffer manager flushes when together they take more
        // than their share. A 64 MB cache (16 or 48 MB of it memtables) made a 1 GB storm's dedup reads and writes
        // three times as slow as 128 MB (32 MB memtables), which ran as fast as unbounded stores
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and write buffer manager are shared by every store: they live as long as the JVM
    }

    private static long bytes(Map<String, Object> configs, String name, long defaultValue) {
        Object value = configs.get(name);
        if (value == null) {
            return defaultValue;
        }
        return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    }
}
