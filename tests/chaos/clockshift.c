/* LD_PRELOAD shim: shift CLOCK_REALTIME (never the monotonic clock) by the number of seconds
 * in the file $CLOCKSHIFT_FILE, re-read every 100 ms. This is what an NTP step does to a booth
 * whose clock was wrong; libfaketime 0.9.10 fakes the monotonic clock too or breaks sleep(). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile long long shift_s;
static volatile long long next_read_ms;

static void refresh(void) {
    struct timespec mono;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &mono);
    long long now_ms = (long long)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
    if (now_ms < next_read_ms) return;
    next_read_ms = now_ms + 100;
    const char *path = getenv("CLOCKSHIFT_FILE");
    if (!path) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    shift_s = strtoll(buf, NULL, 10);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    int rc = (int)syscall(SYS_clock_gettime, id, ts);
    if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
        refresh();
        ts->tv_sec += shift_s;
    }
    return rc;
}

int gettimeofday(struct timeval *tv, void *tz) {
    struct timespec ts;
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    if (rc == 0 && tv) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    (void)tz;
    return rc;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
