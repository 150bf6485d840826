// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the driver must hold against its users: one open file's data never
 * shows through the shared device window to another, racing ioctls leak
 * and corrupt nothing (KASAN and DMA-API debug see what these tests cannot:
 * run them on the debug kernel too), mappings survive madvise and device
 * removal as documented, nothing is executable, limits are what sysfs
 * says, and handles and mmap offsets stay within bounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "lab.h"

#include <criterion/parameterized.h>

#define PAGE 4096ULL
/* bytes per DMA command on this lab's device */
#define W lab_window()
#define MiB (1ULL << 20)

TestSuite(trust, .init = lab_init, .timeout = 120);

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = { "AUTO", "COHERENT", "PAGES", "VMALLOC_SG",
					     "IMPORTED" };

	return kind < 5 ? names[kind] : "?";
}

/* live buffers and bytes of device minor, through a fresh open file */
static void live(int minor, uint64_t *buffers, uint64_t *bytes)
{
	struct edudma_stats st;
	int fd = lab_open(minor);

	lab_stats(fd, &st);
	close(fd);
	*buffers = st.buffers[0];
	*bytes = st.bytes[0];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- 1: the shared device window ------------------------------------------ */

/*
 * A fills the window; B writes one byte of it, then reads the whole: B
 * sees its byte and zeroes, never the 4094 bytes of A behind it. A, reading
 * after B wrote, sees zeroes, never B's byte.
 */
Test(trust, window_short_write_does_not_uncover_another_files_data, .timeout = 60)
{
	int fa = lab_open(0), fb = lab_open(0);
	struct lab_buf sa, da, sb, db;
	uint64_t at;

	lab_buf_alloc(fa, PAGE, EDUDMA_BUF_COHERENT, &sa);
	lab_buf_alloc(fa, PAGE, EDUDMA_BUF_COHERENT, &da);
	lab_buf_alloc(fb, PAGE, EDUDMA_BUF_COHERENT, &sb);
	lab_buf_alloc(fb, PAGE, EDUDMA_BUF_COHERENT, &db);
	memset(sa.p, 0xa5, W);
	sb.p[0] = 0x11;
	cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_TO_DEVICE, sa.a.handle, 0, 0, 0, W), 0);
	cr_assert_eq(lab_xfer(fb, EDUDMA_XFER_TO_DEVICE, sb.a.handle, 0, 0, 0, 1), 0);
	cr_assert_eq(lab_xfer(fb, EDUDMA_XFER_FROM_DEVICE, 0, 0, db.a.handle, 0, W), 0);
	cr_expect_eq(db.p[0], 0x11, "B's own byte read back as %#x", db.p[0]);
	at = lab_check_zero(db.p + 1, W - 1);
	cr_assert_eq(at, W - 1, "B read %#x at window byte %llu: A's data (0xa5) showed through",
		     db.p[1 + at], (unsigned long long)(1 + at));
	cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_FROM_DEVICE, 0, 0, da.a.handle, 0, W), 0);
	at = lab_check_zero(da.p, W);
	cr_assert_eq(at, W, "A read %#x at window byte %llu after B wrote", da.p[at],
		     (unsigned long long)at);
	lab_buf_free(fa, &sa);
	lab_buf_free(fa, &da);
	lab_buf_free(fb, &sb);
	lab_buf_free(fb, &db);
	close(fa);
	close(fb);
}

/* the same with B's write being a 1-byte COPY between two ranges of its own */
Test(trust, window_short_copy_does_not_uncover_another_files_data, .timeout = 60)
{
	int fa = lab_open(0), fb = lab_open(0);
	struct lab_buf sa, sb, db;
	uint64_t at;

	lab_buf_alloc(fa, PAGE, EDUDMA_BUF_COHERENT, &sa);
	lab_buf_alloc(fb, PAGE, EDUDMA_BUF_COHERENT, &sb);
	lab_buf_alloc(fb, PAGE, EDUDMA_BUF_COHERENT, &db);
	memset(sa.p, 0xa5, W);
	sb.p[0] = 0x11;
	cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_TO_DEVICE, sa.a.handle, 0, 0, 0, W), 0);
	cr_assert_eq(lab_xfer(fb, EDUDMA_XFER_COPY, sb.a.handle, 0, sb.a.handle, 100, 1), 0);
	cr_assert_eq(sb.p[100], 0x11, "the copy itself");
	cr_assert_eq(lab_xfer(fb, EDUDMA_XFER_FROM_DEVICE, 0, 0, db.a.handle, 0, W), 0);
	cr_expect_eq(db.p[0], 0x11, "B's own byte read back as %#x", db.p[0]);
	at = lab_check_zero(db.p + 1, W - 1);
	cr_assert_eq(at, W - 1, "B read %#x at window byte %llu: A's data (0xa5) showed through",
		     db.p[1 + at], (unsigned long long)(1 + at));
	lab_buf_free(fa, &sa);
	lab_buf_free(fb, &sb);
	lab_buf_free(fb, &db);
	close(fa);
	close(fb);
}

/* a file still reads back what it wrote itself, all of it */
Test(trust, window_keeps_a_files_own_data, .timeout = 60)
{
	int fa = lab_open(0);
	struct lab_buf sa, da;

	lab_buf_alloc(fa, PAGE, EDUDMA_BUF_COHERENT, &sa);
	lab_buf_alloc(fa, PAGE, EDUDMA_BUF_PAGES, &da);
	lab_fill(sa.p, W, 3);
	cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_TO_DEVICE, sa.a.handle, 0, 0, 0, W), 0);
	cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_FROM_DEVICE, 0, 0, da.a.handle, 0, W), 0);
	cr_assert_eq(lab_check(da.p, W, 3), W);
	lab_buf_free(fa, &sa);
	lab_buf_free(fa, &da);
	close(fa);
}

