package io.edgewise.channels;

import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The multicast memberships of one UDP channel: the argument rules of join, the registry of keys
 * with the JDK's rules for joining again (the same membership returns the existing key; any-source
 * and source-specific memberships of one group on one interface exclude each other), the kernel
 * calls of join, drop, block and unblock, and invalidating every key when the channel closes.
 *
 * <h2>Locks</h2>
 * Everything here, and every {@link MembershipKeyImpl}'s blocked set, is guarded by the channel's
 * {@code stateLock} ({@link #lock}), so a change of the registry and its kernel call are one step.
 */
final class Memberships {
    private final MulticastChannel channel;
    /** The owning channel's stateLock. */
    final Object lock;
    private final DatagramOps dops;
    private final FdHandle fd;
    private final int family;
    /** Keys by group; guarded by {@link #lock}. */
    private final Map<InetAddress, List<MembershipKeyImpl>> groups = new HashMap<>();

    Memberships(MulticastChannel channel, Object stateLock, DatagramOps dops, FdHandle fd, int family) {
        this.channel = channel;
        this.lock = stateLock;
        this.dops = dops;
        this.fd = fd;
        this.family = family;
    }

    MulticastChannel channel() {
        return channel;
    }

    private static void checkSource(InetAddress source, InetAddress group) {
        if (source.isAnyLocalAddress()) {
            throw new IllegalArgumentException("Source address is a wildcard address");
        }
        if (source.isMulticastAddress()) {
            throw new IllegalArgumentException("Source address is multicast address");
        }
        if (source.getClass() != group.getClass()) {
            throw new IllegalArgumentException("Source address is different type to group");
        }
    }

    /** MulticastChannel.join; {@code source} null for an any-source membership. */
    MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("Group not a multicast address");
        }
        if (group instanceof Inet6Address) {
            if (family != SocketOps.INET6) {
                throw new IllegalArgumentException("Only IPv6 sockets can join IPv6 multicast group");
            }
        } else if (!(group instanceof Inet4Address)) {
            throw new IllegalArgumentException("Address type not supported");
        }
        if (source != null) {
            checkSource(source, group);
        }
        Security.checkJoin(group);
        synchronized (lock) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            MembershipKey existing = find(group, interf, source);
            if (existing != null) {
                return existing;
            }
            int index = interf.getIndex();
            if (group instanceof Inet6Address) {
                if (index == -1) throw new IOException("Network interface cannot be identified");
            } else if (DatagramOps.anyInet4Address(interf) == null) {
                throw new IOException("Network interface not configured for IPv4");
            }
            kernel(DatagramOps.JOIN, group, index, source);
            MembershipKeyImpl key = new MembershipKeyImpl(this, group, interf, source);
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(key);
            return key;
        }
    }

    /**
     * Under {@link #lock}: the key of this exact membership, or null; {@code IllegalStateException} when
     * the other kind (any-source / source-specific) of membership of the group exists on the interface.
     */
    MembershipKeyImpl find(InetAddress group, NetworkInterface interf, InetAddress source) {
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

    /**
     * The valid any-source membership of {@code group} on {@code interf}, or null (the socket adaptor's
     * joinGroup/leaveGroup); {@code IllegalStateException} when a source-specific one exists.
     */
    MembershipKey findAnySource(InetAddress group, NetworkInterface interf) {
        synchronized (lock) {
            return find(group, interf, null);
        }
    }

    /** Drops a membership; a no-op when the key is already invalid. Called by the key. */
    void drop(MembershipKeyImpl key) {
        synchronized (lock) {
            if (!key.isValid()) {
                return;
            }
            try {
                kernel(DatagramOps.DROP, key.group(), key.networkInterface().getIndex(), key.sourceAddress());
            } catch (IOException e) {
                // the channel is closing (its keys are invalidated then) or the kernel forgot the group
            }
            key.invalidate();
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
    }

    /** Under {@link #lock}: blocks {@code source} for an any-source membership. Called by the key. */
    void block(MembershipKeyImpl key, InetAddress source) throws IOException {
        if (!key.isValid()) {
            throw new IllegalStateException("key is no longer valid");
        }
        checkSource(source, key.group());
        kernel(DatagramOps.BLOCK, key.group(), key.networkInterface().getIndex(), source);
    }

    /** Under {@link #lock}: lifts a block. Called by the key. */
    void unblock(MembershipKeyImpl key, InetAddress source) {
        if (!key.isValid()) {
            throw new IllegalStateException("key is no longer valid");
        }
        try {
            kernel(DatagramOps.UNBLOCK, key.group(), key.networkInterface().getIndex(), source);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Under {@link #lock}, when the channel closes: every key becomes invalid (the kernel drops them with the socket). */
    void invalidateAll() {
        for (List<MembershipKeyImpl> keys : groups.values()) {
            for (MembershipKeyImpl key : keys) {
                key.invalidate();
            }
        }
    }

    private void kernel(int op, InetAddress group, int ifindex, InetAddress source) throws IOException {
        int f = fd.acquire();
        try {
            dops.membership(f, family, op, group, ifindex, source);
        } finally {
            fd.release();
        }
    }
}
