/*
 * Fault injection for umockdev testbeds, preloaded before libumockdev-preload.so.
 *
 * umockdev cannot reproduce two things the kernel does:
 *  - a udev monitor whose socket overflowed reports ENOBUFS on the next receive
 *    (umockdev drops uevents silently instead);
 *  - a device can disappear between enumeration and the reading of its attributes.
 *
 * A test asks for a fault by writing a file into the testbed ($UMOCKDEV_DIR):
 *  fault-recvmsg  holds an errno number; the next recvmsg() on a umockdev monitor
 *                 socket fails with it (ENOBUFS: the kernel dropped events);
 *  fault-vanish   holds a syspath; opening that device's "descriptors" file first
 *                 removes the device's directory from the testbed.
 * Each fault fires once. Without the files the shim only forwards.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

int open(const char *path, int flags, ...)
{
    static int (*next)(const char *, int, ...);
    mode_t mode = 0;
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "open");
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    vanish_if_asked(path);
    return next(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    static int (*next)(const char *, int, ...);
    mode_t mode = 0;
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "open64");
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    vanish_if_asked(path);
    return next(path, flags, mode);
}
