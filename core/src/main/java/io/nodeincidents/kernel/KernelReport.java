package io.nodeincidents.kernel;

/**
 * One kernel memory report: many kernel log lines (a header, a stack dump, memory state, a task table) decoded
 * into one event. Produced by {@link KernelReportAssembler}; the streaming topology and offline {@code analyze}
 * map these to their own output types.
 */
public sealed interface KernelReport permits AllocationFailureReport, OomKillReport, SlabFailureReport {

    /** What every kernel report shares: where and when it was printed, by which task, doing what. */
    ReportContext context();

    /** One human-readable line describing the report. */
    String summary();
}
