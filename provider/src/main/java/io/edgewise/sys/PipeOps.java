package io.edgewise.sys;

import java.io.IOException;

/**
 * Pipes: making one. Its ends are plain descriptors afterwards: bytes move through the platform's
 * {@link ByteIo}, blocked ends wait through {@link WaitOps}, and {@link SocketOps#close} closes them.
 */
public interface PipeOps {
    /** A non-blocking, close-on-exec pipe: read end in the low 32 bits, write end in the high 32 bits. */
    long pipe() throws IOException;
}
