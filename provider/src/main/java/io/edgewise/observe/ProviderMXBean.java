package io.edgewise.observe;

import java.util.Map;

/** The Edgewise provider ({@code io.edgewise:type=Provider}): open channels, selectors, descriptors. */
public interface ProviderMXBean {
    String getBackend();

    String getBinding();

    long getOpenSelectors();

    /** Open channels by kind: tcp, tcp-listener, unix, unix-listener, udp, unix-datagram, pipe-source, pipe-sink. */
    Map<String, Long> getOpenChannels();

    /** Descriptors Edgewise channels hold, closed channels a selector still holds included. */
    long getChannelDescriptors();

    /** Closed channels whose descriptor a selector still holds (closed at its next selection operation). */
    long getDeferredCloses();

    long getChannelsOpened();

    long getChannelsClosed();
}