/* ---- 2: EXPORT racing FREE of the same handle ----------------------------- */

/*
 * One exporter and one freer, pinned to different vCPUs, spinning between
 * rounds so that both calls start within a few microseconds (a random
 * jitter moves one against the other), for RACE_ROUNDS rounds or at most
 * RACE_SECONDS. Measured on the old driver (Debian kernel, TCG, 2 vCPUs):
 * ~15,000-30,000 rounds/s and 1 leak per ~10,000-20,000 rounds on an idle
 * host; unpinned threads sometimes shared a vCPU (~100 rounds/s, no leak),
 * and extra threads (more pairs, CPU burners) gave fewer rounds and leaks.
 * With another TCG guest busy on the host, 3,000-12,000 rounds in 20 s
 * and half the runs leaked (1-3 buffers).
 */
#define RACE_ROUNDS 150000
#define RACE_SECONDS 20.0
#define RACE_JITTER 200

struct race {
	int fd;
	atomic_uint gen;	/* round the exporter started: handle holds its buffer */
	atomic_uint done;	/* round the freer finished */
	atomic_int stop;
	uint32_t handle;
	unsigned int delay_export, delay_free;
	unsigned long rounds, exported, export_enoent, bad, bad_errno;
};

static void spin(unsigned int n)
{
	for (volatile unsigned int i = 0; i < n; i++)
		;
}

/* allocates, starts the round, exports (a jitter apart from the FREE), closes the fd */
static void *race_export(void *arg)
{
	struct race *r = arg;
	unsigned int seed = (unsigned int)r->fd;
	double end = now_s() + RACE_SECONDS;

	for (unsigned int g = 1; g <= RACE_ROUNDS && now_s() < end; g++) {
		unsigned int j = (unsigned int)rand_r(&seed) % (2 * RACE_JITTER + 1);
		struct edudma_export ex;
		struct edudma_alloc a;
		int ret = lab_alloc(r->fd, PAGE, EDUDMA_BUF_PAGES, &a);

		if (ret) {
			r->bad++;
			r->bad_errno = (unsigned long)-ret;
			break;
		}
		r->handle = a.handle;
		r->delay_export = j > RACE_JITTER ? j - RACE_JITTER : 0;
		r->delay_free = j < RACE_JITTER ? RACE_JITTER - j : 0;
		atomic_store(&r->gen, g);
		spin(r->delay_export);
		ex = (struct edudma_export){ .handle = a.handle };
		ret = lab_ioctl(r->fd, EDUDMA_IOC_EXPORT, &ex);
		if (!ret) {
			close(ex.fd);
			r->exported++;
		} else if (ret == -ENOENT) {
			r->export_enoent++;
		} else {
			r->bad++;
			r->bad_errno = (unsigned long)-ret;
		}
		while (atomic_load(&r->done) < g)
			;
		r->rounds++;
	}
	atomic_store(&r->stop, 1);
	return NULL;
}

/* frees the round's handle the moment the round starts (plus its jitter) */
static void *race_free(void *arg)
{
	struct race *r = arg;

	for (unsigned int g = 1;; g++) {
		int ret;

		while (atomic_load(&r->gen) < g && !atomic_load(&r->stop))
			;
		if (atomic_load(&r->gen) < g)
			break;
		spin(r->delay_free);
		ret = lab_free(r->fd, r->handle);
		if (ret) {
			r->bad++;
			r->bad_errno = (unsigned long)-ret;
		}
		atomic_store(&r->done, g);
	}
	return NULL;
}

/*
 * EXPORT and FREE of one handle at the same moment, over and over, with
 * more threads than vCPUs: whichever wins, once everything is closed the
 * device has no buffer left (the loser must not leave a dma-buf cached on
 * a buffer whose handle is gone: nothing would ever drop it).
 */
Test(trust, export_racing_free_leaks_nothing, .timeout = 120)
{
	uint64_t buffers0, bytes0, buffers, bytes;
	struct race r;
	pthread_t t[2];

	live(0, &buffers0, &bytes0);
	memset(&r, 0, sizeof(r));
	r.fd = lab_open(0);
	cr_assert_eq(pthread_create(&t[1], NULL, race_free, &r), 0);
	cr_assert_eq(pthread_create(&t[0], NULL, race_export, &r), 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		for (int i = 0; i < 2; i++) {
			cpu_set_t cpus;

			CPU_ZERO(&cpus);
			CPU_SET(i, &cpus);
			cr_assert_eq(pthread_setaffinity_np(t[i], sizeof(cpus), &cpus), 0);
		}
	}
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_join(t[i], NULL), 0);
	close(r.fd);
	/* EXPORT: 0 or ENOENT; FREE: 0 (only it frees) */
	cr_assert_eq(r.bad, 0, "%lu calls failed, last with %s", r.bad,
		     strerror((int)r.bad_errno));
	cr_log_info("export_racing_free: %lu rounds, EXPORT 0: %lu, ENOENT: %lu", r.rounds,
		    r.exported, r.export_enoent);
	cr_assert_gt(r.rounds, 100, "only %lu rounds", r.rounds);
	live(0, &buffers, &bytes);
	cr_assert_eq(buffers, buffers0,
		     "%llu buffers (%llu bytes) leaked in %lu rounds of EXPORT racing FREE",
		     (unsigned long long)(buffers - buffers0), (unsigned long long)(bytes - bytes0),
		     r.rounds);
	cr_assert_eq(bytes, bytes0);
}

/* ---- 3: a dma-buf outlives its device's unbind, mmap included ------------- */

