// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * edudma-fuzz: a structured fuzzer for /dev/edudmaN. Random and mutated
 * ioctl commands, sizes, offsets, handles, flags and padding, mmap ranges,
 * dma-buf export and import (of its own exports, of other fds), transfers
 * through io_uring (a raw ring per thread: 32-bit and static builds have
 * no liburing), with mutated commands, several in flight, and files closed
 * under them,
 * in several processes (fork) of several threads, each from its own seed.
 * Invariants, not only kernel reports: every process fills its buffers
 * with its own tag byte, and a buffer a blocking transfer wrote may hold
 * only zeroes and that tag (never another process's bytes, whatever the
 * lengths: the device window is shared); a mapping survives MADV_DONTNEED
 * and shrinking mremap; after every file is closed no buffer or charge is
 * left on any device, and (--unload) the module unloads and loads again.
 * Prints the seed, a histogram of calls per command and result, and the
 * successes that matter; exits nonzero if a process died of a signal, a
 * successful mapping could not be touched, an invariant broke, or buffers
 * were left behind.
 *   edudma-fuzz [--calls N] [--seed S] [--procs P] [--threads T] [--devices D]
 *               [--min-allocs N] [--min-mmaps N] [--min-xfers N] [--tap FILE]
 *               [--unload 1]
 * A failing run is replayed with the same --seed, --procs and --threads.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/edudma.h>
#include <linux/io_uring.h>

enum { OP_ALLOC, OP_FREE, OP_INFO, OP_SYNC, OP_XFER, OP_WAIT, OP_MMAP, OP_MUNMAP, OP_GETINFO,
       OP_STATS, OP_FACT, OP_LIVE, OP_RANDOM, OP_REOPEN, OP_EXPORT, OP_IMPORT, OP_MADVISE,
       OP_REGISTER, OP_URING, OP_N };
static const char *const op_names[OP_N] = {
	"alloc", "free", "buf_info", "sync", "xfer", "wait", "mmap", "munmap", "get_info",
	"stats", "factorial", "liveness", "random_cmd", "reopen", "export", "import", "madvise",
	"register", "uring",
};
#define NERR 140	/* result slot: 0 = success, else errno (clamped) */

struct shared {
	uint64_t hist[OP_N][NERR];
	uint64_t dmabuf_map_failures;	/* a fresh dma-buf that would not mmap */
	uint64_t foreign_bytes;		/* bytes of another process seen in a buffer */
	uint64_t checked_xfers;		/* transfers whose destination was checked */
	uint64_t lost_pages;		/* a mapping that lost its data */
	uint64_t left_pinned;		/* a process whose pages stayed pinned after close */
};

static struct shared *sh;
static uint64_t calls = 200000, seed;
static int procs = 2, threads = 2, devices = 1;
/* this process's tag: the byte its buffers are filled with */
static uint8_t tag;
#define TAG_FILL (64 << 10)	/* bytes of a new buffer filled with the tag */
/* this process's memory for EDUDMA_IOC_REGISTER, filled with the tag */
#define ARENA (1 << 20)
static uint8_t *arena;
#define TARENA (256 << 10)
#define WR_MAX 6

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t pick_size(uint64_t *s)
{
	static const uint64_t sizes[] = { 0, 1, 7, 4095, 4096, 4097, 8191, 65536, 65537,
					  (1 << 20) + 1, 4 << 20, UINT64_MAX, 1ULL << 41,
					  UINT32_MAX, 1ULL << 32 };
	switch (rnd(s) % 4) {
	case 0:
		return sizes[rnd(s) % (sizeof(sizes) / sizeof(sizes[0]))];
	case 1:
		return rnd(s) % (256 << 10);
	default:
		return 1 + rnd(s) % 16384;
	}
}

static uint32_t pick_flags(uint64_t *s, uint32_t valid)
{
	uint32_t r = (uint32_t)rnd(s);

	switch (r % 8) {
	case 0:
		return r;
	case 1:
		return 1U << (rnd(s) % 32);
	default:
		return valid & r;
	}
}

static void record(int op, int ret);

