/*
 * Fault injection for umockdev testbeds, preloaded before libumockdev-preload.so.
 *
 * umockdev cannot reproduce two things the kernel does:
 *  - when a udev monitor's socket overflows, the kernel drops the uevents that do
 *    not fit and the monitor's next receive fails with ENOBUFS (umockdev's sender
 *    aborts when the socket is full instead);
 *  - a device can disappear between enumeration and the reading of its attributes.
 *
 * A test asks for a fault by writing a file into the testbed ($UMOCKDEV_DIR):
 *  fault-overflow holds a number N: while the file exists, the uevents umockdev sends
 *                 after the first N are dropped, and the first drop arms
 *                 fault-recvmsg with ENOBUFS;
 *  fault-recvmsg  holds an errno number; the next recvmsg() on a umockdev monitor
 *                 socket fails with it;
 *  fault-vanish   holds a syspath; opening that device's "descriptors" file first
 *                 removes the device's directory from the testbed.
 *
 * fault-clock-offset holds a number of seconds added to CLOCK_REALTIME (the wall clock
 *                 jumps; the monotonic clock does not), while the file exists, in processes
 *                 started with NAZORAT_FAULT_CLOCK=1 (so that the test itself keeps time).
 *
 * Two more wedge the daemon, for the watchdog tests (the calling thread never returns):
 *  fault-wedge-recvmsg  the next recvmsg() on a umockdev monitor socket (the udev watcher);
 *  fault-wedge-fsync    the next fsync() or fdatasync() of a file named state.db* (the
 *                       event log's writer).
 * Each fault fires once. Without the files the shim only forwards.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int take_fault(const char *name, char *content, size_t size)
{
    const char *root = getenv("UMOCKDEV_DIR");
    char path[4096], taken[4096 + 8];
    if (root == NULL)
        return 0;
    snprintf(path, sizeof path, "%s/%s", root, name);
    snprintf(taken, sizeof taken, "%s.taken", path);
    /* rename() makes the fault fire once even with several threads. */
    if (rename(path, taken) != 0)
        return 0;
    if (content != NULL) {
        FILE *f = fopen(taken, "r");
        size_t n = f ? fread(content, 1, size - 1, f) : 0;
        content[n] = '\0';
        if (f)
            fclose(f);
    }
    unlink(taken);
    return 1;
}

static int is_umockdev_socket(int fd)
{
    const char *root = getenv("UMOCKDEV_DIR");
    struct sockaddr_un addr;
    socklen_t len = sizeof addr;
    if (root == NULL || getsockname(fd, (struct sockaddr *)&addr, &len) != 0 || addr.sun_family != AF_UNIX)
        return 0;
    return strncmp(addr.sun_path, root, strlen(root)) == 0;
}

static void wedge_if_asked(const char *name)
{
    if (take_fault(name, NULL, 0))
        for (;;)
            pause();
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    static ssize_t (*next)(int, struct msghdr *, int);
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "recvmsg");
    char code[32];
    if (is_umockdev_socket(fd) && take_fault("fault-recvmsg", code, sizeof code)) {
        errno = atoi(code) > 0 ? atoi(code) : ENOBUFS;
        return -1;
    }
    if (is_umockdev_socket(fd))
        wedge_if_asked("fault-wedge-recvmsg");
    return next(fd, msg, flags);
}

static int is_state_database(int fd)
{
    char link[64], target[4096];
    ssize_t n;
    if (getenv("UMOCKDEV_DIR") == NULL)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if ((n = readlink(link, target, sizeof target - 1)) < 0)
        return 0;
    target[n] = '\0';
    return strstr(target, "/state.db") != NULL;
}

