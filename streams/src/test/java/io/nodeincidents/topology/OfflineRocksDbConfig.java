package io.nodeincidents.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB for offline analysis: every store of the run shares one small block cache, and their memtables are charged
 * to it. By default each store (and each segment of a window store) gets its own 50 MB block cache and up to three
 * 16 MB memtables, so a long file's dedup and state stores took hundreds of MB outside the heap; here all of RocksDB
 * stays within {@link #TOTAL_BYTES}. Offline runs read back little (the per-host states are mirrored in the heap), so
 * a small cache costs little.
 */
public final class OfflineRocksDbConfig implements RocksDBConfigSetter {

    /** Block cache and memtables of every store of the JVM together. */
    static final long TOTAL_BYTES = 32L << 20;
    private static final long MEMTABLE_BYTES = 16L << 20;
    private static final long WRITE_BUFFER_BYTES = 4L << 20;

    /** Shared by every store the JVM opens, never closed; made once RocksDB's native library is loaded. */
    private static final class Shared {
        static {
            RocksDB.loadLibrary();
        }

        static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
        static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Shared.CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(Shared.WRITE_BUFFERS);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared: nothing of this store's own to close
    }
}
