// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * edudma-stress: P processes x T threads mixing alloc, mmap, sync, COPY
 * (blocking and async) and free across every device for S seconds; every
 * transfer's data is checked. Exits nonzero on any corruption, error or
 * leak.  edudma-stress [--seconds S] [--procs P] [--threads T] [--devices D]
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/edudma.h>

struct totals {
	uint64_t xfers, bytes, corrupt, errors, allocs;
};

static struct totals *tot;
static int seconds = 30, procs = 8, threads = 4, devices = 2;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

struct buf {
	struct edudma_alloc a;
	uint8_t *p;
};

static int get(int fd, uint64_t size, uint32_t kind, struct buf *b)
{
	b->a = (struct edudma_alloc){ .size = size, .kind = kind };
	if (ioctl(fd, EDUDMA_IOC_ALLOC, &b->a))
		return -errno;
	b->p = mmap(NULL, b->a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)b->a.mmap_offset);
	if (b->p == MAP_FAILED)
		return -errno;
	__atomic_fetch_add(&tot->allocs, 1, __ATOMIC_RELAXED);
	return 0;
}

static void put(int fd, struct buf *b)
{
	struct edudma_free f = { .handle = b->a.handle };

	munmap(b->p, b->a.size);
	/* sometimes leave it to close() */
	if (b->a.handle & 1)
		ioctl(fd, EDUDMA_IOC_FREE, &f);
}

static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	double end = now() + seconds;
	int dev = (int)((uintptr_t)arg % devices), fd;
	char node[32];

	snprintf(node, sizeof(node), "/dev/edudma%d", dev);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		__atomic_fetch_add(&tot->errors, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	while (now() < end) {
		uint64_t size = 1 + rnd(&s) % (24 * 1024), len, so, doff;
		struct edudma_sync sy;
		struct edudma_xfer x;
		struct buf a, b;
		bool async = rnd(&s) % 2;
		int ret;

		if (get(fd, size, 1 + rnd(&s) % 3, &a) || get(fd, size, 1 + rnd(&s) % 3, &b)) {
			__atomic_fetch_add(&tot->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		len = 1 + rnd(&s) % size;
		so = rnd(&s) % (size - len + 1);
		doff = rnd(&s) % (size - len + 1);
		for (uint64_t i = 0; i < a.a.size; i++)
			a.p[i] = (uint8_t)rnd(&s);
		sy = (struct edudma_sync){ .handle = a.a.handle, .flags = EDUDMA_SYNC_END,
					   .direction = EDUDMA_DIR_TO_DEVICE, .length = a.a.size };
		ioctl(fd, EDUDMA_IOC_SYNC, &sy);
		x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = a.a.handle,
					  .dst_handle = b.a.handle, .src_offset = so,
					  .dst_offset = doff, .length = len,
					  .flags = async ? EDUDMA_XFER_ASYNC : 0 };
		ret = ioctl(fd, EDUDMA_IOC_XFER, &x) ? -errno : 0;
		if (!ret && async) {
			struct edudma_wait w = { .seq = x.seq, .timeout_ms = EDUDMA_WAIT_FOREVER };

			ret = ioctl(fd, EDUDMA_IOC_WAIT, &w) ? -errno : w.status;
		}
		if (ret) {
			__atomic_fetch_add(&tot->errors, 1, __ATOMIC_RELAXED);
		} else {
			sy.handle = b.a.handle;
			sy.flags = EDUDMA_SYNC_START;
			sy.direction = EDUDMA_DIR_FROM_DEVICE;
			sy.length = b.a.size;
			ioctl(fd, EDUDMA_IOC_SYNC, &sy);
			if (memcmp(b.p + doff, a.p + so, len))
				__atomic_fetch_add(&tot->corrupt, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&tot->xfers, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&tot->bytes, len, __ATOMIC_RELAXED);
		}
		put(fd, &a);
		put(fd, &b);
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct edudma_stats st;
	double t0 = now();
	int bad = 0, fd;

	for (int i = 1; i + 1 < argc; i += 2) {
		int v = atoi(argv[i + 1]);

		if (!strcmp(argv[i], "--seconds"))
			seconds = v;
		else if (!strcmp(argv[i], "--procs"))
			procs = v;
		else if (!strcmp(argv[i], "--threads"))
			threads = v;
		else if (!strcmp(argv[i], "--devices"))
			devices = v;
	}
	if (procs < 1 || procs > 64 || threads < 1 || threads > 64 || devices < 1)
		return 2;
	tot = mmap(NULL, sizeof(*tot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tot == MAP_FAILED)
		return 2;
	for (int p = 0; p < procs; p++) {
		if (fork() == 0) {
			pthread_t th[64];

			for (int i = 0; i < threads; i++)
				pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(p * threads + i));
			for (int i = 0; i < threads; i++)
				pthread_join(th[i], NULL);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++) {
		int s;

		wait(&s);
		bad |= !WIFEXITED(s) || WEXITSTATUS(s);
	}
	fd = open("/dev/edudma0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, EDUDMA_IOC_STATS, &st) || st.buffers[0]) {
		printf("edudma-stress: buffers left behind\n");
		bad = 1;
	}
	printf("edudma-stress: %d processes x %d threads, %d device(s), %.1f s: %" PRIu64
	       " buffers, %" PRIu64 " transfers verified, %" PRIu64 " bytes, %" PRIu64
	       " corrupt, %" PRIu64 " errors\n", procs, threads, devices, now() - t0, tot->allocs,
	       tot->xfers, tot->bytes, tot->corrupt, tot->errors);
	bad |= tot->corrupt || tot->errors || !tot->xfers;
	printf("edudma-stress: %s\n", bad ? "FAILED" : "passed");
	return bad;
}
