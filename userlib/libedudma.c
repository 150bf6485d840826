// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: device discovery (libpciaccess + sysfs) and the ioctl calls
 * of /dev/edudmaN.
 */
#define _FILE_OFFSET_BITS 64	/* 64-bit mmap offsets in a 32-bit build too */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <pciaccess.h>

#include "libedudma.h"
#include "private.h"
#include "util.h"

_Static_assert(sizeof(off_t) == 8, "libedudma needs a 64-bit off_t");

#define EDU_VENDOR_ID	0x1234
#define EDU_DEVICE_ID	0x11e8
#define SYS_CLASS	"/sys/class/edudma"

struct edudma {
	int fd;
	atomic_uint refs;	/* the opener's, plus one per live buffer */
};

struct edudma_buf {
	struct edudma *e;
	struct edudma_alloc a;
	_Atomic(void *) map;
	void *user;		/* EDUDMA_BUF_USER: the caller's memory */
};

struct edudma_device {
	char address[16];
	unsigned int revision;
	uint64_t bar_size;
	int irq;
	int minor;
	char node[PATH_MAX];
	char driver[64];
};

EDUDMA_EXPORT const char *edudma_version(void)
{
	return EDUDMA_LIB_VERSION;
}

EDUDMA_EXPORT const char *edudma_kind_name(uint32_t kind)
{
	return edudma_util_kind_name(kind);
}

/* ---- sysfs ------------------------------------------------------------------ */

/* N of the edudmaN class device under PCI device @bdf in sysfs, or -1 */
static int sysfs_minor(const char *bdf)
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

/*
 * The device node of class device edudmaN, as udev names it: "/dev/" and
 * the DEVNAME of its uevent. 0, -ENOENT (no such class device) or -EIO.
 */
static int sysfs_node(unsigned int minor, char *out, size_t size)
{
	char path[PATH_MAX], line[256];
	int ret = -EIO;
	FILE *f;

	snprintf(path, sizeof(path), SYS_CLASS "/edudma%u/uevent", minor);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "/dev/%s", line + 8);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* the last part of the symlink @path points to, into @out ("" if none) */
static void sysfs_link_name(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	n = (ssize_t)strnlen(base, size - 1);
	memcpy(out, base, (size_t)n);
	out[n] = '\0';
}

static void sysfs_driver(const char *bdf, char *out, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	sysfs_link_name(path, out, size);
}

/* is character device @rdev one of the edudma class? */
static bool sysfs_is_edudma(dev_t rdev)
{
	char path[64], name[16];

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem", major(rdev), minor(rdev));
	sysfs_link_name(path, name, sizeof(name));
	return !strcmp(name, "edudma");
}

/* ---- discovery -------------------------------------------------------------- */

/* libpciaccess keeps one state per process: edudma_list() calls take turns */
static pthread_mutex_t pci_lock = PTHREAD_MUTEX_INITIALIZER;

static int list_add(struct edudma_device ***arr, size_t *n, struct pci_device *pd)
{
	struct edudma_device **grown, *d;

	grown = realloc(*arr, (*n + 2) * sizeof(**arr));
	if (!grown)
		return -ENOMEM;
	*arr = grown;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	snprintf(d->address, sizeof(d->address), "%04x:%02x:%02x.%u", pd->domain & 0xffff,
		 pd->bus & 0xff, pd->dev & 0x1f, pd->func & 7);
	d->revision = pd->revision;
	d->irq = -1;
	if (!pci_device_probe(pd)) {
		d->bar_size = pd->regions[0].size;
		d->irq = pd->irq;
	}
	d->minor = sysfs_minor(d->address);
	if (d->minor >= 0 && sysfs_node((unsigned int)d->minor, d->node, sizeof(d->node)))
		d->node[0] = '\0';
	sysfs_driver(d->address, d->driver, sizeof(d->driver));
	grown[(*n)++] = d;
	grown[*n] = NULL;
	return 0;
}

