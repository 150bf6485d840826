# SPDX-License-Identifier: GPL-2.0
#
# edudma: top-level build. The two commands for a fresh Debian 12 machine,
# as root: `make demo` and `make check` (see README.md).

# the library's version lives in its header (LIBEDUDMA_VERSION_*)
VERSION   := $(shell awk '/^\#define LIBEDUDMA_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $$3 } \
		END { print v }' userlib/include/libedudma.h)
SOVERSION := 0
B         := build
CACHE     ?= $(or $(EDUDMA_CACHE),/var/cache/edudma)
CC        ?= gcc
CFLAGS    ?= -O2 -g
WFLAGS    := -std=gnu11 -Wall -Wextra -Werror
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
UDEVDIR   ?= /lib/udev/rules.d

# the lab's kernel series (qemu/kernels) and QEMU (qemu/qemu): 6.1 | 6.12 | 7.3, 7.2 | 10
KERNEL    ?= 6.1
QEMU      ?= 7.2
LAB       := qemu/run --kernel $(KERNEL) --qemu $(QEMU)
# TAP files of one kernel and QEMU, apart from other combinations'
TAPDIR     = $(B)/tap/$(KERNEL)-qemu$(QEMU)

PCI_CFLAGS = $(shell pkg-config --cflags pciaccess)
PCI_LIBS   = $(shell pkg-config --libs pciaccess)
KVER       = $(shell qemu/kver)
KDIR       = /usr/src/linux-headers-$(KVER)
CHECKPATCH = $(CACHE)/checkpatch/scripts/checkpatch.pl
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS   := userlib/libedudma.c userlib/util.c
LIB_HDRS   := userlib/include/libedudma.h userlib/private.h userlib/util.h uapi/linux/edudma.h
LIB_CPPFLAGS := -Iuapi -Iuserlib/include -DEDUDMA_LIB_VERSION=\"$(VERSION)\"
SONAME     := libedudma.so.$(SOVERSION)
RPATH      := -Wl,-rpath,'$$ORIGIN/../lib'

# liburing (Debian's liburing-dev, which qemu/deps installs): edudma bench
# --uring and test_xfer_uring use it; without it both are left out, said once.
# libedudma itself needs only the kernel's <linux/io_uring.h>.
URING_LIBS   := $(shell pkg-config --libs liburing 2>/dev/null)
URING_CFLAGS := $(if $(URING_LIBS),-DEDUDMA_HAVE_LIBURING $(shell pkg-config --cflags liburing))

HOST_TESTS  := $(patsubst tests/host/%.c,$(B)/tests/host/%,$(wildcard tests/host/test_*.c)) \
	       $(B)/tests/host/test_cxx
GUEST_TESTS := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(wildcard tests/guest/test_*.c))
ifeq ($(URING_LIBS),)
GUEST_TESTS := $(filter-out %/test_xfer_uring %/test_hotplug,$(GUEST_TESTS))
$(info edudma: liburing-dev is not installed: bench --uring, test_xfer_uring and test_hotplug are left out)
endif
GUEST_TESTS_RPATH := -Wl,-rpath,'$$ORIGIN/../../lib'
# the compat ioctl path: a 32-bit, static test binary run with the others
COMPAT_TEST := $(B)/tests/guest/test_compat32
# libedudma built 32-bit against Debian's i386 libpciaccess (qemu/i386-libs)
LIB32_TEST  := $(B)/tests/guest/test_lib32

.PHONY: all deps driver driver-debug lib cli tests lint checkpatch sparse bench soak \
	check check-host check-guest check-debug check-matrix check-dkms demo install clean help \
	abi-check abi-update man uninstall install-driver examples dkms-source print-version check-debs

all: driver lib cli tests man examples

help:
	@echo "make demo         install what is missing, build, boot the lab, show the device"
	@echo "make check        the same set-up, then lint + host tests + in-guest tests"
	@echo "make check-debug  the in-guest tests on the debug kernel (KASAN, lockdep, ...)"
	@echo "make check-matrix every kernel series x QEMU version, one table at the end"
	@echo "  KERNEL=6.1|6.12|7.3 QEMU=7.2|10: the kernel and QEMU of check, demo, bench"
	@echo "make all | lint | check-host | check-guest | clean"

deps:
	qemu/deps
	@[ "$(KERNEL)" = 6.1 ] || qemu/kernel $(KERNEL) >/dev/null
	@qemu/qemu $(QEMU) >/dev/null

