package io.edgewise.channels;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A multicast membership of a {@link DatagramChannelImpl}.
 *
 * <h2>Locks</h2>
 * {@code blocked} is guarded by the channel's {@code stateLock} (so block/unblock and the kernel call
 * are one step); {@code invalid} is volatile, set under that lock by {@code drop} and channel close.
 */
final class MembershipKeyImpl extends MembershipKey {
    private final DatagramChannelImpl ch;
    private final InetAddress group;
    private final NetworkInterface interf;
    private final InetAddress source;
    private volatile boolean invalid;
    private Set<InetAddress> blocked;

    MembershipKeyImpl(DatagramChannelImpl ch, InetAddress group, NetworkInterface interf, InetAddress source) {
        this.ch = ch;
        this.group = group;
        this.interf = interf;
        this.source = source;
    }

    @Override
    public boolean isValid() {
        return !invalid;
    }

    void invalidate() {
        invalid = true;
    }

    @Override
    public void drop() {
        ch.drop(this);
    }

    @Override
    public MembershipKey block(InetAddress toBlock) throws IOException {
        if (source != null) {
            throw new IllegalStateException("key is source-specific");
        }
        synchronized (ch.stateLock) {
            if (blocked != null && blocked.contains(toBlock)) {
                return this;
            }
            ch.block(this, toBlock);
            if (blocked == null) {
                blocked = new HashSet<>();
            }
            blocked.add(toBlock);
        }
        return this;
    }

    @Override
    public MembershipKey unblock(InetAddress toUnblock) {
        synchronized (ch.stateLock) {
            if (blocked == null || !blocked.contains(toUnblock)) {
                throw new IllegalStateException("not blocked");
            }
            ch.unblock(this, toUnblock);
            blocked.remove(toUnblock);
        }
        return this;
    }

    @Override
    public MulticastChannel channel() {
        return ch;
    }

    @Override
    public InetAddress group() {
        return group;
    }

    @Override
    public NetworkInterface networkInterface() {
        return interf;
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<").append(group.getHostAddress()).append(',').append(interf.getName());
        if (source != null) {
            sb.append(',').append(source.getHostAddress());
        }
        return sb.append('>').toString();
    }

    /**
     * A channel's memberships by group, with the JDK's rules for joining again: the same membership
     * returns the existing key; mixing any-source and source-specific memberships of one group on one
     * interface is an {@code IllegalStateException}. Guarded by the channel's {@code stateLock}.
     */
    static final class Registry {
        private final Map<InetAddress, List<MembershipKeyImpl>> groups = new HashMap<>();

        MembershipKeyImpl check(InetAddress group, NetworkInterface interf, InetAddress source) {
            List<MembershipKeyImpl> keys = groups.get(group);
            if (keys == null) {
                return null;
            }
            for (MembershipKeyImpl key : keys) {
                if (!key.networkInterface().equals(interf)) {
                    continue;
                }
                if (source == null) {
                    if (key.sourceAddress() == null) return key;
                    throw new IllegalStateException("Already a member to receive all packets");
                }
                if (key.sourceAddress() == null) {
                    throw new IllegalStateException("Already have source-specific membership");
                }
                if (source.equals(key.sourceAddress())) return key;
            }
            return null;
        }

        void add(MembershipKeyImpl key) {
            groups.computeIfAbsent(key.group(), g -> new ArrayList<>()).add(key);
        }

        void remove(MembershipKeyImpl key) {
            List<MembershipKeyImpl> keys = groups.get(key.group());
            if (keys == null) {
                return;
            }
            for (Iterator<MembershipKeyImpl> i = keys.iterator(); i.hasNext(); ) {
                if (i.next() == key) {
                    i.remove();
                    break;
                }
            }
            if (keys.isEmpty()) {
                groups.remove(key.group());
            }
        }

        void invalidateAll() {
            for (List<MembershipKeyImpl> keys : groups.values()) {
                for (MembershipKeyImpl key : keys) {
                    key.invalidate();
                }
            }
        }
    }
}