#define MAXH 64
struct thread_state {
	uint64_t s;
	int fd;
	int shared_fd;
	uint32_t handles[MAXH];
	uint64_t sizes[MAXH];
	uint64_t offsets[MAXH];
	int nh;
	void *maps[8];
	size_t maplen[8];
	uint64_t seqs[16];
	int nseq;
	int dmabufs[4];		/* exported dma-buf fds, + 1 (0: none) */
	uint8_t *arena;		/* TARENA bytes the thread registers writable */
	int wr_made;		/* writable registrations made */
	struct uring *ring;	/* the thread's io_uring, or NULL (not set up yet) */
};

/* ---- a raw io_uring: 128-byte SQEs, 32-byte CQEs -------------------------- */

#define URING_ENTRIES 4
struct uring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;	/* 2 per entry */
	struct io_uring_cqe *cqes;	/* 2 per entry */
	void *sq_ring, *cq_ring;
	size_t sq_len, cq_len, sqes_len;
	unsigned int inflight;
};

static struct uring *uring_new(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32 };
	struct uring *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->fd = (int)syscall(__NR_io_uring_setup, URING_ENTRIES, &p);
	if (u->fd < 0) {
		free(u);
		return NULL;
	}
	u->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	u->cq_len = p.cq_off.cqes + p.cq_entries * 2 * sizeof(struct io_uring_cqe);
	u->sqes_len = p.sq_entries * 2 * sizeof(struct io_uring_sqe);
	u->sq_ring = mmap(NULL, u->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
			  IORING_OFF_SQ_RING);
	u->cq_ring = mmap(NULL, u->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
			  IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		       IORING_OFF_SQES);
	if (u->sq_ring == MAP_FAILED || u->cq_ring == MAP_FAILED || u->sqes == MAP_FAILED)
		_exit(23);
	u->sq_tail = (unsigned int *)((char *)u->sq_ring + p.sq_off.tail);
	u->sq_mask = (unsigned int *)((char *)u->sq_ring + p.sq_off.ring_mask);
	u->sq_array = (unsigned int *)((char *)u->sq_ring + p.sq_off.array);
	u->cq_head = (unsigned int *)((char *)u->cq_ring + p.cq_off.head);
	u->cq_tail = (unsigned int *)((char *)u->cq_ring + p.cq_off.tail);
	u->cq_mask = (unsigned int *)((char *)u->cq_ring + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)((char *)u->cq_ring + p.cq_off.cqes);
	return u;
}

/* queue one SQE (the caller keeps inflight + queued <= URING_ENTRIES) */
static void uring_queue(struct uring *u, int fd, uint32_t cmd_op, const struct edudma_xfer *x)
{
	unsigned int tail = *u->sq_tail, i = tail & *u->sq_mask;
	struct io_uring_sqe *sqe = &u->sqes[2 * i];

	memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = cmd_op;
	memcpy(sqe->cmd, x, sizeof(*x));
	u->sq_array[i] = i;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* submit @n queued SQEs and wait for @wait CQEs: 0 or -errno */
static int uring_enter(struct uring *u, unsigned int n, unsigned int wait)
{
	long ret = syscall(__NR_io_uring_enter, u->fd, n, wait, wait ? IORING_ENTER_GETEVENTS : 0,
			   NULL, 0);

	if (ret < 0)
		return -errno;
	u->inflight += (unsigned int)ret;
	return 0;
}

/* the CQEs that are there, each recorded; how many */
static unsigned int uring_reap(struct uring *u)
{
	unsigned int head = *u->cq_head, n = 0;

	while (head != __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE)) {
		record(OP_URING, u->cqes[2 * (head & *u->cq_mask)].res);
		head++;
		n++;
	}
	__atomic_store_n(u->cq_head, head, __ATOMIC_RELEASE);
	u->inflight -= n;
	return n;
}

/* every transfer in flight ends first: their files, buffers and pins go with them */
static void uring_free(struct uring *u)
{
	if (!u)
		return;
	while (u->inflight && !uring_enter(u, 0, 1))
		uring_reap(u);
	munmap(u->sqes, u->sqes_len);
	munmap(u->cq_ring, u->cq_len);
	munmap(u->sq_ring, u->sq_len);
	close(u->fd);
	free(u);
}

static uint32_t pick_handle(struct thread_state *t)
{
	uint64_t r = rnd(&t->s) % 10;

	if (t->nh && r < 8)
		return t->handles[rnd(&t->s) % t->nh];
	return r == 8 ? 0 : (uint32_t)rnd(&t->s);
}