# ---- kernel module ----------------------------------------------------------
# 6.1 builds in driver/ against the host's headers; other series in
# build/kernels/SERIES against Debian's headers of that series
driver:
ifeq ($(KERNEL),6.1)
	$(MAKE) -C driver KDIR=$(KDIR)
else
	qemu/build-driver $(KERNEL)
endif

# against the debug kernel of KERNEL, in build/kdebug[-SERIES]
driver-debug:
	qemu/build-driver --debug $(KERNEL)

# the DKMS source tree (dkms.conf at its top, driver/ and uapi/ beside it)
# in DKMS_SRC: what tests/dkms/check-dkms and the edudma-dkms package use
DRIVER_SRCS := $(wildcard driver/edudma_*.c driver/edudma*.h) driver/Kbuild
dkms-source:
	@[ -n "$(DKMS_SRC)" ] || { echo "dkms-source: DKMS_SRC=DIR" >&2; exit 2; }
	install -d $(DKMS_SRC)/driver $(DKMS_SRC)/uapi/linux
	install -m 0644 $(DRIVER_SRCS) $(DKMS_SRC)/driver/
	install -m 0644 uapi/linux/edudma.h $(DKMS_SRC)/uapi/linux/
	sed 's/@VERSION@/$(VERSION)/' driver/dkms.conf >$(DKMS_SRC)/dkms.conf

print-version:
	@echo $(VERSION)

# ---- library and CLI ----------------------------------------------------------
# CPPFLAGS, CFLAGS and LDFLAGS are the caller's (a distribution's hardening
# flags survive); WFLAGS and the include paths are added to them
lib: $(B)/lib/libedudma.so $(B)/lib/libedudma.a $(B)/lib/pkgconfig/libedudma.pc
cli: $(B)/bin/edudma
man: $(MAN_PAGES)

$(B)/lib/$(SONAME).$(VERSION): $(LIB_SRCS) $(LIB_HDRS) userlib/libedudma.map
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) -fPIC -fvisibility=hidden $(LIB_CPPFLAGS) $(PCI_CFLAGS) \
		-shared -Wl,-soname,$(SONAME) -Wl,--version-script=userlib/libedudma.map \
		$(LDFLAGS) -o $@ $(LIB_SRCS) $(PCI_LIBS)

$(B)/lib/libedudma.so: $(B)/lib/$(SONAME).$(VERSION)
	ln -sf $(SONAME).$(VERSION) $(B)/lib/$(SONAME)
	ln -sf $(SONAME) $@

$(B)/lib/libedudma.a: $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(B)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) -fvisibility=hidden $(LIB_CPPFLAGS) $(PCI_CFLAGS) \
		-c userlib/libedudma.c -o $(B)/obj/libedudma.o
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) -fvisibility=hidden $(LIB_CPPFLAGS) \
		-c userlib/util.c -o $(B)/obj/util.o
	rm -f $@ && ar rcs $@ $(B)/obj/libedudma.o $(B)/obj/util.o

# the .pc file names the install folders: made again when they change
DIRS_STAMP := $(B)/.dirs-$(shell echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR)' | md5sum | cut -c1-12)
$(DIRS_STAMP):
	@mkdir -p $(@D) && rm -f $(B)/.dirs-* && touch $@

$(B)/lib/pkgconfig/libedudma.pc: userlib/libedudma.pc.in $(DIRS_STAMP)
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

CLI_SRCS := userlib/cli.c userlib/cli_buf.c userlib/cli_bench.c userlib/util.c
CLI_DEPS := $(CLI_SRCS) userlib/cli.h userlib/util.h $(B)/lib/libedudma.so
JSON_CFLAGS = $(shell pkg-config --cflags json-c)
JSON_LIBS   = $(shell pkg-config --libs json-c)
CLI_BUILD = $(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) $(LIB_CPPFLAGS) $(JSON_CFLAGS) $(URING_CFLAGS) \
	-DEDUDMA_CLI_VERSION=\"$(VERSION)\" -pthread $(LDFLAGS) -o $@ $(CLI_SRCS) -L$(B)/lib -ledudma \
	$(JSON_LIBS) $(URING_LIBS)
# in the tree: finds build/lib through its RUNPATH
$(B)/bin/edudma: $(CLI_DEPS)
	@mkdir -p $(@D)
	$(CLI_BUILD) $(RPATH)
