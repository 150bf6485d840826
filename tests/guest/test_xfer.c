// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * EDUDMA_IOC_XFER / WAIT / poll against the real DMA engine. DMA-heavy:
 * run under qemu/run --fast-clock (each command is 100 ms of guest time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#include <criterion/parameterized.h>

/* bytes per DMA command on this lab's device */
#define W lab_window()
#define MiB (1ULL << 20)

static int xfer(int fd, uint32_t op, struct lab_buf *src, uint64_t so, struct lab_buf *dst, uint64_t doff,
		uint64_t len, struct edudma_xfer *out)
{
	struct edudma_xfer x = { .op = op, .length = len };

	if (src) {
		x.src_handle = src->a.handle;
		x.src_offset = so;
	}
	if (dst) {
		x.dst_handle = dst->a.handle;
		x.dst_offset = doff;
	}
	int ret = lab_ioctl(fd, EDUDMA_IOC_XFER, &x);

	if (out)
		*out = x;
	return ret;
}

static uint64_t stat_of(int fd, size_t off)
{
	struct edudma_stats st;

	lab_stats(fd, &st);
	return *(uint64_t *)((char *)&st + off);
}

#define STAT(fd, f) stat_of(fd, offsetof(struct edudma_stats, f))

TestSuite(xfer, .init = lab_init, .timeout = 600);

struct copy_case {
	uint32_t skind, dkind;
	uint64_t off, len;
};

ParameterizedTestParameters(xfer, copy_integrity)
{
	static struct copy_case cases[64];
	static const uint64_t offs[] = { 0, 1, 4095, 4096 };
	static const uint64_t lens[] = { 1, 4095, 4096, 4097 };
	static const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES,
					  EDUDMA_BUF_VMALLOC_SG };
	size_t n = 0;

	for (size_t o = 0; o < 4; o++)
		for (size_t l = 0; l < 4; l++)
			cases[n++] = (struct copy_case){ kinds[(o + l) % 3], kinds[(o + 2 * l + 1) % 3],
							 offs[o], lens[l] };
	/* 1 MiB, each kind into itself and across kinds */
	for (size_t k = 0; k < 3; k++) {
		cases[n++] = (struct copy_case){ kinds[k], kinds[k], 0, MiB };
		cases[n++] = (struct copy_case){ kinds[k], kinds[(k + 1) % 3], 4095, MiB };
	}
	return cr_make_param_array(struct copy_case, cases, n);
}

/* COPY, the destination compared in full: the range and what surrounds it */
ParameterizedTest(struct copy_case *c, xfer, copy_integrity)
{
	uint64_t size = c->off + c->len + 8192, chunks = (c->len + W - 1) / W;
	struct edudma_xfer x;
	struct lab_buf s, d;
	int fd = lab_open(0);

	lab_buf_alloc(fd, size, c->skind, &s);
	lab_buf_alloc(fd, size, c->dkind, &d);
	lab_fill(s.p, size, c->len);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_COPY, &s, c->off, &d, c->off + 3, c->len, &x), 0);
	cr_assert_eq(memcmp(d.p + c->off + 3, s.p + c->off, c->len), 0, "copied data differ");
	cr_assert_eq(lab_check_zero(d.p, c->off + 3), c->off + 3, "written before the range");
	cr_assert_eq(lab_check_zero(d.p + c->off + 3 + c->len, size - c->off - 3 - c->len),
		     size - c->off - 3 - c->len, "written after the range");
	/* at least the minimum, at most one split per page of each side */
	cr_assert_geq(x.commands, 2 * chunks);
	cr_assert_leq(x.commands, 2 * (chunks + 2 * (c->len / 4096 + 2)));
	if (c->skind == EDUDMA_BUF_COHERENT && c->dkind == EDUDMA_BUF_COHERENT)
		cr_assert_eq(x.commands, 2 * chunks, "coherent: one chunk per window");
	cr_assert_geq(x.device_ns, x.commands * 90000000ULL, "faster than the device allows?");
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
}

