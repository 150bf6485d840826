// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * EDUDMA_URING_CMD_XFER through io_uring (liburing) against the real DMA
 * engine: data, order, errnos, the per-file limit, and what happens to
 * transfers in flight when their ring, task or file goes away. Runs under
 * qemu/run --fast-clock: a DMA command is 100 ms of guest time, and idle
 * time warps, so "in flight" is deterministic in guest time.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define W lab_window()
#define KiB 1024ULL
#define MiB (1ULL << 20)
#define RING_FLAGS (IORING_SETUP_SQE128 | IORING_SETUP_CQE32)

TestSuite(xfer_uring, .init = lab_init, .timeout = 600);

static void ring_init(struct io_uring *ring, unsigned int entries, unsigned int flags)
{
	int ret = io_uring_queue_init(entries, ring, flags);

	cr_assert_eq(ret, 0, "io_uring_queue_init: %s", strerror(-ret));
}

/* queue one EDUDMA_URING_CMD_XFER (not yet submitted) */
static void queue_xfer(struct io_uring *ring, struct edudma *e, const struct edudma_xfer *x,
		       uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	cr_assert_not_null(sqe, "the SQ ring is full");
	cr_assert_eq(edudma_uring_prep_xfer(e, sqe, x), 0);
	io_uring_sqe_set_data64(sqe, user_data);
}

static void submit_all(struct io_uring *ring, int n)
{
	int ret = io_uring_submit(ring);

	cr_assert_eq(ret, n, "io_uring_submit: %d, not %d", ret, n);
}

/* the next CQE: its user_data and res, consumed */
static int reap(struct io_uring *ring, uint64_t *user_data, uint64_t *device_ns)
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe(ring, &cqe);

	cr_assert_eq(ret, 0, "io_uring_wait_cqe: %s", strerror(-ret));
	if (user_data)
		*user_data = cqe->user_data;
	if (device_ns)
		*device_ns = cqe->big_cqe[0];
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* one transfer through a fresh ring: its cqe->res */
static int uring_one(struct edudma *e, const struct edudma_xfer *x, unsigned int ring_flags)
{
	struct io_uring ring;
	int res;

	ring_init(&ring, 4, ring_flags);
	queue_xfer(&ring, e, x, 7);
	submit_all(&ring, 1);
	res = reap(&ring, NULL, NULL);
	io_uring_queue_exit(&ring);
	return res;
}

static struct edudma *open_dev(void)
{
	struct edudma *e = NULL;

	cr_assert_eq(edudma_open("0", &e), 0);
	return e;
}

static struct edudma_buf *alloc(struct edudma *e, uint64_t size, uint32_t kind, uint8_t **p)
{
	struct edudma_buf *b = NULL;

	cr_assert_eq(edudma_buf_alloc(e, size, kind, &b), 0);
	cr_assert_eq(edudma_buf_mmap(b, (void **)p), 0);
	return b;
}

static struct edudma_stats stats(struct edudma *e)
{
	struct edudma_stats st;

	cr_assert_eq(edudma_get_stats(e, &st, sizeof(st)), 0);
	return st;
}

/* threads of this process: io_uring's io-wq workers would show here */
static int nr_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static struct edudma_xfer copy_of(struct edudma_buf *src, uint64_t so, struct edudma_buf *dst,
				  uint64_t doff, uint64_t len)
{
	return (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = edudma_buf_handle(src),
				     .dst_handle = edudma_buf_handle(dst), .src_offset = so,
				     .dst_offset = doff, .length = len };
}

static struct edudma_xfer to_device_of(struct edudma_buf *src, uint64_t len)
{
	return (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE,
				     .src_handle = edudma_buf_handle(src), .length = len };
}

Test(xfer_uring, reports_the_capability)
{
	struct edudma *e = open_dev();
	struct edudma_info info;

	cr_assert_eq(edudma_get_info(e, &info), 0);
	cr_assert(info.caps & EDUDMA_CAP_URING);
	edudma_close(e);
}