static void record(int op, int ret)
{
	int slot = ret < 0 ? -ret : 0;

	if (slot >= NERR)
		slot = NERR - 1;
	__atomic_fetch_add(&sh->hist[op][slot], 1, __ATOMIC_RELAXED);
}

static int io(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void remember(struct thread_state *t, struct edudma_alloc *a)
{
	int i = t->nh < MAXH ? t->nh++ : (int)(rnd(&t->s) % MAXH);

	if (t->nh == MAXH && i < MAXH) {
		struct edudma_free f = { .handle = t->handles[i] };

		io(t->fd, EDUDMA_IOC_FREE, &f);
	}
	t->handles[i] = a->handle;
	t->sizes[i] = a->size;
	t->offsets[i] = a->mmap_offset;
}

/* the first TAG_FILL bytes of a new buffer get this process's tag */
static void fill_tag(int fd, const struct edudma_alloc *a)
{
	size_t len = a->size < TAG_FILL ? a->size : TAG_FILL;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a->mmap_offset);

	if (p == MAP_FAILED)
		return;		/* freed meanwhile by another thread */
	memset(p, tag, len);
	munmap(p, len);
}

/* a range a transfer just wrote holds zeroes and our own tag, nothing else */
static void check_tag(struct thread_state *t, uint32_t handle, uint64_t off, uint64_t len)
{
	uint64_t moff = UINT64_MAX, start, n, foreign = 0;
	const uint8_t *p;

	for (int i = 0; i < t->nh; i++)
		if (t->handles[i] == handle)
			moff = t->offsets[i];
	if (moff == UINT64_MAX)
		return;
	start = off & ~4095ULL;
	n = off + len - start;
	p = mmap(NULL, n, PROT_READ, MAP_SHARED, t->fd, (off_t)(moff + start));
	if (p == MAP_FAILED)
		return;		/* freed meanwhile */
	for (uint64_t i = off - start; i < n; i++)
		foreign += p[i] && p[i] != tag;
	munmap((void *)p, n);
	__atomic_fetch_add(&sh->checked_xfers, 1, __ATOMIC_RELAXED);
	if (foreign)
		__atomic_fetch_add(&sh->foreign_bytes, foreign, __ATOMIC_RELAXED);
}

/* a transfer: mostly well formed, over this thread's handles */
static struct edudma_xfer pick_xfer(struct thread_state *t)
{
	uint64_t *s = &t->s;
	struct edudma_xfer x = { .op = (uint32_t)(rnd(s) % 5), .src_handle = pick_handle(t),
				 .dst_handle = pick_handle(t),
				 .src_offset = rnd(s) % 4 ? rnd(s) % 8192 : pick_size(s),
				 .dst_offset = rnd(s) % 4 ? rnd(s) % 8192 : pick_size(s),
				 .length = rnd(s) % 4 ? 1 + rnd(s) % 6000 : pick_size(s) };

	if (x.op == EDUDMA_XFER_TO_DEVICE && rnd(s) % 4) {
		x.dst_handle = 0;
		x.dst_offset = 0;
	}
	if (x.op == EDUDMA_XFER_FROM_DEVICE && rnd(s) % 4) {
		x.src_handle = 0;
		x.src_offset = 0;
	}
	return x;
}