Test(xfer, to_and_from_device_chunk_by_chunk)
{
	static const uint64_t offs[] = { 0, 1, 4096, 8191 };
	static const uint64_t lens[] = { 1, 100, 4095 };
	const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };
	int fd = lab_open(0);

	for (size_t k = 0; k < 3; k++) {
		struct lab_buf s, d;

		lab_buf_alloc(fd, 4 * 4096, kinds[k], &s);
		lab_buf_alloc(fd, 4 * 4096, kinds[(k + 1) % 3], &d);
		lab_fill(s.p, s.a.size, k);
		for (size_t o = 0; o < 4; o++) {
			for (size_t l = 0; l < 3; l++) {
				/* within one page: one command, the window holds all of it */
				uint64_t off = offs[o], len = lens[l];
				struct edudma_xfer x;

				if (off % 4096 + len > 4096)
					continue;
				memset(d.p, 0, d.a.size);
				cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, off, NULL, 0, len, &x), 0);
				cr_assert_eq(x.commands, 1);
				cr_assert_eq(xfer(fd, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &d, 4096 - len, len,
						  &x), 0);
				cr_assert_eq(x.commands, 1);
				cr_assert_eq(memcmp(d.p + 4096 - len, s.p + off, len), 0,
					     "kind %zu off %llu len %llu", k, (unsigned long long)off,
					     (unsigned long long)len);
			}
		}
		lab_buf_free(fd, &s);
		lab_buf_free(fd, &d);
	}
	close(fd);
}

Test(xfer, long_to_device_leaves_the_last_chunk_in_the_window)
{
	const uint64_t len = 10 * W + 123;
	struct edudma_xfer x;
	struct lab_buf s, d;
	int fd = lab_open(0);

	lab_buf_alloc(fd, len, EDUDMA_BUF_COHERENT, &s);
	lab_buf_alloc(fd, 2 * W, EDUDMA_BUF_COHERENT, &d);
	lab_fill(s.p, len, 5);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, len, &x), 0);
	cr_assert_eq(x.commands, 11);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &d, 0, 123, &x), 0);
	cr_assert_eq(memcmp(d.p, s.p + 10 * W, 123), 0);
	/* a long FROM_DEVICE repeats the window */
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, W, &x), 0);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &d, 0, 2 * W, &x), 0);
	cr_assert_eq(x.commands, 2);
	cr_assert_eq(memcmp(d.p, s.p, W), 0);
	cr_assert_eq(memcmp(d.p + W, s.p, W), 0);
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
}

Test(xfer, window_never_shows_another_files_data)
{
	int a = lab_open(0), b = lab_open(0);
	uint64_t scrubs = STAT(a, scrubs);
	struct lab_buf sa, da, db;

	lab_buf_alloc(a, W, EDUDMA_BUF_COHERENT, &sa);
	lab_buf_alloc(a, W, EDUDMA_BUF_COHERENT, &da);
	lab_buf_alloc(b, W, EDUDMA_BUF_COHERENT, &db);
	memset(sa.p, 0xa5, W);
	memset(db.p, 0x11, W);
	cr_assert_eq(xfer(a, EDUDMA_XFER_TO_DEVICE, &sa, 0, NULL, 0, W, NULL), 0);
	/* b reads: zeroes, not a's secret */
	cr_assert_eq(xfer(b, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &db, 0, W, NULL), 0);
	cr_assert_eq(lab_check_zero(db.p, W), W, "another file's data leaked");
	cr_assert_eq(STAT(a, scrubs), scrubs + 1);
	/* a's own data stays readable to a until someone else writes */
	cr_assert_eq(xfer(a, EDUDMA_XFER_TO_DEVICE, &sa, 0, NULL, 0, W, NULL), 0);
	cr_assert_eq(xfer(a, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &da, 0, W, NULL), 0);
	cr_assert_eq(memcmp(da.p, sa.p, W), 0);
	lab_buf_free(a, &sa);
	lab_buf_free(a, &da);
	lab_buf_free(b, &db);
	close(a);
	close(b);
}