Test(trust, dmabuf_mmap_after_unbind, .timeout = 60)
{
	const uint64_t size = 64 * 1024;
	int minor = lab_edu_count() - 1, fd = lab_open(minor), mmap_errno = 0, rebind;
	struct edudma_export ex;
	struct edudma_alloc a;
	uint64_t at = 0;
	char bdf[32];
	uint8_t *p;

	lab_bdf(minor, bdf, sizeof(bdf));
	cr_assert_eq(lab_alloc(fd, size, EDUDMA_BUF_PAGES, &a), 0);
	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, size, 81);
	ex = (struct edudma_export){ .handle = a.handle };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), 0);
	cr_assert_eq(munmap(p, size), 0);

	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	/* nothing that can fail the test until the device is bound again */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ex.fd, 0);
	if (p == MAP_FAILED) {
		mmap_errno = errno;
	} else {
		at = lab_check(p, size, 81);
		munmap(p, size);
	}
	rebind = lab_sysfs_driver("bind", bdf);

	cr_assert_eq(mmap_errno, 0, "mmap of the dma-buf after unbind: %s", strerror(mmap_errno));
	cr_assert_eq(at, size, "the dma-buf's mapping differs at byte %llu", (unsigned long long)at);
	cr_assert_eq(rebind, 0, "rebind: %s", strerror(-rebind));
	close(ex.fd);
	close(fd);
}

/* ---- 4: MADV_DONTNEED refaults the buffer's own pages --------------------- */

ParameterizedTestParameters(trust, madvise_dontneed_keeps_the_buffer)
{
	static uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };

	return cr_make_param_array(uint32_t, kinds, 3);
}

/* MADV_DONTNEED of [off, off + len) of p, then every byte of p still reads seed's pattern */
static void dontneed_and_check(uint32_t kind, uint8_t *p, uint64_t size, uint64_t off,
			       uint64_t len, uint64_t seed)
{
	bool bus;
	uint64_t at;

	if (madvise(p + off, len, MADV_DONTNEED)) {
		/* the kernel refuses it on PFN mappings (VM_PFNMAP) */
		cr_assert_eq(kind, EDUDMA_BUF_COHERENT, "%s: madvise: %s", kind_name(kind),
			     strerror(errno));
		cr_assert_eq(errno, EINVAL);
	}
	at = lab_check_nobus(p, size, seed, &bus);
	cr_assert(!bus, "%s: SIGBUS reading byte %llu after MADV_DONTNEED of [%llu, %llu)",
		  kind_name(kind), (unsigned long long)at, (unsigned long long)off,
		  (unsigned long long)(off + len));
	cr_assert_eq(at, size, "%s: byte %llu differs after MADV_DONTNEED", kind_name(kind),
		     (unsigned long long)at);
}

ParameterizedTest(uint32_t *kind, trust, madvise_dontneed_keeps_the_buffer, .timeout = 60)
{
	const uint64_t size = 16 * PAGE;
	struct edudma_alloc a;
	int fd = lab_open(0);
	uint8_t *p, *q;
	uint64_t at;
	bool bus;

	cr_assert_eq(lab_alloc(fd, size, *kind, &a), 0);
	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, size, 91);
	dontneed_and_check(*kind, p, size, 4 * PAGE, 8 * PAGE, 91);
	dontneed_and_check(*kind, p, size, 0, size, 91);
	/* writes after it land in the buffer: a second mapping sees them */
	dontneed_and_check(*kind, p, size, 2 * PAGE, PAGE, 91);
	at = lab_fill_nobus(p, size, 92, &bus);
	cr_assert(!bus, "%s: SIGBUS writing byte %llu after MADV_DONTNEED", kind_name(*kind),
		  (unsigned long long)at);
	q = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(q, MAP_FAILED);
	cr_assert_eq(lab_check(q, size, 92), size, "%s: a write after MADV_DONTNEED was lost",
		     kind_name(*kind));
	munmap(q, size);
	munmap(p, size);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

/* ---- 5: mmap offsets ------------------------------------------------------- */

static int by_offset(const void *x, const void *y)
{
	const struct edudma_alloc *a = x, *b = y;

	return a->mmap_offset < b->mmap_offset ? -1 : a->mmap_offset > b->mmap_offset;
}

/*
 * 100 buffers in one file: every mmap offset is page-aligned, below 2^44
 * (what a 32-bit mmap2 can pass: a 32-bit page number) and the ranges do
 * not overlap; each maps its own buffer.
 */
Test(trust, mmap_offsets_fit_32bit_and_do_not_overlap, .timeout = 60)
{
	enum { N = 100 };
	static struct edudma_alloc a[N], s[N];
	int fd = lab_open(0);

	for (int i = 0; i < N; i++) {
		cr_assert_eq(lab_alloc(fd, (uint64_t)(1 + i % 4) * PAGE,
				       i % 2 ? EDUDMA_BUF_PAGES : EDUDMA_BUF_COHERENT, &a[i]), 0);
		cr_assert_eq(a[i].mmap_offset % PAGE, 0, "buffer %d (handle %u): offset %#llx", i,
			     a[i].handle, (unsigned long long)a[i].mmap_offset);
		cr_assert_lt(a[i].mmap_offset, 1ULL << 44,
			     "buffer %d (handle %u): offset %#llx is not below 2^44", i,
			     a[i].handle, (unsigned long long)a[i].mmap_offset);
	}
	memcpy(s, a, sizeof(s));
	qsort(s, N, sizeof(s[0]), by_offset);
	for (int i = 1; i < N; i++)
		cr_assert_geq(s[i].mmap_offset, s[i - 1].mmap_offset + s[i - 1].size,
			      "handles %u and %u: [%#llx, +%llu) and [%#llx, ...) overlap",
			      s[i - 1].handle, s[i].handle,
			      (unsigned long long)s[i - 1].mmap_offset,
			      (unsigned long long)s[i - 1].size, (unsigned long long)s[i].mmap_offset);
	for (int i = 0; i < N; i++) {
		uint32_t *p = lab_mmap(fd, &a[i], 0, a[i].size);

		cr_assert_neq(p, MAP_FAILED, "mmap of buffer %d: %s", i, strerror(errno));
		cr_assert_eq(p[0], 0);
		p[0] = a[i].handle;
		munmap(p, a[i].size);
	}
	for (int i = 0; i < N; i++) {
		uint32_t *p = lab_mmap(fd, &a[i], 0, a[i].size);

		cr_assert_neq(p, MAP_FAILED);
		cr_assert_eq(p[0], a[i].handle, "buffer %d's mapping shows another buffer", i);
		munmap(p, a[i].size);
	}
	close(fd);
}

