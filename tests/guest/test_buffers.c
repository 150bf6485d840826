// SPDX-License-Identifier: LGPL-2.1-or-later
#define _GNU_SOURCE
/* EDUDMA_IOC_ALLOC / FREE / BUF_INFO / SYNC: every kind, every size class. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#include <criterion/parameterized.h>

#define MiB (1ULL << 20)
#define PAGE 4096ULL

static uint64_t page_up(uint64_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

TestSuite(buffers, .init = lab_init, .timeout = 120);

struct alloc_case {
	uint32_t kind;
	uint64_t size;
};

ParameterizedTestParameters(buffers, every_kind_and_size)
{
	static struct alloc_case cases[4 * 6];
	static const uint64_t sizes[] = { 1, 4095, 4096, 4097, MiB + 1, 64 * MiB };
	size_t n = 0;

	for (uint32_t k = 0; k < EDUDMA_BUF_KINDS; k++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			cases[n++] = (struct alloc_case){ k, sizes[i] };
	return cr_make_param_array(struct alloc_case, cases, n);
}

/* alloc, check info and stats, map, zero on first read, write, sync, read back, free */
ParameterizedTest(struct alloc_case *c, buffers, every_kind_and_size)
{
	int fd = lab_open(0);
	struct edudma_stats before, during, after;
	struct edudma_buf_info bi = { 0 };
	struct edudma_alloc a;
	struct edudma_sync s;
	uint32_t want_kind = c->kind;
	uint64_t size = page_up(c->size);
	uint8_t *p;
	int ret;

	lab_stats(fd, &before);
	ret = lab_alloc(fd, c->size, c->kind, &a);
	if (c->kind == EDUDMA_BUF_COHERENT && c->size > 4 * MiB) {
		/* beyond what the buddy allocator (and the debug kernel's CMA) gives */
		cr_assert_eq(ret, -ENOMEM, "coherent %llu: %d", (unsigned long long)c->size, ret);
		lab_stats(fd, &after);
		cr_assert_eq(after.buffers[0], before.buffers[0]);
		cr_assert_eq(after.alloc_failures, before.alloc_failures + 1);
		close(fd);
		return;
	}
	cr_assert_eq(ret, 0, "kind %u size %llu: %s", c->kind, (unsigned long long)c->size,
		     strerror(-ret));
	if (c->kind == EDUDMA_BUF_AUTO)
		want_kind = size <= 64 * 1024 ? EDUDMA_BUF_COHERENT : EDUDMA_BUF_PAGES;
	cr_assert_eq(a.kind, want_kind);
	cr_assert_eq(a.size, size);
	cr_assert_neq(a.handle, 0);
	cr_assert_eq(a.mmap_offset % PAGE, 0);
	cr_assert_lt(a.mmap_offset, 1ULL << 44, "a 32-bit mmap2 reaches it");
	cr_assert_geq(a.mmap_offset, 1ULL << 32, "a truncated 32-bit off_t does not");
	cr_assert_geq(a.nr_segments, 1);
	cr_assert_leq(a.nr_segments, size / PAGE);
	if (a.kind == EDUDMA_BUF_COHERENT)
		cr_assert_eq(a.nr_segments, 1);

	bi.handle = a.handle;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), 0);
	cr_assert_eq(bi.kind, a.kind);
	cr_assert_eq(bi.size, size);
	cr_assert_eq(bi.nr_segments, a.nr_segments);
	cr_assert_eq(bi.mmap_offset, a.mmap_offset);
	cr_assert_leq(bi.bounce_bytes, size);
	if (lab_mask_bits() == 64 || a.kind == EDUDMA_BUF_COHERENT)
		cr_assert_eq(bi.bounce_bytes, 0);

	lab_stats(fd, &during);
	cr_assert_eq(during.buffers[0], before.buffers[0] + 1);
	cr_assert_eq(during.buffers[a.kind], before.buffers[a.kind] + 1);
	cr_assert_eq(during.bytes[0], before.bytes[0] + size);
	cr_assert_eq(during.bytes[a.kind], before.bytes[a.kind] + size);
	cr_assert_eq(during.bounce_bytes, before.bounce_bytes + bi.bounce_bytes);
	cr_assert_geq(during.peak_bytes, during.bytes[0]);

	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED, "mmap: %s", strerror(errno));
	cr_assert_eq(lab_check_zero(p, size), size, "not zero on first read");
	lab_fill(p, size, c->size);
	s = (struct edudma_sync){ .handle = a.handle, .flags = EDUDMA_SYNC_END,
				  .direction = EDUDMA_DIR_TO_DEVICE, .length = size };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	s.flags = EDUDMA_SYNC_START;
	s.direction = EDUDMA_DIR_FROM_DEVICE;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	cr_assert_eq(lab_check(p, size, c->size), size);
	cr_assert_eq(munmap(p, size), 0);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	lab_stats(fd, &after);
	cr_assert_eq(after.buffers[0], before.buffers[0]);
	cr_assert_eq(after.bytes[0], before.bytes[0]);
	cr_assert_eq(after.bounce_bytes, before.bounce_bytes);
	close(fd);
}

