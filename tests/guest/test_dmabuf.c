// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dma-buf export and import: errors, shared memory through both mappings,
 * lifetime beyond the handle and the device file, DMA through an imported
 * buffer in both directions, across two devices.
 *
 * Import needs a device that reaches all of memory (mask or IOMMU): on a
 * lab where it does not, the import tests assert EOPNOTSUPP instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "lab.h"

#include <criterion/parameterized.h>

#define PAGE 4096ULL

TestSuite(dmabuf, .init = lab_init, .timeout = 120);

static int export_fd(int fd, uint32_t handle)
{
	struct edudma_export ex = { .handle = handle };

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), 0);
	cr_assert_geq(ex.fd, 0);
	cr_assert_eq(fcntl(ex.fd, F_GETFD), FD_CLOEXEC);
	return ex.fd;
}

static int import(int fd, int dmabuf, struct edudma_import *im)
{
	*im = (struct edudma_import){ .fd = dmabuf };
	return lab_ioctl(fd, EDUDMA_IOC_IMPORT, im);
}

static uint64_t live_buffers(int minor)
{
	struct edudma_stats st;
	int fd = lab_open(minor);

	lab_stats(fd, &st);
	close(fd);
	return st.buffers[0];
}

/* one blocking transfer; 0 or -errno */
static int xfer(int fd, uint32_t op, uint32_t src, uint64_t soff, uint32_t dst, uint64_t doff,
		uint64_t len)
{
	struct edudma_xfer x = { .op = op, .src_handle = src, .src_offset = soff,
				 .dst_handle = dst, .dst_offset = doff, .length = len };

	return lab_ioctl(fd, EDUDMA_IOC_XFER, &x);
}

/* the next fd number the process would get: to see that none leaked */
static int next_fd(void)
{
	int fd = dup(0);

	cr_assert_geq(fd, 0);
	close(fd);
	return fd;
}

Test(dmabuf, caps)
{
	struct edudma_info info;
	int fd = lab_open(0);

	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_GET_INFO, &info), 0);
	cr_assert(info.caps & EDUDMA_CAP_DMABUF);
	close(fd);
}

Test(dmabuf, export_errors)
{
	struct edudma_alloc a, c;
	struct edudma_export ex;
	int fd = lab_open(0), other = lab_open(0), before;
	void *ro;

	cr_assert_eq(lab_alloc(fd, 2 * PAGE, EDUDMA_BUF_PAGES, &a), 0);
	cr_assert_eq(lab_alloc(fd, 2 * PAGE, EDUDMA_BUF_COHERENT, &c), 0);
	before = next_fd();

	ex = (struct edudma_export){ .handle = a.handle, .flags = 1 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -EINVAL);
	ex = (struct edudma_export){ .handle = a.handle, .pad = 1 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -EINVAL);
	ex = (struct edudma_export){ .handle = 0 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -ENOENT);
	ex = (struct edudma_export){ .handle = a.handle + 1000 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -ENOENT);
	/* a handle of another open file is nothing here */
	ex = (struct edudma_export){ .handle = a.handle };
	cr_assert_eq(lab_ioctl(other, EDUDMA_IOC_EXPORT, &ex), -ENOENT);
	ex = (struct edudma_export){ .handle = c.handle };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -EOPNOTSUPP);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, (void *)8), -EFAULT);
	/* readable but not writable: the answer cannot be given, so no fd is made */
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(ro, MAP_FAILED);
	*(struct edudma_export *)ro = (struct edudma_export){ .handle = a.handle };
	cr_assert_eq(mprotect(ro, PAGE, PROT_READ), 0);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, ro), -EFAULT);
	munmap(ro, PAGE);
	cr_assert_eq(next_fd(), before, "an fd leaked");

	cr_assert_eq(lab_free(fd, a.handle), 0);
	cr_assert_eq(lab_free(fd, c.handle), 0);
	close(other);
	close(fd);
}

