#ifndef NAZORAT_PEER_CREDENTIALS_H
#define NAZORAT_PEER_CREDENTIALS_H

#include <sys/types.h>

/* struct ucred as SO_PEERCRED fills it. glibc declares struct ucred only under
 * _GNU_SOURCE, which Swift's Glibc module does not define, so Swift cannot see it;
 * peer_credentials.c checks that this mirror has the same layout. */
struct nazorat_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};

#endif
