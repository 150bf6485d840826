/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: userspace access to edudma devices (/dev/edudmaN).
 *
 * Conventions: every call returns 0 or a negative errno (never sets errno
 * as its result); every constructor names its destructor; destructors
 * accept NULL; file descriptors are opened O_CLOEXEC. Structures shared
 * with the driver are the uapi ones from <linux/edudma.h>.
 */
#ifndef LIBEDUDMA_H
#define LIBEDUDMA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/edudma.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open edudma device; from edudma_open(), freed by edudma_close(). */
struct edudma;

/** One edu PCI device found by edudma_list(). */
struct edudma_pci {
	unsigned int domain;	/**< PCI domain */
	unsigned int bus;	/**< PCI bus */
	unsigned int dev;	/**< PCI device (slot) */
	unsigned int func;	/**< PCI function */
	uint16_t vendor_id;	/**< 0x1234 */
	uint16_t device_id;	/**< 0x11e8 */
	uint8_t revision;	/**< PCI revision */
	uint64_t bar0_size;	/**< BAR0 size in bytes */
	int irq;		/**< legacy IRQ line from config space */
	int minor;		/**< N of /dev/edudmaN, -1 if not bound to edudma */
	char devnode[32];	/**< "/dev/edudmaN", or "" if not bound */
	char driver[32];	/**< bound driver's name, or "" */
};

/**
 * edudma_list() - find every edu device on the PCI bus (libpciaccess) and
 * match each to its /dev/edudmaN through sysfs.
 * @list: out: array, freed with edudma_list_free()
 * @count: out: number of entries
 * Not thread-safe (libpciaccess keeps global state).
 */
int edudma_list(struct edudma_pci **list, size_t *count);
/** edudma_list_free() - free what edudma_list() returned (NULL is fine). */
void edudma_list_free(struct edudma_pci *list);

/**
 * edudma_open() - open an edudma device
 * @name: "/dev/edudmaN", "N", or a PCI address "[DDDD:]BB:DD.F"
 * @out: out: the device, freed with edudma_close()
 */
int edudma_open(const char *name, struct edudma **out);
/** edudma_close() - close a device from edudma_open() (NULL is fine). */
void edudma_close(struct edudma *e);
/** edudma_fd() - the device's file descriptor, for poll() */
int edudma_fd(const struct edudma *e);

/** edudma_get_info() - EDUDMA_IOC_GET_INFO */
int edudma_get_info(struct edudma *e, struct edudma_info *info);
/**
 * edudma_factorial() - n! computed by the device (EDUDMA_IOC_FACTORIAL)
 * @flags: 0 or EDUDMA_FACTORIAL_WRAP (see <linux/edudma.h>)
 */
int edudma_factorial(struct edudma *e, uint32_t n, uint32_t flags, uint32_t *result);
/** edudma_liveness() - write @value to the liveness register, read back */
int edudma_liveness(struct edudma *e, uint32_t value, uint32_t *result);
/** edudma_selftest() - one DMA round trip, data compared (-EIO if not) */
int edudma_selftest(struct edudma *e, struct edudma_selftest *st);

/** A DMA buffer; from edudma_buf_alloc(), freed by edudma_buf_free(). */
struct edudma_buf;

/**
 * edudma_buf_alloc() - allocate a zeroed DMA buffer (EDUDMA_IOC_ALLOC)
 * @size: bytes (rounded up to pages)
 * @kind: EDUDMA_BUF_AUTO, _COHERENT, _PAGES or _VMALLOC_SG
 * @out: the buffer, freed with edudma_buf_free()
 * The buffer keeps its device open until it is freed.
 */
int edudma_buf_alloc(struct edudma *e, uint64_t size, uint32_t kind, struct edudma_buf **out);
/**
 * edudma_buf_import() - a dma-buf as a buffer of @e (EDUDMA_IOC_IMPORT)
 * @fd: the dma-buf; the buffer holds its own reference, so @fd may be
 *	closed afterwards
 * @out: a buffer of kind EDUDMA_BUF_IMPORTED, freed with edudma_buf_free()
 */
int edudma_buf_import(struct edudma *e, int fd, struct edudma_buf **out);
/**
 * edudma_buf_export() - a new dma-buf of @b (EDUDMA_IOC_EXPORT)
 * @fd: out: the dma-buf's file descriptor (O_RDWR, O_CLOEXEC), the
 *	caller's to close; it outlives edudma_buf_free()
 */
int edudma_buf_export(struct edudma_buf *b, int *fd);
/** edudma_buf_free() - unmap (if mapped) and free a buffer (NULL is fine) */
void edudma_buf_free(struct edudma_buf *b);
/**
 * edudma_buf_mmap() - map the whole buffer (MAP_SHARED), once; the mapping
 * goes with edudma_buf_free()
 * @addr: out: the mapping
 */
