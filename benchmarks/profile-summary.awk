# Summarises a `perf report --no-children --sort dso,sym -q` listing (see benchmarks/profile.sh) as shares
# of all samples.
{ p = $1; sub("%", "", p); p += 0; all += p }
/\[kernel\.kallsyms\]/ { kernel += p }
/\[JIT\]/ { jit += p }
/ libc\.so/ { libc += p }
/ libjvm\.so/ { jvm += p }
# the provider: the JDK's sun.nio.ch and libnio, or Edgewise's classes and FFM stubs
(/sun\.nio\.ch\.|libnio\.so|io\.edgewise\.(EdgewiseSelector|backend|channels|sys|SelectedKeySet|EdgewiseSelectionKey)|nep_invoker_blob|linkToNative/) && !/io\.netty/ { provider += p }
# JNA: libjnidispatch is extracted to a temporary file named jna*.tmp; its JNI upcall checks
/ jna[0-9]*\.tmp|jni_ExceptionCheck|ffi[A-Za-z0-9]* \(deleted\)/ { binding += p }
/\[k\] (fdget_pos|vfs_read|vfs_write|vfs_writev|rw_verify_area|security_file_permission|sock_read_iter|sock_write_iter|do_iter_readv_writev|do_writev|ksys_read|ksys_write|__fsnotify|fsnotify)$/ { vfs += p }
/\[k\] (__sys_recvfrom|__sys_sendto|__sys_sendmsg|___sys_sendmsg|____sys_sendmsg|copy_msghdr_from_user|import_ubuf)$/ { sockcall += p }
END {
  printf "   kernel %.1f%%  JIT %.1f%%  libc %.1f%%  JVM %.1f%%\n", kernel, jit, libc, jvm
  printf "   provider code %.1f%%  binding dispatch (JNA) %.1f%%  kernel entry: VFS %.1f%%, socket calls %.1f%%\n", provider, binding, vfs, sockcall
}
