// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault injection (debug kernel only: qemu/run --debug-kernel): for every
 * ioctl and mmap path, fail its 1st, 2nd, ... allocation (failslab and
 * fail_page_alloc through /proc/self/task/TID/fail-nth) until the call
 * succeeds with nothing injected. Every failure must be a clean errno,
 * and nothing may be left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

static int nth_fd = -1;
static unsigned long injected;

static void dbgfs(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fprintf(f, "%s\n", value);
	cr_assert_eq(fclose(f), 0, "%s", path);
}

static void faults_init(void)
{
	char path[64];

	lab_init();
	if (access("/sys/kernel/debug/failslab", F_OK))
		cr_skip_test("needs the debug kernel (fault injection)");
	/* the defaults inject nothing useful: see LAB-NOTES */
	dbgfs("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	dbgfs("/sys/kernel/debug/failslab/verbose", "0");
	dbgfs("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	dbgfs("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	dbgfs("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	dbgfs("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR);
	cr_assert_geq(nth_fd, 0, "%s: %s", path, strerror(errno));
}

static void faults_fini(void)
{
	printf("fault injection: %lu allocation failures injected\n", injected);
	if (nth_fd >= 0)
		close(nth_fd);
}

TestSuite(faults, .init = faults_init, .fini = faults_fini, .timeout = 1200);

/* arm: the n-th allocation of this task fails */
static void arm(unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	cr_assert_eq(pwrite(nth_fd, s, len, 0), len);
}

/* disarm; true if the armed failure was injected */
static bool disarm(void)
{
	char s[16] = "";
	bool hit;

	cr_assert_gt(pread(nth_fd, s, sizeof(s) - 1, 0), 0);
	hit = atoi(s) == 0;
	cr_assert_eq(pwrite(nth_fd, "0", 1, 0), 1);
	injected += hit;
	return hit;
}

/*
 * Walk one path: call(ctx) returns 0 or -errno; undo(ctx) cleans up after
 * a success. Fails every allocation site once; errors must be in ok_errs.
 */
static unsigned int walk(const char *what, int (*call)(void *), void (*undo)(void *), void *ctx)
{
	unsigned int n, hits = 0;

	for (n = 1; n < 100000; n++) {
		int ret;
		bool hit;

		arm(n);
		ret = call(ctx);
		hit = disarm();
		if (ret)
			cr_assert(ret == -ENOMEM || ret == -EFAULT || ret == -EINTR || ret == -EAGAIN ||
				  ret == -ENOSPC || ret == -EIO,
				  "%s, allocation %u: errno %d", what, n, -ret);
		else
			undo(ctx);
		if (!ret && !hit)
			break;
		cr_assert(hit || ret == 0, "%s: failed with nothing injected (%d)", what, ret);
		hits += hit;
	}
	cr_assert_lt(n, 100000);
	return hits;
}

struct actx {
	int fd;
	struct edudma_alloc a;
	uint64_t size;
	uint32_t kind;
	struct edudma_alloc src, dst;
	uint32_t op;
	void *map;
};

static int do_alloc(void *p)
{
	struct actx *c = p;

	memset(&c->a, 0, sizeof(c->a));
	c->a.size = c->size;
	c->a.kind = c->kind;
	return ioctl(c->fd, EDUDMA_IOC_ALLOC, &c->a) ? -errno : 0;
}

static void undo_alloc(void *p)
{
	struct actx *c = p;

	cr_assert_eq(lab_free(c->fd, c->a.handle), 0);
}

static int do_mmap(void *p)
{
	struct actx *c = p;

	c->map = mmap(NULL, c->a.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
		      (off_t)c->a.mmap_offset);
	return c->map == MAP_FAILED ? -errno : 0;
}

static void undo_mmap(void *p)
{
	struct actx *c = p;

	cr_assert_eq(lab_check_zero(c->map, c->a.size), c->a.size);
	cr_assert_eq(munmap(c->map, c->a.size), 0);
}

static int do_xfer(void *p)
{
	struct actx *c = p;
	struct edudma_xfer x = { .op = c->op, .length = 100 };

	if (c->op != EDUDMA_XFER_FROM_DEVICE)
		x.src_handle = c->src.handle;
	if (c->op != EDUDMA_XFER_TO_DEVICE)
		x.dst_handle = c->dst.handle;
	return ioctl(c->fd, EDUDMA_IOC_XFER, &x) ? -errno : 0;
}

/* an async transfer and its WAIT: both calls under injection */
static int do_xfer_async(void *p)
{
	struct actx *c = p;
	struct edudma_xfer x = { .op = c->op, .flags = EDUDMA_XFER_ASYNC, .length = 100 };
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };

	if (c->op != EDUDMA_XFER_FROM_DEVICE)
		x.src_handle = c->src.handle;
	if (c->op != EDUDMA_XFER_TO_DEVICE)
		x.dst_handle = c->dst.handle;
	if (ioctl(c->fd, EDUDMA_IOC_XFER, &x))
		return -errno;
	if (ioctl(c->fd, EDUDMA_IOC_WAIT, &w))
		return -errno;
	return w.status;
}

static void undo_nothing(void *p)
{
	(void)p;
}

static int do_selftest(void *p)
{
	struct actx *c = p;
	struct edudma_selftest st = { 0 };

	return ioctl(c->fd, EDUDMA_IOC_SELFTEST, &st) ? -errno : 0;
}

static int do_open(void *p)
{
	int fd = open("/dev/edudma0", O_RDWR | O_CLOEXEC);

	*(int *)p = fd;
	return fd < 0 ? -errno : 0;
}

static void undo_open(void *p)
{
	close(*(int *)p);
}

Test(faults, every_allocation_site_fails_cleanly)
{
	/* sizes with many allocation calls: the ladder's order-4 and order-0 tails */
	static const uint64_t sizes[] = { 1, 4097, 61440, 258048, (1 << 20) + 1, (4 << 20) - 4096,
					  (8 << 20) - 4096 };
	struct actx c = { .fd = lab_open(0) };
	struct edudma_stats st;
	int ofd;

	cr_assert_gt(walk("open", do_open, undo_open, &ofd), 0);
	for (uint32_t k = EDUDMA_BUF_AUTO; k < EDUDMA_BUF_KINDS; k++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			c.kind = k;
			c.size = sizes[i];
			if (k == EDUDMA_BUF_COHERENT && c.size > (4 << 20))
				continue;	/* beyond what the page allocator gives */
			cr_assert_gt(walk("alloc", do_alloc, undo_alloc, &c), 0, "kind %u size %llu",
				     k, (unsigned long long)c.size);
			/* mmap of that buffer */
			cr_assert_eq(do_alloc(&c), 0);
			walk("mmap", do_mmap, undo_mmap, &c);
			undo_alloc(&c);
		}
	}
	for (uint32_t k = EDUDMA_BUF_COHERENT; k <= EDUDMA_BUF_VMALLOC_SG; k++) {
		cr_assert_eq(lab_alloc(c.fd, 8192, k, &c.src), 0);
		cr_assert_eq(lab_alloc(c.fd, 8192, k, &c.dst), 0);
		for (c.op = EDUDMA_XFER_TO_DEVICE; c.op <= EDUDMA_XFER_COPY; c.op++) {
			cr_assert_gt(walk("xfer", do_xfer, undo_nothing, &c), 0, "op %u kind %u",
				     c.op, k);
			cr_assert_gt(walk("xfer async", do_xfer_async, undo_nothing, &c), 0);
		}
		cr_assert_eq(lab_free(c.fd, c.src.handle), 0);
		cr_assert_eq(lab_free(c.fd, c.dst.handle), 0);
	}
	cr_assert_gt(walk("selftest", do_selftest, undo_nothing, &c), 0);
	lab_stats(c.fd, &st);
	cr_assert_eq(st.buffers[0], 0, "buffers left behind");
	cr_assert_eq(st.bytes[0], 0);
	/*
	 * 6.1: over 1,000; 7.3: about 800 (an injected failure in DMA-API
	 * debug's own cacheline tracking disables it, and its allocations
	 * stop counting). Each walk above asserted hits of its own.
	 */
	cr_assert_geq(injected, 500, "only %lu failures injected", injected);
	close(c.fd);
}

