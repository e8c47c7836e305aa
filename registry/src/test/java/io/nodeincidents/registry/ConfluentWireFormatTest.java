package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void framesWithMagicByteThenBigEndianIdThenPayload() {
        byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {42, 43});

        assertThat(framed).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04, 42, 43);
    }

    @Test
    void unframeReadsTheIdAndLocatesThePayload() {
        byte[] framed = ConfluentWireFormat.frame(70_000, new byte[] {7, 8, 9});

        ConfluentWireFormat.Framed f = ConfluentWireFormat.unframe("t", framed);

        assertThat(f.schemaId()).isEqualTo(70_000);
        assertThat(f.payloadOffset()).isEqualTo(5);
        assertThat(f.payloadLength()).isEqualTo(3);
        assertThat(f.data()[f.payloadOffset()]).isEqualTo((byte) 7);
    }

    @Test
    void idsAboveTwoToThe31RoundTripAsTheSameSignedInt() {
        byte[] framed = ConfluentWireFormat.frame(-2, new byte[0]);

        assertThat(framed).containsExactly(0x00, 0xff, 0xff, 0xff, 0xfe);
        assertThat(ConfluentWireFormat.unframe("t", framed).schemaId()).isEqualTo(-2);
    }

    @Test
    void headerOnlyIsAnEmptyPayloadNotAnError() {
        assertThat(ConfluentWireFormat.unframe("t", new byte[] {0, 0, 0, 0, 1}).payloadLength()).isZero();
    }

    @Test
    void dataShorterThanTheHeaderIsRejectedWithItsLength() {
        assertThatThrownBy(() -> ConfluentWireFormat.unframe("journal.entries", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("journal.entries")
                .hasMessageContaining("3 byte(s)");
    }

    @Test
    void wrongMagicByteIsRejectedNamingTheByte() {
        byte[] json = "{\"host\":\"node-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ConfluentWireFormat.unframe("journal.entries", json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("0x7b")
                .hasMessageContaining("magic byte");
    }
}