/* a COPY through io_uring moves the data and takes the commands the ioctl takes */
Test(xfer_uring, copy_matches_the_ioctl)
{
	struct edudma *e = open_dev();
	uint8_t *s, *d;
	struct edudma_buf *src = alloc(e, 64 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_buf *dst = alloc(e, 64 * KiB, EDUDMA_BUF_VMALLOC_SG, &d);
	struct edudma_xfer x = copy_of(src, 3, dst, 5, 40 * KiB), ref = x;
	struct io_uring_cqe cqe_copy;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	lab_fill(s + 3, 40 * KiB, 11);
	cr_assert_eq(edudma_submit(e, &ref), 0);
	memset(d, 0, 64 * KiB);
	ring_init(&ring, 4, RING_FLAGS);
	queue_xfer(&ring, e, &x, 42);
	submit_all(&ring, 1);
	cr_assert_eq(io_uring_wait_cqe(&ring, &cqe), 0);
	cqe_copy = *cqe;
	cr_assert_eq(cqe->user_data, 42);
	cr_assert_eq(edudma_uring_result(cqe, 1, &x), 0, "res %d", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	cr_assert_eq(x.commands, ref.commands, "uring %llu commands, ioctl %llu",
		     (unsigned long long)x.commands, (unsigned long long)ref.commands);
	cr_assert_eq((uint64_t)cqe_copy.res, ref.commands);
	/* 100 ms of guest time per command, the first start to the last completion */
	cr_assert_geq(x.device_ns, (x.commands - 1) * 90000000ULL);
	cr_assert_eq(lab_check(d + 5, 40 * KiB, 11), 40 * KiB, "destination differs");
	cr_assert_eq(lab_check_zero(d, 5), 5);
	cr_assert_eq(lab_check_zero(d + 5 + 40 * KiB, 64 * KiB - 5 - 40 * KiB),
		     64 * KiB - 5 - 40 * KiB);
	io_uring_queue_exit(&ring);
	edudma_buf_free(src);
	edudma_buf_free(dst);
	edudma_close(e);
}

/*
 * 256 transfers in flight from one ring: their CQEs come in submission order
 * (one engine, one file), each with its own data, and no thread was made
 */
Test(xfer_uring, many_in_flight_in_order)
{
	enum { N = 256, LEN = 3000 };
	struct edudma *e = open_dev();
	uint8_t *s, *d;
	struct edudma_buf *src = alloc(e, N * 4 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_buf *dst = alloc(e, N * 4 * KiB, EDUDMA_BUF_PAGES, &d);
	struct edudma_stats st0 = stats(e), st1;
	struct io_uring ring;
	int threads = nr_threads();

	for (int i = 0; i < N; i++)
		lab_fill(s + i * 4 * KiB, LEN, 1000 + i);
	ring_init(&ring, N, RING_FLAGS);
	for (int i = 0; i < N; i++) {
		struct edudma_xfer x = copy_of(src, i * 4 * KiB, dst, i * 4 * KiB, LEN);

		queue_xfer(&ring, e, &x, 1000 + i);
	}
	submit_all(&ring, N);
	/* 256 x 2 commands = 51 s of guest time: nearly all still queued */
	st1 = stats(e);
	cr_assert_lt(st1.xfers - st0.xfers, N / 2, "%llu of %d finished already",
		     (unsigned long long)(st1.xfers - st0.xfers), N);
	cr_assert_eq(nr_threads(), threads, "io_uring made a thread for the transfers");
	for (int i = 0; i < N; i++) {
		uint64_t ud;
		int res = reap(&ring, &ud, NULL);

		cr_assert_eq(ud, 1000 + (uint64_t)i, "CQE %d is transfer %llu", i,
			     (unsigned long long)ud);
		cr_assert_eq(res, 2, "transfer %d: res %d", i, res);
		cr_assert_eq(lab_check(d + i * 4 * KiB, LEN, 1000 + i), LEN, "transfer %d data", i);
	}
	cr_assert_eq(nr_threads(), threads);
	io_uring_queue_exit(&ring);
	edudma_buf_free(src);
	edudma_buf_free(dst);
	edudma_close(e);
}

/* each bad field gets the ioctl's errno, in cqe->res */
Test(xfer_uring, errors_match_the_ioctl)
{
	struct edudma *e = open_dev();
	uint8_t *s, *d;
	struct edudma_buf *src = alloc(e, 8 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_buf *dst = alloc(e, 8 * KiB, EDUDMA_BUF_PAGES, &d);
	struct edudma_buf *ro = NULL;
	void *mem = mmap(NULL, 8 * KiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct edudma_xfer ok = copy_of(src, 0, dst, 0, 100);
	struct {
		const char *what;
		struct edudma_xfer x;
		int err;
	} cases[] = {
		{ "op 0", ok, EINVAL },
		{ "op 4", ok, EINVAL },
		{ "length 0", ok, EINVAL },
		{ "ASYNC", ok, EINVAL },
		{ "pad", ok, EINVAL },
		{ "unknown flag", ok, EINVAL },
		{ "no such source", ok, ENOENT },
		{ "no such destination", ok, ENOENT },
		{ "past the end", ok, EINVAL },
		{ "overlap", ok, EINVAL },
		{ "read-only destination", ok, EACCES },
	};

	cr_assert_neq(mem, MAP_FAILED);
	cr_assert_eq(edudma_buf_register(e, mem, 8 * KiB, EDUDMA_REGISTER_READONLY, &ro), 0);
	cases[0].x.op = 0;
	cases[1].x.op = 4;
	cases[2].x.length = 0;
	cases[3].x.flags = EDUDMA_XFER_ASYNC;
	cases[4].x.pad = 1;
	cases[5].x.flags = 1u << 7;
	cases[6].x.src_handle = 0x7fff;
	cases[7].x.dst_handle = 0x7fff;
	cases[8].x.dst_offset = 8 * KiB - 99;
	cases[9].x.dst_handle = cases[9].x.src_handle;
	cases[9].x.dst_offset = 50;
	cases[10].x.dst_handle = edudma_buf_handle(ro);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct edudma_xfer io = cases[i].x;
		int res = uring_one(e, &cases[i].x, RING_FLAGS);

		cr_expect_eq(res, -cases[i].err, "%s: res %d (%s), not -%s", cases[i].what, res,
			     strerror(-res), strerrorname_np(cases[i].err));
		/* the ioctl, blocking (ASYNC is the ioctl's to take) */
		if (i != 3)
			cr_expect_eq(edudma_submit(e, &io), -cases[i].err, "%s: the ioctl", cases[i].what);
	}
	/* a ring of 64-byte SQEs cannot carry the command */
	cr_assert_eq(uring_one(e, &ok, IORING_SETUP_CQE32), -EINVAL);
	/* without CQE32 the transfer runs; res is still its command count */
	cr_assert_eq(uring_one(e, &ok, IORING_SETUP_SQE128), 2);
	edudma_buf_free(ro);
	munmap(mem, 8 * KiB);
	edudma_buf_free(src);
	edudma_buf_free(dst);
	edudma_close(e);
}

/*
 * timeout_ms is the transfer's deadline, as it is for the ioctl: a transfer
 * still unfinished that long after it was queued ends with -ETIMEDOUT, at
 * its next chunk boundary if it is running, at once if it is still queued;
 * the rest of the ring's transfers are not disturbed
 */
Test(xfer_uring, timeout_ends_the_transfer)
{
	struct edudma *e = open_dev();
	uint8_t *s, *d;
	struct edudma_buf *src = alloc(e, 64 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_buf *dst = alloc(e, 64 * KiB, EDUDMA_BUF_PAGES, &d);
	struct edudma_xfer x = to_device_of(src, 64 * KiB);
	struct edudma_stats st0 = stats(e), st1;
	struct edudma_info info;
	struct io_uring ring;
	uint64_t ud, ns;
	int res;

	cr_assert_eq(edudma_get_info(e, &info), 0);
	cr_assert(info.caps & EDUDMA_CAP_XFER_TIMEOUT);
	lab_fill(s, 3 * W, 23);
	memset(d, 0, 64 * KiB);
	ring_init(&ring, 8, RING_FLAGS);
	/* 17 commands, 1.7 s of guest time: the deadline comes after about 4 */
	x.timeout_ms = 350;
	queue_xfer(&ring, e, &x, 1);
	/* behind it, then: 100 ms is over before it could start */
	x = copy_of(src, 0, dst, 0, W);
	x.timeout_ms = 100;
	queue_xfer(&ring, e, &x, 2);
	/* time enough: it runs once the first one ends */
	x = copy_of(src, 0, dst, 0, 3 * W);
	x.timeout_ms = 60000;
	queue_xfer(&ring, e, &x, 3);
	submit_all(&ring, 3);
	res = reap(&ring, &ud, &ns);
	cr_assert_eq(ud, 2, "first CQE: transfer %llu (res %d)", (unsigned long long)ud, res);
	cr_assert_eq(res, -ETIMEDOUT, "queued past its deadline: res %d", res);
	cr_assert_eq(ns, 0, "it never ran, yet took %llu ns", (unsigned long long)ns);
	res = reap(&ring, &ud, &ns);
	cr_assert_eq(ud, 1);
	cr_assert_eq(res, -ETIMEDOUT, "running past its deadline: res %d", res);
	cr_assert_lt(ns, 1000000000ULL, "it ran on for %llu ns", (unsigned long long)ns);
	res = reap(&ring, &ud, NULL);
	cr_assert_eq(ud, 3);
	cr_assert_geq(res, 6, "res %d", res);
	cr_assert_eq(lab_check(d, 3 * W, 23), 3 * W, "destination differs");
	cr_assert_eq(lab_check_zero(d + 3 * W, 64 * KiB - 3 * W), 64 * KiB - 3 * W);
	st1 = stats(e);
	cr_assert_eq(st1.xfer_errors, st0.xfer_errors + 2);
	cr_assert_eq(st1.xfers, st0.xfers + 3);
	io_uring_queue_exit(&ring);
	edudma_buf_free(src);
	edudma_buf_free(dst);
	edudma_close(e);
}

Test(xfer_uring, unknown_command_is_enotty)
{
	struct edudma *e = open_dev();
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE };
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	ring_init(&ring, 4, RING_FLAGS);
	sqe = io_uring_get_sqe(&ring);
	cr_assert_eq(edudma_uring_prep_xfer(e, sqe, &x), 0);
	sqe->cmd_op = EDUDMA_URING_CMD_XFER + 1;
	submit_all(&ring, 1);
	cr_assert_eq(reap(&ring, NULL, NULL), -ENOTTY);
	io_uring_queue_exit(&ring);
	edudma_close(e);
}

/* io_uring's transfers count against the per-file limit with the ioctl's */
Test(xfer_uring, shares_the_per_file_limit)
{
	struct edudma *e = open_dev();
	uint8_t *s;
	struct edudma_buf *src = alloc(e, 4 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_xfer x = to_device_of(src, 64);
	struct edudma_wait w;
	int n, ret;

	/* async ioctl transfers count until reaped, finished or not */
	for (n = 0;; n++) {
		struct edudma_xfer a = x;

		a.flags = EDUDMA_XFER_ASYNC;
		ret = edudma_submit(e, &a);
		if (ret)
			break;
	}
	cr_assert_eq(ret, -EAGAIN, "after %d: %s", n, strerror(-ret));
	cr_assert_eq(n, 1024);
	cr_assert_eq(uring_one(e, &x, RING_FLAGS), -EAGAIN);
	/* one reaped: room for one */
	cr_assert_eq(edudma_reap(e, 0, EDUDMA_WAIT_FOREVER, &w), 0);
	cr_assert_eq(w.status, 0);
	cr_assert_eq(uring_one(e, &x, RING_FLAGS), 1);
	/* closing the file cancels the rest */
	edudma_buf_free(src);
	edudma_close(e);
}

/* EDUDMA_IOC_WAIT reaps only the ioctl's async transfers, never a uring one */
Test(xfer_uring, wait_never_reaps_a_uring_transfer)
{
	struct edudma *e = open_dev();
	uint8_t *s;
	struct edudma_buf *src = alloc(e, 4 * KiB, EDUDMA_BUF_PAGES, &s);
	struct edudma_xfer x = to_device_of(src, 64);
	struct io_uring ring;
	struct edudma_wait w;

	ring_init(&ring, 4, RING_FLAGS);
	queue_xfer(&ring, e, &x, 1);
	submit_all(&ring, 1);
	cr_assert_eq(edudma_reap(e, 0, 0, &w), -ENOENT);
	cr_assert_eq(edudma_reap(e, 1, 0, &w), -ENOENT);
	cr_assert_eq(reap(&ring, NULL, NULL), 1);
	io_uring_queue_exit(&ring);
	edudma_buf_free(src);
	edudma_close(e);
}

/* wait (in guest time) until @n transfers more than @st0 have finished */
static struct edudma_stats wait_finished(struct edudma *e, const struct edudma_stats *st0,
					 uint64_t n)
{
	struct edudma_stats st;

	for (int i = 0; i < 6000; i++) {
		st = stats(e);
		if (st.xfers - st0->xfers >= n)
			return st;
		usleep(100000);
	}
	cr_assert_fail("%llu of %llu transfers finished", (unsigned long long)(st.xfers - st0->xfers),
		       (unsigned long long)n);
	return st;
}

/*
 * The ring goes away with transfers in flight: each ends (cancelled where
 * the kernel lets the driver cancel: EDUDMA_CAP_URING_CANCEL, else run to
 * its end), nothing stays pinned or queued, and the buffers go with the file.
 */
static void ring_goes_away(bool by_exit)
{
	enum { N = 32 };
	struct edudma *e = open_dev();
	struct edudma_stats st0 = stats(e), st;
	/* io_uring hands commands back for cancelling from 6.7 on */
	bool cancels = lab_kernel_at_least(6, 7);
	struct edudma_info info;

	cr_assert_eq(edudma_get_info(e, &info), 0);
	cr_assert_eq(!!(info.caps & EDUDMA_CAP_URING_CANCEL), cancels);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid) {
		struct edudma *c = NULL;
		struct edudma_buf *src = NULL;
		struct io_uring ring;

		if (edudma_open("0", &c) || edudma_buf_alloc(c, 64 * KiB, EDUDMA_BUF_PAGES, &src) ||
		    io_uring_queue_init(N, &ring, RING_FLAGS))
			_exit(2);
		for (int i = 0; i < N; i++) {
			struct edudma_xfer x = to_device_of(src, 64 * KiB);
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe || edudma_uring_prep_xfer(c, sqe, &x))
				_exit(3);
		}
		if (io_uring_submit(&ring) != N)
			_exit(4);
		if (!by_exit)
			io_uring_queue_exit(&ring);
		/* 32 x 17 commands: 54 s of guest time, most of it still queued */
		_exit(0);
	}
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	st = wait_finished(e, &st0, N);
	cr_assert_eq(st.xfers - st0.xfers, N);
	if (cancels)
		cr_assert_geq(st.xfer_errors - st0.xfer_errors, N / 2,
			      "%llu of %d cancelled", (unsigned long long)(st.xfer_errors - st0.xfer_errors), N);
	else
		cr_assert_eq(st.xfer_errors - st0.xfer_errors, 0);
	/* the child's file, and its buffer, went once the last transfer ended */
	for (int i = 0; i < 100 && stats(e).buffers[0] != st0.buffers[0]; i++)
		usleep(100000);
	cr_assert_eq(stats(e).buffers[0], st0.buffers[0]);
	edudma_close(e);
}

Test(xfer_uring, ring_closed_mid_transfer)
{
	ring_goes_away(false);
}

Test(xfer_uring, task_exits_mid_transfer)
{
	ring_goes_away(true);
}

/* one SQE by hand, on a plain fd: what edudma_uring_prep_xfer() does */
static void queue_raw(struct io_uring *ring, int fd, const struct edudma_xfer *x, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	cr_assert_not_null(sqe);
	memset(sqe, 0, 128);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = EDUDMA_URING_CMD_XFER;
	memcpy(sqe->cmd, x, sizeof(*x));
	sqe->user_data = ud;
}

/* the device file closed with transfers in flight: they finish, data intact */
Test(xfer_uring, file_closed_mid_transfer)
{
	enum { N = 16, LEN = 8 * KiB };
	struct lab_buf src, dst;
	struct io_uring ring;
	int fd = lab_open(0);

	lab_buf_alloc(fd, N * LEN, EDUDMA_BUF_PAGES, &src);
	lab_buf_alloc(fd, N * LEN, EDUDMA_BUF_PAGES, &dst);
	lab_fill(src.p, N * LEN, 77);
	ring_init(&ring, N, RING_FLAGS);
	for (int i = 0; i < N; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .src_handle = src.a.handle,
					 .dst_handle = dst.a.handle, .src_offset = i * LEN,
					 .dst_offset = i * LEN, .length = LEN };

		queue_raw(&ring, fd, &x, i);
	}
	submit_all(&ring, N);
	/* the mappings and io_uring's requests hold the file */
	cr_assert_eq(close(fd), 0);
	for (int i = 0; i < N; i++) {
		uint64_t ud;

		cr_assert_gt(reap(&ring, &ud, NULL), 0);
		cr_assert_eq(ud, (uint64_t)i);
	}
	cr_assert_eq(lab_check(dst.p, N * LEN, 77), N * LEN);
	io_uring_queue_exit(&ring);
	munmap(src.p, src.a.size);
	munmap(dst.p, dst.a.size);
}

/* edudma bench --uring: both paths side by side, io_uring with fewer syscalls */
Test(xfer_uring, bench_compares_with_the_ioctl)
{
	int rc;
	struct json_object *o = lab_cli_json("--json bench --size 4096 --kind coherent --uring", &rc);

	cr_assert_eq(rc, 0);
	cr_assert_eq(json_object_get_int64(lab_json(o, "uring.transfers")), 1000);
	cr_assert_eq(json_object_get_double(lab_json(o, "uring.ioctl_wait.syscalls_per_xfer")), 2.0);
	double us = json_object_get_double(lab_json(o, "uring.uring.syscalls_per_xfer"));

	cr_assert(us > 0 && us <= 1.0, "io_uring: %.3f syscalls per transfer", us);
	cr_assert_gt(json_object_get_double(lab_json(o, "uring.ioctl_wait.cpu_us_per_xfer")), 0);
	cr_assert_gt(json_object_get_double(lab_json(o, "uring.uring.cpu_us_per_xfer")), 0);
	cr_assert_gt(json_object_get_double(lab_json(o, "uring.cpu_uring_vs_ioctl")), 0);
	cr_assert(lab_json_has(o, "uring.guest_busy_uring_vs_ioctl"));
	json_object_put(o);
}