struct dctx {
	int fd;
	uint32_t handle;
	int dfd;
	volatile uint8_t *map;
	struct edudma_import im;
	struct edudma_alloc dst;
};

/*
 * EXPORT, then a page of the new dma-buf mapped and touched. The unmap is
 * undo's, after the injection is disarmed: munmap() allocates too, and an
 * injected failure there would leave the mapping (and the buffer) alive.
 */
static int do_export(void *p)
{
	struct dctx *c = p;
	struct edudma_export ex = { .handle = c->handle };
	volatile uint8_t *m;

	if (ioctl(c->fd, EDUDMA_IOC_EXPORT, &ex))
		return -errno;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ex.fd, 0);
	if (m == MAP_FAILED) {
		int ret = -errno;

		close(ex.fd);
		return ret;
	}
	m[0] = m[4095];
	c->map = m;
	c->dfd = ex.fd;
	return 0;
}

static void undo_export(void *p)
{
	struct dctx *c = p;

	cr_assert_eq(munmap((void *)c->map, 4096), 0);
	close(c->dfd);
}

/* IMPORT, then a COPY out of the import */
static int do_import(void *p)
{
	struct dctx *c = p;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .dst_handle = c->dst.handle,
				 .length = 100 };

	c->im = (struct edudma_import){ .fd = c->dfd };
	if (ioctl(c->fd, EDUDMA_IOC_IMPORT, &c->im))
		return -errno;
	x.src_handle = c->im.handle;
	if (ioctl(c->fd, EDUDMA_IOC_XFER, &x)) {
		int ret = -errno;

		cr_assert_eq(lab_free(c->fd, c->im.handle), 0);
		return ret;
	}
	return 0;
}