Test(xfer, async_64_outstanding_with_poll_and_wait)
{
	enum { N = 64, L = 512 };
	struct lab_buf s, d;
	struct edudma_wait w;
	int fd = lab_open(0);
	uint64_t seqs[N];
	int seen[N + 1] = { 0 };

	lab_buf_alloc(fd, N * L, EDUDMA_BUF_PAGES, &s);
	lab_buf_alloc(fd, N * L, EDUDMA_BUF_VMALLOC_SG, &d);
	lab_fill(s.p, N * L, 9);
	for (int i = 0; i < N; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .flags = EDUDMA_XFER_ASYNC,
					 .src_handle = s.a.handle, .dst_handle = d.a.handle,
					 .src_offset = i * L, .dst_offset = i * L, .length = L };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
		seqs[i] = x.seq;
		cr_assert_eq(x.commands, 0);
		if (i)
			cr_assert_eq(seqs[i], seqs[i - 1] + 1);
	}
	memset(&w, 0, sizeof(w));
	w.seq = seqs[N - 1];
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -EAGAIN, "the last cannot be done yet");
	/* poll says when one is ready */
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		cr_assert_eq(poll(&p, 1, 60000), 1);
		cr_assert_eq(p.revents, POLLIN);
	}
	/* one by sequence number, the rest as they come */
	memset(&w, 0, sizeof(w));
	w.seq = seqs[10];
	w.timeout_ms = EDUDMA_WAIT_FOREVER;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.done_seq, seqs[10]);
	cr_assert_eq(w.status, 0);
	seen[10] = 1;
	for (int i = 1; i < N; i++) {
		memset(&w, 0, sizeof(w));
		w.timeout_ms = 60000;
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
		cr_assert_eq(w.status, 0);
		cr_assert_eq(w.length, L);
		cr_assert_eq(w.commands, 2);
		cr_assert_geq(w.done_seq, seqs[0]);
		cr_assert_leq(w.done_seq, seqs[N - 1]);
		cr_assert_eq(seen[w.done_seq - seqs[0]]++, 0, "seq %llu twice",
			     (unsigned long long)w.done_seq);
	}
	cr_assert_eq(memcmp(s.p, d.p, N * L), 0);
	memset(&w, 0, sizeof(w));
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -ENOENT, "nothing outstanding");
	w.seq = seqs[3];
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -ENOENT, "reaped already");
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
}

static void *copy_on(void *arg)
{
	int dev = (int)(intptr_t)arg, fd = lab_open(dev);
	struct lab_buf s, d;
	uintptr_t bad;

	lab_buf_alloc(fd, 64 * 1024, EDUDMA_BUF_PAGES, &s);
	lab_buf_alloc(fd, 64 * 1024, EDUDMA_BUF_COHERENT, &d);
	lab_fill(s.p, s.a.size, dev);
	bad = xfer(fd, EDUDMA_XFER_COPY, &s, 0, &d, 0, s.a.size, NULL) != 0;
	bad += memcmp(s.p, d.p, s.a.size) != 0;
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
	return (void *)bad;
}

Test(xfer, two_devices_busy_at_once)
{
	pthread_t t[2];
	void *bad;

	cr_assert_geq(lab_edu_count(), 2, "the lab runs this suite with --edu 2");
	for (intptr_t i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, copy_on, (void *)i), 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pthread_join(t[i], &bad), 0);
		cr_assert_eq((uintptr_t)bad, 0, "device %d", i);
	}
}

Test(xfer, bad_input)
{
	struct lab_buf s, d;
	int fd = lab_open(0), other = lab_open(0);
	struct edudma_xfer x, ok;
	struct edudma_wait w;

	lab_buf_alloc(fd, 8192, EDUDMA_BUF_PAGES, &s);
	lab_buf_alloc(fd, 8192, EDUDMA_BUF_PAGES, &d);
	ok = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = s.a.handle,
				   .dst_handle = d.a.handle, .length = 16 };
