// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The compat ioctl path: built with gcc -m32 (no 32-bit Criterion exists in
 * Debian), run in the guest by tests/guest/run-all like the Criterion
 * suites. Prints TAP to stdout and to --tap=FILE.
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/edudma.h>

#include "tap.h"

_Static_assert(sizeof(void *) == 4, "build this with -m32");
_Static_assert(sizeof(struct edudma_info) == 48, "uapi size");
_Static_assert(sizeof(struct edudma_alloc) == 32, "uapi size");
_Static_assert(sizeof(struct edudma_buf_info) == 56, "uapi size");
_Static_assert(sizeof(struct edudma_xfer) == 72, "uapi size");
_Static_assert(sizeof(struct edudma_wait) == 56, "uapi size");
_Static_assert(sizeof(struct edudma_stats) == 184, "uapi size");
_Static_assert(sizeof(struct edudma_export) == 16, "uapi size");
_Static_assert(sizeof(struct edudma_import) == 32, "uapi size");

static int io(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * Many buffers in one file, each mapped at its mmap_offset: a 32-bit mmap
 * passes a 32-bit page number (mmap2), so every offset must lie below 2^44
 * whatever the handle. Each mapping is its own buffer, and the device sees
 * what was written through one.
 */
static void many_buffers(int fd)
{
	enum { N = 24 };
	struct edudma_alloc m[N];
	struct edudma_free fr;
	struct edudma_xfer x;
	uint8_t *p[N];
	int i, made = 0, below = 0, mapped = 0, own = 0;

	for (i = 0; i < N; i++) {
		m[i] = (struct edudma_alloc){ .size = 4096 * (1 + i % 2),
					      .kind = EDUDMA_BUF_COHERENT + i % 3 };
		made += !io(fd, EDUDMA_IOC_ALLOC, &m[i]);
	}
	check(made == N, "alloc_24_buffers");
	if (made != N)
		return;
	for (i = 0; i < N; i++) {
		below += m[i].mmap_offset % 4096 == 0 && m[i].mmap_offset < (1ULL << 44);
		if (m[i].mmap_offset % 4096 || m[i].mmap_offset >= (1ULL << 44))
			printf("# buffer %d, handle %u: mmap_offset %#llx\n", i, m[i].handle,
			       (unsigned long long)m[i].mmap_offset);
	}
	check(below == N, "mmap_offsets_below_2_44");
	for (i = 0; i < N; i++) {
		p[i] = mmap(NULL, m[i].size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    (off_t)m[i].mmap_offset);
		if (p[i] == MAP_FAILED)
			printf("# mmap of buffer %d, handle %u, offset %#llx: %s\n", i, m[i].handle,
			       (unsigned long long)m[i].mmap_offset, strerror(errno));
		else if (p[i][0] == 0 && p[i][m[i].size - 1] == 0)
			mapped++;
	}
	check(mapped == N, "mmap_24_buffers");
	for (i = 0; i < N; i++)
		if (p[i] != MAP_FAILED)
			memset(p[i], i + 1, m[i].size);
	for (i = 0; i < N; i++)
		own += p[i] != MAP_FAILED && p[i][0] == i + 1 && p[i][m[i].size - 1] == i + 1;
	check(own == N, "mmap_each_its_own_buffer");
	/* the last buffer (the highest handle), through the device, into the first */
	if (p[0] != MAP_FAILED && p[N - 1] != MAP_FAILED) {
		for (i = 0; i < 100; i++)
			p[N - 1][i] = (uint8_t)(i * 7 + 3);
		x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = m[N - 1].handle,
					  .dst_handle = m[0].handle, .dst_offset = 1000,
					  .length = 100 };
		check(!io(fd, EDUDMA_IOC_XFER, &x) && !memcmp(p[0] + 1000, p[N - 1], 100) &&
		      p[0][999] == 1 && p[0][1100] == 1, "copy_between_mappings");
	} else {
		check(0, "copy_between_mappings");
	}
	for (i = 0; i < N; i++) {
		if (p[i] != MAP_FAILED)
			munmap(p[i], m[i].size);
		fr = (struct edudma_free){ .handle = m[i].handle };
		io(fd, EDUDMA_IOC_FREE, &fr);
	}
}