/* ---- 6: limits are page multiples ----------------------------------------- */

static const char *const limit_names[] = { "max_buffer_size", "max_file_bytes",
					   "max_device_bytes" };
static unsigned long limit_old[3];
static bool limit_saved;

static void limits_save(void)
{
	for (int i = 0; i < 3; i++)
		cr_assert_eq(lab_param_get(limit_names[i], &limit_old[i]), 0, "%s",
			     limit_names[i]);
	limit_saved = true;
}

static void limits_restore(void)
{
	if (!limit_saved)
		return;
	for (int i = 0; i < 3; i++)
		lab_param_set(limit_names[i], limit_old[i]);
}

Test(trust, limits_are_page_multiples, .init = limits_save, .fini = limits_restore,
     .timeout = 60)
{
	unsigned long now[3];
	struct edudma_alloc a;
	int fd, ret;

	for (int i = 0; i < 3; i++)
		cr_expect_eq(limit_old[i] % PAGE, 0, "default %s = %lu is not a page multiple",
			     limit_names[i], limit_old[i]);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(lab_param_set(limit_names[i], MiB + 100), 0, "%s", limit_names[i]);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(lab_param_get(limit_names[i], &now[i]), 0);
		cr_expect_eq(now[i], MiB, "%s: wrote %llu, read back %lu", limit_names[i],
			     MiB + 100, now[i]);
	}
	fd = lab_open(0);
	ret = lab_alloc(fd, now[0], EDUDMA_BUF_PAGES, &a);
	cr_expect_eq(ret, 0, "ALLOC of max_buffer_size = %lu bytes: %s", now[0], strerror(-ret));
	if (!ret)
		cr_assert_eq(lab_free(fd, a.handle), 0);
	ret = lab_alloc(fd, MiB + 1, EDUDMA_BUF_PAGES, &a);
	cr_assert_eq(ret, -EFBIG, "ALLOC of 1 MiB + 1: %s, not EFBIG", strerror(-ret));
	close(fd);
}

/* ---- 7: nothing of a buffer is executable --------------------------------- */

/* mmap(PROT_READ | PROT_EXEC) of fd at off is EPERM; an RW mapping cannot become executable */
static void no_exec(const char *what, int fd, uint64_t off, uint64_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, (off_t)off);
	int err = errno;

	if (p != MAP_FAILED)
		munmap(p, len);
	cr_expect(p == MAP_FAILED && err == EPERM, "%s: mmap(PROT_READ | PROT_EXEC): %s", what,
		  p == MAP_FAILED ? strerror(err) : "mapped");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	cr_assert_neq(p, MAP_FAILED, "%s: mmap RW: %s", what, strerror(errno));
	p[1] = 0x5a;
	err = mprotect(p, len, PROT_READ | PROT_WRITE | PROT_EXEC) ? errno : 0;
	cr_expect_eq(err, EACCES, "%s: mprotect(PROT_READ | PROT_WRITE | PROT_EXEC): %s", what,
		     err ? strerror(err) : "allowed");
	/* the mapping is as it was */
	cr_assert_eq(p[1], 0x5a);
	munmap(p, len);
}

Test(trust, prot_exec_is_refused, .timeout = 60)
{
	static const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES,
					  EDUDMA_BUF_VMALLOC_SG };
	struct edudma_alloc a[3];
	struct edudma_export ex;
	int fd = lab_open(0);

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(lab_alloc(fd, 2 * PAGE, kinds[i], &a[i]), 0);
		no_exec(kind_name(kinds[i]), fd, a[i].mmap_offset, 2 * PAGE);
	}
	ex = (struct edudma_export){ .handle = a[1].handle };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), 0);
	no_exec("dma-buf", ex.fd, 0, 2 * PAGE);
	close(ex.fd);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(lab_free(fd, a[i].handle), 0);
	close(fd);
}

/* ---- 8: ALLOC or IMPORT racing FREE of the handle it is about to return --- */

#define GUESS_THREADS 3
#define GUESS_SECONDS 4.0

struct guess {
	int fd, dmabuf;
	atomic_uint last;	/* the handle the allocator got last */
	atomic_int stop;
	unsigned long made, freed, bad, bad_errno;
	unsigned long freed_by[GUESS_THREADS], bad_by[GUESS_THREADS], errno_by[GUESS_THREADS];
};

struct guesser {
	struct guess *g;
	int id;
};