static void undo_import(void *p)
{
	struct dctx *c = p;

	cr_assert_eq(lab_free(c->fd, c->im.handle), 0);
}

Test(faults, dmabuf_paths_fail_cleanly)
{
	struct dctx c = { .fd = lab_open(0) };
	struct edudma_stats st;
	struct edudma_alloc a;

	cr_assert_eq(lab_alloc(c.fd, 8192, EDUDMA_BUF_PAGES, &c.dst), 0);
	for (uint32_t k = EDUDMA_BUF_PAGES; k <= EDUDMA_BUF_VMALLOC_SG; k++) {
		cr_assert_eq(lab_alloc(c.fd, 64 * 1024, k, &a), 0);
		c.handle = a.handle;
		cr_assert_gt(walk("export", do_export, undo_export, &c), 0, "kind %u", k);
		cr_assert_eq(do_export(&c), 0);
		cr_assert_eq(munmap((void *)c.map, 4096), 0);
		if (lab_can_import()) {
			cr_assert_gt(walk("import", do_import, undo_import, &c), 0, "kind %u", k);
		} else {
			c.im = (struct edudma_import){ .fd = c.dfd };
			cr_assert_eq(lab_ioctl(c.fd, EDUDMA_IOC_IMPORT, &c.im), -EOPNOTSUPP);
		}
		close(c.dfd);
		cr_assert_eq(lab_free(c.fd, a.handle), 0);
	}
	cr_assert_eq(lab_free(c.fd, c.dst.handle), 0);
	lab_stats(c.fd, &st);
	cr_assert_eq(st.buffers[0], 0, "buffers left behind");
	cr_assert_eq(st.bytes[0], 0);
	close(c.fd);
}

struct uctx {
	int fd;
	uint8_t *mem;
	uint32_t dst;
	struct edudma_register r;
};

/* REGISTER a mid-page range, then a COPY out of it; a failure pins nothing */
static int do_register(void *p)
{
	struct uctx *c = p;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .dst_handle = c->dst, .length = 5000 };
	int ret = 0;

	c->r = (struct edudma_register){ .addr = (uintptr_t)c->mem + 100, .length = 60000 };
	if (ioctl(c->fd, EDUDMA_IOC_REGISTER, &c->r))
		ret = -errno;
	else if (x.src_handle = c->r.handle, ioctl(c->fd, EDUDMA_IOC_XFER, &x))
		ret = -errno;
	if (ret && c->r.handle)
		cr_assert_eq(lab_free(c->fd, c->r.handle), 0);
	if (ret)
		cr_assert_eq(lab_vm_pin_kb(), 0, "pages left pinned after errno %d", -ret);
	return ret;
}

static void undo_register(void *p)
{
	struct uctx *c = p;

	cr_assert_eq(lab_free(c->fd, c->r.handle), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
}

Test(faults, user_memory_fails_cleanly)
{
	struct uctx c = { .fd = lab_open(0) };
	struct edudma_alloc a;
	struct edudma_stats st;

	c.mem = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(c.mem, MAP_FAILED);
	memset(c.mem, 1, 64 * 1024);
	cr_assert_eq(lab_alloc(c.fd, 8192, EDUDMA_BUF_PAGES, &a), 0);
	c.dst = a.handle;
	cr_assert_gt(walk("register", do_register, undo_register, &c), 0);
	cr_assert_eq(lab_free(c.fd, a.handle), 0);
	lab_stats(c.fd, &st);
	cr_assert_eq(st.buffers[0], 0, "buffers left behind");
	cr_assert_eq(lab_vm_pin_kb(), 0);
	munmap(c.mem, 64 * 1024);
	close(c.fd);
}

/*
 * A device whose DMA engine stays busy for ever, or reads all ones (gone),
 * is given up: the transfer fails with EIO (at once when gone, after ten
 * timeouts when busy), bus mastering goes off, later transfers get EIO,
 * and close and unbind do not hang. Binding again brings it back. The
 * states come from debugfs fake_dma_state (debug builds only).
 */
static void device_state(int state)
{
	char v[4];

	snprintf(v, sizeof(v), "%d", state);
	dbgfs("/sys/kernel/debug/edudma/edudma0/fake_dma_state", v);
}

static void dead_fini(void)
{
	FILE *f = fopen("/sys/kernel/debug/edudma/edudma0/fake_dma_state", "w");

	if (f) {
		fputs("0", f);
		fclose(f);
	}
	f = fopen("/sys/module/edudma/parameters/timeout_ms", "w");
	if (f) {
		fputs("1000", f);
		fclose(f);
	}
}

TestSuite(dead_device, .init = lab_init, .fini = dead_fini, .timeout = 120);

static uint16_t bus_master(void)
{
	char bdf[16], path[96];
	uint16_t cmd = 0;
	int fd;

	lab_bdf(0, bdf, sizeof(bdf));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &cmd, 2, 4), 2);
	close(fd);
	return cmd & 0x4;
}