/* one step; false if it made no call (nothing recorded, not counted) */
static bool one_call(struct thread_state *t)
{
	int op = (int)(rnd(&t->s) % OP_N), ret = 0, i;
	uint64_t *s = &t->s;

	switch (op) {
	case OP_ALLOC: {
		struct edudma_alloc a = { .size = pick_size(s), .kind = (uint32_t)(rnd(s) % 5) };

		a.flags = rnd(s) % 8 ? 0 : pick_flags(s, 0);
		if (a.size > (8 << 20) && rnd(s) % 4)
			a.size &= (8 << 20) - 1;	/* mostly affordable */
		ret = io(t->fd, EDUDMA_IOC_ALLOC, &a);
		if (!ret) {
			fill_tag(t->fd, &a);
			remember(t, &a);
		}
		break;
	}
	case OP_FREE: {
		struct edudma_free f = { .handle = pick_handle(t), .flags = rnd(s) % 8 ? 0 : 1 };

		ret = io(t->fd, EDUDMA_IOC_FREE, &f);
		for (i = 0; !ret && i < t->nh; i++)
			if (t->handles[i] == f.handle)
				t->handles[i] = t->handles[--t->nh];
		break;
	}
	case OP_INFO: {
		struct edudma_seg segs[4];
		struct edudma_buf_info bi = { .handle = pick_handle(t) };

		bi.flags = rnd(s) % 8 ? 0 : pick_flags(s, 0);
		bi.pad = rnd(s) % 8 ? 0 : 1;
		switch (rnd(s) % 4) {
		case 0:
			bi.segs_ptr = (uintptr_t)segs;
			bi.segs_count = (uint32_t)(rnd(s) % 6);
			break;
		case 1:
			bi.segs_ptr = rnd(s);
			bi.segs_count = (uint32_t)rnd(s);
			break;
		}
		ret = io(t->fd, EDUDMA_IOC_BUF_INFO, &bi);
		break;
	}
	case OP_SYNC: {
		struct edudma_sync y = { .handle = pick_handle(t), .flags = (uint32_t)(rnd(s) % 4),
					 .direction = (uint32_t)(rnd(s) % 5),
					 .offset = pick_size(s), .length = pick_size(s) };

		y.pad = rnd(s) % 8 ? 0 : 1;
		ret = io(t->fd, EDUDMA_IOC_SYNC, &y);
		break;
	}
	case OP_XFER: {
		struct edudma_xfer x = pick_xfer(t);

		x.flags = rnd(s) % 4 ? EDUDMA_XFER_ASYNC : pick_flags(s, 0);
		x.timeout_ms = rnd(s) % 8 ? 0 : (uint32_t)(rnd(s) % 300);
		x.pad = rnd(s) % 16 ? 0 : 1;
		ret = io(t->fd, EDUDMA_IOC_XFER, &x);
		if (!ret && (x.flags & EDUDMA_XFER_ASYNC) && t->nseq < 16)
			t->seqs[t->nseq++] = x.seq;
		if (!ret && !(x.flags & EDUDMA_XFER_ASYNC) && x.op != EDUDMA_XFER_TO_DEVICE)
			check_tag(t, x.dst_handle, x.dst_offset, x.length);
		break;
	}
	case OP_WAIT: {
		struct edudma_wait w = { .timeout_ms = (uint32_t)(rnd(s) % 3 ? rnd(s) % 50 : 0) };

		if (t->nseq && rnd(s) % 4)
			w.seq = t->seqs[rnd(s) % t->nseq];
		else if (rnd(s) % 2)
			w.seq = rnd(s);
		w.flags = rnd(s) % 16 ? 0 : 1;
		ret = io(t->fd, EDUDMA_IOC_WAIT, &w);
		for (i = 0; !ret && i < t->nseq; i++)
			if (t->seqs[i] == w.done_seq)
				t->seqs[i] = t->seqs[--t->nseq];
		break;
	}
	case OP_MMAP: {
		int h = t->nh ? (int)(rnd(s) % t->nh) : -1, slot = (int)(rnd(s) % 8);
		uint64_t off = h >= 0 ? t->offsets[h] : rnd(s) << 12, len;
		int flags = rnd(s) % 8 ? MAP_SHARED : MAP_PRIVATE;
		void *p;

		len = h >= 0 && rnd(s) % 4 ? t->sizes[h] : 4096 * (1 + rnd(s) % 8);
		if (rnd(s) % 4 == 0)
			off += 4096 * (rnd(s) % 4);
		if (t->maps[slot]) {
			munmap(t->maps[slot], t->maplen[slot]);
			t->maps[slot] = NULL;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, t->fd, (off_t)off);
		ret = p == MAP_FAILED ? -errno : 0;
		if (!ret) {
			volatile uint8_t *b = p;

			b[0] = b[len - 1];	/* a successful mapping can be touched */
			t->maps[slot] = p;
			t->maplen[slot] = len;
		}
		break;
	}
	case OP_MUNMAP: {
		int slot = (int)(rnd(s) % 8);

		if (t->maps[slot]) {
			ret = munmap(t->maps[slot], t->maplen[slot]) ? -errno : 0;
			t->maps[slot] = NULL;
		}
		break;
	}
	case OP_GETINFO: {
		struct edudma_info in;

		ret = io(t->fd, EDUDMA_IOC_GET_INFO, rnd(s) % 16 ? (void *)&in : (void *)(uintptr_t)rnd(s));
		break;
	}
	case OP_STATS: {
		struct edudma_stats st;

		ret = io(t->fd, EDUDMA_IOC_STATS, &st);
		break;
	}
	case OP_FACT: {
		struct edudma_factorial f = { .n = (uint32_t)(rnd(s) % 3 ? rnd(s) % 20 : rnd(s)),
					      .flags = pick_flags(s, EDUDMA_FACTORIAL_WRAP),
					      .pad = rnd(s) % 16 ? 0 : 1 };

		ret = io(t->fd, EDUDMA_IOC_FACTORIAL, &f);
		break;
	}
	case OP_LIVE: {
		struct edudma_liveness l = { .value = (uint32_t)rnd(s) };

		ret = io(t->fd, EDUDMA_IOC_LIVENESS, &l);
		if (!ret && l.result != ~l.value)
			ret = -EBADMSG;
		break;
	}
	case OP_RANDOM: {
		/* a mutated command: right magic, random number, size and direction */
		uint8_t junk[256];
		unsigned long cmd = _IOC(rnd(s) % 4, rnd(s) % 8 ? EDUDMA_IOC_MAGIC : rnd(s) % 256,
					 rnd(s) % 48, rnd(s) % 4 ? rnd(s) % 80 : rnd(s) % 256);

		for (i = 0; i < (int)sizeof(junk); i++)
			junk[i] = (uint8_t)rnd(s);
		/* never the commands that act: their fields are fuzzed above */
		if (_IOC_TYPE(cmd) == EDUDMA_IOC_MAGIC &&
		    (cmd == EDUDMA_IOC_ALLOC || cmd == EDUDMA_IOC_XFER || cmd == EDUDMA_IOC_SELFTEST ||
		     cmd == EDUDMA_IOC_EXPORT || cmd == EDUDMA_IOC_IMPORT))
			return false;
		ret = io(t->fd, cmd, rnd(s) % 4 ? (void *)junk : (void *)(uintptr_t)rnd(s));
		break;
	}
	case OP_EXPORT: {
		struct edudma_export ex = { .handle = pick_handle(t) };
		int slot = (int)(rnd(s) % 4);

		ex.flags = rnd(s) % 8 ? 0 : pick_flags(s, 0);
		ex.pad = rnd(s) % 16 ? 0 : 1;
		ret = io(t->fd, EDUDMA_IOC_EXPORT, &ex);
		if (ret)
			break;
		if (rnd(s) % 2) {
			/* every dma-buf is at least a page: map, touch, unmap */
			volatile uint8_t *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
						   ex.fd, 0);

			if (b == MAP_FAILED) {
				__atomic_fetch_add(&sh->dmabuf_map_failures, 1, __ATOMIC_RELAXED);
			} else {
				b[0] = b[4095];
				munmap((void *)b, 4096);
			}
		}
		if (t->dmabufs[slot])
			close(t->dmabufs[slot] - 1);
		t->dmabufs[slot] = ex.fd + 1;
		break;
	}
	case OP_IMPORT: {
		struct edudma_import im = { .flags = rnd(s) % 8 ? 0 : pick_flags(s, 0) };
		int slot = (int)(rnd(s) % 4);

		switch (rnd(s) % 8) {
		case 0:
			im.fd = t->fd;		/* not a dma-buf */
			break;
		case 1:
			im.fd = (int32_t)rnd(s);
			break;
		default:
			im.fd = t->dmabufs[slot] - 1;
			break;
		}
		ret = io(t->fd, EDUDMA_IOC_IMPORT, &im);
		if (!ret) {
			struct edudma_alloc a = { .size = im.size, .handle = im.handle,
						  .mmap_offset = im.mmap_offset };

			remember(t, &a);
		}
		break;
	}
	case OP_MADVISE: {
		/* a mapping that loses its pages gets the buffer's back */
		int slot = (int)(rnd(s) % 8);
		size_t len = t->maplen[slot], off;
		volatile uint8_t *b = t->maps[slot];
		uint8_t before;

		if (!b)
			return false;
		off = (rnd(s) % (len / 4096)) * 4096;
		before = b[off];
		if (rnd(s) % 4) {
			ret = madvise((void *)(b + off), len - off, MADV_DONTNEED) ? -errno : 0;
			if (!ret && b[off] != before && b[off] != 0 && b[off] != tag)
				__atomic_fetch_add(&sh->lost_pages, 1, __ATOMIC_RELAXED);
		} else if (len > 4096) {
			void *q = mremap((void *)b, len, len - 4096, 0);

			ret = q == MAP_FAILED ? -errno : 0;
			if (!ret) {
				t->maplen[slot] = len - 4096;
				b[0] = b[len - 4097];
			}
		}
		break;
	}
	case OP_REGISTER: {
		/*
		 * Writable registrations only of the thread's own arena, at most
		 * WR_MAX of them: DMA-API debug before Linux 7 warns once more
		 * than 7 writable mappings share a cacheline (docs/testing.md).
		 * Read-only ones (mapped to-device only) of anything.
		 */
		bool wr = t->wr_made < WR_MAX && rnd(s) % 2;
		uint8_t *base = wr ? t->arena : arena;
		uint64_t size = wr ? TARENA : ARENA, off = rnd(s) % size;
		struct edudma_register r = { .addr = (uintptr_t)base + off,
					     .length = 1 + rnd(s) % (size - off) };
		struct edudma_alloc a = { 0 };

		switch (rnd(s) % 8) {
		case 0:		/* anything */
			r.addr = rnd(s) % 2 ? rnd(s) : r.addr;
			r.length = pick_size(s);
			break;
		case 1:		/* a mapping of a buffer: pages pin, coherent memory does not */
			i = (int)(rnd(s) % 8);
			if (t->maps[i] && !wr) {
				r.addr = (uintptr_t)t->maps[i] + rnd(s) % t->maplen[i];
				r.length = 1 + rnd(s) % 8192;
			}
			break;
		}
		r.flags = rnd(s) % 8 ? 0 : pick_flags(s, EDUDMA_REGISTER_READONLY);
		if (!wr)
			r.flags |= EDUDMA_REGISTER_READONLY;
		r.pad = rnd(s) % 16 ? 0 : 1;
		ret = io(t->fd, EDUDMA_IOC_REGISTER, &r);
		if (!ret) {
			t->wr_made += !(r.flags & EDUDMA_REGISTER_READONLY);
			a.handle = r.handle;
			a.size = r.length;
			remember(t, &a);
		}
		break;
	}
	case OP_URING: {
		unsigned int n = 1 + (unsigned int)(rnd(s) % 3);

		if (!t->ring)
			t->ring = uring_new();
		if (!t->ring)
			return false;	/* no io_uring in this kernel or for this process */
		if (t->ring->inflight + n > URING_ENTRIES)
			n = URING_ENTRIES - t->ring->inflight;
		for (unsigned int k = 0; k < n; k++) {
			struct edudma_xfer x = pick_xfer(t);
			uint32_t cmd_op = EDUDMA_URING_CMD_XFER;

			/* the ioctl's flags, which io_uring refuses, and deadlines */
			x.flags = rnd(s) % 8 ? 0 : pick_flags(s, 0);
			x.timeout_ms = rnd(s) % 16 ? 0 : (uint32_t)(rnd(s) % 300);
			x.pad = rnd(s) % 16 ? 0 : 1;
			if (!(rnd(s) % 16))
				cmd_op = (uint32_t)rnd(s);
			uring_queue(t->ring, t->fd, cmd_op, &x);
		}
		/* mostly leave them in flight: a later call, or the thread's end, reaps */
		ret = uring_enter(t->ring, n, rnd(s) % 4 ? 0 : 1);
		uring_reap(t->ring);
		if (!ret)
			return true;	/* each CQE is recorded */
		break;
	}
	case OP_REOPEN: {
		char node[32];

		if (rnd(s) % 16)
			return false;
		/* a file of the thread's own; the process's shared one stays open */
		snprintf(node, sizeof(node), "/dev/edudma%d", (int)(rnd(s) % devices));
		for (i = 0; i < 8; i++) {
			if (t->maps[i])
				munmap(t->maps[i], t->maplen[i]);
			t->maps[i] = NULL;
		}
		if (t->fd != t->shared_fd)
			close(t->fd);
		t->fd = open(node, O_RDWR | O_CLOEXEC);
		ret = t->fd < 0 ? -errno : 0;
		t->nh = 0;
		t->nseq = 0;
		if (t->fd < 0)
			t->fd = t->shared_fd;
		break;
	}
	}
	record(op, ret);
	return true;
}