ParameterizedTestParameters(dmabuf, shares_memory)
{
	static uint32_t kinds[] = { EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };

	return cr_make_param_array(uint32_t, kinds, 2);
}

/* the dma-buf maps the buffer's own memory; bounds and sync brackets */
ParameterizedTest(uint32_t *kind, dmabuf, shares_memory)
{
	const uint64_t size = 32 * PAGE;
	struct dma_buf_sync sync;
	struct edudma_alloc a;
	int fd = lab_open(0), dfd;
	uint8_t *p, *q;

	cr_assert_eq(lab_alloc(fd, size, *kind, &a), 0);
	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, size, 11);
	dfd = export_fd(fd, a.handle);
	cr_assert_eq(lseek(dfd, 0, SEEK_END), (off_t)size);

	q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, dfd, 0);
	cr_assert_eq(q, MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	q = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	cr_assert_eq(q, MAP_FAILED);
	cr_assert_eq(errno, EINVAL);
	q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, (off_t)(size - PAGE));
	cr_assert_eq(q, MAP_FAILED);
	cr_assert_eq(errno, EINVAL);

	/* a window in the middle, then the whole */
	q = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, (off_t)(8 * PAGE));
	cr_assert_neq(q, MAP_FAILED);
	cr_assert_eq(memcmp(q, p + 8 * PAGE, 4 * PAGE), 0);
	munmap(q, 4 * PAGE);
	q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	cr_assert_neq(q, MAP_FAILED);

	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
	cr_assert_eq(lab_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	cr_assert_eq(lab_check(q, size, 11), size);
	lab_fill(q, size, 12);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	cr_assert_eq(lab_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	cr_assert_eq(lab_check(p, size, 12), size);
	sync.flags = 0x80;
	cr_assert_eq(lab_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sync), -EINVAL);

	munmap(q, size);
	munmap(p, size);
	close(dfd);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}

/* every export of a buffer is an fd of its one dma-buf */
Test(dmabuf, export_twice)
{
	struct edudma_alloc a;
	int fd = lab_open(0), d1, d2;
	struct stat s1, s2;
	uint8_t *p, *q;

	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &a), 0);
	d1 = export_fd(fd, a.handle);
	d2 = export_fd(fd, a.handle);
	cr_assert_neq(d1, d2);
	cr_assert_eq(fstat(d1, &s1), 0);
	cr_assert_eq(fstat(d2, &s2), 0);
	cr_assert_eq(s1.st_ino, s2.st_ino);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d1, 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d2, 0);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_neq(q, MAP_FAILED);
	cr_assert_eq(lab_check_zero(q, PAGE), PAGE);
	lab_fill(p, PAGE, 5);
	cr_assert_eq(lab_check(q, PAGE, 5), PAGE);
	munmap(p, PAGE);
	munmap(q, PAGE);
	close(d1);
	close(d2);
	close(fd);
}

/* the dma-buf keeps the buffer after FREE and close; the last user frees it */
Test(dmabuf, outlives_handle_and_file)
{
	const uint64_t size = 8 * PAGE;
	uint64_t base = live_buffers(0);
	struct edudma_alloc a;
	int fd = lab_open(0), dfd;
	uint8_t *p;

	cr_assert_eq(lab_alloc(fd, size, EDUDMA_BUF_VMALLOC_SG, &a), 0);
	p = lab_mmap(fd, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, size, 21);
	munmap(p, size);
	dfd = export_fd(fd, a.handle);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
	cr_assert_eq(live_buffers(0), base + 1);

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	cr_assert_neq(p, MAP_FAILED);
	close(dfd);
	/* the mapping alone holds it now */
	cr_assert_eq(live_buffers(0), base + 1);
	cr_assert_eq(lab_check(p, size, 21), size);
	munmap(p, size);
	cr_assert_eq(live_buffers(0), base);
}