# installed: no RUNPATH into the build tree
$(B)/inst/edudma: $(CLI_DEPS)
	@mkdir -p $(@D)
	$(CLI_BUILD)

# man pages (scdoc sources in docs/man)
MAN_SRCS  := $(wildcard docs/man/*.scd)
MAN_PAGES := $(patsubst docs/man/%.scd,$(B)/man/%,$(MAN_SRCS))
$(B)/man/%: docs/man/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@
# the calls each page of section 3 documents: a link page apiece
MAN3_LINKS = $(foreach p,$(filter-out libedudma.3.scd,$(notdir $(wildcard docs/man/*.3.scd))), \
	$(foreach f,$(filter-out $(p:.3.scd=),$(shell sed -n '/^\# NAME/,/ - /p' docs/man/$(p) | \
		tr ',' '\n' | sed -n 's/^ *\(edudma_[a-z_]*\).*/\1/p')),$(f):$(p:.scd=)))

# ---- examples (examples/README.md), built as a user builds them -----------------
EXAMPLES := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
examples: $(EXAMPLES)
$(B)/examples/raw-uapi: examples/raw-uapi.c uapi/linux/edudma.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) -Iuapi $(LDFLAGS) -o $@ $<
$(B)/examples/%: examples/%.c $(LIB_HDRS) $(B)/lib/libedudma.so
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) $(LIB_CPPFLAGS) $(LDFLAGS) -o $@ $< -L$(B)/lib -ledudma \
		-Wl,-rpath,'$$ORIGIN/../lib'

# ---- tests --------------------------------------------------------------------
FUZZ := $(B)/tests/fuzz/edudma-fuzz $(B)/tests/fuzz/edudma-fuzz32
STRESS := $(B)/tests/stress/edudma-stress
tests: $(HOST_TESTS) $(GUEST_TESTS) $(COMPAT_TEST) $(LIB32_TEST) $(FUZZ) $(STRESS)

$(STRESS): tests/stress/edudma-stress.c uapi/linux/edudma.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) -Iuapi -pthread -o $@ $<

$(B)/tests/fuzz/edudma-fuzz: tests/fuzz/edudma-fuzz.c uapi/linux/edudma.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) -Iuapi -pthread -o $@ $<

$(B)/tests/fuzz/edudma-fuzz32: tests/fuzz/edudma-fuzz.c uapi/linux/edudma.h
	@mkdir -p $(@D)
	$(CC) -m32 -static -O2 $(WFLAGS) -Iuapi -pthread -o $@ $<

$(COMPAT_TEST): tests/compat/test_compat32.c tests/compat/tap.h uapi/linux/edudma.h
	@mkdir -p $(@D)
	$(CC) -m32 -static -O2 $(WFLAGS) -Iuapi -o $@ $<

$(B)/lib32/$(SONAME): $(LIB_SRCS) $(LIB_HDRS) userlib/libedudma.map
	@mkdir -p $(@D)
	i386=$$(qemu/i386-libs) && \
	$(CC) -m32 -O2 $(WFLAGS) -fPIC -fvisibility=hidden $(LIB_CPPFLAGS) $(PCI_CFLAGS) -shared \
		-Wl,-soname,$(SONAME) -Wl,--version-script=userlib/libedudma.map -o $@ $(LIB_SRCS) \
		$$i386/usr/lib/i386-linux-gnu/libpciaccess.so.0 -Wl,-rpath-link,$$i386/lib/i386-linux-gnu

$(LIB32_TEST): tests/compat/test_lib32.c tests/compat/tap.h $(LIB_HDRS) $(B)/lib32/$(SONAME)
	@mkdir -p $(@D)
	i386=$$(qemu/i386-libs) && \
	$(CC) -m32 -O2 $(WFLAGS) $(LIB_CPPFLAGS) -o $@ $< $(B)/lib32/$(SONAME) \
		-Wl,--disable-new-dtags,-rpath,'$$ORIGIN/../../lib32':$$i386/usr/lib/i386-linux-gnu:$$i386/lib/i386-linux-gnu \
		-Wl,-rpath-link,$$i386/usr/lib/i386-linux-gnu:$$i386/lib/i386-linux-gnu

# host tests: compiled with the library's sources, under ASan/UBSan
$(B)/tests/host/%: tests/host/%.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) -O1 -g $(WFLAGS) $(SAN) $(LIB_CPPFLAGS) $(PCI_CFLAGS) -Iuserlib -pthread -o $@ $< \
		$(LIB_SRCS) -lcriterion $(PCI_LIBS)

