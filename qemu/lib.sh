# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by the lab's scripts: Debian's other suites through an apt
# state of the lab's own (the host's sources and package set stay as they
# are), and build roots of other Debian releases.
cache=${EDUDMA_CACHE:-/var/cache/edudma}
mirror=${EDUDMA_MIRROR:-http://deb.debian.org/debian}

# lab_apt CMD ARGS...: apt-get/apt-cache over the suites the lab uses
lab_apt() {
	local d=$cache/apt cmd=$1
	shift
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	if [ ! -s "$d/sources.list" ]; then
		for s in bookworm-backports trixie trixie-backports; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
		done >"$d/sources.list"
	fi
	local opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=/nonexistent
		    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		    -o APT::Sandbox::User=root -q)
	if [ -z "$(ls "$d/lists" 2>/dev/null | grep -v partial)" ] || [ "$cmd" = update ]; then
		apt-get "${opts[@]}" update >&2
		[ "$cmd" = update ] && return 0
	fi
	"$cmd" "${opts[@]}" "$@"
}

# lab_series_field SERIES N: field N (2 suite, 3 build root) of qemu/kernels
lab_series_field() {
	awk -v s="$1" -v n="$2" '!/^#/ && $1 == s { print $n; f = 1 } END { exit !f }' \
		"$(dirname "${BASH_SOURCE[0]}")/kernels"
}

# lab_root_run ROOT CMD...: run CMD in build root ROOT (a debootstrap under
# the cache) with /proc and the project tree (at its own path) inside, in a
# mount namespace of its own so that nothing stays mounted. CMD is a
# program (a shell function does not cross into the root).
lab_root_run() {
	local r=$cache/roots/$1 proj
	shift
	proj=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	# LAB_ROOT_BIND: one more folder to show inside at its own path
	unshare -m --propagation private /bin/sh -c '
		r=$1 proj=$2 extra=$3; shift 3
		mount -t proc proc "$r/proc" &&
		mkdir -p "$r$proj" && mount --bind "$proj" "$r$proj" &&
		{ [ -z "$extra" ] || { mkdir -p "$r$extra" && mount --bind "$extra" "$r$extra"; }; } &&
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
	' sh "$r" "$proj" "${LAB_ROOT_BIND:-}" "$@"
}

# lab_root SUITE NAME: make sure build root NAME (release SUITE) exists
lab_root() {
	local r=$cache/roots/$2
	[ -f "$r/.done" ] && return 0
	echo "lab: debootstrap $1 into $r" >&2
	rm -rf "$r" "$r.tmp"
	mkdir -p "$cache/roots"
	debootstrap --variant=minbase --include=make,binutils "$1" "$r.tmp" "$mirror" >&2
	{
		echo "deb $mirror $1 main"
		echo "deb $mirror $1-backports main"
	} >"$r.tmp/etc/apt/sources.list"
	mv "$r.tmp" "$r"
	# the lists of the suites just named (debootstrap fetched only SUITE's):
	# whichever script makes the root first may install from -backports
	lab_root_run "$2" apt-get -q update >&2
	touch "$r/.done"
}