Test(dmabuf, import_errors)
{
	struct edudma_alloc c;
	struct edudma_import im;
	int fd = lab_open(0), nfd = open("/dev/null", O_RDWR | O_CLOEXEC);

	cr_assert_geq(nfd, 0);
	im = (struct edudma_import){ .fd = nfd, .flags = 1 };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im), -EINVAL);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, (void *)8), -EFAULT);
	if (!lab_can_import()) {
		/* refused before the fd is even looked at */
		cr_assert_eq(import(fd, nfd, &im), -EOPNOTSUPP);
		cr_assert_eq(import(fd, -1, &im), -EOPNOTSUPP);
	} else {
		cr_assert_eq(import(fd, -1, &im), -EBADF);
		cr_assert_eq(import(fd, 1000000, &im), -EBADF);
		cr_assert_eq(import(fd, nfd, &im), -EINVAL);
		cr_assert_eq(import(fd, fd, &im), -EINVAL);	/* an edudma file is no dma-buf */
		/* an import cannot be exported again: its own fd can */
		cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_PAGES, &c), 0);
		{
			int dfd = export_fd(fd, c.handle);
			struct edudma_export ex;

			cr_assert_eq(import(fd, dfd, &im), 0);
			ex = (struct edudma_export){ .handle = im.handle };
			cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_EXPORT, &ex), -EOPNOTSUPP);
			cr_assert_eq(lab_free(fd, im.handle), 0);
			cr_assert_eq(lab_free(fd, im.handle), -ENOENT);
			close(dfd);
		}
	}
	close(nfd);
	close(fd);
}

/*
 * Device B imports device A's buffer: DMA from it and into it, checked
 * through A's mapping; the import is not charged to B and keeps the
 * memory after A's handle, A's file and the dma-buf fd are gone.
 */
Test(dmabuf, import_transfers)
{
	const uint64_t size = 4 * PAGE, len = 4095;
	int minor_b = lab_edu_count() > 1 ? 1 : 0;
	int fa = lab_open(0), fb = lab_open(minor_b), dfd;
	struct edudma_alloc a, n;
	struct edudma_buf_info bi;
	struct edudma_import im;
	uint64_t base_b;
	uint8_t *p, *q, *r;

	cr_assert_eq(lab_alloc(fa, size, EDUDMA_BUF_PAGES, &a), 0);
	p = lab_mmap(fa, &a, 0, size);
	cr_assert_neq(p, MAP_FAILED);
	lab_fill(p, size, 31);
	dfd = export_fd(fa, a.handle);
	if (!lab_can_import()) {
		cr_assert_eq(import(fb, dfd, &im), -EOPNOTSUPP);
		goto out;
	}
	base_b = live_buffers(minor_b);
	cr_assert_eq(import(fb, dfd, &im), 0);
	cr_assert_eq(im.size, size);
	cr_assert_geq(im.nr_segments, 1);
	cr_assert_eq(live_buffers(minor_b), base_b, "an import is not the importer's memory");
	bi = (struct edudma_buf_info){ .handle = im.handle };
	cr_assert_eq(lab_ioctl(fb, EDUDMA_IOC_BUF_INFO, &bi), 0);
	cr_assert_eq(bi.kind, EDUDMA_BUF_IMPORTED);
	cr_assert_eq(bi.size, size);
	cr_assert_eq(bi.bounce_bytes, 0);

	/* B's own mapping of the import is the dma-buf */
	q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fb, (off_t)im.mmap_offset);
	cr_assert_neq(q, MAP_FAILED);
	cr_assert_eq(lab_check(q, size, 31), size);
	munmap(q, size);

	/* A lets go of everything but the import */
	munmap(p, size);
	cr_assert_eq(lab_free(fa, a.handle), 0);
	close(fa);
	close(dfd);
	fa = dfd = -1;

	/* imported -> device -> B's buffer: the data A wrote */
	cr_assert_eq(lab_alloc(fb, size, EDUDMA_BUF_PAGES, &n), 0);
	r = lab_mmap(fb, &n, 0, size);
	cr_assert_neq(r, MAP_FAILED);
	cr_assert_eq(xfer(fb, EDUDMA_XFER_COPY, im.handle, PAGE, n.handle, 0, len), 0);
	q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fb, (off_t)im.mmap_offset);
	cr_assert_neq(q, MAP_FAILED);
	cr_assert_eq(memcmp(r, q + PAGE, len), 0);
	/* B's buffer -> device -> imported, at another offset */
	lab_fill(r, size, 32);
	cr_assert_eq(xfer(fb, EDUDMA_XFER_COPY, n.handle, 0, im.handle, 2 * PAGE + 1, len), 0);
	cr_assert_eq(memcmp(q + 2 * PAGE + 1, r, len), 0);
	cr_assert_eq(lab_check(q, PAGE, 31), PAGE, "bytes outside the range changed");
	/* bad ranges on an import are refused like any buffer's */
	cr_assert_eq(xfer(fb, EDUDMA_XFER_TO_DEVICE, im.handle, size, 0, 0, 1), -EINVAL);
	cr_assert_eq(xfer(fb, EDUDMA_XFER_TO_DEVICE, im.handle, size - 1, 0, 0, 2), -EINVAL);
	munmap(q, size);
	munmap(r, size);
	cr_assert_eq(lab_free(fb, n.handle), 0);
	cr_assert_eq(lab_free(fb, im.handle), 0);