#define BAD(field, value, err) do { x = ok; x.field = value; \
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), err, #field " = " #value); } while (0)
	BAD(op, 0, -EINVAL);
	BAD(op, 4, -EINVAL);
	BAD(flags, 2, -EINVAL);
	BAD(pad, 1, -EINVAL);
	BAD(length, 0, -EINVAL);
	BAD(src_handle, 0, -EINVAL);
	BAD(dst_handle, 0, -EINVAL);
	BAD(src_handle, 999999, -ENOENT);
	BAD(dst_handle, 999999, -ENOENT);
	BAD(src_offset, 8192, -EINVAL);
	BAD(src_offset, 8192 - 15, -EINVAL);
	BAD(dst_offset, UINT64_MAX, -EINVAL);
	BAD(length, 8193, -EINVAL);
	BAD(length, UINT64_MAX, -EINVAL);
	BAD(dst_handle, s.a.handle, -EINVAL);	/* same buffer, overlapping */
	x = ok;
	x.op = EDUDMA_XFER_TO_DEVICE;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -EINVAL, "TO_DEVICE with a destination");
	x.dst_handle = 0;
	x.dst_offset = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -EINVAL, "TO_DEVICE with a dst offset");
	x = ok;
	x.op = EDUDMA_XFER_FROM_DEVICE;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -EINVAL, "FROM_DEVICE with a source");
	cr_assert_eq(lab_ioctl(other, EDUDMA_IOC_XFER, &ok), -ENOENT, "another file's handles");
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, NULL), -EFAULT);
	/* non-overlapping ranges of one buffer are fine */
	x = ok;
	x.dst_handle = s.a.handle;
	x.dst_offset = 16;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	memset(&w, 0, sizeof(w));
	w.flags = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -EINVAL);
	w.flags = 0;
	w.pad = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -EINVAL);
	w.pad = 0;
	w.seq = 12345;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -ENOENT);
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
	close(other);
}

Test(xfer, too_many_outstanding_is_eagain)
{
	struct lab_buf s;
	int fd = lab_open(0), i;
	struct edudma_xfer x;

	lab_buf_alloc(fd, 4096, EDUDMA_BUF_PAGES, &s);
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
				  .src_handle = s.a.handle, .length = 1 };
	for (i = 0; i < 1024; i++)
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0, "submit %d", i);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -EAGAIN);
	/* close cancels what is queued: it must not take 1024 commands */
	lab_buf_free(fd, &s);
	close(fd);
	fd = lab_open(0);
	cr_assert_eq(STAT(fd, buffers[0]), 0);
	close(fd);
}

/* PCI command register bits of /dev/edudmaN, through sysfs config space */
static uint16_t pci_command(int minor, uint16_t clear, uint16_t set)
{
	char bdf[16], path[96];
	uint16_t cmd, old;
	int fd;

	lab_bdf(minor, bdf, sizeof(bdf));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(pread(fd, &old, 2, 4), 2);
	cmd = (old & ~clear) | set;
	cr_assert_eq(pwrite(fd, &cmd, 2, 4), 2);
	close(fd);
	return old;
}

#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4

/* whatever a test did to device 0's command register and timeout: undone */
static void restore_device0(void)
{
	FILE *f = fopen("/sys/module/edudma/parameters/timeout_ms", "w");

	if (f) {
		fputs("1000", f);
		fclose(f);
	}
	pci_command(0, 0, PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

/*
 * A lost completion interrupt, for real: with bus mastering off the
 * device's MSI write (and its DMA) goes nowhere, the command still ends.
 * The watchdog finds the device idle and fails the transfer.
 */
Test(xfer, device_timeout_then_recovery, .fini = restore_device0)
{
	unsigned long old = lab_param("timeout_ms", 300);
	uint64_t timeouts;
	struct lab_buf s;
	int fd = lab_open(0);
	uint16_t cmd;

	timeouts = STAT(fd, timeouts);
	lab_buf_alloc(fd, 4096, EDUDMA_BUF_COHERENT, &s);
	cmd = pci_command(0, PCI_CMD_MASTER, 0);
	cr_assert(cmd & PCI_CMD_MASTER, "the driver enabled bus mastering");
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, 100, NULL), -ETIMEDOUT);
	pci_command(0, 0, PCI_CMD_MASTER);
	cr_assert_eq(STAT(fd, timeouts), timeouts + 1);
	/* the engine goes on */
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, 100, NULL), 0);
	lab_param("timeout_ms", old);
	lab_buf_free(fd, &s);
	close(fd);
}

