// SPDX-License-Identifier: LGPL-2.1-or-later
/* mmap of every buffer kind: bounds, sharing, fork, partial munmap, lifetime. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#include <criterion/parameterized.h>

#define PAGE 4096ULL

TestSuite(mmap, .init = lab_init, .timeout = 120);

ParameterizedTestParameters(mmap, kinds)
{
	static uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };

	return cr_make_param_array(uint32_t, kinds, 3);
}

static uint64_t live_buffers(void)
{
	struct edudma_stats st;
	int fd = lab_open(0);

	lab_stats(fd, &st);
	close(fd);
	return st.buffers[0];
}

ParameterizedTest(uint32_t *kind, mmap, kinds)
{
	const uint64_t size = 16 * PAGE;
	uint64_t base = live_buffers();
	struct edudma_alloc a;
	int fd = lab_open(0), st;
	uint8_t *p, *q;
	pid_t pid;

	cr_assert_eq(lab_alloc(fd, size, *kind, &a), 0);
	cr_assert_eq(a.kind, *kind);

	/* MAP_PRIVATE is refused: the device would not see a private copy */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, (off_t)a.mmap_offset);
	cr_assert_eq(p, MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	/* bounds */
	cr_assert_eq(lab_mmap(fd, &a, 0, size + PAGE), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(lab_mmap(fd, &a, size, PAGE), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(lab_mmap(fd, &a, 15 * PAGE, 2 * PAGE), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd,
			  (off_t)(1ULL << 44)), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);

	/* two mappings of the same buffer, one at an offset, see the same bytes */
	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED, "%s", strerror(errno));
	q = lab_mmap(fd, &a, 3 * PAGE, 2 * PAGE);
	cr_assert_neq(q, MAP_FAILED, "%s", strerror(errno));
	lab_fill(p, size, 42);
	cr_assert_eq(memcmp(q, p + 3 * PAGE, 2 * PAGE), 0);
	q[5] = 0xee;
	cr_assert_eq(p[3 * PAGE + 5], 0xee);
	cr_assert_eq(munmap(q, 2 * PAGE), 0);
	lab_fill(p, size, 42);

	/* a growing mremap fails; the mapping is unchanged */
	cr_assert_eq(mremap(p, size, 2 * size, MREMAP_MAYMOVE), MAP_FAILED);
	cr_assert_eq(errno, EFAULT);

	/* fork: both sides see each other's writes */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (lab_check(p, size, 42) != size)
			_exit(1);
		lab_fill(p, size, 43);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(lab_check(p, size, 43), size);

	/* FREE and close with the mapping alive: it stays valid */
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
	cr_assert_eq(live_buffers(), base + 1);
	cr_assert_eq(lab_check(p, size, 43), size);
	lab_fill(p, size, 44);
	cr_assert_eq(lab_check(p, size, 44), size);

	/* unmap the first half: the second half keeps its data */
	cr_assert_eq(munmap(p, size / 2), 0);
	cr_assert_eq(live_buffers(), base + 1);
	cr_assert_eq(memcmp(p + size / 2, p + size / 2, 1), 0);
	{
		uint8_t *copy = malloc(size);

		lab_fill(copy, size, 44);
		cr_assert_eq(memcmp(p + size / 2, copy + size / 2, size / 2), 0);
		free(copy);
	}
	cr_assert_eq(munmap(p + size / 2, size / 2), 0);
	/* the last user is gone: so is the buffer */
	cr_assert_eq(live_buffers(), base);
}

Test(mmap, page_backed_mappings_can_be_pinned)
{
	const uint32_t kinds[] = { EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG, EDUDMA_BUF_COHERENT };
	int fd = lab_open(0);

	for (size_t k = 0; k < 3; k++) {
		const uint64_t size = 4 * PAGE;
		uint8_t out[4 * 4096];
		struct edudma_alloc a;
		struct iovec local = { out, size }, remote;
		uint8_t *p;
		ssize_t n;

		cr_assert_eq(lab_alloc(fd, size, kinds[k], &a), 0);
		p = lab_mmap(fd, &a, 0, size);
		cr_assert_neq(p, MAP_FAILED);
		lab_fill(p, size, k);
		remote = (struct iovec){ p, size };
		/* process_vm_readv pins the pages of the mapping (GUP) */
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (kinds[k] == EDUDMA_BUF_COHERENT) {
			/* a PFN mapping: revocable at remove, so not pinnable */
			cr_assert_eq(n, -1);
			cr_assert_eq(errno, EFAULT);
		} else {
			cr_assert_eq(n, (ssize_t)size, "kind %u: %s", kinds[k], strerror(errno));
			cr_assert_eq(memcmp(out, p, size), 0);
		}
		munmap(p, size);
		cr_assert_eq(lab_free(fd, a.handle), 0);
	}
	close(fd);
}

Test(mmap, another_files_offset_fails)
{
	struct edudma_alloc a;
	int fd = lab_open(0), other = lab_open(0);

	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &a), 0);
	cr_assert_eq(lab_mmap(other, &a, 0, PAGE), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	cr_assert_eq(lab_mmap(fd, &a, 0, PAGE), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	close(fd);
	close(other);
}

Test(mmap, read_only_shared_mapping)
{
	struct edudma_alloc a;
	int fd = lab_open(0);
	uint8_t *p;

	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &a), 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)a.mmap_offset);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(p[0], 0);
	munmap(p, PAGE);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}
