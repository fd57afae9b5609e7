package io.edgewise;

/**
 * The peer of a Unix domain socket as the kernel knows it: value of
 * {@link EdgewiseSocketOptions#SO_PEERCRED}.
 *
 * @param pid the peer's process id at connect time; -1 where the OS does not report it (macOS)
 * @param uid its effective user id
 * @param gid its effective group id
 */
public record PeerCredentials(int pid, int uid, int gid) { }