Test(buffers, coherent_beyond_its_cap_fails_while_auto_falls_back)
{
	struct edudma_alloc a;
	int fd = lab_open(0);

	cr_assert_eq(lab_alloc(fd, 64 * MiB, EDUDMA_BUF_COHERENT, &a), -ENOMEM);
	cr_assert_eq(lab_alloc(fd, 64 * MiB, EDUDMA_BUF_AUTO, &a), 0);
	cr_assert_neq(a.kind, EDUDMA_BUF_COHERENT);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

Test(buffers, segments_cover_the_buffer)
{
	static struct edudma_seg segs[70000];
	const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };
	const char *sw = getenv("EDUDMA_SWIOTLB");
	bool swiotlb = sw && !strcmp(sw, "1");
	int fd = lab_open(0);

	for (size_t k = 0; k < 3; k++) {
		uint64_t size = kinds[k] == EDUDMA_BUF_COHERENT ? MiB : 16 * MiB, pos = 0, bounce = 0;
		struct edudma_buf_info bi = { 0 };
		struct edudma_alloc a;

		cr_assert_eq(lab_alloc(fd, size, kinds[k], &a), 0);
		bi.handle = a.handle;
		bi.segs_ptr = (uintptr_t)segs;
		bi.segs_count = sizeof(segs) / sizeof(segs[0]);
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), 0);
		for (uint32_t i = 0; i < bi.nr_segments; i++) {
			cr_assert_eq(segs[i].offset, pos, "kind %u seg %u", kinds[k], i);
			cr_assert_gt(segs[i].len, 0);
			if (segs[i].dma_addr == ~0ULL) {
				bounce += segs[i].len;
			} else if (lab_mask_bits() < 64) {
				cr_assert_lt(segs[i].dma_addr + segs[i].len - 1,
					     1ULL << lab_mask_bits(), "address beyond the mask");
			}
			/*
			 * merged: no two neighbours are contiguous on the bus, unless
			 * each is a mapping of its own that needs syncs (SWIOTLB: a
			 * sync never spans two mappings)
			 */
			if (i && segs[i].dma_addr != ~0ULL && segs[i - 1].dma_addr != ~0ULL &&
			    !swiotlb)
				cr_assert_neq(segs[i - 1].dma_addr + segs[i - 1].len, segs[i].dma_addr);
			pos += segs[i].len;
		}
		cr_assert_eq(pos, size);
		cr_assert_eq(bounce, bi.bounce_bytes);
		cr_assert_eq(lab_free(fd, a.handle), 0);
	}
	close(fd);
}

