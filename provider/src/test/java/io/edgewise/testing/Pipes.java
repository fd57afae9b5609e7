package io.edgewise.testing;

import io.edgewise.sys.Platform;
import java.io.IOException;
import java.util.List;

/** Raw non-blocking pipes for tests of pollers. Stateless. */
public final class Pipes {
    private Pipes() { }

    /** A non-blocking pipe, {read, write}; both numbers are added to {@code toClose}. */
    public static int[] open(List<Integer> toClose) throws IOException {
        long rw = Platform.pipeOps().pipe();
        int r = (int) rw, w = (int) (rw >>> 32);
        toClose.add(r);
        toClose.add(w);
        return new int[] {r, w};
    }
}
