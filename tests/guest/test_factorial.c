// SPDX-License-Identifier: LGPL-2.1-or-later
/* EDUDMA_IOC_FACTORIAL: interrupt-driven factorial on the real device. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

static uint32_t fact32(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

static int fact(int fd, uint32_t n, uint32_t flags, uint32_t *result)
{
	struct edudma_factorial f = { .n = n, .flags = flags, .result = 0xdeadbeef };
	int ret = lab_ioctl(fd, EDUDMA_IOC_FACTORIAL, &f);

	*result = f.result;
	return ret;
}

TestSuite(factorial, .init = lab_init, .timeout = 60);

Test(factorial, exact_results_0_to_12)
{
	static const uint32_t want[] = { 1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880,
					 3628800, 39916800, 479001600 };
	int fd = lab_open(0);
	uint32_t r;

	for (uint32_t n = 0; n <= EDUDMA_FACTORIAL_MAX_EXACT; n++) {
		cr_assert_eq(fact(fd, n, 0, &r), 0, "n=%u", n);
		cr_assert_eq(r, want[n], "%u! = %u, want %u", n, r, want[n]);
	}
	close(fd);
}

Test(factorial, overflow_without_wrap_is_eoverflow)
{
	int fd = lab_open(0);
	uint32_t r;

	cr_assert_eq(fact(fd, 13, 0, &r), -EOVERFLOW);
	cr_assert_eq(fact(fd, EDUDMA_FACTORIAL_MAX_N, 0, &r), -EOVERFLOW);
	close(fd);
}

Test(factorial, wrap_gives_result_mod_2_32)
{
	int fd = lab_open(0);
	uint32_t r;

	for (uint32_t n = 13; n <= 40; n++) {
		cr_assert_eq(fact(fd, n, EDUDMA_FACTORIAL_WRAP, &r), 0);
		cr_assert_eq(r, fact32(n), "%u!: device %u, want %u", n, r, fact32(n));
	}
	cr_assert_eq(fact(fd, 13, EDUDMA_FACTORIAL_WRAP, &r), 0);
	cr_assert_eq(r, 1932053504u);
	cr_assert_eq(fact(fd, EDUDMA_FACTORIAL_MAX_N, EDUDMA_FACTORIAL_WRAP, &r), 0);
	cr_assert_eq(r, fact32(EDUDMA_FACTORIAL_MAX_N));
	cr_assert_eq(fact(fd, 5, EDUDMA_FACTORIAL_WRAP, &r), 0);
	cr_assert_eq(r, 120);
	close(fd);
}

Test(factorial, bad_input_is_einval)
{
	struct edudma_factorial f = { .n = 3 };
	int fd = lab_open(0);
	uint32_t r;

	cr_assert_eq(fact(fd, EDUDMA_FACTORIAL_MAX_N + 1, EDUDMA_FACTORIAL_WRAP, &r), -EINVAL);
	cr_assert_eq(fact(fd, UINT32_MAX, EDUDMA_FACTORIAL_WRAP, &r), -EINVAL);
	cr_assert_eq(fact(fd, 3, 1u << 1, &r), -EINVAL);
	cr_assert_eq(fact(fd, 3, 1u << 31, &r), -EINVAL);
	f.pad = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_FACTORIAL, &f), -EINVAL);
	cr_assert_eq(f.result, 0, "output written on error");
	close(fd);
}

static void *fact_worker(void *arg)
{
	int fd = lab_open((int)(intptr_t)arg % lab_edu_count());
	uintptr_t bad = 0;

	for (uint32_t i = 0; i < 25; i++) {
		uint32_t n = (i * 7 + (uint32_t)(intptr_t)arg) % 13, r;

		if (fact(fd, n, 0, &r) || r != fact32(n))
			bad++;
	}
	close(fd);
	return (void *)bad;
}

Test(factorial, concurrent_callers_each_get_their_own_result)
{
	pthread_t t[8];
	void *bad;

	for (intptr_t i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, fact_worker, (void *)i), 0);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(pthread_join(t[i], &bad), 0);
		cr_assert_eq((uintptr_t)bad, 0, "thread %d got %lu wrong results", i,
			     (unsigned long)(uintptr_t)bad);
	}
}
