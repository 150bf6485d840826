// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma against the real driver: buffers cost no file descriptor,
 * buffers keep their device open, a lazy mmap raced by threads maps once,
 * sync takes one flags word, stats take the caller's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <pciaccess.h>

#include "lab.h"

TestSuite(libedudma, .init = lab_init, .timeout = 300);

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

/* issue 11 item 2: each buffer dup'ed the device fd; 2,000 under ulimit -n 64 */
Test(libedudma, buffers_cost_no_file_descriptor)
{
	struct rlimit rl = { .rlim_cur = 64, .rlim_max = 64 };
	enum { N = 2000 };
	struct edudma_buf **b = calloc(N, sizeof(*b));
	struct edudma *e;
	int fds;

	cr_assert_not_null(b);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	cr_assert_eq(edudma_open("0", &e), 0);
	fds = open_fds();
	for (int i = 0; i < N; i++)
		cr_assert_eq(edudma_buf_alloc(e, 4096, EDUDMA_BUF_PAGES, &b[i]), 0, "buffer %d", i);
	cr_assert_eq(open_fds(), fds, "buffers opened file descriptors");
	for (int i = 0; i < N; i++) {
		uint32_t *p;

		cr_assert_eq(edudma_buf_mmap(b[i], (void **)&p), 0, "buffer %d", i);
		p[0] = (uint32_t)i;
	}
	for (int i = 0; i < N; i++) {
		uint32_t *p;

		cr_assert_eq(edudma_buf_mmap(b[i], (void **)&p), 0);
		cr_assert_eq(p[0], (uint32_t)i);
		edudma_buf_free(b[i]);
	}
	edudma_close(e);
	free(b);
}

/* the device stays open while a buffer lives, and closes with the last one */
Test(libedudma, buffers_keep_their_device_open)
{
	struct edudma_buf *b, *c;
	struct edudma_info in;
	struct edudma *e;
	int fds = open_fds();
	uint8_t *p;

	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_eq(edudma_get_info(e, &in), 0);
	cr_assert_eq(edudma_buf_alloc(e, 8192, EDUDMA_BUF_COHERENT, &b), 0);
	cr_assert_eq(edudma_buf_alloc(e, 8192, EDUDMA_BUF_PAGES, &c), 0);
	cr_assert_eq(edudma_buf_device(b), e);
	edudma_close(e);
	cr_assert_eq(open_fds(), fds + 1, "the device closed under its buffers");
	cr_assert_eq(edudma_buf_mmap(b, (void **)&p), 0);
	memset(p, 0x5a, 8192);
	cr_assert_eq(edudma_buf_sync(b, 0, 8192, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE), 0);
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .src_handle = edudma_buf_handle(b),
				 .dst_handle = edudma_buf_handle(c), .length = in.window_size };
	cr_assert_eq(edudma_submit(edudma_buf_device(b), &x), 0);
	edudma_buf_free(b);
	cr_assert_eq(open_fds(), fds + 1);
	cr_assert_eq(edudma_buf_mmap(c, (void **)&p), 0);
	cr_assert_eq(edudma_buf_sync(c, 0, 8192, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ), 0);
	cr_assert_eq(p[0], 0x5a);
	cr_assert_eq(p[in.window_size - 1], 0x5a);
	edudma_buf_free(c);
	cr_assert_eq(open_fds(), fds, "the device stayed open after its last buffer");
}

struct race {
	struct edudma_buf *b;
	pthread_barrier_t *go;
	void *addr;
	int ret;
};

static void *map_thread(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = edudma_buf_mmap(r->b, &r->addr);
	return NULL;
}

static int count_maps(unsigned long long offset)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long off;

		if (strstr(line, "/dev/edudma") &&
		    sscanf(line, "%*x-%*x %*s %llx", &off) == 1 && off == offset)
			n++;
	}
	fclose(f);
	return n;
}

/* issue 11 item 6: two threads mapping a buffer at once used to map it twice */
Test(libedudma, mmap_raced_by_threads_maps_once)
{
	enum { T = 8, ROUNDS = 50 };
	struct edudma_buf_info bi;
	struct edudma *e;

	cr_assert_eq(edudma_open("0", &e), 0);
	for (int round = 0; round < ROUNDS; round++) {
		pthread_barrier_t go;
		struct race r[T];
		pthread_t th[T];
		struct edudma_buf *b;

		cr_assert_eq(edudma_buf_alloc(e, 64 * 1024, EDUDMA_BUF_PAGES, &b), 0);
		cr_assert_eq(edudma_buf_get_info(b, &bi), 0);
		pthread_barrier_init(&go, NULL, T);
		for (int i = 0; i < T; i++) {
			r[i] = (struct race){ .b = b, .go = &go };
			cr_assert_eq(pthread_create(&th[i], NULL, map_thread, &r[i]), 0);
		}
		for (int i = 0; i < T; i++) {
			pthread_join(th[i], NULL);
			cr_assert_eq(r[i].ret, 0);
			cr_assert_eq(r[i].addr, r[0].addr, "round %d: two addresses", round);
		}
		pthread_barrier_destroy(&go);
		cr_assert_eq(count_maps(bi.mmap_offset), 1, "round %d: mapped more than once",
			     round);
		edudma_buf_free(b);
		cr_assert_eq(count_maps(bi.mmap_offset), 0, "round %d: a mapping stayed", round);
	}
	edudma_close(e);
}

