package io.edgewise.observe;

/** The kinds of channel Edgewise opens, as the statistics and events name them. */
public enum ChannelKind {
    TCP("tcp"), TCP_LISTENER("tcp-listener"), UNIX("unix"), UNIX_LISTENER("unix-listener"),
    UDP("udp"), UNIX_DATAGRAM("unix-datagram"), PIPE_SOURCE("pipe-source"), PIPE_SINK("pipe-sink");

    /** The name in events and MXBean attributes. */
    public final String label;

    ChannelKind(String label) {
        this.label = label;
    }

    /** The kind of an Edgewise channel, from its class (channels that share a base class pass themselves). */
    public static ChannelKind of(Object channel) {
        switch (channel.getClass().getSimpleName()) {
            case "UnixSocketChannelImpl": return UNIX;
            case "ServerSocketChannelImpl": return TCP_LISTENER;
            case "UnixServerSocketChannelImpl": return UNIX_LISTENER;
            case "SourceChannelImpl": return PIPE_SOURCE;
            case "SinkChannelImpl": return PIPE_SINK;
            default: return TCP;
        }
    }
}