EDUDMA_EXPORT int edudma_list(struct edudma_device ***list, size_t *count)
{
	struct pci_id_match match = {
		.vendor_id = EDU_VENDOR_ID,
		.device_id = EDU_DEVICE_ID,
		.subvendor_id = PCI_MATCH_ANY,
		.subdevice_id = PCI_MATCH_ANY,
	};
	struct edudma_device **arr = NULL;
	struct pci_device_iterator *it;
	struct pci_device *pd;
	bool own = false;
	size_t n = 0;
	int ret = 0;

	if (!list)
		return -EINVAL;
	pthread_mutex_lock(&pci_lock);
	/* the iterator exists only if libpciaccess is set up: the caller's, if so */
	errno = 0;
	it = pci_id_match_iterator_create(&match);
	if (!it && errno == ENOMEM) {
		ret = -ENOMEM;
		goto out;
	}
	if (!it) {
		ret = -pci_system_init();
		if (ret)
			goto out;
		own = true;
		it = pci_id_match_iterator_create(&match);
		if (!it) {
			ret = -ENOMEM;
			goto out;
		}
	}
	while (!ret && (pd = pci_device_next(it)))
		ret = list_add(&arr, &n, pd);
	pci_iterator_destroy(it);
	if (!ret && !arr) {
		arr = calloc(1, sizeof(*arr));
		if (!arr)
			ret = -ENOMEM;
	}
out:
	if (own)
		pci_system_cleanup();
	pthread_mutex_unlock(&pci_lock);
	if (ret) {
		edudma_list_free(arr);
		return ret;
	}
	*list = arr;
	if (count)
		*count = n;
	return 0;
}

EDUDMA_EXPORT void edudma_list_free(struct edudma_device **list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; list[i]; i++)
		free(list[i]);
	free(list);
}

EDUDMA_EXPORT const char *edudma_device_address(const struct edudma_device *d)
{
	return d ? d->address : "";
}

EDUDMA_EXPORT unsigned int edudma_device_revision(const struct edudma_device *d)
{
	return d ? d->revision : 0;
}

EDUDMA_EXPORT uint64_t edudma_device_bar_size(const struct edudma_device *d)
{
	return d ? d->bar_size : 0;
}

EDUDMA_EXPORT int edudma_device_irq(const struct edudma_device *d)
{
	return d ? d->irq : -1;
}

EDUDMA_EXPORT int edudma_device_minor(const struct edudma_device *d)
{
	return d ? d->minor : -1;
}

EDUDMA_EXPORT const char *edudma_device_node(const struct edudma_device *d)
{
	return d ? d->node : "";
}

EDUDMA_EXPORT const char *edudma_device_driver(const struct edudma_device *d)
{
	return d ? d->driver : "";
}

/* ---- a device --------------------------------------------------------------- */

/* "/dev/edudmaN", "N" or a PCI address into a device node path */
static int resolve(const char *name, char *path, size_t size)
{
	unsigned int dom, bus, dev, fn, n;
	char bdf[32];
	int len = 0, minor;

	if (name[0] == '/') {
		snprintf(path, size, "%s", name);
		return 0;
	}
	if (sscanf(name, "%u%n", &n, &len) == 1 && !name[len] && isdigit((unsigned char)name[0]))
		return sysfs_node(n, path, size);
	if (edudma_util_parse_bdf(name, &dom, &bus, &dev, &fn))
		return -EINVAL;
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	minor = sysfs_minor(bdf);
	if (minor < 0)
		return -ENODEV;	/* no such PCI device, or no edudma of it */
	return sysfs_node((unsigned int)minor, path, size);
}

EDUDMA_EXPORT int edudma_open(const char *name, struct edudma **out)
{
	char path[PATH_MAX];
	struct edudma *e;
	struct stat st;
	int ret;

	if (!name || !out || !name[0])
		return -EINVAL;
	ret = resolve(name, path, sizeof(path));
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (e->fd < 0) {
		ret = -errno;
		free(e);
		return ret;
	}
	if (fstat(e->fd, &st) || !S_ISCHR(st.st_mode) || !sysfs_is_edudma(st.st_rdev)) {
		close(e->fd);
		free(e);
		return -ENODEV;
	}
	atomic_init(&e->refs, 1);
	*out = e;
	return 0;
}

static struct edudma *edudma_get(struct edudma *e)
{
	atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
	return e;
}

static void edudma_put(struct edudma *e)
{
	if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1)
		return;
	close(e->fd);
	free(e);
}

EDUDMA_EXPORT void edudma_close(struct edudma *e)
{
	if (e)
		edudma_put(e);
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

EDUDMA_EXPORT int edudma_get_stats(struct edudma *e, struct edudma_stats *st, size_t size)
{
	struct edudma_stats s;
	int ret;

	if (!st || !size)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_STATS, &s);
	if (ret)
		return ret;
	if (size > sizeof(s)) {
		memset((char *)st + sizeof(s), 0, size - sizeof(s));
		size = sizeof(s);
	}
	memcpy(st, &s, size);
	return 0;
}