#define FORWARD_SYNC(name)                                              \
    int name(int fd)                                                    \
    {                                                                   \
        static int (*next)(int);                                        \
        if (next == NULL)                                               \
            next = dlsym(RTLD_NEXT, #name);                             \
        if (is_state_database(fd))                                      \
            wedge_if_asked("fault-wedge-fsync");                        \
        return next(fd);                                                \
    }

FORWARD_SYNC(fsync)
FORWARD_SYNC(fdatasync)

static int is_uevent_message(const struct msghdr *msg)
{
    const char *root = getenv("UMOCKDEV_DIR");
    const struct sockaddr_un *addr = msg->msg_name;
    char prefix[4096];
    if (root == NULL || addr == NULL || addr->sun_family != AF_UNIX)
        return 0;
    snprintf(prefix, sizeof prefix, "%s/event", root);
    return strncmp(addr->sun_path, prefix, strlen(prefix)) == 0;
}

static void arm_enobufs(void)
{
    char path[4096], tmp[4200];
    FILE *f;
    snprintf(path, sizeof path, "%s/fault-recvmsg", getenv("UMOCKDEV_DIR"));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if ((f = fopen(tmp, "w")) == NULL)
        return;
    fprintf(f, "%d", ENOBUFS);
    fclose(f);
    rename(tmp, path);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    static ssize_t (*next)(int, const struct msghdr *, int);
    static long passed = -1; /* -1: no overflow in progress */
    char path[4096];
    FILE *f;
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "sendmsg");
    if (getenv("UMOCKDEV_DIR") != NULL && is_uevent_message(msg)) {
        snprintf(path, sizeof path, "%s/fault-overflow", getenv("UMOCKDEV_DIR"));
        if ((f = fopen(path, "r")) != NULL) {
            long capacity = 0;
            if (fscanf(f, "%ld", &capacity) != 1)
                capacity = 0;
            fclose(f);
            if (passed < 0)
                passed = 0;
            if (passed >= capacity) {
                size_t total = 0;
                for (size_t i = 0; i < msg->msg_iovlen; i++)
                    total += msg->msg_iov[i].iov_len;
                if (passed == capacity)
                    arm_enobufs();
                passed = capacity + 1;
                return (ssize_t)total; /* dropped, as the kernel drops what does not fit */
            }
            passed++;
        } else {
            passed = -1;
        }
    }
    return next(fd, msg, flags);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st; (void)type; (void)ftw;
    return remove(path);
}

static void vanish_if_asked(const char *path)
{
    const char *root = getenv("UMOCKDEV_DIR");
    const char *suffix = "/descriptors";
    char syspath[4096], victim[8192];
    size_t plen = strlen(path), slen = strlen(suffix);
    if (root == NULL || plen < slen || strcmp(path + plen - slen, suffix) != 0)
        return;
    snprintf(victim, sizeof victim, "%s/fault-vanish", root);
    if (access(victim, F_OK) != 0)
        return;
    {
        /* Only the device named in the fault file vanishes. */
        FILE *f = fopen(victim, "r");
        size_t n = f ? fread(syspath, 1, sizeof syspath - 1, f) : 0;
        syspath[n] = '\0';
        if (f)
            fclose(f);
        if (strncmp(path, syspath, strlen(syspath)) != 0 || path[strlen(syspath)] != '/')
            return;
    }
    if (!take_fault("fault-vanish", syspath, sizeof syspath))
        return;
    snprintf(victim, sizeof victim, "%s%s", root, syspath);
    nftw(victim, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* open() and open64() take a mode only with O_CREAT or O_TMPFILE. */
#define FORWARD_OPEN(name)                                              \
    int name(const char *path, int flags, ...)                          \
    {                                                                   \
        static int (*next)(const char *, int, ...);                     \
        mode_t mode = 0;                                                \
        if (next == NULL)                                               \
            next = dlsym(RTLD_NEXT, #name);                             \
        if (flags & (O_CREAT | O_TMPFILE)) {                            \
            va_list ap;                                                 \
            va_start(ap, flags);                                        \
            mode = va_arg(ap, mode_t);                                  \
            va_end(ap);                                                 \
        }                                                               \
        vanish_if_asked(path);                                          \
        return next(path, flags, mode);                                 \
    }

FORWARD_OPEN(open)
FORWARD_OPEN(open64)

/* The wall-clock offset, re-read at most every 100 ms of monotonic time. */
static long clock_offset(void)
{
    static long offset;
    static long long checked = -1;
    struct timespec now;
    char path[4096];
    FILE *f;
    if (getenv("NAZORAT_FAULT_CLOCK") == NULL || getenv("UMOCKDEV_DIR") == NULL)
        return 0;
    if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now) != 0)
        return offset;
    long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (checked >= 0 && ns - checked < 100000000LL)
        return offset;
    checked = ns;
    snprintf(path, sizeof path, "%s/fault-clock-offset", getenv("UMOCKDEV_DIR"));
    offset = 0;
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "%ld", &offset) != 1)
            offset = 0;
        fclose(f);
    }
    return offset;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*next)(clockid_t, struct timespec *);
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "clock_gettime");
    int result = next(id, ts);
    if (result == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
        ts->tv_sec += clock_offset();
    return result;
}
