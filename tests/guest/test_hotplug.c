// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hot-unplug through QEMU's monitor (qemu/run --hotplug) while a process
 * holds buffers of every kind mapped and transfers queued, then replug.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