Test(buffers, unreachable_memory_goes_through_the_bounce_path)
{
	struct edudma_buf_info bi = { 0 };
	struct edudma_alloc a[64];
	struct edudma_stats st;
	int fd = lab_open(0);
	unsigned int i, n = 0;
	uint8_t *p;

	/*
	 * At 28 bits the device reaches 256 MiB, where the kernel itself
	 * lives: allocate 16 MiB at a time (one large allocation fails in a
	 * KASAN guest) until a buffer has pages beyond the mask.
	 */
	do {
		if (lab_alloc(fd, 16 * MiB, EDUDMA_BUF_PAGES, &a[n]))
			break;
		bi.handle = a[n++].handle;
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), 0);
	} while (!bi.bounce_bytes && lab_mask_bits() == 28 &&
		 n < sizeof(a) / sizeof(a[0]));
	cr_assert_gt(n, 0);
	lab_stats(fd, &st);
	if (lab_mask_bits() == 28)
		cr_assert_gt(bi.bounce_bytes, 0, "%u buffers of 16 MiB", n);
	else
		cr_assert_eq(bi.bounce_bytes, 0);
	cr_assert_geq(st.bounce_bytes, bi.bounce_bytes);
	p = lab_mmap(fd, &a[n - 1], 0, a[n - 1].size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, a[n - 1].size, 7);
	cr_assert_eq(lab_check(p, a[n - 1].size, 7), a[n - 1].size);
	munmap(p, a[n - 1].size);
	for (i = 0; i < n; i++)
		cr_assert_eq(lab_free(fd, a[i].handle), 0);
	close(fd);
}

Test(buffers, one_gib_auto_buffer, .timeout = 300)
{
	struct edudma_alloc a;
	int fd = lab_open(0);
	uint8_t *p;
	int ret = lab_alloc(fd, 1ULL << 30, EDUDMA_BUF_AUTO, &a);

	if (lab_ram() < (3ULL << 30) / 2) {
		/* max_buffer_size defaults to 3/4 of RAM */
		cr_assert_eq(ret, -EFBIG);
		close(fd);
		return;
	}
	cr_assert_eq(ret, 0, "%s", strerror(-ret));
	p = lab_mmap(fd, &a, 0, a.size);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(lab_check_zero(p, a.size), a.size);
	lab_fill(p, a.size, 1);
	cr_assert_eq(lab_check(p, a.size, 1), a.size);
	munmap(p, a.size);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

Test(buffers, bad_alloc_input)
{
	struct edudma_alloc a;
	int fd = lab_open(0);

	cr_assert_eq(lab_alloc(fd, 0, EDUDMA_BUF_AUTO, &a), -EINVAL);
	cr_assert_eq(lab_alloc(fd, 4096, EDUDMA_BUF_KINDS, &a), -EINVAL);
	cr_assert_eq(lab_alloc(fd, 4096, UINT32_MAX, &a), -EINVAL);
	cr_assert_eq(lab_alloc(fd, UINT64_MAX, EDUDMA_BUF_PAGES, &a), -EFBIG);
	cr_assert_eq(lab_alloc(fd, 1ULL << 41, EDUDMA_BUF_PAGES, &a), -EFBIG);
	memset(&a, 0, sizeof(a));
	a.size = 4096;
	a.flags = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_ALLOC, &a), -EINVAL);
	a.flags = 0x80000000;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_ALLOC, &a), -EINVAL);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_ALLOC, NULL), -EFAULT);
	close(fd);
}

Test(buffers, bad_handles_are_enoent)
{
	struct edudma_buf_info bi = { .handle = 0 };
	struct edudma_sync s = { .flags = EDUDMA_SYNC_START, .direction = 1, .length = 1 };
	struct edudma_alloc a;
	int fd = lab_open(0), other = lab_open(0);

	cr_assert_eq(lab_free(fd, 0), -ENOENT);
	cr_assert_eq(lab_free(fd, 12345), -ENOENT);
	cr_assert_eq(lab_free(fd, UINT32_MAX), -ENOENT);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), -ENOENT);
	cr_assert_eq(lab_alloc(fd, 4096, EDUDMA_BUF_PAGES, &a), 0);
	/* a handle of another open file is useless here */
	bi.handle = a.handle;
	cr_assert_eq(lab_ioctl(other, EDUDMA_IOC_BUF_INFO, &bi), -ENOENT);
	s.handle = a.handle;
	cr_assert_eq(lab_ioctl(other, EDUDMA_IOC_SYNC, &s), -ENOENT);
	cr_assert_eq(lab_free(other, a.handle), -ENOENT);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	cr_assert_eq(lab_free(fd, a.handle), -ENOENT);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), -ENOENT);
	{
		struct edudma_free f = { .handle = 1, .flags = 1 };

		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_FREE, &f), -EINVAL);
	}
	close(fd);
	close(other);
}

