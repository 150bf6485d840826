// SPDX-License-Identifier: LGPL-2.1-or-later
/* EDUDMA_IOC_LIVENESS and EDUDMA_IOC_SELFTEST (a real DMA round trip). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "lab.h"

TestSuite(device, .init = lab_init, .timeout = 60);

Test(device, liveness_inverts)
{
	static const uint32_t vals[] = { 0, 1, 0x12345678, 0x80000000, 0xffffffff, 0xa5a5a5a5 };
	int fd = lab_open(0);

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct edudma_liveness l = { .value = vals[i], .result = 0 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_LIVENESS, &l), 0);
		cr_assert_eq(l.result, ~vals[i]);
		cr_assert_eq(l.value, vals[i]);
	}
	close(fd);
}

Test(device, selftest_round_trip)
{
	struct edudma_selftest st = { 0 };
	int fd = lab_open(0);

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), 0);
		cr_assert_eq(st.bytes, lab_window());
		cr_assert_gt(st.to_device_ns, 0);
		cr_assert_gt(st.from_device_ns, 0);
	}
	close(fd);
}

Test(device, selftest_flags_must_be_zero)
{
	struct edudma_selftest st = { .flags = 1 };
	int fd = lab_open(0);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st), -EINVAL);
	cr_assert_eq(st.bytes, 0);
	close(fd);
}

static void *selftest_worker(void *arg)
{
	int fd = lab_open((int)(intptr_t)arg % lab_edu_count());
	uintptr_t bad = 0;

	for (int i = 0; i < 3; i++) {
		struct edudma_selftest st = { 0 };

		if (lab_ioctl(fd, EDUDMA_IOC_SELFTEST, &st) || st.bytes != lab_window())
			bad++;
	}
	close(fd);
	return (void *)bad;
}

Test(device, concurrent_selftests_share_the_engine)
{
	pthread_t t[4];
	void *bad;

	for (intptr_t i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, selftest_worker, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(pthread_join(t[i], &bad), 0);
		cr_assert_eq((uintptr_t)bad, 0);
	}
}

Test(device, library_calls)
{
	struct edudma_selftest st;
	struct edudma *e;
	uint32_t r;

	cr_assert_eq(edudma_open("0", &e), 0);
	cr_assert_geq(edudma_fd(e), 0);
	cr_assert_eq(edudma_run_liveness(e, 7, &r), 0);
	cr_assert_eq(r, ~7u);
	cr_assert_eq(edudma_run_factorial(e, 10, 0, &r), 0);
	cr_assert_eq(r, 3628800);
	cr_assert_eq(edudma_run_factorial(e, 13, 0, &r), -EOVERFLOW);
	cr_assert_eq(edudma_run_selftest(e, &st), 0);
	cr_assert_eq(st.bytes, lab_window());
	cr_assert_eq(edudma_get_info(e, NULL), -EINVAL);
	cr_assert_eq(edudma_run_factorial(e, 1, 0, NULL), -EINVAL);
	edudma_close(e);
	edudma_close(NULL);
	cr_assert_eq(edudma_fd(NULL), -EINVAL);
}

static void *liveness_worker(void *arg)
{
	int fd = lab_open(0);
	uintptr_t bad = 0;

	for (uint32_t i = 0; i < 20000; i++) {
		struct edudma_liveness l = { .value = (uint32_t)(uintptr_t)arg * 100000 + i };

		if (lab_ioctl(fd, EDUDMA_IOC_LIVENESS, &l) || l.result != ~l.value)
			bad++;
	}
	close(fd);
	return (void *)bad;
}

/* found by the fuzzer: concurrent callers each get their own read-back */
Test(device, concurrent_liveness_is_consistent)
{
	pthread_t t[4];
	void *bad;

	for (intptr_t i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, liveness_worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(pthread_join(t[i], &bad), 0);
		cr_assert_eq((uintptr_t)bad, 0, "thread %d read another's value", i);
	}
}
