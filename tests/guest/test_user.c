// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * User memory as a buffer (EDUDMA_IOC_REGISTER): malloc'd, anonymous,
 * memfd and hugetlb memory, unaligned ranges, read-only registrations,
 * fork, munmap, RLIMIT_MEMLOCK, memory that cannot be pinned, the bounce
 * path; every failure leaves nothing pinned (VmPin in /proc/self/status is
 * mm->pinned_vm, which the driver charges).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define PAGE 4096ULL

TestSuite(user, .init = lab_init, .timeout = 300);

/* EDUDMA_IOC_REGISTER: 0 or -errno */
static int reg(int fd, const void *addr, uint64_t len, uint32_t flags, uint32_t *handle)
{
	struct edudma_register r = { .addr = (uintptr_t)addr, .length = len, .flags = flags };
	int ret = lab_ioctl(fd, EDUDMA_IOC_REGISTER, &r);

	if (!ret) {
		cr_assert_neq(r.handle, 0);
		cr_assert_gt(r.nr_segments, 0);
		*handle = r.handle;
	}
	return ret;
}

static void *anon(uint64_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED, "%s", strerror(errno));
	return p;
}

/* pages of [addr, addr + len) */
static unsigned long span_pages(const void *addr, uint64_t len)
{
	uintptr_t a = (uintptr_t)addr;

	return ((a + len + PAGE - 1) / PAGE) - a / PAGE;
}

Test(user, unaligned_ranges_copy_exactly_and_nothing_beyond)
{
	const uint64_t len = 3 * PAGE + 77;
	uint8_t *src = anon(8 * PAGE, PROT_READ | PROT_WRITE);
	uint8_t *dst = anon(8 * PAGE, PROT_READ | PROT_WRITE);
	uint32_t hs, hd;
	int fd = lab_open(0);

	lab_fill(src, 8 * PAGE, 3);
	memset(dst, 0x5a, 8 * PAGE);
	cr_assert_eq(reg(fd, src + 123, len, 0, &hs), 0);
	cr_assert_eq(reg(fd, dst + 4001, len, 0, &hd), 0);
	cr_assert_eq(lab_vm_pin_kb(), (span_pages(src + 123, len) + span_pages(dst + 4001, len)) * 4);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, hs, 0, hd, 0, len), 0);
	cr_assert_eq(memcmp(dst + 4001, src + 123, len), 0);
	/* the bytes around the range share its first and last pages: untouched */
	for (uint64_t i = 0; i < 8 * PAGE; i++)
		if (i < 4001 || i >= 4001 + len)
			cr_assert_eq(dst[i], 0x5a, "byte %lu", (unsigned long)i);
	/* offsets count from the registered address; ranges stay inside */
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, hs, 100, hd, 7, 500), 0);
	cr_assert_eq(memcmp(dst + 4001 + 7, src + 123 + 100, 500), 0);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_TO_DEVICE, hs, len - 1, 0, 0, 2), -EINVAL);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_TO_DEVICE, hs, len, 0, 0, 1), -EINVAL);
	cr_assert_eq(lab_free(fd, hs), 0);
	cr_assert_eq(lab_free(fd, hd), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	close(fd);
	munmap(src, 8 * PAGE);
	munmap(dst, 8 * PAGE);
}

Test(user, malloc_memory_to_and_from_a_pages_buffer)
{
	const uint64_t len = 10000;
	uint8_t *m = malloc(len), *back = malloc(len);
	struct lab_buf b;
	uint32_t h, hb;
	int fd = lab_open(0);

	cr_assert(m && back);
	lab_fill(m, len, 11);
	memset(back, 0, len);
	lab_buf_alloc(fd, 4 * PAGE, EDUDMA_BUF_PAGES, &b);
	cr_assert_eq(reg(fd, m, len, EDUDMA_REGISTER_READONLY, &h), 0);
	cr_assert_eq(reg(fd, back, len, 0, &hb), 0);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, h, 0, b.a.handle, 5, len), 0);
	cr_assert_eq(lab_check(b.p + 5, len, 11), len);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 5, hb, 0, len), 0);
	cr_assert_eq(lab_check(back, len, 11), len);
	cr_assert_eq(lab_free(fd, h), 0);
	cr_assert_eq(lab_free(fd, hb), 0);
	lab_buf_free(fd, &b);
	close(fd);
	free(m);
	free(back);
}