EDUDMA_EXPORT int edudma_run_factorial(struct edudma *e, uint32_t n, uint32_t flags,
				       uint32_t *result)
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

EDUDMA_EXPORT int edudma_run_liveness(struct edudma *e, uint32_t value, uint32_t *result)
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

EDUDMA_EXPORT int edudma_run_selftest(struct edudma *e, struct edudma_selftest *st)
{
	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	return edudma_ioctl(e, EDUDMA_IOC_SELFTEST, st);
}

/* ---- buffers ---------------------------------------------------------------- */

/* FREE of a handle whose buffer the library could not set up */
static void buf_drop(struct edudma *e, uint32_t handle)
{
	struct edudma_free f = { .handle = handle };

	ioctl(e->fd, EDUDMA_IOC_FREE, &f);
}

/* the library's buffer for a handle the driver just made; else the handle goes */
static int buf_new(struct edudma *e, const struct edudma_alloc *a, void *user,
		   struct edudma_buf **out)
{
	struct edudma_buf *b = calloc(1, sizeof(*b));

	if (!b) {
		buf_drop(e, a->handle);
		return -ENOMEM;
	}
	b->e = edudma_get(e);
	b->a = *a;
	b->user = user;
	atomic_init(&b->map, NULL);
	*out = b;
	return 0;
}

EDUDMA_EXPORT int edudma_buf_alloc(struct edudma *e, uint64_t size, uint32_t kind,
				   struct edudma_buf **out)
{
	struct edudma_alloc a = { .size = size, .kind = kind };
	int ret;

	if (!out)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_ALLOC, &a);
	return ret ? ret : buf_new(e, &a, NULL, out);
}

EDUDMA_EXPORT int edudma_buf_import(struct edudma *e, int fd, struct edudma_buf **out)
{
	struct edudma_import im = { .fd = fd };
	struct edudma_alloc a;
	int ret;

	if (!out)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_IMPORT, &im);
	if (ret)
		return ret;
	a = (struct edudma_alloc){ .size = im.size, .kind = EDUDMA_BUF_IMPORTED,
				   .handle = im.handle, .nr_segments = im.nr_segments,
				   .mmap_offset = im.mmap_offset };
	return buf_new(e, &a, NULL, out);
}

EDUDMA_EXPORT int edudma_buf_register(struct edudma *e, void *addr, uint64_t len, uint32_t flags,
				      struct edudma_buf **out)
{
	struct edudma_register r = { .addr = (uintptr_t)addr, .length = len, .flags = flags };
	struct edudma_alloc a;
	int ret;

	if (!out)
		return -EINVAL;
	ret = edudma_ioctl(e, EDUDMA_IOC_REGISTER, &r);
	if (ret)
		return ret;
	a = (struct edudma_alloc){ .size = len, .kind = EDUDMA_BUF_USER, .handle = r.handle,
				   .nr_segments = r.nr_segments };
	return buf_new(e, &a, addr, out);
}

EDUDMA_EXPORT int edudma_buf_export(struct edudma_buf *b, int *fd)
{
	struct edudma_export ex;

	if (!b || !fd)
		return -EINVAL;
	ex = (struct edudma_export){ .handle = b->a.handle };
	if (ioctl(b->e->fd, EDUDMA_IOC_EXPORT, &ex))
		return -errno;
	*fd = ex.fd;
	return 0;
}

EDUDMA_EXPORT void edudma_buf_free(struct edudma_buf *b)
{
	void *map;

	if (!b)
		return;
	map = atomic_load_explicit(&b->map, memory_order_acquire);
	if (map)
		munmap(map, b->a.size);
	buf_drop(b->e, b->a.handle);
	edudma_put(b->e);
	free(b);
}