/* issue 11 item 4: one flags word; what it cannot mean is refused */
Test(libedudma, sync_flags)
{
	static const uint32_t good[] = {
		EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ,
		EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_WRITE,
		EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_RW,
		EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_READ,
		EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE,
		EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_RW,
	};
	struct edudma_buf *b;
	struct edudma *e;

	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_eq(edudma_buf_alloc(e, 8192, EDUDMA_BUF_PAGES, &b), 0);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert_eq(edudma_buf_sync(b, 0, 8192, good[i]), 0, "flags 0x%x", good[i]);
	cr_assert_eq(edudma_buf_sync(b, 0, 8192, EDUDMA_BUF_SYNC_START), -EINVAL);
	cr_assert_eq(edudma_buf_sync(b, 0, 8192, EDUDMA_BUF_SYNC_END), -EINVAL);
	cr_assert_eq(edudma_buf_sync(b, 0, 8192, EDUDMA_BUF_SYNC_READ | (1u << 3)), -EINVAL);
	cr_assert_eq(edudma_buf_sync(b, 4096, 8192, EDUDMA_BUF_SYNC_READ), -EINVAL);
	edudma_buf_free(b);
	edudma_close(e);
}

/* stats: a caller's struct of another size is filled as far as it goes */
Test(libedudma, stats_take_the_callers_size)
{
	struct edudma_stats s;
	unsigned char big[sizeof(s) + 64];
	struct edudma_buf *b;
	struct edudma *e;

	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_eq(edudma_buf_alloc(e, 8192, EDUDMA_BUF_PAGES, &b), 0);
	cr_assert_eq(edudma_get_stats(e, &s, sizeof(s)), 0);
	cr_assert_geq(s.buffers[EDUDMA_BUF_PAGES], 1);
	memset(big, 0xff, sizeof(big));
	cr_assert_eq(edudma_get_stats(e, (struct edudma_stats *)big, sizeof(big)), 0);
	for (size_t i = sizeof(s); i < sizeof(big); i++)
		cr_assert_eq(big[i], 0, "byte %zu past the struct", i);
	memset(big, 0xff, sizeof(big));
	cr_assert_eq(edudma_get_stats(e, (struct edudma_stats *)big, 16), 0);
	cr_assert_eq(big[16], 0xff, "wrote past the caller's size");
	cr_assert_eq(edudma_get_stats(e, &s, 0), -EINVAL);
	edudma_buf_free(b);
	edudma_close(e);
}

/* issue 11 item 1, in the guest: the caller's libpciaccess state survives */
Test(libedudma, list_keeps_the_callers_libpciaccess)
{
	struct pci_device_iterator *it;
	struct edudma_device **list;
	size_t before = 0, after = 0, n;

	cr_assert_eq(pci_system_init(), 0);
	it = pci_slot_match_iterator_create(NULL);
	while (pci_device_next(it))
		before++;
	pci_iterator_destroy(it);
	cr_assert_gt(before, (size_t)lab_edu_count());
	cr_assert_eq(edudma_list(&list, &n), 0);
	cr_assert_eq(n, (size_t)lab_edu_count());
	edudma_list_free(list);
	it = pci_slot_match_iterator_create(NULL);
	cr_assert_not_null(it, "edudma_list() cleaned up the caller's libpciaccess");
	while (pci_device_next(it))
		after++;
	pci_iterator_destroy(it);
	cr_assert_eq(after, before);
	pci_system_cleanup();
}

/* edudma_buf_register(): the caller's memory is a buffer; its mmap is that memory */
Test(libedudma, registered_memory_is_a_buffer)
{
	enum { LEN = 3 * 4096 + 100 };
	uint8_t *mem = malloc(LEN + 1), *p, *got;
	struct edudma_buf *u, *ro, *dst;
	struct edudma *e;

	cr_assert_not_null(mem);
	for (int i = 0; i < LEN; i++)
		mem[i + 1] = (uint8_t)(i * 7 + 3);
	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_eq(edudma_buf_register(e, mem + 1, LEN, 0, NULL), -EINVAL);
	cr_assert_eq(edudma_buf_register(e, mem + 1, LEN, 0x80, &u), -EINVAL);
	cr_assert_eq(edudma_buf_register(e, mem + 1, LEN, EDUDMA_REGISTER_READONLY, &ro), 0);
	cr_assert_eq(edudma_buf_kind(ro), EDUDMA_BUF_USER);
	cr_assert_eq(edudma_buf_size(ro), LEN);
	cr_assert_str_eq(edudma_kind_name(edudma_buf_kind(ro)), "user");
	cr_assert_eq(edudma_buf_mmap(ro, (void **)&p), 0);
	cr_assert_eq(p, mem + 1);
	cr_assert_eq(edudma_buf_alloc(e, LEN, EDUDMA_BUF_PAGES, &dst), 0);
	cr_assert_eq(edudma_buf_mmap(dst, (void **)&got), 0);
	memset(got, 0, LEN);
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .src_handle = edudma_buf_handle(ro),
				 .dst_handle = edudma_buf_handle(dst), .length = LEN };
	cr_assert_eq(edudma_submit(e, &x), 0);
	cr_assert_eq(memcmp(got, mem + 1, LEN), 0);
	/* the device may not write read-only memory; writable memory it may */
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = edudma_buf_handle(dst),
				  .dst_handle = edudma_buf_handle(ro), .length = LEN };
	cr_assert_eq(edudma_submit(e, &x), -EACCES);
	cr_assert_eq(edudma_buf_register(e, mem + 1, LEN, 0, &u), 0);
	memset(got, 0x5a, LEN);
	x.dst_handle = edudma_buf_handle(u);
	cr_assert_eq(edudma_submit(e, &x), 0);
	for (int i = 0; i < LEN; i++)
		cr_assert_eq(mem[i + 1], 0x5a, "byte %d", i);
	edudma_buf_free(u);
	edudma_buf_free(ro);
	edudma_buf_free(dst);
	edudma_close(e);
	free(mem);
}