static void given_up(int state, double min_s)
{
	struct edudma_alloc a;
	struct edudma_selftest st = { 0 };
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .length = 4095 };
	struct timespec t0, t1;
	unsigned long old = lab_param("timeout_ms", 100);
	char bdf[16];
	int fd = lab_open(0), ret;

	lab_bdf(0, bdf, sizeof(bdf));
	cr_assert_eq(lab_alloc(fd, 4096, EDUDMA_BUF_COHERENT, &a), 0);
	x.src_handle = a.handle;
	device_state(state);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = lab_ioctl(fd, EDUDMA_IOC_XFER, &x);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	device_state(0);
	cr_assert_eq(ret, -EIO, "%s", strerror(-ret));
	cr_assert_geq(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9, min_s);
	cr_assert_eq(bus_master(), 0, "bus mastering still on");
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -EIO);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
	lab_param("timeout_ms", old);
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	cr_assert_eq(lab_sysfs_driver("bind", bdf), 0);
	cr_assert_eq(lab_wait_path("/dev/edudma0", true, 5000), 0);
	fd = lab_open(0);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), 0);
	close(fd);
}

Test(dead_device, busy_for_ever_is_given_up_after_ten_timeouts)
{
	given_up(1, 0.9);
}

Test(dead_device, all_ones_is_given_up_at_once)
{
	given_up(2, 0.0);
}

/*
 * Issue 9, item 9: an async XFER may not touch its request once it is
 * queued, for a WAIT(seq = 0) of another thread may reap and free it first.
 * debugfs submit_delay_ms (debug builds) holds the submitter after queueing
 * for five times the transfer's 100 ms, so the reaper always wins: a
 * submitter that read the request's seq there would read freed memory
 * (KASAN reports it, and slub_debug's poison shows in the seq).
 */
#define SUBMIT_DELAY "/sys/kernel/debug/edudma/edudma0/submit_delay_ms"

static void submit_race_fini(void)
{
	FILE *f = fopen(SUBMIT_DELAY, "w");

	if (f) {
		fputs("0", f);
		fclose(f);
	}
}

TestSuite(submit_race, .init = lab_init, .fini = submit_race_fini, .timeout = 60);

struct reaper {
	int fd;
	int ret;
	struct edudma_wait w;
};

/* WAIT for any transfer of the file, once one is outstanding */
static void *reap_any(void *arg)
{
	struct reaper *r = arg;

	for (;;) {
		r->w = (struct edudma_wait){ .timeout_ms = EDUDMA_WAIT_FOREVER };
		r->ret = lab_ioctl(r->fd, EDUDMA_IOC_WAIT, &r->w);
		if (r->ret != -ENOENT)
			return NULL;
		usleep(1000);
	}
}

Test(submit_race, async_xfer_reaped_before_the_submitter_returns)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
				 .length = 1 };
	struct reaper r = { .fd = lab_open(0) };
	struct edudma_alloc a;
	pthread_t t;
	int ret;

	cr_assert_eq(lab_alloc(r.fd, 4096, EDUDMA_BUF_COHERENT, &a), 0);
	x.src_handle = a.handle;
	dbgfs(SUBMIT_DELAY, "500");
	cr_assert_eq(pthread_create(&t, NULL, reap_any, &r), 0);
	ret = lab_ioctl(r.fd, EDUDMA_IOC_XFER, &x);
	cr_assert_eq(pthread_join(t, NULL), 0);
	dbgfs(SUBMIT_DELAY, "0");
	cr_assert_eq(ret, 0, "XFER: %s", strerror(-ret));
	cr_assert_eq(r.ret, 0, "WAIT: %s", strerror(-r.ret));
	cr_assert_eq(r.w.status, 0);
	cr_assert_eq(r.w.done_seq, 1);
	cr_assert_eq(x.seq, 1, "the submitter answered seq %#llx for the reaped seq 1",
		     (unsigned long long)x.seq);
	cr_assert_eq(lab_free(r.fd, a.handle), 0);
	close(r.fd);
}
