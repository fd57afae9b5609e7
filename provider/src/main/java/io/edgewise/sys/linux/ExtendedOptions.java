package io.edgewise.sys.linux;

import static io.edgewise.sys.linux.Linux.*;

import java.lang.reflect.Field;
import java.net.SocketOption;

/**
 * The {@code jdk.net.ExtendedSocketOptions} this JDK defines and Linux implements. Looked up by
 * name so one jar serves every JDK from 17 (the set grew over releases).
 */
final class ExtendedOptions {
    private ExtendedOptions() { }

    interface Sink {
        void put(SocketOption<?> opt, int level, int name, char kind);
    }

    static void register(Sink sink) {
        add(sink, "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, 'b');
        add(sink, "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 'i');
        add(sink, "TCP_KEEPINTERVAL", IPPROTO_TCP, TCP_KEEPINTVL, 'i');
        add(sink, "TCP_KEEPCOUNT", IPPROTO_TCP, TCP_KEEPCNT, 'i');
        add(sink, "SO_INCOMING_NAPI_ID", SOL_SOCKET, SO_INCOMING_NAPI_ID, 'r');
    }

    /** Names of the extended options stream sockets support here. */
    static final String[] STREAM = {"TCP_QUICKACK", "TCP_KEEPIDLE", "TCP_KEEPINTERVAL", "TCP_KEEPCOUNT",
        "SO_INCOMING_NAPI_ID"};

    static SocketOption<?> lookup(String name) {
        try {
            Class<?> c = Class.forName("jdk.net.ExtendedSocketOptions");
            Field f = c.getField(name);
            return (SocketOption<?>) f.get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static void add(Sink sink, String field, int level, int name, char kind) {
        SocketOption<?> o = lookup(field);
        if (o != null) {
            sink.put(o, level, name, kind);
        }
    }
}
