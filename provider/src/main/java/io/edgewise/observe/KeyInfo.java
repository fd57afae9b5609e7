package io.edgewise.observe;

import javax.management.ConstructorParameters;

/** One selection key as {@link SelectorMXBean#listKeys()} shows it (a CompositeData to JMX clients). */
public final class KeyInfo {
    private final String channel, channelKind, localAddress, remoteAddress, interest, ready, trigger;
    private final boolean oneshot, channelOpen, edgeNotDrained;
    private final long millisSinceLastEvent;

    @ConstructorParameters({"channel", "channelKind", "localAddress", "remoteAddress", "interest", "ready",
            "trigger", "oneshot", "channelOpen", "edgeNotDrained", "millisSinceLastEvent"})
    public KeyInfo(String channel, String channelKind, String localAddress, String remoteAddress, String interest,
                   String ready, String trigger, boolean oneshot, boolean channelOpen, boolean edgeNotDrained,
                   long millisSinceLastEvent) {
        this.channel = channel;
        this.channelKind = channelKind;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.interest = interest;
        this.ready = ready;
        this.trigger = trigger;
        this.oneshot = oneshot;
        this.channelOpen = channelOpen;
        this.edgeNotDrained = edgeNotDrained;
        this.millisSinceLastEvent = millisSinceLastEvent;
    }

    public String getChannel() { return channel; }
    public String getChannelKind() { return channelKind; }
    public String getLocalAddress() { return localAddress; }
    public String getRemoteAddress() { return remoteAddress; }
    /** Interest set as names, e.g. "READ|WRITE" ("" for none, "cancelled" for an invalid key). */
    public String getInterest() { return interest; }
    public String getReady() { return ready; }
    public String getTrigger() { return trigger; }
    public boolean isOneshot() { return oneshot; }
    public boolean isChannelOpen() { return channelOpen; }
    /** An edge-triggered key reported readable whose channel has not been read until "would block" since. */
    public boolean isEdgeNotDrained() { return edgeNotDrained; }
    /** Milliseconds since the selector last selected this key; -1 if it never did. */
    public long getMillisSinceLastEvent() { return millisSinceLastEvent; }

    @Override
    public String toString() {
        return channel + " interest=" + interest + " ready=" + ready + " " + trigger + (oneshot ? " oneshot" : "")
                + " lastEvent=" + millisSinceLastEvent + "ms ago";
    }
}
