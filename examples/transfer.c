// SPDX-License-Identifier: MIT
/*
 * Move data through the device's DMA engine and check it: COPY one buffer
 * into another (each chunk goes out to the device's window and back).
 * Build: cc transfer.c $(pkg-config --cflags --libs libedudma)
 */
#include <stdio.h>
#include <string.h>

#include <libedudma.h>

#define SIZE (16 * 1024)	/* about 0.8 s: the device moves ~40 KB/s */

int main(int argc, char **argv)
{
	struct edudma_buf *src = NULL, *dst = NULL;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .length = SIZE };
	struct edudma *dev;
	uint8_t *s, *d;
	int ret;

	ret = edudma_open(argc > 1 ? argv[1] : "0", &dev);
	if (ret) {
		fprintf(stderr, "open: %s\n", strerror(-ret));
		return 1;
	}
	ret = edudma_buf_alloc(dev, SIZE, EDUDMA_BUF_AUTO, &src);
	if (!ret)
		ret = edudma_buf_alloc(dev, SIZE, EDUDMA_BUF_VMALLOC_SG, &dst);
	if (!ret)
		ret = edudma_buf_mmap(src, (void **)&s);
	if (!ret)
		ret = edudma_buf_mmap(dst, (void **)&d);
	if (ret)
		goto out;
	for (int i = 0; i < SIZE; i++)
		s[i] = (uint8_t)(i * 31 + 7);
	/* the device is to read what the CPU wrote */
	ret = edudma_buf_sync(src, 0, SIZE, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	if (ret)
		goto out;
	x.src_handle = edudma_buf_handle(src);
	x.dst_handle = edudma_buf_handle(dst);
	ret = edudma_submit(dev, &x);	/* blocks until the copy is done */
	if (ret)
		goto out;
	/* the CPU is to read what the device wrote */
	ret = edudma_buf_sync(dst, 0, SIZE, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
	if (ret)
		goto out;
	if (memcmp(s, d, SIZE)) {
		fprintf(stderr, "the copy differs\n");
		ret = -1;
		goto out;
	}
	printf("ok: copied %d bytes (%s to %s) in %llu DMA commands, %.2f s of device time\n",
	       SIZE, edudma_kind_name(edudma_buf_kind(src)), edudma_kind_name(edudma_buf_kind(dst)),
	       (unsigned long long)x.commands, x.device_ns / 1e9);
out:
	if (ret > 0 || ret < -1)
		fprintf(stderr, "transfer: %s\n", strerror(-ret));
	edudma_buf_free(src);
	edudma_buf_free(dst);
	edudma_close(dev);
	return ret ? 1 : 0;
}
