package io.nodeincidents.incident;

import io.nodeincidents.runtime.PodRef;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@link HostIncidentState} to bytes and back, for a state store (wrap it in the store's serde). Plain fields are
 * written with {@link DataOutputStream}; the embedded contract records (kernel events, runtime failures, evidence)
 * with Avro binary encoding. The header holds a format version and the fingerprints of those three schemas: bytes
 * written with other schemas (an upgrade that changed a contract) are refused with {@link StateFormatException}
 * rather than misread; the caller then starts that host from an empty state (open incidents live at most G + grace).
 */
public final class HostIncidentStateCodec {

    /** 2: counts of the items left out of the capped lists, and the runtime failures' lines. */
    private static final int FORMAT = 2;
    private static final int MAX_ITEMS = 1_000_000;
    private static final long SCHEMAS = SchemaNormalization.parsingFingerprint64(KernelMemoryEvent.getClassSchema())
            ^ Long.rotateLeft(SchemaNormalization.parsingFingerprint64(RuntimeFailureEvent.getClassSchema()), 21)
            ^ Long.rotateLeft(SchemaNormalization.parsingFingerprint64(EvidenceRef.getClassSchema()), 42);

    private HostIncidentStateCodec() {
    }

    public static byte[] encode(HostIncidentState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Writer w = new Writer(out);
            out.writeByte(FORMAT);
            out.writeLong(SCHEMAS);
            out.writeInt(state.openIncidents().size());
            for (OpenIncident i : state.openIncidents()) {
                w.incident(i);
            }
            out.writeInt(state.pendingFailures().size());
            for (PendingFailure p : state.pendingFailures()) {
                w.record(p.failure());
                out.writeLong(p.timeMicros());
            }
            out.writeInt(state.recentEventIds().size());
            for (String id : state.recentEventIds()) {
                writeString(out, id);
            }
            out.writeLong(state.droppedFailures());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes bytes from {@link #encode}; null gives null (a state store's absent value). */
    public static HostIncidentState decode(byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new StateFormatException("host incident state format " + format + ", expected " + FORMAT);
            }
            if (in.readLong() != SCHEMAS) {
                throw new StateFormatException("host incident state was written with other contract schemas");
            }
            Reader r = new Reader(in);
            List<OpenIncident> open = new ArrayList<>();
            for (int n = r.count(); n > 0; n--) {
                open.add(r.incident());
            }
            List<PendingFailure> pending = new ArrayList<>();
            for (int n = r.count(); n > 0; n--) {
                pending.add(new PendingFailure(r.record(RuntimeFailureEvent.getClassSchema()), in.readLong()));
            }
            List<String> ids = new ArrayList<>();
            for (int n = r.count(); n > 0; n--) {
                ids.add(readString(in));
            }
            long dropped = in.readLong();
            if (in.read() != -1) {
                throw new StateFormatException("trailing bytes after host incident state");
            }
            return new HostIncidentState(open, pending, ids, dropped);
        } catch (EOFException e) {
            throw new StateFormatException("host incident state is truncated", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof StateFormatException sfe) {
                throw sfe;
            }
            throw new StateFormatException("host incident state is corrupt: " + e, e);
        }
    }

    /** Length-prefixed UTF-8: unlike writeUTF, no 64 KB limit (pod names and ids come from untrusted logs). */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new StateFormatException("implausible string length " + length + " in host incident state");
        }
        return new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final class Writer {
        private final DataOutputStream out;
        private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(1024);
        private BinaryEncoder encoder;

        Writer(DataOutputStream out) {
            this.out = out;
        }

        void incident(OpenIncident i) throws IOException {
            writeString(out, i.incidentId());
            writeString(out, i.host());
            nullable(i.kernelVersion());
            out.writeLong(i.firstSeenMicros());
            out.writeLong(i.lastSeenMicros());
            out.writeInt(i.kernelMarks().size());
            for (KernelMark m : i.kernelMarks()) {
                writeString(out, m.eventId());
                out.writeLong(m.timeMicros());
                writeString(out, m.kind().name());
                out.writeInt(m.order());
            }
            records(i.exemplars());
            records(i.kernelEvents());
            records(i.runtimeFailures());
            out.writeInt(i.affectedPods().size());
            for (PodRef p : i.affectedPods()) {
                nullable(p.namespace());
                nullable(p.pod());
                nullable(p.podUid());
                nullable(p.containerId());
            }
            records(i.evidence());
            IncidentTally t = i.tally();
            for (int n : new int[] {t.allocationFailures(), t.oomKills(), t.slabFailures(), t.sandboxFailures(),
                    t.containerStartFailures(), t.containerOomKills(), t.otherFailures(), t.unrecognizedFailures()}) {
                out.writeInt(n);
            }
            out.writeLong(t.runtimeFailureLines());
            out.writeInt(i.revision());
            out.writeLong(i.emittedAtMicros());
            Materiality m = i.emitted();
            out.writeBoolean(m != null);
            if (m != null) {
                writeString(out, m.cause().name());
                writeString(out, m.severity().name());
                out.writeInt(m.affectedPods());
                out.writeBoolean(m.kernelVersionKnown());
                for (int n : new int[] {m.allocationFailuresBand(), m.oomKillsBand(), m.slabFailuresBand(),
                        m.sandboxFailuresBand(), m.containerFailuresBand()}) {
                    out.writeInt(n);
                }
            }
            out.writeLong(i.kernelEventsOmitted());
            out.writeLong(i.runtimeFailuresOmitted());
            out.writeLong(i.evidenceOmitted());
        }

        void records(List<? extends SpecificRecord> records) throws IOException {
            out.writeInt(records.size());
            for (SpecificRecord r : records) {
                record(r);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        void record(SpecificRecord r) throws IOException {
            scratch.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(scratch, encoder);
            new SpecificDatumWriter(r.getSchema()).write(r, encoder);
            encoder.flush();
            out.writeInt(scratch.size());
            scratch.writeTo(out);
        }

        void nullable(String s) throws IOException {
            out.writeBoolean(s != null);
            if (s != null) {
                writeString(out, s);
            }
        }
    }

    private static final class Reader {
        private final DataInputStream in;
        private BinaryDecoder decoder;

        Reader(DataInputStream in) {
            this.in = in;
        }

        int count() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_ITEMS) {
                throw new StateFormatException("implausible list length " + n + " in host incident state");
            }
            return n;
        }

        OpenIncident incident() throws IOException {
            String id = readString(in);
            String host = readString(in);
            String kernel = nullable();
            long first = in.readLong();
            long last = in.readLong();
            List<KernelMark> marks = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                marks.add(new KernelMark(readString(in), in.readLong(), KernelEventKind.valueOf(readString(in)),
                        in.readInt()));
            }
            List<KernelMemoryEvent> exemplars = records(KernelMemoryEvent.getClassSchema());
            List<KernelMemoryEvent> kernelEvents = records(KernelMemoryEvent.getClassSchema());
            List<RuntimeFailureEvent> failures = records(RuntimeFailureEvent.getClassSchema());
            List<PodRef> pods = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                pods.add(new PodRef(nullable(), nullable(), nullable(), nullable()));
            }
            List<EvidenceRef> evidence = records(EvidenceRef.getClassSchema());
            IncidentTally tally = new IncidentTally(in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readLong());
            int revision = in.readInt();
            long emittedAt = in.readLong();
            Materiality emitted = null;
            if (in.readBoolean()) {
                emitted = new Materiality(IncidentCause.valueOf(readString(in)), Severity.valueOf(readString(in)),
                        in.readInt(), in.readBoolean(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                        in.readInt());
            }
            return new OpenIncident(id, host, kernel, first, last, marks, exemplars, kernelEvents, failures, pods,
                    evidence, tally, revision, emittedAt, emitted, in.readLong(), in.readLong(), in.readLong());
        }

        <T extends SpecificRecord> List<T> records(Schema schema) throws IOException {
            List<T> list = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                list.add(record(schema));
            }
            return list;
        }

        <T extends SpecificRecord> T record(Schema schema) throws IOException {
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new StateFormatException("implausible record length " + length + " in host incident state");
            }
            byte[] bytes = in.readNBytes(length);
            decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
            T record = new SpecificDatumReader<T>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new StateFormatException("record of " + schema.getName() + " has trailing bytes");
            }
            return record;
        }

        String nullable() throws IOException {
            return in.readBoolean() ? readString(in) : null;
        }
    }
}