/* frees the handles the next ALLOC or IMPORT is likely to return */
static void *guess_free(void *arg)
{
	struct guesser *gs = arg;
	struct guess *g = gs->g;

	while (!atomic_load(&g->stop)) {
		uint32_t h = atomic_load(&g->last);

		for (uint32_t k = 1; k <= 4; k++) {
			int ret = lab_free(g->fd, h + k);

			if (!ret) {
				g->freed_by[gs->id]++;
			} else if (ret != -ENOENT) {
				g->bad_by[gs->id]++;
				g->errno_by[gs->id] = (unsigned long)-ret;
			}
		}
	}
	return NULL;
}

static void guess_run(struct guess *g, bool import)
{
	struct guesser gs[GUESS_THREADS];
	pthread_t t[GUESS_THREADS];
	uint32_t mine[256];
	unsigned int n = 0;
	double end = now_s() + GUESS_SECONDS;

	for (int i = 0; i < GUESS_THREADS; i++) {
		gs[i] = (struct guesser){ g, i };
		cr_assert_eq(pthread_create(&t[i], NULL, guess_free, &gs[i]), 0);
	}
	for (unsigned long i = 0; now_s() < end; i++) {
		uint32_t handle;
		int ret;

		if (import) {
			struct edudma_import im = { .fd = g->dmabuf };

			ret = lab_ioctl(g->fd, EDUDMA_IOC_IMPORT, &im);
			handle = im.handle;
		} else {
			struct edudma_alloc a;
			uint32_t kind = i % 2 ? EDUDMA_BUF_PAGES : EDUDMA_BUF_COHERENT;

			ret = lab_alloc(g->fd, PAGE, kind, &a);
			handle = a.handle;
			if (!ret && (a.size != PAGE || a.kind != kind))
				ret = -EPROTO;
		}
		if (ret) {
			g->bad++;
			g->bad_errno = (unsigned long)-ret;
			continue;
		}
		g->made++;
		atomic_store(&g->last, handle);
		/* now and then drop what the guessers missed, so handles start low again */
		mine[n++] = handle;
		if (n == 256) {
			while (n)
				lab_free(g->fd, mine[--n]);
		}
	}
	atomic_store(&g->stop, 1);
	for (int i = 0; i < GUESS_THREADS; i++) {
		cr_assert_eq(pthread_join(t[i], NULL), 0);
		g->freed += g->freed_by[i];
		cr_expect_eq(g->bad_by[i], 0, "FREE failed %lu times, last with %s", g->bad_by[i],
			     strerror((int)g->errno_by[i]));
	}
	cr_log_info("%s racing FREE of guessed handles: %lu made, %lu freed by guessers",
		    import ? "IMPORT" : "ALLOC", g->made, g->freed);
	cr_assert_eq(g->bad, 0, "%s failed %lu times, last with %s", import ? "IMPORT" : "ALLOC",
		     g->bad, strerror((int)g->bad_errno));
	cr_assert_gt(g->made, 100);
}

Test(trust, alloc_racing_free_of_guessed_handles, .timeout = 60)
{
	uint64_t buffers0, bytes0, buffers, bytes;
	struct guess g;

	live(0, &buffers0, &bytes0);
	memset(&g, 0, sizeof(g));
	g.fd = lab_open(0);
	guess_run(&g, false);
	close(g.fd);
	live(0, &buffers, &bytes);
	cr_assert_eq(buffers, buffers0, "%lld buffers left over",
		     (long long)(buffers - buffers0));
	cr_assert_eq(bytes, bytes0);
}

Test(trust, import_racing_free_of_guessed_handles, .timeout = 60)
{
	uint64_t buffers0, bytes0, buffers, bytes;
	struct edudma_export ex;
	struct edudma_import im;
	struct edudma_alloc a;
	struct guess g;
	int owner;

	live(0, &buffers0, &bytes0);
	owner = lab_open(0);
	cr_assert_eq(lab_alloc(owner, PAGE, EDUDMA_BUF_PAGES, &a), 0);
	ex = (struct edudma_export){ .handle = a.handle };
	cr_assert_eq(lab_ioctl(owner, EDUDMA_IOC_EXPORT, &ex), 0);
	memset(&g, 0, sizeof(g));
	g.fd = lab_open(0);
	g.dmabuf = ex.fd;
	if (!lab_can_import()) {
		im = (struct edudma_import){ .fd = ex.fd };
		cr_assert_eq(lab_ioctl(g.fd, EDUDMA_IOC_IMPORT, &im), -EOPNOTSUPP);
	} else {
		guess_run(&g, true);
	}
	close(g.fd);
	close(ex.fd);
	close(owner);
	live(0, &buffers, &bytes);
	cr_assert_eq(buffers, buffers0, "%lld buffers left over",
		     (long long)(buffers - buffers0));
	cr_assert_eq(bytes, bytes0);
}

/*
 * The same race made certain: the ALLOC (or IMPORT) is stopped inside its
 * reply, after the handle was published, by a userfaultfd write-protected
 * page; its handle is freed and new buffers are allocated, which may get
 * the freed handle number again; then the reply fails (EFAULT). The failed
 * call must take back nothing but its own handle: every new buffer stays.
 * The debug kernel has no userfaultfd: there the test checks only that.
 */
struct stall {
	int uffd;
	uint8_t *page;
};

/* a page that reads normally and whose next write stalls until stall_fail(); -ENOSYS without */
static int stall_make(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (s->uffd < 0)
		return -errno;
	cr_assert_eq(ioctl(s->uffd, UFFDIO_API, &api), 0, "UFFDIO_API: %s", strerror(errno));
	s->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(s->page, MAP_FAILED);
	memset(s->page, 0, PAGE);
	reg = (struct uffdio_register){ .range = { (uintptr_t)s->page, PAGE },
					.mode = UFFDIO_REGISTER_MODE_WP };
	cr_assert_eq(ioctl(s->uffd, UFFDIO_REGISTER, &reg), 0, "UFFDIO_REGISTER: %s",
		     strerror(errno));
	return 0;
}

