/* Shared helpers for the Edgewise IOCP probes (built with mingw-w64, run under wine or Windows).
 * Each probe performs the Win32/NT call sequence that the Java IOCP backend performs and asserts
 * its outcome; the process exits non-zero when a CHECK fails. */
#ifndef EDGEWISE_PROBE_H
#define EDGEWISE_PROBE_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>

static int probe_failures = 0;
static int probe_checks = 0;

#define CHECK(cond, ...) do { \
        probe_checks++; \
        if (!(cond)) { \
            probe_failures++; \
            printf("FAIL %s:%d: %s -- ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__); \
            printf("\n"); \
        } \
    } while (0)

/* Whether the probe runs under wine (ntdll exports wine_get_version there). */
static inline int running_on_wine(void) {
    return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
}

/* PROBE_SELFTEST: one deliberately false check, so the runner can prove that failures are seen. */
#ifdef PROBE_SELFTEST
#define PROBE_SELF_CHECK() CHECK(1 == 2, "deliberate self-test failure")
#else
#define PROBE_SELF_CHECK() do { } while (0)
#endif

#define PROBE_END(name) do { \
        PROBE_SELF_CHECK(); \
        printf("%s: %d checks, %d failures\n", name, probe_checks, probe_failures); \
        fflush(stdout); \
        return probe_failures == 0 ? 0 : 1; \
    } while (0)

#endif