Test(buffers, bad_sync_and_info_input)
{
	struct edudma_alloc a;
	struct edudma_buf_info bi;
	int fd = lab_open(0);
	struct edudma_sync ok, s;

	cr_assert_eq(lab_alloc(fd, 8192, EDUDMA_BUF_PAGES, &a), 0);
	ok = (struct edudma_sync){ .handle = a.handle, .flags = EDUDMA_SYNC_START,
				   .direction = EDUDMA_DIR_BIDIRECTIONAL, .offset = 0,
				   .length = 8192 };
	s = ok;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	s.offset = 4096;
	s.length = 4096;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	s.offset = 8191;
	s.length = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	const struct { uint32_t flags, dir, pad; uint64_t off, len; } bad[] = {
		{ 0, 1, 0, 0, 1 }, { 3, 1, 0, 0, 1 }, { 4, 1, 0, 0, 1 }, { 1, 0, 0, 0, 1 },
		{ 1, 4, 0, 0, 1 }, { 1, 1, 1, 0, 1 }, { 1, 1, 0, 0, 0 }, { 1, 1, 0, 8192, 1 },
		{ 1, 1, 0, 4096, 4097 }, { 1, 1, 0, 1, UINT64_MAX }, { 2, 3, 0, UINT64_MAX, 2 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = ok;
		s.flags = bad[i].flags;
		s.direction = bad[i].dir;
		s.pad = bad[i].pad;
		s.offset = bad[i].off;
		s.length = bad[i].len;
		cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), -EINVAL, "case %zu", i);
	}
	memset(&bi, 0, sizeof(bi));
	bi.handle = a.handle;
	bi.flags = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), -EINVAL);
	bi.flags = 0;
	bi.pad = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), -EINVAL);
	bi.pad = 0;
	bi.segs_ptr = 16;
	bi.segs_count = 1;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), -EFAULT);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

Test(buffers, segment_addresses_need_cap_sys_admin)
{
	struct edudma_seg seg;
	struct edudma_alloc a;
	int fd = lab_open(0), st;
	pid_t pid;

	cr_assert_eq(lab_alloc(fd, 4096, EDUDMA_BUF_PAGES, &a), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct edudma_buf_info bi = { .handle = a.handle };

		/* an unprivileged user loses every capability */
		if (setresuid(65534, 65534, 65534))
			_exit(10);
		if (lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi) || bi.size != 4096)
			_exit(11);
		bi.segs_ptr = (uintptr_t)&seg;
		bi.segs_count = 1;
		_exit(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi) == -EPERM ? 0 : 12);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

Test(buffers, thousands_of_handles)
{
	enum { N = 5000 };
	static uint32_t handles[N];
	struct edudma_stats before, st;
	struct edudma_alloc a;
	int fd = lab_open(0);

	lab_stats(fd, &before);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(lab_alloc(fd, 4096, i % 2 ? EDUDMA_BUF_PAGES : EDUDMA_BUF_AUTO, &a), 0,
			     "alloc %d", i);
		handles[i] = a.handle;
		for (int j = i - 1; j >= 0 && j > i - 4; j--)
			cr_assert_neq(handles[j], a.handle);
	}
	lab_stats(fd, &st);
	cr_assert_eq(st.buffers[0], before.buffers[0] + N);
	for (int i = 0; i < N; i += 2)
		cr_assert_eq(lab_free(fd, handles[i]), 0);
	/* the rest go with close() */
	close(fd);
	fd = lab_open(0);
	lab_stats(fd, &st);
	cr_assert_eq(st.buffers[0], before.buffers[0]);
	cr_assert_eq(st.bytes[0], before.bytes[0]);
	close(fd);
}
