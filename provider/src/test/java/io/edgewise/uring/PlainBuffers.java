package io.edgewise.uring;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with a whole provided buffer per receive ({@code io.edgewise.uring.test.bufferMode=plain}),
 * as on kernels before 6.12, where this machine's kernel consumes buffers incrementally by default: both modes
 * run on one CI kernel. The setting is read when a selector makes its buffer ring; restored afterwards.
 */
final class PlainBuffers implements BeforeAllCallback, AfterAllCallback {
    private static final String MODE = "io.edgewise.uring.test.bufferMode";
    private String before;

    @Override
    public void beforeAll(ExtensionContext context) {
        before = System.getProperty(MODE);
        System.setProperty(MODE, "plain");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (before == null) System.clearProperty(MODE);
        else System.setProperty(MODE, before);
    }
}
