// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: device discovery (libpciaccess + sysfs) and the ioctl calls
 * of /dev/edudmaN.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pciaccess.h>

#include "libedudma.h"
#include "private.h"

#define EDU_VENDOR_ID	0x1234
#define EDU_DEVICE_ID	0x11e8

struct edudma {
	int fd;
};

struct edudma_buf {
	int fd;			/* a dup of the device's, so the buffer outlives edudma_close() */
	struct edudma_alloc a;
	void *map;
};

/* N of the edudmaN class device under the PCI device in sysfs, or -1 */
static int edudma_sysfs_minor(const char *bdf)
{
	char path[PATH_MAX];
	struct dirent *de;
	int minor = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/edudma", bdf);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		unsigned int n;
		int len = 0;

		if (sscanf(de->d_name, "edudma%u%n", &n, &len) == 1 && !de->d_name[len]) {
			minor = (int)n;
			break;
		}
	}
	closedir(d);
	return minor;
}

static void edudma_sysfs_driver(const char *bdf, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, size, "%.31s", base ? base + 1 : target);
}

EDUDMA_EXPORT int edudma_list(struct edudma_pci **list, size_t *count)
{
	struct pci_id_match match = {
		.vendor_id = EDU_VENDOR_ID,
		.device_id = EDU_DEVICE_ID,
		.subvendor_id = PCI_MATCH_ANY,
		.subdevice_id = PCI_MATCH_ANY,
	};
	struct pci_device_iterator *it;
	struct edudma_pci *arr = NULL;
	struct pci_device *pd;
	size_t n = 0;
	int ret;

	if (!list || !count)
		return -EINVAL;
	ret = pci_system_init();
	if (ret)
		return -ret;
	it = pci_id_match_iterator_create(&match);
	if (!it) {
		pci_system_cleanup();
		return -ENOMEM;
	}
	while ((pd = pci_device_next(it))) {
		struct edudma_pci *e, *grown;
		char bdf[32];

		grown = realloc(arr, (n + 1) * sizeof(*arr));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		arr = grown;
		e = &arr[n++];
		memset(e, 0, sizeof(*e));
		e->domain = pd->domain;
		e->bus = pd->bus;
		e->dev = pd->dev;
		e->func = pd->func;
		e->vendor_id = pd->vendor_id;
		e->device_id = pd->device_id;
		e->revision = pd->revision;
		if (!pci_device_probe(pd)) {
			e->bar0_size = pd->regions[0].size;
			e->irq = pd->irq;
		}
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", e->domain, e->bus, e->dev, e->func);
		e->minor = edudma_sysfs_minor(bdf);
		if (e->minor >= 0)
			snprintf(e->devnode, sizeof(e->devnode), "/dev/edudma%d", e->minor);
		edudma_sysfs_driver(bdf, e->driver, sizeof(e->driver));
	}
	pci_iterator_destroy(it);
	pci_system_cleanup();
	if (ret) {
		free(arr);
		return ret;
	}
	*list = arr;
	*count = n;
	return 0;
}

EDUDMA_EXPORT void edudma_list_free(struct edudma_pci *list)
{
	free(list);
}

/* "/dev/edudmaN", "N" or a PCI address into a device node path */
static int edudma_resolve(const char *name, char *path, size_t size)
{
	unsigned int dom, bus, dev, fn, n;
	char bdf[32];
	int len = 0, minor;

	if (name[0] == '/') {
		snprintf(path, size, "%s", name);
		return 0;
	}
	if (sscanf(name, "%u%n", &n, &len) == 1 && !name[len]) {
		snprintf(path, size, "/dev/edudma%u", n);
		return 0;
	}
	if (edudma_parse_bdf(name, &dom, &bus, &dev, &fn))
		return -EINVAL;
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	minor = edudma_sysfs_minor(bdf);
	if (minor < 0)
		return -ENODEV;
	snprintf(path, size, "/dev/edudma%d", minor);
	return 0;
}

EDUDMA_EXPORT int edudma_open(const char *name, struct edudma **out)
{
	char path[PATH_MAX];
	struct edudma *e;
	int ret;

	if (!name || !out)
		return -EINVAL;
	ret = edudma_resolve(name, path, sizeof(path));
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = open(path, O_RDWR | O_CLOEXEC);
	if (e->fd < 0) {
		ret = -errno;
		free(e);
		return ret;
	}
	*out = e;
	return 0;
}

EDUDMA_EXPORT void edudma_close(struct edudma *e)
{
	if (!e)
		return;
	close(e->fd);
	free(e);
}

EDUDMA_EXPORT int edudma_fd(const struct edudma *e)
{
	return e ? e->fd : -EINVAL;
}

static int edudma_ioctl(struct edudma *e, unsigned long cmd, void *arg)
{
	if (!e)
		return -EINVAL;
	return ioctl(e->fd, cmd, arg) ? -errno : 0;
}

EDUDMA_EXPORT int edudma_get_info(struct edudma *e, struct edudma_info *info)
{
	if (!info)
		return -EINVAL;
	return edudma_ioctl(e, EDUDMA_IOC_GET_INFO, info);
}

EDUDMA_EXPORT int edudma_factorial(struct edudma *e, uint32_t n, uint32_t flags, uint32_t *result)
{
	struct edudma_factorial f = { .n = n, .flags = flags };
	int ret;

	if (!result)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_FACTORIAL, &f);
	if (!ret)
		*result = f.result;
	return ret;
}

EDUDMA_EXPORT int edudma_liveness(struct edudma *e, uint32_t value, uint32_t *result)
{
	struct edudma_liveness l = { .value = value };
	int ret;

	if (!result)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_LIVENESS, &l);
	if (!ret)
		*result = l.result;
	return ret;
}