static void stall_arm(struct stall *s)
{
	struct uffdio_writeprotect wp = { .range = { (uintptr_t)s->page, PAGE },
					  .mode = UFFDIO_WRITEPROTECT_MODE_WP };

	cr_assert_eq(ioctl(s->uffd, UFFDIO_WRITEPROTECT, &wp), 0, "UFFDIO_WRITEPROTECT: %s",
		     strerror(errno));
}

/* wait until a writer stalls on the page */
static void stall_wait(struct stall *s)
{
	struct pollfd pf = { .fd = s->uffd, .events = POLLIN };
	struct uffd_msg msg;

	cr_assert_eq(poll(&pf, 1, 20000), 1, "nothing wrote to the page");
	cr_assert_eq(read(s->uffd, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	cr_assert_eq(msg.event, UFFD_EVENT_PAGEFAULT);
	cr_assert(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
}

/* the stalled write fails: the page becomes read-only, the userfaultfd goes */
static void stall_fail(struct stall *s)
{
	cr_assert_eq(mprotect(s->page, PAGE, PROT_READ), 0);
	close(s->uffd);
}

struct stalled {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;
};

static void *stalled_ioctl(void *arg)
{
	struct stalled *st = arg;

	st->ret = lab_ioctl(st->fd, st->cmd, st->arg);
	return NULL;
}

static void reply_failure_after_free(bool import)
{
	enum { NEW = 64 };
	struct edudma_alloc probe, fresh[NEW];
	struct edudma_export ex = { .fd = -1 };
	struct edudma_buf_info bi;
	struct stalled st;
	struct stall s = { .uffd = -1 };
	int fd = lab_open(0), owner = -1, n, ret;
	uint32_t h = 0;
	pthread_t t;

	ret = stall_make(&s);
	if (ret) {
		cr_assert_eq(ret, -ENOSYS, "userfaultfd: %s", strerror(-ret));
		close(fd);
		return;
	}
	if (import) {
		owner = lab_open(0);
		cr_assert_eq(lab_alloc(owner, PAGE, EDUDMA_BUF_PAGES, &probe), 0);
		ex.handle = probe.handle;
		cr_assert_eq(lab_ioctl(owner, EDUDMA_IOC_EXPORT, &ex), 0);
		*(struct edudma_import *)s.page = (struct edudma_import){ .fd = ex.fd };
		st = (struct stalled){ fd, EDUDMA_IOC_IMPORT, s.page, 0 };
	} else {
		*(struct edudma_alloc *)s.page = (struct edudma_alloc){ .size = PAGE,
									.kind = EDUDMA_BUF_PAGES };
		st = (struct stalled){ fd, EDUDMA_IOC_ALLOC, s.page, 0 };
	}
	/* the handle the stalled call will likely get: the lowest free */
	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_COHERENT, &probe), 0);
	cr_assert_eq(lab_free(fd, probe.handle), 0);
	stall_arm(&s);
	cr_assert_eq(pthread_create(&t, NULL, stalled_ioctl, &st), 0);
	stall_wait(&s);
	/* its handle is the only one of fd */
	for (uint32_t c = 0; c <= 1U << 20 && !h; c++) {
		bi = (struct edudma_buf_info){ .handle = c ? c : probe.handle };
		if (!lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi))
			h = bi.handle;
	}
	cr_assert_neq(h, 0, "the stalled call's handle is nowhere");
	cr_assert_eq(lab_free(fd, h), 0);
	for (n = 0; n < NEW; n++) {
		cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_COHERENT, &fresh[n]), 0);
		if (fresh[n].handle == h) {
			n++;
			break;
		}
	}
	stall_fail(&s);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(st.ret, -EFAULT, "the stalled call: %s", strerror(-st.ret));
	for (int i = 0; i < n; i++) {
		bi = (struct edudma_buf_info){ .handle = fresh[i].handle };
		ret = lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi);
		cr_assert_eq(ret, 0, "handle %u, allocated after the stalled call's handle %u was "
			     "freed, went with the failed reply: %s", fresh[i].handle, h,
			     strerror(-ret));
	}
	for (int i = 0; i < n; i++)
		cr_assert_eq(lab_free(fd, fresh[i].handle), 0);
	munmap(s.page, PAGE);
	if (import) {
		close(ex.fd);
		close(owner);
	}
	close(fd);
}

Test(trust, alloc_reply_failure_after_free_takes_nothing_else, .timeout = 60)
{
	reply_failure_after_free(false);
}

Test(trust, import_reply_failure_after_free_takes_nothing_else, .timeout = 60)
{
	if (!lab_can_import()) {
		struct edudma_import im = { .fd = -1 };
		int fd = lab_open(0);

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im), -EOPNOTSUPP);
		close(fd);
		return;
	}
	reply_failure_after_free(true);
}

/* ---- 11: closing a file full of buffers while the device goes ------------- */

struct closer {
	atomic_int *go;
	int fd;
	const char *bdf;
	int ret;
};

static void *close_at_go(void *arg)
{
	struct closer *c = arg;

	while (!atomic_load(c->go))
		;
	c->ret = close(c->fd) ? -errno : 0;
	return NULL;
}

static void *unbind_at_go(void *arg)
{
	struct closer *c = arg;

	while (!atomic_load(c->go))
		;
	c->ret = lab_sysfs_driver("unbind", c->bdf);
	return NULL;
}

