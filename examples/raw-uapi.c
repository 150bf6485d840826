// SPDX-License-Identifier: MIT
/*
 * The driver without the library: <linux/edudma.h>, open(), ioctl(), mmap().
 * Build: cc -I/usr/include/edudma raw-uapi.c   (or -I uapi in the source tree)
 */
#define _FILE_OFFSET_BITS 64	/* mmap offsets lie above 4 GiB: a 32-bit build needs it */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/edudma.h>

int main(int argc, char **argv)
{
	struct edudma_alloc a = { .size = 4096, .kind = EDUDMA_BUF_COHERENT };
	struct edudma_alloc b = { .size = 4096, .kind = EDUDMA_BUF_COHERENT };
	struct edudma_info info;
	struct edudma_xfer x;
	struct edudma_free f;
	uint8_t *pa = MAP_FAILED, *pb = MAP_FAILED;
	int fd, ok = 0;

	fd = open(argc > 1 ? argv[1] : "/dev/edudma0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, EDUDMA_IOC_GET_INFO, &info)) {
		perror("open/GET_INFO");
		return 1;
	}
	if (info.api_version != EDUDMA_API_VERSION || !(info.caps & EDUDMA_CAP_XFER)) {
		fprintf(stderr, "driver API %u, caps %#llx: not what this program knows\n",
			info.api_version, (unsigned long long)info.caps);
		return 1;
	}
	if (ioctl(fd, EDUDMA_IOC_ALLOC, &a) || ioctl(fd, EDUDMA_IOC_ALLOC, &b)) {
		perror("ALLOC");
		return 1;
	}
	pa = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.mmap_offset);
	pb = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)b.mmap_offset);
	if (pa == MAP_FAILED || pb == MAP_FAILED) {
		perror("mmap");
		goto out;
	}
	for (unsigned int i = 0; i < info.window_size; i++)
		pa[i] = (uint8_t)i;
	/* one window out to the device, then back into the other buffer */
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_TO_DEVICE, .src_handle = a.handle,
				  .length = info.window_size };
	if (ioctl(fd, EDUDMA_IOC_XFER, &x)) {
		perror("XFER TO_DEVICE");
		goto out;
	}
	x = (struct edudma_xfer){ .op = EDUDMA_XFER_FROM_DEVICE, .dst_handle = b.handle,
				  .length = info.window_size };
	if (ioctl(fd, EDUDMA_IOC_XFER, &x)) {
		perror("XFER FROM_DEVICE");
		goto out;
	}
	ok = !memcmp(pa, pb, info.window_size);
	printf("%s: %u bytes to the device window at %#llx and back, %llu command(s)\n",
	       ok ? "ok" : "DIFFER", info.window_size, (unsigned long long)info.window_addr,
	       (unsigned long long)x.commands);
out:
	if (pa != MAP_FAILED)
		munmap(pa, a.size);
	if (pb != MAP_FAILED)
		munmap(pb, b.size);
	f = (struct edudma_free){ .handle = a.handle };
	ioctl(fd, EDUDMA_IOC_FREE, &f);
	f = (struct edudma_free){ .handle = b.handle };
	ioctl(fd, EDUDMA_IOC_FREE, &f);
	close(fd);
	return ok ? 0 : 1;
}
