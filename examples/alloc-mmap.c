// SPDX-License-Identifier: MIT
/*
 * Allocate a DMA buffer, map it, fill it, read it back.
 * Build: cc alloc-mmap.c $(pkg-config --cflags --libs libedudma)
 * Run:   ./a.out [DEVICE]      (DEVICE: 0, /dev/edudma0 or a PCI address)
 */
#include <stdio.h>
#include <string.h>

#include <libedudma.h>

int main(int argc, char **argv)
{
	struct edudma_buf *buf;
	struct edudma *dev;
	uint8_t *p;
	int ret;

	ret = edudma_open(argc > 1 ? argv[1] : "0", &dev);
	if (ret) {
		fprintf(stderr, "open: %s\n", strerror(-ret));
		return 1;
	}
	/* 1 MiB from the page allocator, mapped for the device for its life */
	ret = edudma_buf_alloc(dev, 1 << 20, EDUDMA_BUF_PAGES, &buf);
	if (!ret)
		ret = edudma_buf_mmap(buf, (void **)&p);
	if (ret) {
		fprintf(stderr, "alloc/mmap: %s\n", strerror(-ret));
		edudma_buf_free(buf);
		edudma_close(dev);
		return 1;
	}
	/* a new buffer reads zero: no other program's data */
	for (uint64_t i = 0; i < edudma_buf_size(buf); i++)
		if (p[i]) {
			fprintf(stderr, "byte %llu is not zero\n", (unsigned long long)i);
			return 1;
		}
	/* CPU writes go between SYNC_START and SYNC_END */
	edudma_buf_sync(buf, 0, edudma_buf_size(buf), EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_WRITE);
	memset(p, 0xab, edudma_buf_size(buf));
	edudma_buf_sync(buf, 0, edudma_buf_size(buf), EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	printf("ok: %s buffer of %llu bytes in %u DMA segments, mapped at %p, filled\n",
	       edudma_kind_name(edudma_buf_kind(buf)), (unsigned long long)edudma_buf_size(buf),
	       edudma_buf_segments(buf), (void *)p);
	edudma_buf_free(buf);	/* unmaps it too */
	edudma_close(dev);
	return 0;
}