int edudma_buf_mmap(struct edudma_buf *b, void **addr);
/**
 * edudma_buf_sync() - EDUDMA_IOC_SYNC over [offset, offset + len)
 * @direction: EDUDMA_DIR_*
 * @flags: EDUDMA_SYNC_START (before CPU access) or EDUDMA_SYNC_END (after)
 */
int edudma_buf_sync(struct edudma_buf *b, uint64_t offset, uint64_t len, uint32_t direction,
		    uint32_t flags);
/** edudma_buf_get_info() - EDUDMA_IOC_BUF_INFO, without segment addresses */
int edudma_buf_get_info(struct edudma_buf *b, struct edudma_buf_info *info);
/**
 * edudma_buf_get_segments() - the buffer's DMA segments (bus addresses:
 * needs CAP_SYS_ADMIN, else -EPERM)
 * @segs: room for @count segments
 * @n: out: the buffer's number of segments (may exceed @count)
 */
int edudma_buf_get_segments(struct edudma_buf *b, struct edudma_seg *segs, uint32_t count,
			    uint32_t *n);
/** edudma_buf_handle() - the buffer's handle, for the ioctls */
uint32_t edudma_buf_handle(const struct edudma_buf *b);
/** edudma_buf_size() - bytes (a multiple of the page size) */
uint64_t edudma_buf_size(const struct edudma_buf *b);
/** edudma_buf_kind() - the kind the driver used */
uint32_t edudma_buf_kind(const struct edudma_buf *b);
/** edudma_buf_segments() - DMA segments as the device sees the buffer */
uint32_t edudma_buf_segments(const struct edudma_buf *b);
/**
 * edudma_xfer() - EDUDMA_IOC_XFER: a transfer between buffers of @e and the
 * device; blocking unless @x->flags has EDUDMA_XFER_ASYNC (then reap it
 * with edudma_wait()). @x is updated with the outputs.
 */
int edudma_xfer(struct edudma *e, struct edudma_xfer *x);
/**
 * edudma_wait() - EDUDMA_IOC_WAIT: reap async transfer @seq (0: any)
 * @timeout_ms: 0 (no sleep), EDUDMA_WAIT_FOREVER, or a limit
 * @w: out: the transfer's status, sequence number, commands and time
 * Return: 0 when a transfer was reaped (its own status is in @w->status).
 */
int edudma_wait(struct edudma *e, uint64_t seq, uint32_t timeout_ms, struct edudma_wait *w);
/** edudma_get_stats() - EDUDMA_IOC_STATS */
int edudma_get_stats(struct edudma *e, struct edudma_stats *st);
/** edudma_kind_name() - "auto", "coherent", "pages", "vmalloc" or NULL */
const char *edudma_kind_name(uint32_t kind);
/**
 * edudma_parse_kind() - "auto", "coherent", "pages", "vmalloc" (or
 * "vmalloc-sg") into EDUDMA_BUF_*. Return: 0 or -EINVAL.
 */
int edudma_parse_kind(const char *s, uint32_t *kind);

/**
 * edudma_parse_size() - parse "4096", "64K", "1M", "2G", "1T" (powers of
 * 1024; optional "iB"/"B"), or hexadecimal "0x1000".
 * Return: 0, or -EINVAL for anything else, -ERANGE past 2^64 - 1.
 */
int edudma_parse_size(const char *s, uint64_t *out);
/**
 * edudma_parse_bdf() - parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0).
 * Return: 0 or -EINVAL.
 */
int edudma_parse_bdf(const char *s, unsigned int *domain, unsigned int *bus,
		     unsigned int *dev, unsigned int *func);
/**
 * edudma_plan_chunks() - how many chunks the driver splits a transfer into
 * @src: the source's segments (EDUDMA_IOC_BUF_INFO), or NULL (FROM_DEVICE)
 * @nsrc: their number
 * @soff: offset of the range in the source
 * @dst: the destination's segments, or NULL (TO_DEVICE)
 * @ndst: their number
 * @doff: offset of the range in the destination
 * @len: bytes
 * @window: bytes one command moves at most (struct edudma_info.window_size)
 * Each chunk fills the window unless a segment of either side ends first:
 * the minimum number of commands per direction for these mappings (a COPY
 * takes two per chunk). Return: the count, or -EINVAL.
 */
int64_t edudma_plan_chunks(const struct edudma_seg *src, size_t nsrc, uint64_t soff,
			   const struct edudma_seg *dst, size_t ndst, uint64_t doff,
			   uint64_t len, uint64_t window);
/** edudma_version() - the library's version string, e.g. "0.2.0" */
const char *edudma_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBEDUDMA_H */
