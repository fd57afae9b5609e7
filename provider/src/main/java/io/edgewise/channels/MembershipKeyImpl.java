package io.edgewise.channels;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.HashSet;
import java.util.Set;

/**
 * A multicast membership of a {@link DatagramChannelImpl}, kept in its {@link Memberships}.
 *
 * <h2>Locks</h2>
 * {@code blocked} is guarded by the channel's {@code stateLock} (so block/unblock and the kernel call
 * are one step); {@code invalid} is volatile, set under that lock by {@code drop} and channel close.
 */
final class MembershipKeyImpl extends MembershipKey {
    private final Memberships ch;
    private final InetAddress group;
    private final NetworkInterface interf;
    private final InetAddress source;
    private volatile boolean invalid;
    private Set<InetAddress> blocked;

    MembershipKeyImpl(Memberships ch, InetAddress group, NetworkInterface interf, InetAddress source) {
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
        synchronized (ch.lock) {
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
        synchronized (ch.lock) {
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
        return ch.channel();
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
}
