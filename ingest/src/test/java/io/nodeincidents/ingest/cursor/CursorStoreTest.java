package io.nodeincidents.ingest.cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorStoreTest {

    private static final String CURSOR =
            "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c6013a8b34d0d8a4d4a4d4a4d4a4d;m=1d3c1b2;t=5bd2b2a3c4d5e;x=f9a0b1c2d3e4f5a6";

    @TempDir
    Path dir;

    @Test
    void firstStartHasNoCursor() throws IOException {
        assertThat(new CursorStore(dir.resolve("cursor")).load()).isEmpty();
    }

    @Test
    void savedCursorIsLoadedBackAndReplaced() throws IOException {
        CursorStore store = new CursorStore(dir.resolve("state/cursor"));
        store.save(CURSOR);
        assertThat(new CursorStore(dir.resolve("state/cursor")).load()).contains(CURSOR);

        store.save(CURSOR.replace("i=4ece7", "i=4ece8"));
        assertThat(store.load()).contains(CURSOR.replace("i=4ece7", "i=4ece8"));
        assertThat(Files.exists(dir.resolve("state/cursor.tmp"))).as("no temp file left behind").isFalse();
    }

    @Test
    void aLeftoverTempFileFromACrashDoesNotMatter() throws IOException {
        CursorStore store = new CursorStore(dir.resolve("cursor"));
        store.save(CURSOR);
        Files.writeString(dir.resolve("cursor.tmp"), "s=half-writ");
        assertThat(store.load()).contains(CURSOR);
        store.save(CURSOR.replace("i=4ece7", "i=4ece9"));
        assertThat(store.load()).contains(CURSOR.replace("i=4ece7", "i=4ece9"));
    }

    @Test
    void garbageInTheCursorFileIsAClearErrorNotAFreshStart() throws IOException {
        Files.write(dir.resolve("cursor"), new byte[] {0, 1, 2, (byte) 0xff, '\n'});
        assertThatThrownBy(() -> new CursorStore(dir.resolve("cursor")).load())
                .isInstanceOf(CursorStore.CorruptCursorException.class)
                .hasMessageContaining("does not hold a journald cursor");
    }

    @Test
    void refusesToSaveSomethingThatIsNotACursor() {
        CursorStore store = new CursorStore(dir.resolve("cursor"));
        assertThatThrownBy(() -> store.save("hello world")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.save("")).isInstanceOf(IllegalArgumentException.class);
    }
}
