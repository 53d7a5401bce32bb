#define _GNU_SOURCE
#include <stddef.h>
#include <sys/socket.h>
#include "peer_credentials.h"

_Static_assert(sizeof(struct nazorat_ucred) == sizeof(struct ucred), "struct ucred size");
_Static_assert(offsetof(struct nazorat_ucred, pid) == offsetof(struct ucred, pid), "ucred.pid");
_Static_assert(offsetof(struct nazorat_ucred, uid) == offsetof(struct ucred, uid), "ucred.uid");
_Static_assert(offsetof(struct nazorat_ucred, gid) == offsetof(struct ucred, gid), "ucred.gid");