EDUDMA_EXPORT int edudma_selftest(struct edudma *e, struct edudma_selftest *st)
{
	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	return edudma_ioctl(e, EDUDMA_IOC_SELFTEST, st);
}

EDUDMA_EXPORT int edudma_get_stats(struct edudma *e, struct edudma_stats *st)
{
	if (!st)
		return -EINVAL;
	return edudma_ioctl(e, EDUDMA_IOC_STATS, st);
}

/*
 * A buffer of @e made by ioctl @cmd on the buffer's own dup of the device
 * fd (so that the buffer keeps the device open): 0 or -errno.
 */
static int buf_make(struct edudma *e, unsigned long cmd, void *arg, struct edudma_buf **out)
{
	struct edudma_buf *b;
	int ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
	if (b->fd < 0 || ioctl(b->fd, cmd, arg)) {
		ret = -errno;
		if (b->fd >= 0)
			close(b->fd);
		free(b);
		return ret;
	}
	*out = b;
	return 0;
}

EDUDMA_EXPORT int edudma_buf_alloc(struct edudma *e, uint64_t size, uint32_t kind,
				   struct edudma_buf **out)
{
	struct edudma_alloc a = { .size = size, .kind = kind };
	int ret;

	if (!e || !out)
		return -EINVAL;
	ret = buf_make(e, EDUDMA_IOC_ALLOC, &a, out);
	if (!ret)
		(*out)->a = a;
	return ret;
}

EDUDMA_EXPORT int edudma_buf_import(struct edudma *e, int fd, struct edudma_buf **out)
{
	struct edudma_import im = { .fd = fd };
	int ret;

	if (!e || !out)
		return -EINVAL;
	ret = buf_make(e, EDUDMA_IOC_IMPORT, &im, out);
	if (!ret)
		(*out)->a = (struct edudma_alloc){ .size = im.size, .kind = EDUDMA_BUF_IMPORTED,
						   .handle = im.handle,
						   .nr_segments = im.nr_segments,
						   .mmap_offset = im.mmap_offset };
	return ret;
}

EDUDMA_EXPORT int edudma_buf_export(struct edudma_buf *b, int *fd)
{
	struct edudma_export ex;

	if (!b || !fd)
		return -EINVAL;
	ex = (struct edudma_export){ .handle = b->a.handle };
	if (ioctl(b->fd, EDUDMA_IOC_EXPORT, &ex))
		return -errno;
	*fd = ex.fd;
	return 0;
}

EDUDMA_EXPORT void edudma_buf_free(struct edudma_buf *b)
{
	struct edudma_free f;

	if (!b)
		return;
	if (b->map)
		munmap(b->map, b->a.size);
	f = (struct edudma_free){ .handle = b->a.handle };
	ioctl(b->fd, EDUDMA_IOC_FREE, &f);
	close(b->fd);
	free(b);
}

EDUDMA_EXPORT int edudma_buf_mmap(struct edudma_buf *b, void **addr)
{
	void *p;

	if (!b || !addr)
		return -EINVAL;
	if (!b->map) {
		p = mmap(NULL, b->a.size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
			 (off_t)b->a.mmap_offset);
		if (p == MAP_FAILED)
			return -errno;
		b->map = p;
	}
	*addr = b->map;
	return 0;
}

EDUDMA_EXPORT int edudma_buf_sync(struct edudma_buf *b, uint64_t offset, uint64_t len,
				  uint32_t direction, uint32_t flags)
{
	struct edudma_sync s = {
		.flags = flags, .direction = direction, .offset = offset, .length = len,
	};

	if (!b)
		return -EINVAL;
	s.handle = b->a.handle;
	return ioctl(b->fd, EDUDMA_IOC_SYNC, &s) ? -errno : 0;
}

EDUDMA_EXPORT int edudma_buf_get_info(struct edudma_buf *b, struct edudma_buf_info *info)
{
	if (!b || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->handle = b->a.handle;
	return ioctl(b->fd, EDUDMA_IOC_BUF_INFO, info) ? -errno : 0;
}

EDUDMA_EXPORT int edudma_buf_get_segments(struct edudma_buf *b, struct edudma_seg *segs,
					  uint32_t count, uint32_t *n)
{
	struct edudma_buf_info bi = { 0 };

	if (!b || !n || (count && !segs))
		return -EINVAL;
	bi.handle = b->a.handle;
	bi.segs_ptr = (uintptr_t)segs;
	bi.segs_count = count;
	if (ioctl(b->fd, EDUDMA_IOC_BUF_INFO, &bi))
		return -errno;
	*n = bi.nr_segments;
	return 0;
}

EDUDMA_EXPORT uint32_t edudma_buf_handle(const struct edudma_buf *b)
{
	return b ? b->a.handle : 0;
}

EDUDMA_EXPORT uint64_t edudma_buf_size(const struct edudma_buf *b)
{
	return b ? b->a.size : 0;
}

EDUDMA_EXPORT uint32_t edudma_buf_kind(const struct edudma_buf *b)
{
	return b ? b->a.kind : 0;
}

EDUDMA_EXPORT uint32_t edudma_buf_segments(const struct edudma_buf *b)
{
	return b ? b->a.nr_segments : 0;
}

EDUDMA_EXPORT int edudma_xfer(struct edudma *e, struct edudma_xfer *x)
{
	if (!x)
		return -EINVAL;
	return edudma_ioctl(e, EDUDMA_IOC_XFER, x);
}

EDUDMA_EXPORT int edudma_wait(struct edudma *e, uint64_t seq, uint32_t timeout_ms,
			      struct edudma_wait *w)
{
	if (!w)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->seq = seq;
	w->timeout_ms = timeout_ms;
	return edudma_ioctl(e, EDUDMA_IOC_WAIT, w);
}
