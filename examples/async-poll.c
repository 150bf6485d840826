// SPDX-License-Identifier: MIT
/*
 * Asynchronous transfers: queue several, poll() the device until each one
 * finishes, reap it and check its status.
 * Build: cc async-poll.c $(pkg-config --cflags --libs libedudma)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <libedudma.h>

#define N 4

int main(int argc, char **argv)
{
	struct edudma_buf *buf[N] = { NULL };
	struct edudma *dev;
	int ret, done = 0;

	ret = edudma_open(argc > 1 ? argv[1] : "0", &dev);
	if (ret) {
		fprintf(stderr, "open: %s\n", strerror(-ret));
		return 1;
	}
	for (int i = 0; i < N && !ret; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
					 .length = 4000 };

		ret = edudma_buf_alloc(dev, 4096, EDUDMA_BUF_COHERENT, &buf[i]);
		if (ret)
			break;
		x.src_handle = edudma_buf_handle(buf[i]);
		ret = edudma_submit(dev, &x);	/* returns at once with x.seq */
		if (!ret)
			printf("queued transfer %llu\n", (unsigned long long)x.seq);
	}
	while (!ret && done < N) {
		struct pollfd pfd = { .fd = edudma_fd(dev), .events = POLLIN };
		struct edudma_wait w;

		if (poll(&pfd, 1, 10000) != 1) {
			ret = -ETIMEDOUT;
			break;
		}
		/* POLLIN: at least one finished; reap whatever is done, without sleeping */
		while (!ret && done < N && !(ret = edudma_reap(dev, 0, 0, &w))) {
			if (w.status) {
				ret = w.status;
				break;
			}
			printf("transfer %llu done: %llu bytes, %llu commands\n",
			       (unsigned long long)w.done_seq, (unsigned long long)w.length,
			       (unsigned long long)w.commands);
			done++;
		}
		if (ret == -EAGAIN)	/* nothing more finished yet */
			ret = 0;
	}
	if (!ret)
		printf("ok: %d async transfers reaped\n", done);
	else
		fprintf(stderr, "async: %s\n", strerror(-ret));
	for (int i = 0; i < N; i++)
		edudma_buf_free(buf[i]);
	edudma_close(dev);
	return ret ? 1 : 0;
}
