// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hot-unplug through QEMU's monitor (qemu/run --hotplug) while a process
 * holds buffers of every kind mapped and transfers queued, then replug.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

static void hotplug_init(void)
{
	lab_init();
	if (!getenv("EDUDMA_HOTPLUG") || strcmp(getenv("EDUDMA_HOTPLUG"), "1"))
		cr_skip_test("needs qemu/run --hotplug");
	if (lab_edu_count() < 2)
		cr_skip_test("needs qemu/run --edu 2");
}

TestSuite(hotplug, .init = hotplug_init, .timeout = 300);

static sigjmp_buf jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

/* reading p faults with SIGBUS */
static bool gives_sigbus(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(jump, 1))
		bus = true;
	else
		(void)p[0];
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

Test(hotplug, unplug_with_everything_in_use_then_replug)
{
	static const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES,
					  EDUDMA_BUF_VMALLOC_SG };
	struct edudma_alloc a[3];
	struct edudma_selftest st = { 0 };
	struct edudma_info info;
	uint8_t *p[3];
	int fd = lab_open(1), enodev = 0, fd2;

	for (int k = 0; k < 3; k++) {
		cr_assert_eq(lab_alloc(fd, 64 * 1024, kinds[k], &a[k]), 0);
		p[k] = lab_mmap(fd, &a[k], 0, 64 * 1024);
		cr_assert_neq(p[k], MAP_FAILED);
		lab_fill(p[k], 64 * 1024, k);
	}
	for (int k = 0; k < 3; k++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
					 .src_handle = a[k].handle, .length = 64 * 1024 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	}
	cr_assert_eq(lab_host("unplug edu1"), 0, "QMP device_del");
	cr_assert_eq(lab_wait_path("/dev/edudma1", false, 10000), 0);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &info), -ENODEV);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), -ENODEV);
	{
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		cr_assert_eq(poll(&pf, 1, 1000), 1);
		cr_assert_eq(pf.revents & (POLLHUP | POLLERR), POLLHUP | POLLERR);
	}
	/* queued transfers end with ENODEV (the one in flight may complete) */
	for (int k = 0; k < 3; k++) {
		struct edudma_wait w = { .timeout_ms = 10000 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
		enodev += w.status == -ENODEV;
		cr_assert(w.status == 0 || w.status == -ENODEV, "status %d", w.status);
	}
	cr_assert_geq(enodev, 2);
	/* COHERENT memory went back to the DMA API: its mapping is revoked */
	cr_assert(gives_sigbus(p[0]), "coherent mapping still readable after removal");
	/* page-backed buffers stay plain memory, data intact */
	cr_assert_eq(lab_check(p[1], 64 * 1024, 1), 64 * 1024);
	cr_assert_eq(lab_check(p[2], 64 * 1024, 2), 64 * 1024);
	for (int k = 0; k < 3; k++)
		cr_assert_eq(munmap(p[k], 64 * 1024), 0);
	close(fd);

	cr_assert_eq(lab_host("replug edu1"), 0, "QMP device_add");
	cr_assert_eq(lab_wait_path("/dev/edudma1", true, 30000), 0);
	fd2 = lab_open(1);
	cr_assert_eq(lab_ioctl(fd2, EDUDMA_IOC_SELFTEST, &st), 0);
	cr_assert_eq(lab_ioctl(fd2, EDUDMA_IOC_GET_INFO, &info), 0);
	cr_assert_eq(info.minor, 1);
	close(fd2);
}