# the header from C++ (a compile error is the failure), against the built library
$(B)/tests/host/test_cxx: tests/host/test_cxx.cc $(LIB_HDRS) $(B)/lib/libedudma.so
	@mkdir -p $(@D)
	$(CXX) -std=c++11 -O1 -g -Wall -Wextra -Werror $(LIB_CPPFLAGS) -o $@ $< \
		-L$(B)/lib -ledudma -lcriterion -Wl,-rpath,'$$ORIGIN/../../lib'

$(B)/tests/guest/test_xfer_uring $(B)/tests/guest/test_hotplug: GUEST_EXTRA_LIBS = $(URING_LIBS)
$(B)/tests/guest/%: tests/guest/%.c tests/guest/lab.c tests/guest/lab.h $(B)/lib/libedudma.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(LIB_CPPFLAGS) $(JSON_CFLAGS) -Itests/guest -pthread -o $@ $< \
		tests/guest/lab.c -L$(B)/lib -ledudma -lcriterion $(JSON_LIBS) $(PCI_LIBS) \
		$(GUEST_EXTRA_LIBS) $(GUEST_TESTS_RPATH)

# ---- quality gates ------------------------------------------------------------
lint: checkpatch sparse

# the library's ABI against its baseline (abigail-tools): any change fails,
# until `make abi-update` takes it on purpose (and NEWS says so)
ABI_REF  := userlib/libedudma.abi
ABI_HDRS := --headers-dir1 userlib/include --headers-dir1 uapi \
	    --headers-dir2 userlib/include --headers-dir2 uapi
abi-check: $(B)/lib/$(SONAME).$(VERSION)
	@abidiff $(ABI_HDRS) $(ABI_REF) $< || { \
		echo "abi-check: libedudma's ABI differs from $(ABI_REF) (above)."; \
		echo "abi-check: a break needs a new SONAME; an addition a new version node;"; \
		echo "abi-check: then 'make abi-update' and a NEWS entry."; exit 1; }
	@echo "abi-check: libedudma.so.$(SOVERSION) matches $(ABI_REF)"

abi-update: $(B)/lib/$(SONAME).$(VERSION)
	abidw --headers-dir userlib/include --headers-dir uapi --no-corpus-path \
		--no-comp-dir-path --out-file $(ABI_REF) $<
	sed -i "1a\\  <!-- SPDX-License-Identifier: LGPL-2.1-or-later; the ABI of libedudma.so.0 (abidw): make abi-check compares the build with it, make abi-update rewrites it -->" $(ABI_REF)