/*
 * The release of a file holding 1000 buffers, of three files holding big
 * scatter-gather buffers (slow to unmap) and remove() run at once: nothing
 * hangs, every buffer's DMA side is gone when remove() returns (DMA-API
 * debug reports "pending DMA allocations" otherwise: a buffer whose last
 * reference is being dropped must not escape remove()), and the device
 * works after the rebind.
 */
#define CLOSE_FILES 4

Test(trust, close_with_1000_buffers_during_unbind, .timeout = 300)
{
	int minor = lab_edu_count() - 1;
	char bdf[32];

	lab_bdf(minor, bdf, sizeof(bdf));
	for (int round = 0; round < 3; round++) {
		struct closer cl[CLOSE_FILES], ub;
		pthread_t tc[CLOSE_FILES], tu;
		atomic_int go = 0;
		struct lab_buf b;
		int fd, rebind;

		for (int f = 0; f < CLOSE_FILES; f++) {
			struct edudma_alloc a;

			fd = lab_open(minor);
			for (int i = 0; !f && i < 1000; i++)
				cr_assert_eq(lab_alloc(fd, PAGE, i % 2 ? EDUDMA_BUF_PAGES :
						       EDUDMA_BUF_COHERENT, &a), 0,
					     "round %d, buffer %d", round, i);
			for (int i = 0; f && i < 4; i++)
				cr_assert_eq(lab_alloc(fd, 2 * MiB, EDUDMA_BUF_VMALLOC_SG, &a), 0,
					     "round %d, file %d, buffer %d", round, f, i);
			cl[f] = (struct closer){ &go, fd, bdf, 0 };
		}
		ub = (struct closer){ &go, -1, bdf, 0 };
		for (int f = 0; f < CLOSE_FILES; f++)
			cr_assert_eq(pthread_create(&tc[f], NULL, close_at_go, &cl[f]), 0);
		cr_assert_eq(pthread_create(&tu, NULL, unbind_at_go, &ub), 0);
		usleep(20 * 1000);
		atomic_store(&go, 1);
		for (int f = 0; f < CLOSE_FILES; f++)
			cr_assert_eq(pthread_join(tc[f], NULL), 0);
		cr_assert_eq(pthread_join(tu, NULL), 0);
		rebind = lab_sysfs_driver("bind", bdf);
		for (int f = 0; f < CLOSE_FILES; f++)
			cr_assert_eq(cl[f].ret, 0, "round %d: close: %s", round, strerror(-cl[f].ret));
		cr_assert_eq(ub.ret, 0, "round %d: unbind: %s", round, strerror(-ub.ret));
		cr_assert_eq(rebind, 0, "round %d: rebind: %s", round, strerror(-rebind));
		/* the device works again: a new buffer, mapped, through the device */
		fd = lab_open(minor);
		lab_buf_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &b);
		lab_fill(b.p, 100, (uint64_t)round);
		cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, b.a.handle, 2048, 100), 0);
		cr_assert_eq(lab_check(b.p + 2048, 100, (uint64_t)round), 100);
		lab_buf_free(fd, &b);
		close(fd);
	}
}

/*
 * The same window held open: file A's release holds the device's buffer
 * list lock unmapping a big buffer; remove() queues on it; file B's
 * release drops its (coherent, so always DMA-mapped) buffer's last
 * reference and queues behind remove(); then a SCHED_FIFO spinner takes
 * B's vCPU. remove() must not finish while B's buffer is still mapped for
 * the device: on the debug kernel DMA-API debug reports it at unbind
 * ("pending DMA allocations"). B starts once the device's class folder is
 * gone (remove() has begun) plus a delay that each round makes longer.
 * Needs two vCPUs; with one it is a plain close during unbind.
 */
struct actor {
	const char *bdf;
	double t0, at_ms, until_ms, took_ms;
	int fd, cpu, ret;
	enum { CLOSE, UNBIND, SPIN } what;
	const char *after;	/* CLOSE: wait for this path to go first, then at_ms more */
};

static void *act(void *arg)
{
	struct actor *a = arg;
	cpu_set_t cpus;
	double start;

	CPU_ZERO(&cpus);
	CPU_SET(a->cpu, &cpus);
	a->ret = -pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (a->ret)
		return NULL;
	start = a->t0;
	if (a->after) {
		while (access(a->after, F_OK) == 0 && now_s() - a->t0 < 10)
			usleep(200);
		start = now_s();
	}
	while ((now_s() - start) * 1000 < a->at_ms)
		usleep(200);
	a->took_ms = now_s();
	if (a->what == CLOSE) {
		a->ret = close(a->fd) ? -errno : 0;
	} else if (a->what == UNBIND) {
		a->ret = lab_sysfs_driver("unbind", a->bdf);
	} else {
		struct sched_param sp = { .sched_priority = 1 };

		a->ret = -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		while (!a->ret && (now_s() - a->t0) * 1000 < a->until_ms)
			;
	}
	a->at_ms = (a->took_ms - a->t0) * 1000;
	a->took_ms = (now_s() - a->took_ms) * 1000;
	return NULL;
}

