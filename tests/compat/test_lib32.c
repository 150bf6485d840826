// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma built 32-bit (issue 11 item 3): a 32-bit program with the
 * default 32-bit off_t, linked against the 32-bit library, maps buffers of
 * every kind (their mmap offsets lie above 4 GiB), moves data through the
 * device and reads it back. Built with gcc -m32 against Debian's i386
 * libpciaccess (qemu/i386-libs), run in the guest by tests/guest/run-all.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "libedudma.h"
#include "tap.h"

_Static_assert(sizeof(void *) == 4, "build this with -m32");
_Static_assert(sizeof(off_t) == 4, "the program's own off_t stays 32-bit");

static void round_trip(struct edudma *e, uint32_t kind, uint64_t size)
{
	struct edudma_buf *src = NULL, *dst = NULL;
	struct edudma_buf_info bi;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY };
	const char *k = edudma_kind_name(kind);
	uint8_t *s = NULL, *d = NULL;
	int ret;

	ret = edudma_buf_alloc(e, size, kind, &src);
	if (!ret)
		ret = edudma_buf_alloc(e, size, kind, &dst);
	check(!ret, "%s_alloc (%s)", k, strerror(-ret));
	if (ret)
		goto out;
	ret = edudma_buf_get_info(src, &bi);
	check(!ret && bi.mmap_offset >= (1ULL << 32), "%s_offset_above_4g (%#llx)", k,
	      (unsigned long long)bi.mmap_offset);
	ret = edudma_buf_mmap(src, (void **)&s);
	check(!ret, "%s_mmap_src (%s)", k, strerror(-ret));
	ret = ret ? ret : edudma_buf_mmap(dst, (void **)&d);
	check(!ret, "%s_mmap_dst (%s)", k, strerror(-ret));
	if (ret)
		goto out;
	for (uint64_t i = 0; i < size; i++)
		s[i] = (uint8_t)(i * 7 + kind);
	ret = edudma_buf_sync(src, 0, size, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	x.src_handle = edudma_buf_handle(src);
	x.dst_handle = edudma_buf_handle(dst);
	x.length = size;
	ret = ret ? ret : edudma_submit(e, &x);
	ret = ret ? ret : edudma_buf_sync(dst, 0, size, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
	check(!ret, "%s_copy (%s)", k, strerror(-ret));
	check(!ret && !memcmp(s, d, size), "%s_data_read_back", k);
out:
	edudma_buf_free(src);
	edudma_buf_free(dst);
}

int main(int argc, char **argv)
{
	struct edudma_device **list;
	struct edudma_stats st;
	struct edudma *e;
	size_t n = 0;
	int ret;

	tap_start("lib32", argc, argv);
	ret = edudma_list(&list, &n);
	check(!ret && n >= 1 && edudma_device_minor(list[0]) >= 0, "list (%zu devices)", n);
	if (!ret)
		edudma_list_free(list);
	ret = edudma_open("0", &e);
	check(!ret, "open (%s)", strerror(-ret));
	if (ret)
		return tap_end();
	round_trip(e, EDUDMA_BUF_COHERENT, 8192);
	round_trip(e, EDUDMA_BUF_PAGES, 3 * 4096);
	round_trip(e, EDUDMA_BUF_VMALLOC_SG, 3 * 4096);
	ret = edudma_get_stats(e, &st, sizeof(st));
	check(!ret && st.xfers >= 3, "stats");
	edudma_close(e);
	return tap_end();
}