Test(user, read_only_memory_is_for_the_device_to_read)
{
	uint8_t *ro = anon(2 * PAGE, PROT_READ);
	struct lab_buf b;
	uint32_t h;
	int fd = lab_open(0);

	lab_buf_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &b);
	lab_fill(b.p, PAGE, 9);
	/* the device may write what it pins writable: a read-only mapping is refused */
	cr_assert_eq(reg(fd, ro, 2 * PAGE, 0, &h), -EFAULT);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	cr_assert_eq(reg(fd, ro, 2 * PAGE, EDUDMA_REGISTER_READONLY, &h), 0);
	cr_assert_eq(lab_vm_pin_kb(), 8);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, h, 0, b.a.handle, 0, 1000), 0);
	cr_assert_eq(lab_check_zero(b.p, 1000), 1000);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_FROM_DEVICE, 0, 0, h, 0, 100), -EACCES);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, 100), -EACCES);
	cr_assert_eq(lab_free(fd, h), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	lab_buf_free(fd, &b);
	close(fd);
	munmap(ro, 2 * PAGE);
}

Test(user, bad_input_pins_nothing)
{
	struct edudma_register r = { 0 };
	uint8_t *p = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	uint8_t *hole = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	uint32_t h;
	int fd = lab_open(0);

	cr_assert_eq(reg(fd, p, PAGE, 2, &h), -EINVAL);
	cr_assert_eq(reg(fd, p, PAGE, ~0U, &h), -EINVAL);
	r = (struct edudma_register){ .addr = (uintptr_t)p, .length = PAGE, .pad = 1 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_REGISTER, &r), -EINVAL);
	cr_assert_eq(reg(fd, p, 0, 0, &h), -EINVAL);
	r = (struct edudma_register){ .addr = UINT64_MAX - 10, .length = 100 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_REGISTER, &r), -EINVAL);
	cr_assert_eq(reg(fd, p, 1ULL << 40, 0, &h), -EFBIG);
	/* a kernel address, a hole in the middle, a range running past the mapping */
	r = (struct edudma_register){ .addr = 0xffff888000000000ULL, .length = PAGE };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_REGISTER, &r), -EFAULT);
	lab_fill(hole, 4 * PAGE, 1);
	cr_assert_eq(munmap(hole + 2 * PAGE, PAGE), 0);
	cr_assert_eq(reg(fd, hole, 4 * PAGE, 0, &h), -EFAULT);
	cr_assert_eq(reg(fd, hole + PAGE, PAGE + 1, 0, &h), -EFAULT);
	cr_assert_eq(reg(fd, NULL, PAGE, 0, &h), -EFAULT);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	cr_assert_eq(lab_free(fd, 12345), -ENOENT);
	close(fd);
	munmap(p, 4 * PAGE);
	munmap(hole, 2 * PAGE);
	munmap(hole + 3 * PAGE, PAGE);
}

Test(user, info_says_user_and_it_cannot_be_mapped_or_exported)
{
	uint8_t *p = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	struct edudma_buf_info bi = { 0 };
	struct edudma_export ex = { 0 };
	struct edudma_info info;
	uint32_t h;
	int fd = lab_open(0);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &info), 0);
	cr_assert(info.caps & EDUDMA_CAP_USER_MEMORY);
	cr_assert_eq(reg(fd, p + 1, PAGE, 0, &h), 0);
	bi.handle = h;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), 0);
	cr_assert_eq(bi.kind, EDUDMA_BUF_USER);
	cr_assert_eq(bi.size, PAGE);
	cr_assert_eq(bi.mmap_offset, 0);
	cr_assert_eq(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0), MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	ex.handle = h;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -EOPNOTSUPP);
	/* closing the file drops the handle and the pin */
	close(fd);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	munmap(p, 2 * PAGE);
}

