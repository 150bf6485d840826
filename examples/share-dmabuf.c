// SPDX-License-Identifier: MIT
/*
 * Share a buffer between two devices through a dma-buf: device A exports
 * its buffer, device B imports it and COPYs it into a buffer of its own.
 * Build: cc share-dmabuf.c $(pkg-config --cflags --libs libedudma)
 * Run:   ./a.out [A [B]]   (default 0 and 1; one device can share with itself)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libedudma.h>

#define SIZE 8192

int main(int argc, char **argv)
{
	struct edudma_buf *a_buf = NULL, *b_import = NULL, *b_buf = NULL;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .length = SIZE };
	struct edudma *a = NULL, *b = NULL;
	const char *what = "open";
	uint8_t *pa, *pb;
	int ret, fd;

	ret = edudma_open(argc > 1 ? argv[1] : "0", &a);
	if (!ret)
		ret = edudma_open(argc > 2 ? argv[2] : "1", &b);
	if (ret)
		goto out;
	what = "alloc";
	/* exportable kinds: pages and vmalloc (coherent memory cannot be shared) */
	ret = edudma_buf_alloc(a, SIZE, EDUDMA_BUF_PAGES, &a_buf);
	if (!ret)
		ret = edudma_buf_mmap(a_buf, (void **)&pa);
	if (ret)
		goto out;
	memset(pa, 0x42, SIZE);
	edudma_buf_sync(a_buf, 0, SIZE, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	what = "export";
	ret = edudma_buf_export(a_buf, &fd);
	if (ret)
		goto out;
	what = "import";
	/* the import holds its own reference: the fd can go at once */
	ret = edudma_buf_import(b, fd, &b_import);
	close(fd);
	if (ret)
		goto out;
	what = "copy";
	ret = edudma_buf_alloc(b, SIZE, EDUDMA_BUF_PAGES, &b_buf);
	if (!ret)
		ret = edudma_buf_mmap(b_buf, (void **)&pb);
	x.src_handle = edudma_buf_handle(b_import);
	x.dst_handle = edudma_buf_handle(b_buf);
	if (!ret)
		ret = edudma_submit(b, &x);
	if (!ret)
		ret = edudma_buf_sync(b_buf, 0, SIZE, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
	if (ret)
		goto out;
	if (memcmp(pa, pb, SIZE)) {
		fprintf(stderr, "the shared data differ\n");
		ret = -1;
		goto out;
	}
	printf("ok: device B read %d bytes of device A's buffer through a dma-buf "
	       "(%u DMA segments on B)\n", SIZE, edudma_buf_segments(b_import));
out:
	if (ret < -1)
		fprintf(stderr, "%s: %s\n", what, strerror(-ret));
	edudma_buf_free(b_buf);
	edudma_buf_free(b_import);
	edudma_buf_free(a_buf);
	edudma_close(b);
	edudma_close(a);
	return ret ? 1 : 0;
}
