package io.edgewise.observe;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The JFR event types (category "Edgewise", names {@code edgewise.*}). Loaded only once
 * JFR has been initialized and {@code io.edgewise.jfr} is not false ({@link Jfr#active()}).
 * Each type has one instance ({@code PROBE}) that hot paths ask {@code isEnabled()}: once JFR has
 * instrumented the class that is a read of a static field, and an event object is made only when the
 * type is enabled in a running recording.
 */
final class Events {
    private Events() { }

    @Name("edgewise.Select") @Label("Select") @Category("Edgewise")
    @Description("A selection operation of an Edgewise selector (longer than the threshold)")
    @Threshold("20 ms") @StackTrace(false)
    static final class Select extends Event {
        static final Select PROBE = new Select();
        @Label("Selector Id") long selectorId;
        @Label("Backend") String backend;
        @Label("Timeout") @Description("N/A: select() without timeout; 0: selectNow()")
        @Timespan(Timespan.MILLISECONDS) long timeout;
        @Label("Events Polled") int polledEvents;
        @Label("Keys Ready") int keysReady;
        @Label("Registered Keys") int registeredKeys;
        @Label("Woken Up") boolean wokenUp;
    }

    @Name("edgewise.Connect") @Label("Connect") @Category("Edgewise")
    @Description("A connect of an Edgewise socket channel, from connect() until it is connected or failed")
    @Threshold("20 ms")
    static final class Connect extends Event {
        static final Connect PROBE = new Connect();
        @Label("Channel Kind") String channelKind;
        @Label("Target") String target;
        @Label("Remote Address") String remoteAddress;
        @Label("Local Address") String localAddress;
        @Label("Blocking") boolean blocking;
        @Label("Asynchronous Resolution") boolean asyncResolve;
        @Label("Resolve Time") @Description("N/A unless the name was resolved by ASYNC_RESOLVE")
        @Timespan(Timespan.NANOSECONDS) long resolveTime;
        @Label("Addresses Tried") int addressesTried;
        @Label("Winner") String winner;
        @Label("Failure") String failure;
    }

    @Name("edgewise.Accept") @Label("Accept") @Category("Edgewise")
    @Description("An accept of an Edgewise listening channel that returned a connection")
    @Threshold("20 ms")
    static final class Accept extends Event {
        static final Accept PROBE = new Accept();
        @Label("Channel Kind") String channelKind;
        @Label("Local Address") String localAddress;
        @Label("Remote Address") String remoteAddress;
        @Label("Blocking") boolean blocking;
    }

    @Name("edgewise.Read") @Label("Read") @Category("Edgewise")
    @Description("A blocking read of an Edgewise stream or pipe channel, or a datagram read (connected)")
    @Threshold("20 ms")
    static final class Read extends Event {
        static final Read PROBE = new Read();
        @Label("Channel Kind") String channelKind;
        @Label("Address") String address;
        @Label("Bytes Read") @DataAmount long bytesRead;
        @Label("End of Stream") boolean endOfStream;
        @Label("Timed Out") boolean timedOut;
    }

    @Name("edgewise.Write") @Label("Write") @Category("Edgewise")
    @Description("A blocking write of an Edgewise stream or pipe channel, or a datagram write (connected)")
    @Threshold("20 ms")
    static final class Write extends Event {
        static final Write PROBE = new Write();
        @Label("Channel Kind") String channelKind;
        @Label("Address") String address;
        @Label("Bytes Written") @DataAmount long bytesWritten;
    }

    @Name("edgewise.Receive") @Label("Receive") @Category("Edgewise")
    @Description("A blocking receive of an Edgewise datagram channel")
    @Threshold("20 ms")
    static final class Receive extends Event {
        static final Receive PROBE = new Receive();
        @Label("Channel Kind") String channelKind;
        @Label("Address") String address;
        @Label("Bytes Received") @DataAmount long bytesReceived;
        @Label("Timed Out") boolean timedOut;
    }

    @Name("edgewise.Send") @Label("Send") @Category("Edgewise")
    @Description("A blocking send of an Edgewise datagram channel")
    @Threshold("20 ms")
    static final class Send extends Event {
        static final Send PROBE = new Send();
        @Label("Channel Kind") String channelKind;
        @Label("Address") String address;
        @Label("Bytes Sent") @DataAmount long bytesSent;
    }

    @Name("edgewise.ChannelClosed") @Label("Channel Closed") @Category("Edgewise")
    @Description("An Edgewise channel was closed: how long it lived, what it moved, how it ended")
    static final class ChannelClosed extends Event {
        static final ChannelClosed PROBE = new ChannelClosed();
        @Label("Channel Kind") String channelKind;
        @Label("Local Address") String localAddress;
        @Label("Remote Address") String remoteAddress;
        @Label("Lifetime") @Timespan(Timespan.NANOSECONDS) long lifetime;
        @Label("Bytes In") @DataAmount long bytesIn;
        @Label("Bytes Out") @DataAmount long bytesOut;
        @Label("Ending") @Description("local-close, eof (the peer closed first), reset, interrupt")
        String ending;
        @Label("Registered") @Description("The channel was registered with a selector when closed")
        boolean registered;
    }

    @Name("edgewise.SelectorStatistics") @Label("Selector Statistics") @Category("Edgewise")
    @Description("Counters of one open Edgewise selector since it was opened")
    @Period("5 s") @StackTrace(false)
    static final class SelectorStatistics extends Event {
        @Label("Selector Id") long selectorId;
        @Label("Backend") String backend;
        @Label("Registered Keys") int registeredKeys;
        @Label("Selects") long selects;
        @Label("Empty Selects") long emptySelects;
        @Label("Wakeups") @Description("Selection operations ended by wakeup()") long wakeups;
        @Label("Keys Selected") long keysSelected;
        @Label("Events per Select") double eventsPerSelect;
        @Label("Interest Updates") @Description("Queued key changes applied") long interestUpdates;
        @Label("Poll Calls") @Description("Native wait calls (epoll_wait, kevent, GetQueuedCompletionStatusEx)")
        long pollCalls;
        @Label("Control Calls") @Description("Native registration changes (epoll_ctl, kevent changes, AFD polls)")
        long controlCalls;
        @Label("Wakeup Signals") @Description("Native wakeup writes") long wakeupSignals;
        @Label("Wakeup Drains") @Description("Native reads consuming a wakeup signal") long wakeupDrains;
        @Label("Spins") @Description("Selector spin anomalies reported") long spins;
    }

    @Name("edgewise.ProviderStatistics") @Label("Provider Statistics") @Category("Edgewise")
    @Description("Open Edgewise channels by kind, selectors and descriptors")
    @Period("5 s") @StackTrace(false)
    static final class ProviderStatistics extends Event {
        @Label("Backend") String backend;
        @Label("Binding") String binding;
        @Label("Open Selectors") long openSelectors;
        @Label("TCP Channels") long tcp;
        @Label("TCP Listeners") long tcpListeners;
        @Label("Unix Channels") long unix;
        @Label("Unix Listeners") long unixListeners;
        @Label("Datagram Channels") long datagram;
        @Label("Pipe Ends") long pipeEnds;
        @Label("Channel Descriptors") @Description("Descriptors held by channels, closed ones awaiting deregistration included")
        long descriptors;
        @Label("Deferred Closes") @Description("Closed channels whose descriptor a selector still holds")
        long deferredCloses;
    }

    @Name("edgewise.SelectorSpin") @Label("Selector Spin") @Category("Edgewise")
    @Description("Blocking selection operations returned again and again at once with no key selected "
            + "(not woken up): a busy loop, e.g. selected keys never removed or an event nobody consumes")
    static final class SelectorSpin extends Event {
        static final SelectorSpin PROBE = new SelectorSpin();
        @Label("Selector Id") long selectorId;
        @Label("Backend") String backend;
        @Label("Consecutive Selects") long consecutiveSelects;
        @Label("Registered Keys") int registeredKeys;
        @Label("Selected Keys") @Description("Keys left in the selected-key set") int selectedKeys;
        @Label("Events Polled") @Description("Events of the last poll") int polledEvents;
    }

    @Name("edgewise.ClosedChannelRegistered") @Label("Closed Channel Still Registered") @Category("Edgewise")
    @Description("A key whose channel was closed is still in a selector (found by the periodic scan): the "
            + "selector has not run a selection operation since, so it still holds the descriptor")
    @Period("1 s") @StackTrace(false)
    static final class ClosedChannelRegistered extends Event {
        @Label("Selector Id") long selectorId;
        @Label("Channel") String channel;
        @Label("Channel Kind") String channelKind;
        @Label("Closed For") @Timespan(Timespan.NANOSECONDS) long closedFor;
    }

    @Name("edgewise.EdgeNotDrained") @Label("Edge-Triggered Key Not Drained") @Category("Edgewise")
    @Description("An edge-triggered key was reported readable (or acceptable) and its channel has not "
            + "been read until it would block since: no new edge will come for data already there")
    @Period("1 s") @StackTrace(false)
    static final class EdgeNotDrained extends Event {
        @Label("Selector Id") long selectorId;
        @Label("Channel") String channel;
        @Label("Channel Kind") String channelKind;
        @Label("Since Edge") @Timespan(Timespan.NANOSECONDS) long sinceEdge;
    }
}