Test(user, munmap_while_registered_keeps_the_pages)
{
	uint8_t *p = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	struct lab_buf b;
	uint32_t h;
	int fd = lab_open(0);

	lab_buf_alloc(fd, 4 * PAGE, EDUDMA_BUF_PAGES, &b);
	lab_fill(p, 4 * PAGE, 21);
	cr_assert_eq(reg(fd, p, 4 * PAGE, 0, &h), 0);
	cr_assert_eq(munmap(p, 4 * PAGE), 0);
	cr_assert_eq(lab_vm_pin_kb(), 16);
	/* the transfer reads the pinned pages: the data written before munmap */
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, h, 0, b.a.handle, 0, 4 * PAGE), 0);
	cr_assert_eq(lab_check(b.p, 4 * PAGE, 21), 4 * PAGE);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, PAGE), 0);
	cr_assert_eq(lab_free(fd, h), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	lab_buf_free(fd, &b);
	close(fd);
}

Test(user, after_fork_the_parent_keeps_its_pinned_pages)
{
	uint8_t *p = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	struct lab_buf b;
	int fd = lab_open(0), status, pipefd[2];
	uint32_t h;
	pid_t pid;
	char c;

	lab_buf_alloc(fd, 2 * PAGE, EDUDMA_BUF_PAGES, &b);
	memset(p, 1, 2 * PAGE);
	cr_assert_eq(reg(fd, p, 2 * PAGE, 0, &h), 0);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		/* the child writes its copy, then waits until the parent is done */
		memset(p, 2, 2 * PAGE);
		_exit(read(pipefd[0], &c, 1) == 1 && p[0] == 2 ? 0 : 1);
	}
	/* a parent write after fork must not move it off its pinned page */
	p[0] = 3;
	lab_fill(b.p, 2 * PAGE, 31);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, 2 * PAGE), 0);
	cr_assert_eq(lab_check(p, 2 * PAGE, 31), 2 * PAGE);
	cr_assert_eq(write(pipefd[1], "x", 1), 1);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child saw the parent's data");
	cr_assert_eq(lab_free(fd, h), 0);
	lab_buf_free(fd, &b);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	munmap(p, 2 * PAGE);
}

Test(user, memfd_pages_are_shared_with_the_other_mapping)
{
	const uint64_t len = 16 * PAGE;
	int mfd = memfd_create("edudma-test", 0), fd = lab_open(0);
	uint8_t *a, *b2;
	struct lab_buf b;
	uint32_t h;

	cr_assert_geq(mfd, 0);
	cr_assert_eq(ftruncate(mfd, len), 0);
	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	b2 = mmap(NULL, len, PROT_READ, MAP_SHARED, mfd, 0);
	cr_assert(a != MAP_FAILED && b2 != MAP_FAILED);
	lab_buf_alloc(fd, len, EDUDMA_BUF_PAGES, &b);
	lab_fill(b.p, len, 41);
	cr_assert_eq(reg(fd, a + 100, len - 200, 0, &h), 0);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, len - 200), 0);
	cr_assert_eq(lab_check(b2 + 100, len - 200, 41), len - 200);
	cr_assert_eq(lab_check_zero(b2, 100), 100);
	cr_assert_eq(lab_free(fd, h), 0);
	lab_buf_free(fd, &b);
	munmap(a, len);
	munmap(b2, len);
	close(mfd);
	close(fd);
}