EDUDMA_EXPORT int edudma_buf_mmap(struct edudma_buf *b, void **addr)
{
	void *cur, *p;

	if (!b || !addr)
		return -EINVAL;
	if (b->user) {
		*addr = b->user;	/* registered memory is mapped already */
		return 0;
	}
	cur = atomic_load_explicit(&b->map, memory_order_acquire);
	if (!cur) {
		if (b->a.mmap_offset > (uint64_t)INT64_MAX || b->a.size > SIZE_MAX)
			return -EOVERFLOW;
		p = mmap(NULL, (size_t)b->a.size, PROT_READ | PROT_WRITE, MAP_SHARED, b->e->fd,
			 (off_t)b->a.mmap_offset);
		if (p == MAP_FAILED)
			return -errno;
		/* two threads may map at once: one mapping wins, the other goes */
		if (atomic_compare_exchange_strong_explicit(&b->map, &cur, p, memory_order_acq_rel,
							    memory_order_acquire))
			cur = p;
		else
			munmap(p, (size_t)b->a.size);
	}
	*addr = cur;
	return 0;
}

EDUDMA_EXPORT int edudma_buf_sync(struct edudma_buf *b, uint64_t offset, uint64_t len,
				  uint32_t flags)
{
	struct edudma_sync s = { .offset = offset, .length = len };

	if (!b || (flags & ~(EDUDMA_BUF_SYNC_RW | EDUDMA_BUF_SYNC_END)) ||
	    !(flags & EDUDMA_BUF_SYNC_RW))
		return -EINVAL;
	switch (flags & EDUDMA_BUF_SYNC_RW) {
	case EDUDMA_BUF_SYNC_READ:
		s.direction = EDUDMA_DIR_FROM_DEVICE;
		break;
	case EDUDMA_BUF_SYNC_WRITE:
		s.direction = EDUDMA_DIR_TO_DEVICE;
		break;
	default:
		s.direction = EDUDMA_DIR_BIDIRECTIONAL;
		break;
	}
	s.flags = flags & EDUDMA_BUF_SYNC_END ? EDUDMA_SYNC_END : EDUDMA_SYNC_START;
	s.handle = b->a.handle;
	return ioctl(b->e->fd, EDUDMA_IOC_SYNC, &s) ? -errno : 0;
}

EDUDMA_EXPORT int edudma_buf_get_info(struct edudma_buf *b, struct edudma_buf_info *info)
{
	if (!b || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->handle = b->a.handle;
	return ioctl(b->e->fd, EDUDMA_IOC_BUF_INFO, info) ? -errno : 0;
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
	if (ioctl(b->e->fd, EDUDMA_IOC_BUF_INFO, &bi))
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

EDUDMA_EXPORT struct edudma *edudma_buf_device(const struct edudma_buf *b)
{
	return b ? b->e : NULL;
}

/* ---- transfers -------------------------------------------------------------- */

EDUDMA_EXPORT int edudma_submit(struct edudma *e, struct edudma_xfer *x)
{
	if (!x)
		return -EINVAL;
	return edudma_ioctl(e, EDUDMA_IOC_XFER, x);
}

EDUDMA_EXPORT int edudma_uring_prep_xfer(struct edudma *e, struct io_uring_sqe *sqe,
					 const struct edudma_xfer *x)
{
	int fd = edudma_fd(e);

	if (fd < 0 || !sqe || !x)
		return -EINVAL;
	/* a 128-byte SQE: the command's payload runs past the first 64 bytes */
	_Static_assert(sizeof(struct edudma_xfer) <= 2 * sizeof(*sqe) -
			       offsetof(struct io_uring_sqe, cmd),
		       "struct edudma_xfer fits a 128-byte SQE");
	uint64_t user_data = sqe->user_data;

	memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = EDUDMA_URING_CMD_XFER;
	sqe->user_data = user_data;
	memcpy(sqe->cmd, x, sizeof(*x));
	return 0;
}

EDUDMA_EXPORT int edudma_uring_result(const struct io_uring_cqe *cqe, int cqe32,
				      struct edudma_xfer *x)
{
	if (!cqe)
		return -EINVAL;
	if (x) {
		x->commands = cqe->res > 0 ? (uint64_t)cqe->res : 0;
		x->device_ns = cqe->res > 0 && cqe32 ? cqe->big_cqe[0] : 0;
	}
	return cqe->res < 0 ? cqe->res : 0;
}

EDUDMA_EXPORT int edudma_reap(struct edudma *e, uint64_t seq, uint32_t timeout_ms,
			      struct edudma_wait *w)
{
	if (!w)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->seq = seq;
	w->timeout_ms = timeout_ms;
	return edudma_ioctl(e, EDUDMA_IOC_WAIT, w);
}
