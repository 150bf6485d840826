// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unbind and rebind through sysfs with files open. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

TestSuite(unbind, .init = lab_init, .timeout = 60);

static void check_gone(int fd)
{
	struct edudma_info in;
	struct edudma_factorial f = { .n = 3 };
	struct edudma_selftest st = { 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &in), -ENODEV);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_FACTORIAL, &f), -ENODEV);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), -ENODEV);
	cr_assert_eq(lab_ioctl(fd, _IO(EDUDMA_IOC_MAGIC, 0x7f), NULL), -ENOTTY);
	cr_assert_eq(poll(&p, 1, 1000), 1);
	cr_assert_eq(p.revents, POLLHUP | POLLERR);
}

Test(unbind, open_file_gets_enodev_then_rebind_works)
{
	int minor = lab_edu_count() - 1;
	struct edudma_info in;
	char bdf[32], node[32];
	int fd = lab_open(minor), fd2;

	lab_bdf(minor, bdf, sizeof(bdf));
	snprintf(node, sizeof(node), "/dev/edudma%d", minor);
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	check_gone(fd);
	cr_assert_eq(open(node, O_RDWR), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(lab_sysfs_driver("bind", bdf), 0);
	/* the same, lowest free, number comes back */
	fd2 = lab_open(minor);
	cr_assert_eq(lab_ioctl(fd2, EDUDMA_IOC_GET_INFO, &in), 0);
	cr_assert_eq(in.minor, (unsigned int)minor);
	check_gone(fd);
	close(fd);
	close(fd2);
}

static void *selftest_loop(void *arg)
{
	int fd = (int)(intptr_t)arg;
	uintptr_t bad = 0;

	for (;;) {
		struct edudma_selftest st = { 0 };
		int ret = lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st);

		if (ret == -ENODEV)
			break;
		if (ret)
			bad++;
	}
	return (void *)bad;
}

Test(unbind, unbind_during_dma_waits_for_it)
{
	int minor = 0;
	char bdf[32];
	pthread_t t;
	void *bad;
	int fd = lab_open(minor);

	lab_bdf(minor, bdf, sizeof(bdf));
	cr_assert_eq(pthread_create(&t, NULL, selftest_loop, (void *)(intptr_t)fd), 0);
	usleep(350 * 1000);
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	cr_assert_eq(pthread_join(t, &bad), 0);
	cr_assert_eq((uintptr_t)bad, 0, "selftests failed before the unbind");
	cr_assert_eq(lab_sysfs_driver("bind", bdf), 0);
	close(fd);
	fd = lab_open(minor);
	{
		struct edudma_selftest st = { 0 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), 0);
	}
	close(fd);
}

Test(unbind, bind_twice_and_unbind_twice_fail_cleanly)
{
	char bdf[32];

	lab_bdf(0, bdf, sizeof(bdf));
	cr_assert_eq(lab_sysfs_driver("bind", bdf), -EBUSY);
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), -ENODEV);
	cr_assert_eq(lab_sysfs_driver("bind", bdf), 0);
}

Test(unbind, queued_transfers_fail_with_enodev)
{
	int minor = lab_edu_count() - 1, fd = lab_open(minor), failed = 0;
	struct edudma_alloc a;
	char bdf[32];

	lab_bdf(minor, bdf, sizeof(bdf));
	cr_assert_eq(lab_alloc(fd, 64 * 1024, EDUDMA_BUF_PAGES, &a), 0);
	for (int i = 0; i < 4; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
					 .src_handle = a.handle, .length = 64 * 1024 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	}
	cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0);
	/* what was queued is reaped with -ENODEV; nothing is lost or stuck */
	for (int i = 0; i < 4; i++) {
		struct edudma_wait w = { .timeout_ms = 10000 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
		failed += w.status == -ENODEV;
	}
	cr_assert_geq(failed, 3);
	cr_assert_eq(lab_free(fd, a.handle), -ENODEV);
	close(fd);
	cr_assert_eq(lab_sysfs_driver("bind", bdf), 0);
}

static volatile int hammer_stop;

/* open, allocate, map, transfer, over and over; ENODEV and ENOENT expected */
static void *hammer(void *arg)
{
	uintptr_t ops = 0;

	(void)arg;
	while (!hammer_stop) {
		struct edudma_alloc a = { .size = 8192, .kind = 1 + ops % 3 };
		int fd = open("/dev/edudma0", O_RDWR | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (lab_ioctl(fd, EDUDMA_IOC_ALLOC, &a) == 0) {
			struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE,
						 .flags = ops % 2 ? EDUDMA_XFER_ASYNC : 0,
						 .src_handle = a.handle, .length = 100 };
			void *p = lab_mmap(fd, &a, 0, 8192);

			lab_ioctl(fd, EDUDMA_IOC_XFER, &x);
			if (p != MAP_FAILED)
				munmap(p, 8192);
		}
		close(fd);
		ops++;
	}
	return (void *)ops;
}

Test(unbind, bind_loop_while_another_thread_hammers)
{
	char bdf[32];
	pthread_t t;
	void *ops;

	lab_bdf(0, bdf, sizeof(bdf));
	hammer_stop = 0;
	cr_assert_eq(pthread_create(&t, NULL, hammer, NULL), 0);
	for (int i = 0; i < 10; i++) {
		usleep(150 * 1000);
		cr_assert_eq(lab_sysfs_driver("unbind", bdf), 0, "round %d", i);
		usleep(50 * 1000);
		cr_assert_eq(lab_sysfs_driver("bind", bdf), 0, "round %d", i);
	}
	hammer_stop = 1;
	cr_assert_eq(pthread_join(t, &ops), 0);
	cr_assert_gt((uintptr_t)ops, 10);
	{
		struct edudma_selftest st = { 0 };
		int fd = lab_open(0);

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), 0);
		close(fd);
	}
}

/*
 * The CLI with no device bound to edudma: still one valid JSON document,
 * with the error (a bench used to print "seconds": 18446743700.4 and
 * -nan for its aggregate, and leave its rows unclosed).
 */
Test(unbind, cli_json_with_no_device_bound)
{
	int n = lab_edu_count(), rc;
	struct json_object *o, *devs;
	char bdf[8][32];

	cr_assert_leq(n, 8);
	for (int i = 0; i < n; i++)
		lab_bdf(i, bdf[i], sizeof(bdf[i]));
	for (int i = 0; i < n; i++)
		cr_assert_eq(lab_sysfs_driver("unbind", bdf[i]), 0);
	o = lab_cli_json("info --json", &rc);
	devs = lab_json(o, "devices");
	cr_assert_eq(json_object_array_length(devs), (size_t)n);
	for (int i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, (size_t)i);

		cr_assert(lab_json_has(d, "info"));
		cr_assert_null(json_object_object_get(d, "info"));
		cr_assert_null(json_object_object_get(d, "node"));
	}
	json_object_put(o);
	o = lab_cli_json("bench --quick --json", &rc);
	cr_assert_eq(rc, 1);
	cr_assert_eq(json_object_get_int(lab_json(o, "error.errno")), ENOENT);
	json_object_put(o);
	o = lab_cli_json("-d 0 copy --size 4K --json", &rc);
	cr_assert_eq(rc, 1);
	cr_assert_eq(json_object_get_int(lab_json(o, "error.errno")), ENOENT);
	json_object_put(o);
	for (int i = 0; i < n; i++)
		cr_assert_eq(lab_sysfs_driver("bind", bdf[i]), 0);
}
