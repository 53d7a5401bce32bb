#!/bin/sh
# Builds nazorat_VERSION_amd64.deb from release binaries:
# packaging/deb/build.sh PRODUCTS OUTDIR "EXECUTABLES" (`make deb` calls it with the station's
# three). The tree is what `make install` puts on a station, plus Debian's control files, with
# Depends computed by dpkg-shlibdeps from the binaries themselves.
set -eu
products=$(cd "$1" && pwd)
mkdir -p "$2" && outdir=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
version=$(sed -n 's/.*static let version = "\(.*\)"/\1/p' "$top/Sources/NazoratDaemon/Daemon.swift")
work="$outdir/deb-work"
root="$work/root"
rm -rf "$work" && mkdir -p "$root"

# The files, as `make install` lays them out; the package ships monitor mode (an install
# never locks a station's devices; enforce is switched on at commissioning: README).
make -s -C "$top" install DESTDIR="$root" PRODUCTS="$products" INSTALLED="$3" MODE=monitor \
  UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d TMPFILESDIR=/usr/lib/tmpfiles.d \
  CATALOGDIR=/usr/lib/systemd/catalog UDEVRULESDIR=/lib/udev/rules.d >/dev/null
install -D -m 0644 "$top/udev-rules/71-nazorat-enforce.rules" "$root/usr/share/nazorat/71-nazorat-enforce.rules"
for exe in "$root"/usr/bin/*; do strip --strip-unneeded --remove-section=.comment --remove-section=.note "$exe"; done
doc="$root/usr/share/doc/nazorat"
install -m 0644 "$here/copyright" "$doc/copyright"
gzip -9n -c "$here/changelog" > "$doc/changelog.gz" && chmod 0644 "$doc/changelog.gz"
gzip -9n "$doc/README.md"

# Depends: the Debian libraries the binaries link (the Swift runtime is linked statically).
mkdir -p "$work/src/debian"
printf 'Source: nazorat\n\nPackage: nazorat\nArchitecture: amd64\n' > "$work/src/debian/control"
# (Its warnings about the binaries' $ORIGIN run path and the build tree's layout are
# expected here and go to a log.)
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e "$root"/usr/bin/* 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p')
if [ -z "$depends" ]; then cat "$work/shlibdeps.log" >&2; echo "build.sh: dpkg-shlibdeps found no Depends" >&2; exit 1; fi
# The release link packs relative relocations (DT_RELR, Makefile RELEASE_LINK): ld.so from
# glibc 2.36 on applies them (the binaries need its GLIBC_ABI_DT_RELR version), which
# Debian's libc6 symbols file does not map to a version; say it here.
if readelf -V "$root"/usr/bin/nazoratd | grep -q GLIBC_ABI_DT_RELR; then
  depends=$(printf '%s' "$depends" | sed -E 's/libc6 \(>= [0-9.]+\)/libc6 (>= 2.36)/')
fi

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$here/control.in" > "$root/DEBIAN/control"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums"
deb="$outdir/nazorat_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
