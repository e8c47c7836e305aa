package io.nodeincidents.kernel.memory;

/** Memory zones in the kernel's own order (enum zone_type); a zone can borrow only from zones below it. */
public enum ZoneType {
    DMA("DMA"), DMA32("DMA32"), NORMAL("Normal"), HIGHMEM("HighMem"), MOVABLE("Movable"), DEVICE("Device");

    private final String printed;

    ZoneType(String printed) {
        this.printed = printed;
    }

    /** The zone's name as the kernel prints it. */
    public String printed() {
        return printed;
    }

    /** The zone printed as {@code name}, or null when it is not a zone name. */
    public static ZoneType fromPrinted(String name) {
        for (ZoneType z : values()) {
            if (z.printed.equals(name)) {
                return z;
            }
        }
        return null;
    }
}
