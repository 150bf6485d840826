// SPDX-License-Identifier: LGPL-2.1-or-later
/* Two edu devices at once (the lab boots with --edu 2). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

static void multi_init(void)
{
	lab_init();
	if (lab_edu_count() < 2)
		cr_skip_test("needs qemu/run --edu 2");
}

TestSuite(multi, .init = multi_init, .timeout = 60);

Test(multi, devices_are_distinct)
{
	struct edudma_info a, b;
	int fa = lab_open(0), fb = lab_open(1);

	cr_assert_eq(lab_ioctl(fa, EDUDMA_IOC_GET_INFO, &a), 0);
	cr_assert_eq(lab_ioctl(fb, EDUDMA_IOC_GET_INFO, &b), 0);
	cr_assert_eq(a.minor, 0);
	cr_assert_eq(b.minor, 1);
	cr_assert(a.pci_bus != b.pci_bus || a.pci_dev != b.pci_dev || a.pci_fn != b.pci_fn);
	close(fa);
	close(fb);
}

static void *selftest_on(void *arg)
{
	int fd = lab_open((int)(intptr_t)arg);
	uintptr_t bad = 0;

	for (int i = 0; i < 4; i++) {
		struct edudma_selftest st = { 0 };
		uint32_t r = 0;
		struct edudma_factorial f = { .n = 12 };

		if (lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st) || st.bytes != lab_window())
			bad++;
		if (lab_ioctl(fd, EDUDMA_IOC_FACTORIAL, &f) || f.result != 479001600)
			bad++;
		(void)r;
	}
	close(fd);
	return (void *)bad;
}

Test(multi, both_devices_work_at_once)
{
	pthread_t t[2];
	void *bad;

	for (intptr_t i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, selftest_on, (void *)i), 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pthread_join(t[i], &bad), 0);
		cr_assert_eq((uintptr_t)bad, 0, "device %d", i);
	}
}