/*
 * A device that stops decoding its registers (memory space off in config
 * space: QEMU then drops the writes and reads its registers as zero): the
 * command never starts, the watchdog fails the transfer, and once the
 * device decodes again it works. (A device that reads all ones or stays
 * busy for ever is given up: test_faults.c, on debug builds.)
 */
Test(xfer, device_that_stops_decoding_fails_cleanly, .fini = restore_device0)
{
	unsigned long old = lab_param("timeout_ms", 100);
	struct lab_buf s;
	int fd = lab_open(0), ret;

	lab_buf_alloc(fd, 4096, EDUDMA_BUF_COHERENT, &s);
	pci_command(0, PCI_CMD_MEMORY, 0);
	ret = xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, 4095, NULL);
	pci_command(0, 0, PCI_CMD_MEMORY);
	cr_assert_eq(ret, -ETIMEDOUT, "%s", strerror(-ret));
	lab_param("timeout_ms", old);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, 4095, NULL), 0);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_FROM_DEVICE, NULL, 0, &s, 0, 4095, NULL), 0);
	lab_buf_free(fd, &s);
	close(fd);
}

/* timeout_ms is checked: a value that no command could meet is refused */
Test(xfer, timeout_param_is_validated)
{
	const char *path = "/sys/module/edudma/parameters/timeout_ms";
	const char *bad[] = { "0", "9", "600001", "-1", "x" };
	char buf[32] = "";
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, bad[i], strlen(bad[i])), -1, "%s accepted", bad[i]);
		cr_assert_eq(errno, EINVAL, "%s: %s", bad[i], strerror(errno));
		close(fd);
	}
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_eq(strtoul(buf, NULL, 10), 1000, "timeout_ms is %s", buf);
}

Test(xfer, blocking_timeout_cancels)
{
	struct edudma_xfer x;
	struct lab_buf s;
	int fd = lab_open(0);
	uint64_t errors = STAT(fd, xfer_errors);

	lab_buf_alloc(fd, MiB, EDUDMA_BUF_PAGES, &s);
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .src_handle = s.a.handle,
				  .length = MiB, .timeout_ms = 350 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), -ETIMEDOUT);
	cr_assert_eq(STAT(fd, xfer_errors), errors + 1);
	x.length = 10;
	x.timeout_ms = 0;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	lab_buf_free(fd, &s);
	close(fd);
}

/*
 * An async transfer's timeout_ms is its deadline from submission: WAIT
 * reaps it with status -ETIMEDOUT, the commands it took before the deadline
 * and the device time they took; one that finishes in time is untouched
 */
Test(xfer, async_timeout_is_a_deadline)
{
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };
	struct edudma_xfer x, y;
	struct lab_buf s, d;
	int fd = lab_open(0);
	uint64_t errors = STAT(fd, xfer_errors);

	lab_buf_alloc(fd, MiB, EDUDMA_BUF_PAGES, &s);
	lab_buf_alloc(fd, 3 * 4096, EDUDMA_BUF_PAGES, &d);
	lab_fill(s.p, MiB, 31);
	/* 257 commands, 25.7 s of guest time */
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
				  .src_handle = s.a.handle, .length = MiB, .timeout_ms = 350 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	y = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .flags = EDUDMA_XFER_ASYNC,
				  .src_handle = s.a.handle, .dst_handle = d.a.handle,
				  .length = 3 * 4096, .timeout_ms = 60000 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &y), 0);
	w.seq = x.seq;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.status, -ETIMEDOUT, "status %d", w.status);
	cr_assert_geq(w.commands, 1);
	cr_assert_lt(w.commands, 20, "%llu commands past a 350 ms deadline",
		     (unsigned long long)w.commands);
	w.seq = y.seq;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.status, 0, "status %d", w.status);
	cr_assert_eq(memcmp(s.p, d.p, 3 * 4096), 0);
	cr_assert_eq(STAT(fd, xfer_errors), errors + 1);
	lab_buf_free(fd, &s);
	lab_buf_free(fd, &d);
	close(fd);
}