int main(int argc, char **argv)
{
	struct edudma_alloc a = { .size = 8192, .kind = EDUDMA_BUF_PAGES };
	struct edudma_alloc b = { .size = 8192, .kind = EDUDMA_BUF_COHERENT };
	struct edudma_factorial f = { .n = 12 };
	struct edudma_info info;
	struct edudma_xfer x;
	struct edudma_wait w;
	struct edudma_sync s;
	struct edudma_buf_info bi;
	struct edudma_free fr;
	struct edudma_export ex;
	struct edudma_import im;
	uint8_t *pa, *pb, *pd;
	/* the window the lab set: 4095, or 4096 on QEMU 10 (qemu/run --window) */
	const char *window = getenv("EDUDMA_WINDOW");
	int fd, i, ret;

	tap_start("compat32", argc, argv);
	fd = open("/dev/edudma0", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open");
	if (fd < 0)
		return 1;
	check(!io(fd, EDUDMA_IOC_GET_INFO, &info) && info.ident == 0x010000ed &&
	      info.window_size == (uint32_t)(window ? atoi(window) : 4095), "get_info");
	check(!io(fd, EDUDMA_IOC_FACTORIAL, &f) && f.result == 479001600, "factorial");
	check(io(fd, _IO(EDUDMA_IOC_MAGIC, 0x7f), NULL) == -ENOTTY, "unknown_command_enotty");
	f.pad = 1;
	check(io(fd, EDUDMA_IOC_FACTORIAL, &f) == -EINVAL, "pad_einval");
	check(!io(fd, EDUDMA_IOC_ALLOC, &a) && a.size == 8192 && a.handle, "alloc_pages");
	check(!io(fd, EDUDMA_IOC_ALLOC, &b) && b.kind == EDUDMA_BUF_COHERENT, "alloc_coherent");
	pa = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.mmap_offset);
	pb = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)b.mmap_offset);
	check(pa != MAP_FAILED && pb != MAP_FAILED, "mmap_64bit_offsets");
	if (pa == MAP_FAILED || pb == MAP_FAILED)
		return 1;
	for (i = 0; i < 8192; i++)
		pa[i] = (uint8_t)(i * 13 + 1);
	s = (struct edudma_sync){ .handle = a.handle, .flags = EDUDMA_SYNC_END,
				  .direction = EDUDMA_DIR_TO_DEVICE, .length = 8192 };
	check(!io(fd, EDUDMA_IOC_SYNC, &s), "sync");
	memset(&bi, 0, sizeof(bi));
	bi.handle = a.handle;
	check(!io(fd, EDUDMA_IOC_BUF_INFO, &bi) && bi.size == 8192 && bi.kind == EDUDMA_BUF_PAGES,
	      "buf_info");
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = a.handle,
				  .dst_handle = b.handle, .src_offset = 1, .dst_offset = 2,
				  .length = 5000 };
	check(!io(fd, EDUDMA_IOC_XFER, &x) && x.commands >= 4 && x.device_ns > 0, "copy_blocking");
	check(!memcmp(pb + 2, pa + 1, 5000), "copy_data");
	x.flags = EDUDMA_XFER_ASYNC;
	x.length = 100;
	check(!io(fd, EDUDMA_IOC_XFER, &x) && x.seq > 0, "copy_async");
	memset(&w, 0, sizeof(w));
	w.timeout_ms = EDUDMA_WAIT_FOREVER;
	check(!io(fd, EDUDMA_IOC_WAIT, &w) && w.status == 0 && w.done_seq == x.seq, "wait");
	ex = (struct edudma_export){ .handle = a.handle };
	check(!io(fd, EDUDMA_IOC_EXPORT, &ex) && ex.fd >= 0, "export");
	pd = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, ex.fd, 0);
	check(pd != MAP_FAILED && !memcmp(pd, pa, 8192), "export_mmap");
	if (pd != MAP_FAILED)
		munmap(pd, 8192);
	/* import works where the device reaches all memory, else EOPNOTSUPP */
	im = (struct edudma_import){ .fd = ex.fd };
	ret = io(fd, EDUDMA_IOC_IMPORT, &im);
	check(ret ? ret == -EOPNOTSUPP : im.size == 8192 && im.handle && im.nr_segments &&
	      im.mmap_offset % 4096 == 0 && im.mmap_offset < (1ULL << 44), "import");
	if (!ret) {
		fr = (struct edudma_free){ .handle = im.handle };
		check(!io(fd, EDUDMA_IOC_FREE, &fr), "free_import");
	}
	close(ex.fd);
	munmap(pa, 8192);
	munmap(pb, 8192);
	fr = (struct edudma_free){ .handle = a.handle };
	check(!io(fd, EDUDMA_IOC_FREE, &fr), "free");
	check(io(fd, EDUDMA_IOC_FREE, &fr) == -ENOENT, "free_twice_enoent");
	fr.handle = b.handle;
	check(!io(fd, EDUDMA_IOC_FREE, &fr), "free_coherent");
	many_buffers(fd);
	close(fd);
	return tap_end();
}