Test(user, hugetlb_pages)
{
	const uint64_t len = 2ULL << 20;
	unsigned long old = 0;
	struct lab_buf b;
	uint8_t *p;
	uint32_t h;
	int fd = lab_open(0);
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r+");

	cr_assert_not_null(f, "no hugetlbfs: %s", strerror(errno));
	cr_assert_eq(fscanf(f, "%lu", &old), 1);
	rewind(f);
	cr_assert_gt(fprintf(f, "%lu\n", old + 1), 0);
	cr_assert_eq(fflush(f), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		 -1, 0);
	cr_assert_neq(p, MAP_FAILED, "MAP_HUGETLB: %s", strerror(errno));
	memset(p, 0, len);
	lab_buf_alloc(fd, 64 * 1024, EDUDMA_BUF_PAGES, &b);
	lab_fill(b.p, 64 * 1024, 51);
	cr_assert_eq(reg(fd, p + len - 40000, 40000, 0, &h), 0);
	cr_assert_eq(lab_vm_pin_kb(), 10 * 4);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, 40000), 0);
	cr_assert_eq(lab_check(p + len - 40000, 40000, 51), 40000);
	cr_assert_eq(lab_free(fd, h), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	lab_buf_free(fd, &b);
	munmap(p, len);
	rewind(f);
	cr_assert_gt(fprintf(f, "%lu\n", old), 0);
	fclose(f);
	close(fd);
}

Test(user, io_and_pfn_mappings_cannot_be_pinned)
{
	struct edudma_alloc a;
	uint32_t h;
	int fd = lab_open(0);
	uint8_t *p;

	cr_assert_eq(lab_alloc(fd, 2 * PAGE, EDUDMA_BUF_COHERENT, &a), 0);
	p = lab_mmap(fd, &a, 0, a.size);
	cr_assert_neq(p, MAP_FAILED);
	p[0] = 1;
	cr_assert_eq(reg(fd, p, a.size, 0, &h), -EFAULT);
	cr_assert_eq(reg(fd, p, a.size, EDUDMA_REGISTER_READONLY, &h), -EFAULT);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	munmap(p, a.size);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

/* in a child without CAP_IPC_LOCK: the exit status is the failed step */
static int memlock_child(int fd)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	uint8_t *p = anon(64 * PAGE, PROT_READ | PROT_WRITE);
	uint32_t h, h2;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || syscall(SYS_capget, &hdr, data))
		return 10;
	data[0].effective &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		return 11;
	if (reg(fd, p, 17 * PAGE, 0, &h) != -ENOMEM || lab_vm_pin_kb() != 0)
		return 1;
	if (reg(fd, p, 10 * PAGE, 0, &h) || lab_vm_pin_kb() != 40)
		return 2;
	/* 10 + 7 pages is over the 16-page limit: the second is refused whole */
	if (reg(fd, p + 20 * PAGE, 7 * PAGE, 0, &h2) != -ENOMEM || lab_vm_pin_kb() != 40)
		return 3;
	if (reg(fd, p + 20 * PAGE, 6 * PAGE, 0, &h2) || lab_vm_pin_kb() != 64)
		return 4;
	if (lab_free(fd, h) || lab_free(fd, h2) || lab_vm_pin_kb() != 0)
		return 5;
	return 0;
}

Test(user, rlimit_memlock_caps_what_is_pinned)
{
	int fd = lab_open(0), status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(memlock_child(fd));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "step %d", WEXITSTATUS(status));
	close(fd);
}

Test(user, freed_while_an_async_transfer_runs)
{
	uint8_t *p = anon(8 * PAGE, PROT_READ | PROT_WRITE);
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
				 .length = 8 * PAGE };
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };
	int fd = lab_open(0);

	lab_fill(p, 8 * PAGE, 61);
	cr_assert_eq(reg(fd, p, 8 * PAGE, 0, &x.src_handle), 0);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	cr_assert_eq(lab_free(fd, x.src_handle), 0);
	w.seq = x.seq;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.status, 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	close(fd);
	munmap(p, 8 * PAGE);
}