out:
	if (dfd >= 0)
		close(dfd);
	if (fa >= 0)
		close(fa);
	close(fb);
}

/* importing into the exporting device itself works the same way */
Test(dmabuf, self_import)
{
	struct edudma_alloc a;
	struct edudma_import im;
	int fd = lab_open(0), dfd;
	uint8_t *q;

	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_VMALLOC_SG, &a), 0);
	dfd = export_fd(fd, a.handle);
	if (!lab_can_import()) {
		cr_assert_eq(import(fd, dfd, &im), -EOPNOTSUPP);
	} else {
		cr_assert_eq(import(fd, dfd, &im), 0);
		cr_assert_neq(im.handle, a.handle);
		q = lab_mmap(fd, &a, 0, PAGE);
		cr_assert_neq(q, MAP_FAILED);
		lab_fill(q, 100, 41);
		/* the buffer's first bytes, through the device, into its alias */
		cr_assert_eq(xfer(fd, EDUDMA_XFER_COPY, a.handle, 0, im.handle, 2048, 100), 0);
		cr_assert_eq(lab_check(q + 2048, 100, 41), 100);
		munmap(q, PAGE);
		/* closing the file drops the import and the buffer; nothing stays */
	}
	close(dfd);
	close(fd);
	cr_assert_eq(live_buffers(0), 0);
}

/*
 * Many imports of one dma-buf, from several open files, share the device's
 * one mapping of it (DMA-API debug would count each extra mapping of the
 * pages); each handle works, and the mapping goes with the last one.
 */
Test(dmabuf, import_many)
{
	struct edudma_import im[12];
	struct edudma_alloc a;
	int fd = lab_open(0), other = lab_open(0), dfd, i;
	uint8_t *p;

	cr_assert_eq(lab_alloc(fd, 2 * PAGE, EDUDMA_BUF_PAGES, &a), 0);
	dfd = export_fd(fd, a.handle);
	if (!lab_can_import()) {
		cr_assert_eq(import(other, dfd, &im[0]), -EOPNOTSUPP);
		goto out;
	}
	p = lab_mmap(fd, &a, 0, 2 * PAGE);
	cr_assert_neq(p, MAP_FAILED);
	for (i = 0; i < 12; i++) {
		cr_assert_eq(import(i % 2 ? fd : other, dfd, &im[i]), 0);
		cr_assert_eq(im[i].nr_segments, im[0].nr_segments);
	}
	for (i = 0; i < 12; i++) {
		lab_fill(p, 64, 60 + i);
		/* each import, through the device, into the buffer's second page */
		cr_assert_eq(xfer(i % 2 ? fd : other, EDUDMA_XFER_COPY, im[i].handle, 0, im[i].handle,
				  PAGE, 64), 0);
		cr_assert_eq(lab_check(p + PAGE, 64, 60 + i), 64);
	}
	for (i = 0; i < 12; i++)
		cr_assert_eq(lab_free(i % 2 ? fd : other, im[i].handle), 0);
	munmap(p, 2 * PAGE);
out:
	close(dfd);
	close(other);
	close(fd);
}