struct thread_arg {
	uint64_t seed, n;
	int fd;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct thread_state *t = calloc(1, sizeof(*t));

	t->s = a->seed | 1;
	t->fd = a->fd;
	t->shared_fd = a->fd;
	t->arena = mmap(NULL, TARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->arena == MAP_FAILED)
		_exit(22);
	memset(t->arena, tag, TARENA);
	for (uint64_t i = 0; i < a->n;)
		i += one_call(t);
	for (int i = 0; i < 8; i++)
		if (t->maps[i])
			munmap(t->maps[i], t->maplen[i]);
	for (int i = 0; i < 4; i++)
		if (t->dmabufs[i])
			close(t->dmabufs[i] - 1);
	uring_free(t->ring);
	if (t->fd != a->fd)
		close(t->fd);
	munmap(t->arena, TARENA);
	free(t);
	return NULL;
}

/* kB of this process's pinned memory (VmPin: mm->pinned_vm); 0 if unknown */
static unsigned long vm_pin_kb(void)
{
	unsigned long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void process_main(int p)
{
	pthread_t th[64];
	struct thread_arg args[64];
	char node[32];
	int fd;

	snprintf(node, sizeof(node), "/dev/edudma%d", p % devices);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(20);
	tag = (uint8_t)(1 + p % 255);
	arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		_exit(21);
	memset(arena, tag, ARENA);
	for (int i = 0; i < threads; i++) {
		/* every thread shares the process's fd; REOPEN gives some their own */
		args[i] = (struct thread_arg){ .seed = seed * 1000003 + (uint64_t)p * 64 + i,
					       .n = calls / (procs * threads), .fd = fd };
		/* the remainder goes to the first threads: exactly --calls in all */
		args[i].n += (uint64_t)(p * threads + i) < calls % (procs * threads);
		pthread_create(&th[i], NULL, thread_main, &args[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	close(fd);
	/* every handle is gone: transfers still in flight unpin when they end */
	for (int i = 0; vm_pin_kb() && i < 100; i++)
		usleep(50000);
	if (vm_pin_kb())
		__atomic_fetch_add(&sh->left_pinned, 1, __ATOMIC_RELAXED);
	_exit(0);
}

/* nothing may hold the module: unload it, load it again (EDUDMA_KO) */
static int reload_module(void)
{
	const char *ko = getenv("EDUDMA_KO"), *params = getenv("EDUDMA_KO_PARAMS");
	int fd, ret;

	for (int i = 0; i < 50 && syscall(SYS_delete_module, "edudma", O_NONBLOCK); i++)
		usleep(100000);	/* the last fput()s are deferred */
	if (!ko)
		return -1;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = (int)syscall(SYS_finit_module, fd, params ? params : "", 0);
	close(fd);
	if (ret)
		return -1;
	/* devtmpfs creates the nodes as the devices probe again */
	for (int d = 0; d < devices; d++) {
		char node[32];
		int i;

		snprintf(node, sizeof(node), "/dev/edudma%d", d);
		for (i = 0; i < 100 && access(node, F_OK); i++)
			usleep(100000);
		if (access(node, F_OK))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t min_allocs = 0, min_mmaps = 0, min_xfers = 0, unload = 0, total = 0, t0;
	const char *tap = NULL;
	struct edudma_stats st;
	struct timespec ts;
	int bad = 0, fd;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	for (int i = 1; i + 1 < argc; i += 2) {
		uint64_t v = strtoull(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--calls"))
			calls = v;
		else if (!strcmp(argv[i], "--seed"))
			seed = v;
		else if (!strcmp(argv[i], "--procs"))
			procs = (int)v;
		else if (!strcmp(argv[i], "--threads"))
			threads = (int)v;
		else if (!strcmp(argv[i], "--devices"))
			devices = (int)v;
		else if (!strcmp(argv[i], "--min-allocs"))
			min_allocs = v;
		else if (!strcmp(argv[i], "--min-mmaps"))
			min_mmaps = v;
		else if (!strcmp(argv[i], "--min-xfers"))
			min_xfers = v;
		else if (!strcmp(argv[i], "--unload"))
			unload = v;
		else if (!strcmp(argv[i], "--tap"))
			tap = argv[i + 1];
	}
	if (procs < 1 || procs > 255 || threads < 1 || threads > 64 || devices < 1) {
		fprintf(stderr, "edudma-fuzz: bad --procs/--threads/--devices\n");
		return 2;
	}
	printf("edudma-fuzz: seed %" PRIu64 ", %" PRIu64 " calls, %d processes x %d threads, %d device(s), %zu-bit\n",
	       seed, calls, procs, threads, devices, sizeof(void *) * 8);
	fflush(stdout);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	for (int p = 0; p < procs; p++)
		if (fork() == 0)
			process_main(p);
	for (int p = 0; p < procs; p++) {
		int stt;

		wait(&stt);
		if (!WIFEXITED(stt) || WEXITSTATUS(stt)) {
			printf("edudma-fuzz: a process ended with status 0x%x\n", stt);
			bad = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%-11s %10s  results (errno: count)\n", "call", "calls");
	for (int op = 0; op < OP_N; op++) {
		uint64_t n = 0;

		for (int e = 0; e < NERR; e++)
			n += sh->hist[op][e];
		total += n;
		printf("%-11s %10" PRIu64 " ", op_names[op], n);
		for (int e = 0; e < NERR; e++)
			if (sh->hist[op][e])
				printf(" %s:%" PRIu64, e ? strerrorname_np(e) ? strerrorname_np(e) : "?" : "ok",
				       sh->hist[op][e]);
		printf("\n");
	}
	printf("edudma-fuzz: %" PRIu64 " calls in %.1f s (%.0f calls/s); ok: %" PRIu64 " alloc, %" PRIu64
	       " mmap, %" PRIu64 " xfer\n", total,
	       ((uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec - t0) / 1e9,
	       total / (((uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec - t0) / 1e9),
	       sh->hist[OP_ALLOC][0], sh->hist[OP_MMAP][0], sh->hist[OP_XFER][0]);
	if (sh->dmabuf_map_failures) {
		printf("edudma-fuzz: %" PRIu64 " exported dma-bufs could not be mapped\n",
		       sh->dmabuf_map_failures);
		bad = 1;
	}
	if (sh->hist[OP_LIVE][EBADMSG]) {
		printf("edudma-fuzz: liveness answered wrong\n");
		bad = 1;
	}
	if (sh->hist[OP_ALLOC][0] < min_allocs || sh->hist[OP_MMAP][0] < min_mmaps ||
	    sh->hist[OP_XFER][0] < min_xfers) {
		printf("edudma-fuzz: fewer successes than asked for\n");
		bad = 1;
	}
	printf("edudma-fuzz: %" PRIu64 " transfers checked for other processes' bytes\n",
	       sh->checked_xfers);
	if (sh->foreign_bytes) {
		printf("edudma-fuzz: %" PRIu64 " bytes of another process read back\n",
		       sh->foreign_bytes);
		bad = 1;
	}
	if (sh->left_pinned) {
		printf("edudma-fuzz: %" PRIu64 " processes left pages pinned\n", sh->left_pinned);
		bad = 1;
	}
	if (sh->lost_pages) {
		printf("edudma-fuzz: %" PRIu64 " mappings lost their data\n", sh->lost_pages);
		bad = 1;
	}
	/* everything was closed: nothing may be left, on any device */
	for (int d = 0; d < devices; d++) {
		char node[32];

		snprintf(node, sizeof(node), "/dev/edudma%d", d);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0 || io(fd, EDUDMA_IOC_STATS, &st) || st.buffers[0] || st.bytes[0]) {
			printf("edudma-fuzz: buffers left behind on %s\n", node);
			bad = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (unload && !bad && reload_module()) {
		printf("edudma-fuzz: the module did not unload and load again\n");
		bad = 1;
	}
	if (tap) {
		FILE *f = fopen(tap, "w");

		if (f) {
			fprintf(f, "TAP version 13\n1..1\n%s 1 - fuzz::seed_%" PRIu64 "\n",
				bad ? "not ok" : "ok", seed);
			fclose(f);
		}
	}
	printf("edudma-fuzz: %s (replay: --seed %" PRIu64 " --procs %d --threads %d)\n",
	       bad ? "FAILED" : "passed", seed, procs, threads);
	return bad;
}