Test(trust, release_starved_during_unbind, .timeout = 300)
{
	const uint64_t big_a = 96 * MiB;
	int minor = lab_edu_count() - 1, cpu_b = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	struct edudma_alloc a;
	char bdf[32], class[64];
	double hold;

	lab_bdf(minor, bdf, sizeof(bdf));
	snprintf(class, sizeof(class), "/sys/class/edudma/edudma%d", minor);
	{
		int fd = lab_open(minor);
		double t;

		cr_assert_eq(lab_alloc(fd, big_a, EDUDMA_BUF_VMALLOC_SG, &a), 0);
		t = now_s();
		close(fd);
		hold = (now_s() - t) * 1000;
	}
	for (int round = 0; round < 3; round++) {
		int fa = lab_open(minor), fb = lab_open(minor), rebind;
		struct actor ac[4];
		pthread_t t[4];
		double t0;
		struct lab_buf b;

		cr_assert_eq(lab_alloc(fa, big_a, EDUDMA_BUF_VMALLOC_SG, &a), 0);
		cr_assert_eq(lab_alloc(fb, MiB, EDUDMA_BUF_COHERENT, &a), 0);
		t0 = now_s() + 0.05;
		ac[0] = (struct actor){ .what = CLOSE, .fd = fa, .cpu = 0 };
		ac[1] = (struct actor){ .what = UNBIND, .cpu = 0, .at_ms = 0.02 * hold };
		ac[2] = (struct actor){ .what = CLOSE, .fd = fb, .cpu = cpu_b, .after = class,
					.at_ms = 0.1 * hold * (1 + 1.5 * round) };
		/* the spinner once B's release waits for the lock (it cannot be preempted before) */
		ac[3] = (struct actor){ .what = SPIN, .cpu = cpu_b, .after = class,
					.at_ms = ac[2].at_ms + 10 + 0.2 * hold,
					.until_ms = 2000 + hold };
		for (int i = 0; i < 4; i++) {
			ac[i].bdf = bdf;
			ac[i].t0 = t0;
		}
		for (int i = 0; i < (cpu_b ? 4 : 3); i++)
			cr_assert_eq(pthread_create(&t[i], NULL, act, &ac[i]), 0);
		for (int i = 0; i < (cpu_b ? 4 : 3); i++)
			cr_assert_eq(pthread_join(t[i], NULL), 0);
		rebind = lab_sysfs_driver("bind", bdf);
		cr_log_info("round %d: close A (%.0f ms alone) took %.0f ms, unbind at %.0f took %.0f ms, "
			    "close B at %.0f took %.0f ms", round, hold, ac[0].took_ms, ac[1].at_ms,
			    ac[1].took_ms, ac[2].at_ms, ac[2].took_ms);
		cr_assert_eq(ac[0].ret, 0, "round %d: close A: %s", round, strerror(-ac[0].ret));
		cr_assert_eq(ac[1].ret, 0, "round %d: unbind: %s", round, strerror(-ac[1].ret));
		cr_assert_eq(ac[2].ret, 0, "round %d: close B: %s", round, strerror(-ac[2].ret));
		cr_assert_eq(ac[3].ret, 0, "round %d: SCHED_FIFO: %s", round, strerror(-ac[3].ret));
		cr_assert_eq(rebind, 0, "round %d: rebind: %s", round, strerror(-rebind));
		fa = lab_open(minor);
		lab_buf_alloc(fa, PAGE, EDUDMA_BUF_COHERENT, &b);
		lab_fill(b.p, 100, (uint64_t)round);
		cr_assert_eq(lab_xfer(fa, EDUDMA_XFER_COPY, b.a.handle, 0, b.a.handle, 2048, 100), 0);
		cr_assert_eq(lab_check(b.p + 2048, 100, (uint64_t)round), 100);
		lab_buf_free(fa, &b);
		close(fa);
	}
}

/* ---- 14: handles per open file are capped --------------------------------- */

static unsigned long handles_old;
static bool handles_saved;

/* in the test, not its .init: a driver without the parameter fails it, not its set-up */
static void handles_save(void)
{
	int ret = lab_param_get("max_file_handles", &handles_old);

	cr_assert_eq(ret, 0, "module parameter max_file_handles: %s", strerror(-ret));
	handles_saved = true;
}

static void handles_restore(void)
{
	if (handles_saved)
		lab_param_set("max_file_handles", handles_old);
}

Test(trust, handles_per_file_are_capped, .fini = handles_restore, .timeout = 60)
{
	struct edudma_alloc a[9], o, x;
	struct edudma_export ex;
	struct edudma_import im;
	int fd, other, owner;

	handles_save();
	fd = lab_open(0);
	other = lab_open(0);
	owner = lab_open(0);
	cr_expect_eq(handles_old, 65536, "default max_file_handles");
	cr_assert_eq(lab_param_set("max_file_handles", 8), 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(lab_alloc(fd, PAGE, i % 2 ? EDUDMA_BUF_PAGES : EDUDMA_BUF_COHERENT,
				       &a[i]), 0, "buffer %d", i);
	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &a[8]), -EMFILE);
	cr_assert_eq(lab_alloc(owner, PAGE, EDUDMA_BUF_PAGES, &o), 0);
	ex = (struct edudma_export){ .handle = o.handle };
	cr_assert_eq(lab_ioctl(owner, EDUDMA_IOC_EXPORT, &ex), 0);
	im = (struct edudma_import){ .fd = ex.fd };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im),
		     lab_can_import() ? -EMFILE : -EOPNOTSUPP);
	/* one handle back, one more buffer */
	cr_assert_eq(lab_free(fd, a[3].handle), 0);
	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_VMALLOC_SG, &a[3]), 0);
	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &x), -EMFILE);
	if (lab_can_import()) {
		cr_assert_eq(lab_free(fd, a[3].handle), 0);
		im = (struct edudma_import){ .fd = ex.fd };
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im), 0);
		cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &x), -EMFILE);
	}
	/* another file has its own 8 */
	for (int i = 0; i < 8; i++)
		cr_assert_eq(lab_alloc(other, PAGE, EDUDMA_BUF_PAGES, &x), 0, "other: buffer %d", i);
	cr_assert_eq(lab_alloc(other, PAGE, EDUDMA_BUF_PAGES, &x), -EMFILE);
	close(ex.fd);
	close(owner);
	close(other);
	close(fd);
}