/* io_uring's transfers in flight end with ENODEV, their CQEs still posted */
Test(hotplug, unplug_with_uring_transfers_in_flight)
{
	struct edudma *e = NULL;
	struct edudma_buf *b = NULL;
	struct io_uring ring;
	int enodev = 0, ok = 0;

	cr_assert_eq(edudma_open("1", &e), 0);
	cr_assert_eq(edudma_buf_alloc(e, 64 * 1024, EDUDMA_BUF_PAGES, &b), 0);
	cr_assert_eq(io_uring_queue_init(8, &ring, IORING_SETUP_SQE128 | IORING_SETUP_CQE32), 0);
	for (int i = 0; i < 4; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE,
					 .src_handle = edudma_buf_handle(b), .length = 64 * 1024 };

		cr_assert_eq(edudma_uring_prep_xfer(e, io_uring_get_sqe(&ring), &x), 0);
	}
	cr_assert_eq(io_uring_submit(&ring), 4);
	cr_assert_eq(lab_host("unplug edu1"), 0, "QMP device_del");
	cr_assert_eq(lab_wait_path("/dev/edudma1", false, 10000), 0);
	for (int i = 0; i < 4; i++) {
		struct io_uring_cqe *cqe;

		cr_assert_eq(io_uring_wait_cqe(&ring, &cqe), 0);
		enodev += cqe->res == -ENODEV;
		ok += cqe->res > 0;
		io_uring_cqe_seen(&ring, cqe);
	}
	/* 17 commands each: the one in flight may finish, the rest cannot */
	cr_assert_eq(enodev + ok, 4, "%d ENODEV, %d done", enodev, ok);
	cr_assert_geq(enodev, 3);
	io_uring_queue_exit(&ring);
	edudma_buf_free(b);
	edudma_close(e);
	cr_assert_eq(lab_host("replug edu1"), 0, "QMP device_add");
	cr_assert_eq(lab_wait_path("/dev/edudma1", true, 30000), 0);
}

/*
 * Exported memory outlives its device: edu1 exports a page-backed buffer,
 * edu0 imports it (where the lab lets devices import), edu1 goes away.
 * The dma-buf stays mapped and intact, edu0 still moves data through its
 * import, edu1's file answers ENODEV; edu1's own import is detached at
 * removal (DMA-API debug checks that nothing stays mapped for it).
 */
Test(hotplug, dmabuf_outlives_its_device)
{
	const uint64_t size = 4 * 4096;
	struct edudma_import im0 = { 0 }, im1 = { 0 };
	struct edudma_export ex = { 0 };
	struct edudma_alloc a, n;
	int f1 = lab_open(1), f0 = lab_open(0), r0, r1, dfd;
	uint8_t *d, *q;

	cr_assert_eq(lab_alloc(f1, size, EDUDMA_BUF_PAGES, &a), 0);
	ex.handle = a.handle;
	cr_assert_eq(lab_ioctl(f1, EDUDMA_IOC_EXPORT, &ex), 0);
	dfd = ex.fd;
	d = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	cr_assert_neq(d, MAP_FAILED);
	lab_fill(d, size, 71);
	im0.fd = dfd;
	im1.fd = dfd;
	r0 = lab_ioctl(f0, EDUDMA_IOC_IMPORT, &im0);
	r1 = lab_ioctl(f1, EDUDMA_IOC_IMPORT, &im1);
	cr_assert_eq(r0, lab_can_import() ? 0 : -EOPNOTSUPP);
	cr_assert_eq(r1, r0);

	cr_assert_eq(lab_host("unplug edu1"), 0, "QMP device_del");
	cr_assert_eq(lab_wait_path("/dev/edudma1", false, 10000), 0);

	cr_assert_eq(lab_ioctl(f1, EDUDMA_IOC_EXPORT, &ex), -ENODEV);
	cr_assert_eq(lab_check(d, size, 71), size, "exported memory changed at removal");
	if (!r0) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .src_handle = im0.handle,
					 .src_offset = 4096, .length = 4095 };

		cr_assert_eq(lab_alloc(f0, size, EDUDMA_BUF_PAGES, &n), 0);
		x.dst_handle = n.handle;
		cr_assert_eq(lab_ioctl(f0, EDUDMA_IOC_XFER, &x), 0);
		q = lab_mmap(f0, &n, 0, size);
		cr_assert_neq(q, MAP_FAILED);
		cr_assert_eq(memcmp(q, d + 4096, 4095), 0);
		munmap(q, size);
		cr_assert_eq(lab_free(f0, n.handle), 0);
		cr_assert_eq(lab_free(f0, im0.handle), 0);
	}
	close(f1);
	close(dfd);
	cr_assert_eq(lab_check(d, size, 71), size);
	cr_assert_eq(munmap(d, size), 0);
	close(f0);

	cr_assert_eq(lab_host("replug edu1"), 0, "QMP device_add");
	cr_assert_eq(lab_wait_path("/dev/edudma1", true, 30000), 0);
}