/* edudma share: the CLI's export, import and copy, compared */
Test(dmabuf, cli_share)
{
	char out[2048], args[128];
	struct json_object *o;
	int rc;

	snprintf(args, sizeof(args), "-d 0 share --to %d --size 4095 --verify --json",
		 lab_edu_count() > 1 ? 1 : 0);
	o = lab_cli_json(args, &rc);
	if (lab_can_import()) {
		cr_assert_eq(rc, 0, "%s", json_object_to_json_string(o));
		cr_assert(json_object_get_boolean(lab_json(o, "ok")));
		cr_assert_eq(json_object_get_int64(lab_json(o, "commands")), 2);
	} else {
		cr_assert_eq(rc, 1);
		cr_assert_str_eq(json_object_get_string(lab_json(o, "error.what")), "import");
		cr_assert_eq(json_object_get_int(lab_json(o, "error.errno")), EOPNOTSUPP);
		cr_assert_not_null(strstr(json_object_get_string(lab_json(o, "error.hint")),
					  "DMA mask is too narrow"));
	}
	json_object_put(o);
	cr_assert_eq(lab_run_cli("share --kind coherent --size 4096", out, sizeof(out), true), 1);
	cr_assert_not_null(strstr(out, "export: Operation not supported"), "%s", out);
	cr_assert_eq(lab_run_cli("share", out, sizeof(out), true), 2);
	cr_assert_eq(lab_run_cli("share --size 4096 --to 9", out, sizeof(out), true), 1);
	cr_assert_not_null(strstr(out, "open device '9'"), "%s", out);
}

/*
 * Implicit sync: a transfer on an exported buffer publishes a fence in
 * its dma-buf, so poll() on the dma-buf waits for it: POLLIN for writers
 * (a transfer into the buffer), POLLOUT for every user (one out of it too).
 */
Test(dmabuf, poll_waits_for_transfers)
{
	struct edudma_alloc a;
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };
	struct edudma_xfer x = { .op = EDUDMA_XFER_FROM_DEVICE, .length = 4095,
				 .flags = EDUDMA_XFER_ASYNC };
	struct pollfd pf;
	int fd = lab_open(0), dfd;

	cr_assert_eq(lab_alloc(fd, 8192, EDUDMA_BUF_PAGES, &a), 0);
	dfd = export_fd(fd, a.handle);
	pf = (struct pollfd){ .fd = dfd, .events = POLLIN | POLLOUT };
	cr_assert_eq(poll(&pf, 1, 0), 1, "an idle dma-buf is ready");

	/* the device writes it: readers and writers wait */
	x.dst_handle = a.handle;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	pf.events = POLLIN;
	cr_assert_eq(poll(&pf, 1, 0), 0, "a reader did not wait for the device's write");
	cr_assert_eq(poll(&pf, 1, 5000), 1);
	cr_assert(pf.revents & POLLIN);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	cr_assert_eq(w.status, 0);

	/* the device reads it: writers wait, readers need not */
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .length = 4095,
				  .flags = EDUDMA_XFER_ASYNC, .src_handle = a.handle };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	pf.events = POLLOUT;
	cr_assert_eq(poll(&pf, 1, 0), 0, "a writer did not wait for the device's read");
	pf.events = POLLIN;
	cr_assert_eq(poll(&pf, 1, 0), 1, "a reader waited for another reader");
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	pf.events = POLLOUT;
	cr_assert_eq(poll(&pf, 1, 0), 1);
	close(dfd);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}