checkpatch:
	@mkdir -p $(B)
	perl $(CHECKPATCH) --strict --no-tree --terse --show-types --summary-file -f \
		driver/edudma_*.c driver/*.h uapi/linux/edudma.h >$(B)/checkpatch.log 2>&1 || true
	@if grep -vE 'total: 0 errors, 0 warnings, 0 checks' $(B)/checkpatch.log; then \
		echo "checkpatch --strict: not clean"; exit 1; fi
	@echo "checkpatch --strict: clean"

sparse:
	$(MAKE) -s -C driver KDIR=$(KDIR) clean
	$(MAKE) -C driver KDIR=$(KDIR) sparse 2>&1 | tee $(B)/sparse.log
	@! grep -E 'warning:|error:' $(B)/sparse.log
	$(MAKE) -s -C driver KDIR=$(KDIR) clean
	$(MAKE) -C driver KDIR=$(KDIR) 2>&1 | tee $(B)/kbuild.log
	@! grep -E 'warning:|error:' $(B)/kbuild.log

# ---- the two commands ---------------------------------------------------------
check-host: $(HOST_TESTS)
	@mkdir -p $(B)/tap
	@rc=0; for t in $(HOST_TESTS); do \
		$$t --tap=$(B)/tap/host-$$(basename $$t).tap || rc=1; \
	done; tests/host/check-summary || rc=1; \
	VERSION=$(VERSION) tests/install/check-install || rc=1; exit $$rc

# two lanes: the device's default 28-bit mask in 512 MiB, and a 64-bit mask in 2 GiB
LANE_M28 := --edu 2
LANE_M64 := --edu 2 --edu-mask 64 --mem 2G
# DMA-heavy suites (test_xfer*): the fast clock, without and with an IOMMU
LANE_DMA := --edu 2 --fast-clock
LANE_IOMMU := --edu 2 --fast-clock --iommu
# QMP hot-unplug and replug (test_hotplug*)
LANE_HOTPLUG := --edu 2 --hotplug

# Lanes are independent lab boots, each with its own run folder and TAP
# files (qemu/run --lane): LAB_JOBS=2 runs two at a time, which on this
# 2-core machine is slower than one at a time (docs/testing.md)
LAB_JOBS ?= 1
LAB_Q    := $(if $(filter 1,$(LAB_JOBS)),,--quiet)
GUEST_LANES := m28 m64 dma iommu hotplug
DEBUG_LANES := m28 m64 dma hotplug hotplug64 faults faults64 dmabuf swiotlb fuzz
# lanes check-debug leaves out (.ci/run: DEBUG_SKIP="m28 m64 dma swiotlb", to
# fit its time; check-matrix and soak run them)
DEBUG_SKIP  ?=
.PHONY: $(addprefix guest-lane-,$(GUEST_LANES)) $(addprefix debug-lane-,$(DEBUG_LANES))

check-guest: all
	@rm -rf $(TAPDIR)
	@rc=0; $(MAKE) -k -j$(LAB_JOBS) $(addprefix guest-lane-,$(GUEST_LANES)) || rc=1; \
	SUMMARY_NAME="guest $(KERNEL) qemu $(QEMU)" tests/summary $(TAPDIR)/guest-*.tap && exit $$rc

GLAB = $(LAB) $(LAB_Q) --lane $(TAPDIR)/guest-$(@:guest-lane-%=%) --timeout 1200
guest-lane-m28:
	$(GLAB) $(LANE_M28) -- tests/guest/run-all
guest-lane-m64:
	$(GLAB) $(LANE_M64) -- sh -c 'tests/guest/run-all; r=$$?; tests/guest/run-all test_heaps && exit $$r'
guest-lane-dma:
	$(GLAB) $(LANE_DMA) -- tests/guest/run-all test_xfer test_xfer_trust test_xfer_uring
guest-lane-iommu:
	$(GLAB) $(LANE_IOMMU) -- tests/guest/run-all test_xfer test_xfer_trust
guest-lane-hotplug:
	$(GLAB) $(LANE_HOTPLUG) -- tests/guest/run-all test_hotplug

DTAP = $(B)/tap/debug$(if $(filter 6.1,$(KERNEL)),,-$(KERNEL))
check-debug: deps
	$(MAKE) driver-debug lib cli tests examples
	@rm -rf $(DTAP)
	@rc=0; $(MAKE) -k -j$(LAB_JOBS) \
		$(addprefix debug-lane-,$(filter-out $(DEBUG_SKIP),$(DEBUG_LANES))) || rc=1; \
	SUMMARY_NAME="check-debug $(KERNEL)" tests/summary $(DTAP)/*.tap && exit $$rc

DLAB = $(LAB) $(LAB_Q) --debug-kernel --kmemleak --lane $(DTAP)/$(@:debug-lane-%=%) --timeout 2400
debug-lane-m28:
	$(DLAB) $(LANE_M28) -- tests/guest/run-all
debug-lane-m64:
	$(DLAB) $(LANE_M64) -- tests/guest/run-all
debug-lane-dma:
	$(DLAB) $(LANE_DMA) -- tests/guest/run-all test_xfer test_xfer_trust test_xfer_uring
debug-lane-hotplug:
	$(DLAB) $(LANE_HOTPLUG) -- tests/guest/run-all test_hotplug
debug-lane-hotplug64:
	$(DLAB) $(LANE_HOTPLUG) --edu-mask 64 --mem 2G -- tests/guest/run-all test_hotplug
# the fault-injection walk (and the debug builds' fault knobs) at both masks
debug-lane-faults:
	$(DLAB) --edu 1 --fast-clock -- tests/guest/run-all test_faults
debug-lane-faults64:
	$(DLAB) --edu 1 --fast-clock --edu-mask 64 --mem 2G -- tests/guest/run-all test_faults
# dma-bufs from the system heap and udmabuf, imports behind the IOMMU, fuzzed
debug-lane-dmabuf:
	$(DLAB) --edu 1 --fast-clock --iommu -- sh -c '\
		tests/guest/run-all test_heaps test_dmabuf test_xfer_uring && \
		$(B)/tests/fuzz/edudma-fuzz --calls 20000 --procs 2 --threads 2 --devices 1 \
			--tap $$EDUDMA_OUT/tap/fuzz-iommu.tap'
# SWIOTLB forced: every streaming mapping bounces, so a missing or wrong sync
# corrupts data; the suites verify every byte, DMA-API debug checks every sync
debug-lane-swiotlb:
	$(DLAB) --edu 2 --edu-mask 64 --mem 2G --swiotlb --fast-clock -- sh -c '\
		tests/guest/run-all test_buffers test_mmap test_dmabuf \
			test_xfer test_xfer_trust test_trust && \
		$(B)/tests/stress/edudma-stress --seconds 20 --procs 4 --threads 2 --devices 2 && \
		echo "ok 1 - stress::swiotlb" >$$EDUDMA_OUT/tap/stress-swiotlb.tap'
debug-lane-fuzz:
	$(DLAB) --edu 2 -- sh -c 'mkdir -p $$EDUDMA_OUT/tap && \
		$(B)/tests/fuzz/edudma-fuzz --calls 20000 --procs 4 --threads 2 --devices 2 --unload 1 \
			--tap $$EDUDMA_OUT/tap/fuzz64.tap && \
		$(B)/tests/fuzz/edudma-fuzz32 --calls 5000 --procs 2 --threads 2 --devices 2 \
			--tap $$EDUDMA_OUT/tap/fuzz32.tap && \
		$(B)/tests/stress/edudma-stress --seconds 30 --procs 8 --threads 4 --devices 2 && \
		echo "ok 1 - stress::short" >$$EDUDMA_OUT/tap/stress.tap'

check: deps
	$(MAKE) all
	@mkdir -p $(B)
	$(MAKE) lint
	$(MAKE) abi-check
	$(MAKE) check-host
	$(MAKE) check-guest
	$(MAKE) check-debs
	@SUMMARY_NAME="check $(KERNEL) qemu $(QEMU)" tests/summary $(B)/tap/host-*.tap $(TAPDIR)/guest-*.tap

# the Debian packages (debian/): built, lintian, installed into a fresh
# Debian 12 root and used there, and in a guest booted with that root
check-debs: deps
	tests/deb/check-debs

# DKMS (driver/dkms.conf) against the headers of every kernel series
check-dkms: deps
	tests/dkms/check-dkms

# every kernel series x QEMU version (the full in-guest suites of each), then
# the debug lanes; one table at the end (docs/kernels.md)
MATRIX_KERNELS := $(shell awk '!/^\#/ && NF { print $$1 }' qemu/kernels)
MATRIX_QEMUS   := 7.2 10
# the debug kernel's lanes: on the newest series here (.ci/run runs them on 6.1)
MATRIX_DEBUG   ?= 7.3
check-matrix: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) check-host
	@rc=0; \
	for k in $(MATRIX_KERNELS); do for q in $(MATRIX_QEMUS); do \
		$(MAKE) KERNEL=$$k QEMU=$$q deps driver check-guest || rc=1; \
	done; done; \
	for k in $(MATRIX_DEBUG); do $(MAKE) KERNEL=$$k check-debug || rc=1; done; \
	$(MAKE) check-dkms || rc=1; \
	echo "== check-matrix ($$(date -u +%F))"; \
	printf '%-7s %-5s %-6s %s\n' kernel qemu lane result; \
	for k in $(MATRIX_KERNELS); do for q in $(MATRIX_QEMUS); do \
		printf '%-7s %-5s %-6s %s\n' $$k $$q guest \
			"$$(tests/summary $(B)/tap/$$k-qemu$$q/guest-*.tap 2>/dev/null)"; \
	done; done; \
	for k in $(MATRIX_DEBUG); do \
		d=$(B)/tap/debug$$([ $$k = 6.1 ] || echo -$$k); \
		printf '%-7s %-5s %-6s %s\n' $$k 7.2 debug "$$(tests/summary $$d/*.tap 2>/dev/null)"; \
	done; \
	printf '%-7s %-5s %-6s %s\n' all - dkms "$$(tests/summary $(B)/tap/dkms.tap 2>/dev/null)"; \
	exit $$rc

demo: deps
	$(MAKE) all
	$(LAB) --edu 1 --fast-clock -- sh -c 'edudma info && edudma factorial 12 && \
		edudma selftest && edudma bench --quick'

# long runs (docs/reliability.md): the fuzzer's full count on the debug kernel
soak: deps
	$(MAKE) driver-debug lib cli tests examples
	$(MAKE) -k debug-lane-m28 debug-lane-m64 debug-lane-dma debug-lane-swiotlb
	qemu/run --debug-kernel --kmemleak --edu 2 --timeout 14400 -- sh -c '\
		$(B)/tests/fuzz/edudma-fuzz --calls 1000000 --procs 8 --threads 4 --devices 2 \
			--min-allocs 10000 --min-mmaps 10000 --min-xfers 1000 --unload 1 && \
		$(B)/tests/fuzz/edudma-fuzz32 --calls 100000 --procs 4 --threads 2 --devices 2 && \
		$(B)/tests/stress/edudma-stress --seconds 300 --procs 8 --threads 4 --devices 2'

# the full benchmark (docs/benchmarks.md): normal clock, so CPU busy is real;
# the table on the console, CSV and plot in build/bench/
bench: deps
	$(MAKE) all
	@mkdir -p $(B)/bench
	$(LAB) --edu 2 --timeout 3600 -- sh -c 'edudma bench --verify --user --csv $$EDUDMA_OUT/bench.csv \
		--plot $$EDUDMA_OUT/bench.png >$$EDUDMA_OUT/bench.txt; rc=$$?; \
		cat $$EDUDMA_OUT/bench.txt; exit $$rc' && \
		cp "$$(ls -td $(B)/lab/run-* | head -1)"/bench.* $(B)/bench/

# ---- install ------------------------------------------------------------------
# install: the library, its headers, the CLI, man pages and the udev rule,
# without building the driver or the tests; install-driver: the module
# (then depmod). DESTDIR, PREFIX, BINDIR, LIBDIR, INCLUDEDIR, MANDIR, UDEVDIR.
INST_FILES = $(LIBDIR)/$(SONAME).$(VERSION) $(LIBDIR)/$(SONAME) $(LIBDIR)/libedudma.so \
	$(LIBDIR)/libedudma.a $(LIBDIR)/pkgconfig/libedudma.pc $(INCLUDEDIR)/libedudma.h \
	$(INCLUDEDIR)/edudma/linux/edudma.h $(BINDIR)/edudma $(UDEVDIR)/60-edudma.rules \
	$(foreach m,$(notdir $(MAN_PAGES)),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(m)) \
	$(foreach l,$(MAN3_LINKS),$(MANDIR)/man3/$(word 1,$(subst :, ,$(l))).3)

install: lib $(B)/inst/edudma $(MAN_PAGES)
	install -D -m 0755 $(B)/lib/$(SONAME).$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME).$(VERSION)
	ln -sf $(SONAME).$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libedudma.so
	install -D -m 0644 $(B)/lib/libedudma.a $(DESTDIR)$(LIBDIR)/libedudma.a
	install -D -m 0644 $(B)/lib/pkgconfig/libedudma.pc $(DESTDIR)$(LIBDIR)/pkgconfig/libedudma.pc
	install -D -m 0644 userlib/include/libedudma.h $(DESTDIR)$(INCLUDEDIR)/libedudma.h
	install -D -m 0644 uapi/linux/edudma.h $(DESTDIR)$(INCLUDEDIR)/edudma/linux/edudma.h
	install -D -m 0755 $(B)/inst/edudma $(DESTDIR)$(BINDIR)/edudma
	install -D -m 0644 udev/60-edudma.rules $(DESTDIR)$(UDEVDIR)/60-edudma.rules
	for m in $(notdir $(MAN_PAGES)); do \
		install -D -m 0644 $(B)/man/$$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m || exit 1; \
	done
	for l in $(MAN3_LINKS); do \
		echo ".so man3/$${l#*:}" >$(DESTDIR)$(MANDIR)/man3/$${l%%:*}.3 || exit 1; \
	done
	[ -n "$(DESTDIR)" ] || getent group edudma >/dev/null || groupadd --system edudma
	[ -n "$(DESTDIR)" ] || ldconfig

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INST_FILES))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/edudma/linux $(DESTDIR)$(INCLUDEDIR)/edudma 2>/dev/null

install-driver: driver
	install -D -m 0644 driver/edudma.ko $(DESTDIR)/lib/modules/$(KVER)/updates/edudma.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

clean:
	-$(MAKE) -s -C driver KDIR=$(KDIR) clean
	rm -rf $(B)
