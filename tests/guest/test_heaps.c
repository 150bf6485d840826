// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Importing dma-bufs that other kernel code exported: the system dma-buf
 * heap and udmabuf (ordinary memfd pages). Needs a device that can import
 * (an IOMMU, or a mask that reaches all memory: the mask-64 lane) and a
 * kernel with CONFIG_DMABUF_HEAPS_SYSTEM and CONFIG_UDMABUF: Debian's 6.12
 * and 7.3 and the lab's debug kernels have them; on Debian's 6.1, which has
 * neither, each test skips with the reason (listed in docs/kernels.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "lab.h"

#define PAGE 4096ULL

static void heaps_init(void)
{
	lab_init();
	cr_assert(lab_can_import(), "this lab's device cannot import: run with --iommu or a wide mask");
}

TestSuite(heaps, .init = heaps_init, .timeout = 120);

static void sync_dmabuf(int dfd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_RW };

	cr_assert_eq(lab_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s), 0);
}

static int xfer(int fd, uint32_t src, uint64_t soff, uint32_t dst, uint64_t doff, uint64_t len)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY, .src_handle = src, .src_offset = soff,
				 .dst_handle = dst, .dst_offset = doff, .length = len };

	return lab_ioctl(fd, EDUDMA_IOC_XFER, &x);
}

/*
 * Import @dfd (whose CPU view is @view, @size bytes), then: device reads
 * from it into a buffer of the driver's own, and writes a buffer of the
 * driver's own into it; both checked through @view.
 */
static void roundtrip(int dfd, uint8_t *view, uint64_t size)
{
	const uint64_t len = 3 * 4095;
	struct edudma_import im = { .fd = dfd };
	struct edudma_alloc n;
	int fd = lab_open(0);
	uint8_t *r, head[5];

	sync_dmabuf(dfd, DMA_BUF_SYNC_START);
	lab_fill(view, size, 51);
	sync_dmabuf(dfd, DMA_BUF_SYNC_END);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im), 0);
	cr_assert_eq(im.size, size);

	cr_assert_eq(lab_alloc(fd, size, EDUDMA_BUF_PAGES, &n), 0);
	r = lab_mmap(fd, &n, 0, size);
	cr_assert_neq(r, MAP_FAILED);
	cr_assert_eq(xfer(fd, im.handle, PAGE + 3, n.handle, 0, len), 0);
	cr_assert_eq(memcmp(r, view + PAGE + 3, len), 0);

	lab_fill(r, size, 52);
	memcpy(head, view, sizeof(head));
	cr_assert_eq(xfer(fd, n.handle, 0, im.handle, sizeof(head), len), 0);
	sync_dmabuf(dfd, DMA_BUF_SYNC_START);
	cr_assert_eq(memcmp(view + sizeof(head), r, len), 0);
	cr_assert_eq(memcmp(view, head, sizeof(head)), 0, "bytes before the range changed");
	sync_dmabuf(dfd, DMA_BUF_SYNC_END);
	munmap(r, size);
	cr_assert_eq(lab_free(fd, im.handle), 0);
	cr_assert_eq(lab_free(fd, n.handle), 0);
	close(fd);
	close(dfd);
}

Test(heaps, system_heap)
{
	const uint64_t size = 16 * PAGE;
	struct dma_heap_allocation_data hd = { .len = size, .fd_flags = O_RDWR | O_CLOEXEC };
	uint8_t *view;
	int hfd;

	lab_need_path("/dev/dma_heap/system", "CONFIG_DMABUF_HEAPS_SYSTEM");
	hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(hfd, 0, "/dev/dma_heap/system: %s", strerror(errno));
	cr_assert_eq(lab_ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &hd), 0);
	close(hfd);
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)hd.fd, 0);
	cr_assert_neq(view, MAP_FAILED);
	roundtrip((int)hd.fd, view, size);
	munmap(view, size);
}

/* DMA straight into a process's own memfd pages */
Test(heaps, udmabuf_memfd)
{
	const uint64_t size = 8 * PAGE;
	struct udmabuf_create uc;
	int mfd, ufd, dfd;
	uint8_t *view;

	lab_need_path("/dev/udmabuf", "CONFIG_UDMABUF");
	mfd = memfd_create("edudma-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	cr_assert_geq(mfd, 0);
	cr_assert_geq(ufd, 0, "/dev/udmabuf: %s", strerror(errno));
	cr_assert_eq(ftruncate(mfd, (off_t)size), 0);
	cr_assert_eq(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	cr_assert_neq(view, MAP_FAILED);
	uc = (struct udmabuf_create){ .memfd = (uint32_t)mfd, .flags = UDMABUF_FLAGS_CLOEXEC,
				      .size = size };
	dfd = ioctl(ufd, UDMABUF_CREATE, &uc);
	cr_assert_geq(dfd, 0, "UDMABUF_CREATE: %s", strerror(errno));
	close(ufd);
	roundtrip(dfd, view, size);
	munmap(view, size);
	close(mfd);
}

/* a dma-buf fd opened read-only: the device may read it, never write it */
Test(heaps, read_only_dma_buf_is_never_written)
{
	const uint64_t size = 4 * PAGE;
	struct dma_heap_allocation_data hd = { .len = size, .fd_flags = O_RDONLY | O_CLOEXEC };
	struct edudma_import im;
	struct edudma_alloc n;
	int fd, hfd;
	uint8_t *r;

	lab_need_path("/dev/dma_heap/system", "CONFIG_DMABUF_HEAPS_SYSTEM");
	hfd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	fd = lab_open(0);
	cr_assert_geq(hfd, 0, "/dev/dma_heap/system: %s", strerror(errno));
	cr_assert_eq(lab_ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &hd), 0);
	close(hfd);
	cr_assert_eq(fcntl((int)hd.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	im = (struct edudma_import){ .fd = (int32_t)hd.fd };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_IMPORT, &im), 0);
	cr_assert_eq(lab_alloc(fd, size, EDUDMA_BUF_PAGES, &n), 0);
	r = lab_mmap(fd, &n, 0, size);
	cr_assert_neq(r, MAP_FAILED);
	lab_fill(r, size, 9);
	/* into it: refused; out of it: fine (a heap buffer starts zeroed) */
	cr_assert_eq(xfer(fd, n.handle, 0, im.handle, 0, 100), -EACCES);
	cr_assert_eq(xfer(fd, im.handle, 0, n.handle, 0, 100), 0);
	cr_assert_eq(lab_check_zero(r, 100), 100);
	munmap(r, size);
	cr_assert_eq(lab_free(fd, im.handle), 0);
	cr_assert_eq(lab_free(fd, n.handle), 0);
	close(fd);
	close((int)hd.fd);
}
