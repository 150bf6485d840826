// SPDX-License-Identifier: LGPL-2.1-or-later
/* The max_buffer_size, max_file_bytes and max_device_bytes limits. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)

static unsigned long old_buf, old_file, old_dev;

static void limits_init(void)
{
	lab_init();
	old_buf = lab_param("max_buffer_size", MiB);
	old_file = lab_param("max_file_bytes", 2 * MiB);
	old_dev = lab_param("max_device_bytes", 3 * MiB);
}

static void limits_fini(void)
{
	lab_param("max_buffer_size", old_buf);
	lab_param("max_file_bytes", old_file);
	lab_param("max_device_bytes", old_dev);
}

TestSuite(limits, .init = limits_init, .fini = limits_fini, .timeout = 60);

Test(limits, single_buffer_cap_is_efbig)
{
	struct edudma_alloc a;
	int fd = lab_open(0);

	cr_assert_eq(lab_alloc(fd, MiB, EDUDMA_BUF_PAGES, &a), 0);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	cr_assert_eq(lab_alloc(fd, MiB + 1, EDUDMA_BUF_PAGES, &a), -EFBIG);
	cr_assert_eq(lab_alloc(fd, MiB + 1, EDUDMA_BUF_AUTO, &a), -EFBIG);
	close(fd);
}

Test(limits, per_file_cap_is_edquot_and_counts_small_buffers)
{
	struct edudma_alloc a;
	int fd = lab_open(0), fd2 = lab_open(0);
	int n = 0;

	while (lab_alloc(fd, 4 * KiB, EDUDMA_BUF_PAGES, &a) == 0)
		n++;
	cr_assert_eq(n, 512, "%d small buffers fit in 2 MiB", n);
	cr_assert_eq(lab_alloc(fd, 4 * KiB, EDUDMA_BUF_COHERENT, &a), -EDQUOT);
	/* another file has its own allowance, the device has 1 MiB left */
	cr_assert_eq(lab_alloc(fd2, MiB, EDUDMA_BUF_PAGES, &a), 0);
	cr_assert_eq(lab_alloc(fd2, 4 * KiB, EDUDMA_BUF_PAGES, &a), -EDQUOT);
	close(fd);
	close(fd2);
}

Test(limits, charge_lasts_until_the_last_mapping_goes)
{
	struct edudma_alloc a, b;
	int fd = lab_open(0), fd2;
	void *p;

	cr_assert_eq(lab_alloc(fd, MiB, EDUDMA_BUF_PAGES, &a), 0);
	cr_assert_eq(lab_alloc(fd, MiB, EDUDMA_BUF_VMALLOC_SG, &b), 0);
	p = lab_mmap(fd, &a, 0, MiB);
	cr_assert_neq(p, MAP_FAILED);
	/* FREE and close do not return the charge while the mapping lives */
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
	fd2 = lab_open(0);
	cr_assert_eq(lab_alloc(fd2, MiB, EDUDMA_BUF_PAGES, &b), 0);
	cr_assert_eq(lab_alloc(fd2, MiB, EDUDMA_BUF_PAGES, &b), -EDQUOT);
	cr_assert_eq(munmap(p, MiB), 0);
	cr_assert_eq(lab_alloc(fd2, MiB, EDUDMA_BUF_PAGES, &b), 0);
	close(fd2);
}

Test(limits, many_files_cannot_pass_the_device_cap)
{
	struct edudma_alloc a;
	int fds[8], ok = 0;

	for (int i = 0; i < 8; i++) {
		fds[i] = lab_open(0);
		if (lab_alloc(fds[i], MiB, EDUDMA_BUF_PAGES, &a) == 0)
			ok++;
		else
			cr_assert_eq(lab_alloc(fds[i], MiB, EDUDMA_BUF_PAGES, &a), -EDQUOT);
	}
	cr_assert_eq(ok, 3);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
}