Test(xfer, fatal_signal_cancels_cleanly)
{
	int fd = lab_open(0), st, ready[2];
	uint64_t base = STAT(fd, buffers[0]), errors = STAT(fd, xfer_errors);
	char c;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int cfd = lab_open(0);
		struct lab_buf s;
		struct edudma_xfer x;

		lab_buf_alloc(cfd, MiB, EDUDMA_BUF_VMALLOC_SG, &s);
		/* one queued async transfer and one blocking */
		x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
					  .src_handle = s.a.handle, .length = MiB };
		if (lab_ioctl(cfd, EDUDMA_IOC_XFER, &x))
			_exit(4);
		if (write(ready[1], "r", 1) != 1)
			_exit(5);
		x.flags = 0;
		lab_ioctl(cfd, EDUDMA_IOC_XFER, &x);
		_exit(3);
	}
	/* the child has a transfer queued: kill it while the blocking one waits */
	cr_assert_eq(read(ready[0], &c, 1), 1);
	usleep(300 * 1000);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(ready[0]);
	close(ready[1]);
	cr_assert_eq(STAT(fd, buffers[0]), base, "the child's buffer leaked");
	cr_assert_geq(STAT(fd, xfer_errors), errors + 1);
	{
		struct lab_buf s;

		lab_buf_alloc(fd, 4096, EDUDMA_BUF_PAGES, &s);
		cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, 4095, NULL), 0);
		lab_buf_free(fd, &s);
	}
	close(fd);
}

Test(xfer, buffer_freed_during_transfer_lives_until_it_ends)
{
	struct lab_buf s, d;
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };
	struct edudma_xfer x;
	int fd = lab_open(0);
	uint64_t base = STAT(fd, buffers[0]);
	uint8_t *copy = malloc(3 * W);

	lab_buf_alloc(fd, 3 * W, EDUDMA_BUF_PAGES, &s);
	lab_buf_alloc(fd, 3 * W, EDUDMA_BUF_COHERENT, &d);
	lab_fill(s.p, 3 * W, 77);
	memcpy(copy, s.p, 3 * W);
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .flags = EDUDMA_XFER_ASYNC,
				  .src_handle = s.a.handle, .dst_handle = d.a.handle,
				  .length = 3 * W };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	munmap(s.p, s.a.size);
	cr_assert_eq(lab_free(fd, s.a.handle), 0);
	cr_assert_eq(lab_free(fd, d.a.handle), 0);
	/* d stays mapped: the transfer writes into it after FREE */
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.status, 0);
	cr_assert_eq(memcmp(d.p, copy, 3 * W), 0);
	munmap(d.p, d.a.size);
	cr_assert_eq(STAT(fd, buffers[0]), base);
	free(copy);
	close(fd);
}

Test(xfer, iommu_makes_scatter_gather_contiguous)
{
	const uint64_t len = MiB;
	struct edudma_xfer x;
	struct lab_buf s;
	int fd = lab_open(0);

	lab_buf_alloc(fd, len, EDUDMA_BUF_VMALLOC_SG, &s);
	cr_assert_eq(xfer(fd, EDUDMA_XFER_TO_DEVICE, &s, 0, NULL, 0, len, &x), 0);
	if (lab_iommu()) {
		/* one IOVA range: the minimum number of commands */
		cr_assert_eq(s.a.nr_segments, 1);
		cr_assert_eq(x.commands, (len + W - 1) / W);
	} else {
		cr_assert_geq(x.commands, (len + W - 1) / W);
	}
	lab_buf_free(fd, &s);
	close(fd);
}