/* physical address of the page at @p, from /proc/self/pagemap (root) */
static uint64_t phys_of(const void *p)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;

	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &e, 8, (uintptr_t)p / PAGE * 8), 8);
	close(fd);
	cr_assert(e & (1ULL << 63), "page not present");
	return (e & ((1ULL << 55) - 1)) * PAGE;
}

Test(user, unreachable_pages_go_through_the_bounce_path, .timeout = 600)
{
	const uint64_t chunk = 16ULL << 20;
	struct edudma_buf_info bi = { 0 };
	uint8_t *mem[24], *at = NULL;
	unsigned int n = 0, i;
	struct lab_buf b;
	uint32_t h;
	int fd = lab_open(0);

	/* a page above 256 MiB, the 28-bit device's reach, followed by one more */
	while (!at && n < 24) {
		mem[n] = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (mem[n] == MAP_FAILED)
			break;
		for (uint64_t off = 0; off + PAGE < chunk && !at; off += 64 * PAGE)
			if (phys_of(mem[n] + off) >= (256ULL << 20))
				at = mem[n] + off;
		n++;
	}
	cr_assert_not_null(at, "no page above 256 MiB in %u chunks", n);
	lab_buf_alloc(fd, 2 * PAGE, EDUDMA_BUF_PAGES, &b);
	lab_fill(at, 2 * PAGE, 71);
	/* starts mid-page: the bounce copy must honour the page offset */
	cr_assert_eq(reg(fd, at + 1000, 2 * PAGE - 2000, 0, &h), 0);
	bi.handle = h;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_BUF_INFO, &bi), 0);
	if (lab_mask_bits() == 28 && !lab_iommu())
		cr_assert_gt(bi.bounce_bytes, 0);
	else
		cr_assert_eq(bi.bounce_bytes, 0);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, h, 0, b.a.handle, 0, 2 * PAGE - 2000), 0);
	cr_assert_eq(memcmp(b.p, at + 1000, 2 * PAGE - 2000), 0);
	lab_fill(b.p, 2 * PAGE, 72);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, b.a.handle, 0, h, 0, 2 * PAGE - 2000), 0);
	cr_assert_eq(memcmp(at + 1000, b.p, 2 * PAGE - 2000), 0);
	cr_assert_eq(lab_check(at, 1000, 71), 1000);
	cr_assert_eq(lab_free(fd, h), 0);
	lab_buf_free(fd, &b);
	for (i = 0; i < n; i++)
		munmap(mem[i], chunk);
	close(fd);
}

Test(user, many_registrations_of_the_same_pages)
{
	uint8_t *p = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	uint32_t h[16], w[4];
	struct lab_buf b;
	int fd = lab_open(0);

	lab_buf_alloc(fd, 2 * PAGE, EDUDMA_BUF_PAGES, &b);
	lab_fill(p, 2 * PAGE, 81);
	/* read-only ones any number of times; writable ones overlapping them */
	for (unsigned int i = 0; i < 16; i++)
		cr_assert_eq(reg(fd, p + i, 2 * PAGE - 16, EDUDMA_REGISTER_READONLY, &h[i]), 0);
	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(reg(fd, p + 64 * i, PAGE, 0, &w[i]), 0);
	cr_assert_eq(lab_vm_pin_kb(), (16 * 2 + 1 + 3 * 2) * 4);
	for (unsigned int i = 0; i < 16; i++) {
		memset(b.p, 0, 2 * PAGE);
		cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_COPY, h[i], 0, b.a.handle, 0, 2 * PAGE - 16),
			     0);
		cr_assert_eq(memcmp(b.p, p + i, 2 * PAGE - 16), 0, "registration %u", i);
	}
	for (unsigned int i = 0; i < 16; i++)
		cr_assert_eq(lab_free(fd, h[i]), 0);
	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(lab_free(fd, w[i]), 0);
	cr_assert_eq(lab_vm_pin_kb(), 0);
	lab_buf_free(fd, &b);
	close(fd);
	munmap(p, 2 * PAGE);
}
