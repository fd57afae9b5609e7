package io.edgewise.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's call price: a number of nanoseconds from real empty reads, and a row that names its provider. */
class CallPriceTest {
    @Test
    void pricesAnEmptyReadInNanoseconds() throws Exception {
        double ns = CallPrice.emptyReadNanos();
        // a system call and JNI cost tens of nanoseconds at the least; a millisecond would be a broken loop
        assertTrue(ns > 10 && ns < 1_000_000, "price " + ns + " ns");
        assertTrue(CallPrice.describe().matches("[0-9]+ ns"), CallPrice.describe());
    }

    @Test
    void rowNamesTheProvider() {
        assertEquals("Price of a data call (empty non-blocking read through the JDK's provider), start / end of the run",
                CallPrice.rowName("sun.nio.ch.EPollSelectorProvider"));
        assertTrue(CallPrice.rowName("io.edgewise.EdgewiseSelectorProvider")
                .contains("through io.edgewise.EdgewiseSelectorProvider"));
    }
}
