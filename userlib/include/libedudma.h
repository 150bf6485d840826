/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: userspace access to edudma devices (/dev/edudmaN).
 *
 * Conventions: every call that can fail returns 0 or a negative errno
 * (never sets errno as its result); every constructor names its destructor;
 * destructors accept NULL; file descriptors are opened O_CLOEXEC.
 * Structures shared with the driver are the uapi ones from <linux/edudma.h>.
 *
 * ABI: from 0.3 on the symbols, their version node LIBEDUDMA_0.3 and the
 * layout of every structure this header names are stable (docs/library.md);
 * the library's own objects are opaque, so they can grow.
 *
 * Threads: the calls on one struct edudma or struct edudma_buf may be made
 * from several threads at once, except that nothing may use an object
 * while, or after, another thread frees it (edudma_close(),
 * edudma_buf_free(), edudma_list_free()). Each call says what more it needs.
 */
#ifndef LIBEDUDMA_H
#define LIBEDUDMA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/edudma.h>

#define LIBEDUDMA_VERSION_MAJOR 0
#define LIBEDUDMA_VERSION_MINOR 5
#define LIBEDUDMA_VERSION_PATCH 0
/* LIBEDUDMA_VERSION >= LIBEDUDMA_VERSION_NUM(0, 3, 0) tests at compile time */
#define LIBEDUDMA_VERSION_NUM(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define LIBEDUDMA_VERSION							\
	LIBEDUDMA_VERSION_NUM(LIBEDUDMA_VERSION_MAJOR, LIBEDUDMA_VERSION_MINOR,	\
			      LIBEDUDMA_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/** edudma_version() - the library's version at run time, e.g. "0.4.0" */
const char *edudma_version(void);

/* ---- discovery --------------------------------------------------------- */

/** One edu PCI function found by edudma_list(): opaque, read by accessors. */
struct edudma_device;

/**
 * edudma_list() - every edu device (1234:11e8) on the PCI bus, found with
 * libpciaccess, each matched to its /dev/edudmaN through sysfs
 * @list: out: a NULL-terminated array, freed with edudma_list_free()
 * @count: out: its number of entries (may be NULL)
 *
 * If the program has initialised libpciaccess itself (pci_system_init()),
 * edudma_list() uses that state and leaves it as it is (it then sees the
 * devices present at the program's pci_system_init()); else it initialises
 * libpciaccess and cleans up after itself. Thread-safe, except against the
 * program's own pci_system_init() or pci_system_cleanup() at the same time.
 */
int edudma_list(struct edudma_device ***list, size_t *count);
/** edudma_list_free() - free what edudma_list() returned (NULL is fine) */
void edudma_list_free(struct edudma_device **list);

/** edudma_device_address() - the PCI address, "DDDD:BB:DD.F" */
const char *edudma_device_address(const struct edudma_device *d);
/** edudma_device_revision() - the PCI revision ID */
unsigned int edudma_device_revision(const struct edudma_device *d);
/** edudma_device_bar_size() - BAR0's size in bytes (0 if unknown) */
uint64_t edudma_device_bar_size(const struct edudma_device *d);
/** edudma_device_irq() - the interrupt line in config space (-1 if unknown) */
int edudma_device_irq(const struct edudma_device *d);
/** edudma_device_minor() - N of /dev/edudmaN, or -1 if not bound to edudma */
int edudma_device_minor(const struct edudma_device *d);
/** edudma_device_node() - the device node (from sysfs), or "" if not bound */
const char *edudma_device_node(const struct edudma_device *d);
/** edudma_device_driver() - the bound driver's name, or "" */
const char *edudma_device_driver(const struct edudma_device *d);

/* ---- a device ---------------------------------------------------------- */

/** An open edudma device; from edudma_open(), released by edudma_close(). */
struct edudma;

/**
 * edudma_open() - open an edudma device
 * @name: a device node ("/dev/edudma0"), "N", or a PCI address "[DDDD:]BB:DD.F"
 * @out: out: the device, released with edudma_close()
 * Return: 0; -ENODEV when @name is not an edudma device (e.g. /dev/null, or
 * an edu device not bound to edudma); -ENOENT when there is no such node
 * (is edudma.ko loaded?); -EACCES (not in the node's group); -EINVAL.
 */
int edudma_open(const char *name, struct edudma **out);
/**
 * edudma_close() - release the caller's reference (NULL is fine). The device
 * stays open while buffers of it live: its file closes with the last one.
 */
void edudma_close(struct edudma *e);
/** edudma_fd() - the device's file descriptor, for poll(); -EINVAL if !@e */
int edudma_fd(const struct edudma *e);

/** edudma_get_info() - EDUDMA_IOC_GET_INFO */
int edudma_get_info(struct edudma *e, struct edudma_info *info);
/**
 * edudma_get_stats() - EDUDMA_IOC_STATS
 * @st: out: the counters
 * @size: sizeof(*@st) as the caller was compiled: a larger struct edudma_stats
 *	of a later header has its extra fields zeroed, a smaller one is filled
 *	as far as it goes
 */
int edudma_get_stats(struct edudma *e, struct edudma_stats *st, size_t size);
/**
 * edudma_run_factorial() - n! computed by the device (EDUDMA_IOC_FACTORIAL)
 * @flags: 0 or EDUDMA_FACTORIAL_WRAP (see <linux/edudma.h>)
 */
int edudma_run_factorial(struct edudma *e, uint32_t n, uint32_t flags, uint32_t *result);
/** edudma_run_liveness() - write @value to the liveness register, read back */
int edudma_run_liveness(struct edudma *e, uint32_t value, uint32_t *result);
/** edudma_run_selftest() - one DMA round trip, data compared (-EIO if not) */
int edudma_run_selftest(struct edudma *e, struct edudma_selftest *st);

/* ---- buffers ----------------------------------------------------------- */

/** A DMA buffer; from edudma_buf_alloc(), freed by edudma_buf_free(). */
struct edudma_buf;

/**
 * edudma_buf_alloc() - allocate a zeroed DMA buffer (EDUDMA_IOC_ALLOC)
 * @size: bytes (rounded up to pages)
 * @kind: EDUDMA_BUF_AUTO, _COHERENT, _PAGES or _VMALLOC_SG
 * @out: the buffer, freed with edudma_buf_free()
 * A buffer costs no file descriptor; it keeps its device open.
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
 * edudma_buf_register() - the caller's memory as a buffer of @e
 *	(EDUDMA_IOC_REGISTER; since 0.4)
 * @addr: first byte, any alignment: malloc'd, anonymous, memfd or hugetlb
 *	memory
 * @len: bytes
 * @flags: 0, or EDUDMA_REGISTER_READONLY (the device only reads it)
 * @out: a buffer of kind EDUDMA_BUF_USER, freed with edudma_buf_free(),
 *	which unpins the memory and leaves it mapped; edudma_buf_mmap() of it
 *	returns @addr. Its pages stay pinned, charged to RLIMIT_MEMLOCK,
 *	until then.
 */
int edudma_buf_register(struct edudma *e, void *addr, uint64_t len, uint32_t flags,
			struct edudma_buf **out);
/**
 * edudma_buf_export() - a new dma-buf of @b (EDUDMA_IOC_EXPORT)
 * @fd: out: the dma-buf's file descriptor (O_RDWR, O_CLOEXEC), the
 *	caller's to close; it outlives edudma_buf_free()
 */
int edudma_buf_export(struct edudma_buf *b, int *fd);
/** edudma_buf_free() - unmap (if mapped) and free a buffer (NULL is fine) */
void edudma_buf_free(struct edudma_buf *b);
/**
 * edudma_buf_mmap() - the buffer mapped whole (MAP_SHARED, read-write); the
 * first call maps it, later ones (from any thread) return the same address.
 * The mapping goes with edudma_buf_free().
 * @addr: out: the mapping
 */
int edudma_buf_mmap(struct edudma_buf *b, void **addr);

/*
 * edudma_buf_sync() flags, as DMA_BUF_IOCTL_SYNC's: START or END, and READ
 * (the CPU reads what the device wrote), WRITE (the device reads what the
 * CPU wrote) or both.
 */
#define EDUDMA_BUF_SYNC_READ	(1u << 0)
#define EDUDMA_BUF_SYNC_WRITE	(1u << 1)
#define EDUDMA_BUF_SYNC_RW	(EDUDMA_BUF_SYNC_READ | EDUDMA_BUF_SYNC_WRITE)
#define EDUDMA_BUF_SYNC_START	(0u << 2)
#define EDUDMA_BUF_SYNC_END	(1u << 2)

/**
 * edudma_buf_sync() - bracket CPU access to [@offset, @offset + @len)
 * (EDUDMA_IOC_SYNC): EDUDMA_BUF_SYNC_START before the CPU touches it,
 * EDUDMA_BUF_SYNC_END after; with READ, WRITE or RW.
 * Return: 0, or -EINVAL for flags outside EDUDMA_BUF_SYNC_* or with
 * neither READ nor WRITE, and the driver's errors.
 */
int edudma_buf_sync(struct edudma_buf *b, uint64_t offset, uint64_t len, uint32_t flags);
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
/** edudma_buf_handle() - the buffer's handle, for struct edudma_xfer */
uint32_t edudma_buf_handle(const struct edudma_buf *b);
/** edudma_buf_size() - bytes (a multiple of the page size) */
uint64_t edudma_buf_size(const struct edudma_buf *b);
/** edudma_buf_kind() - the kind the driver used */
uint32_t edudma_buf_kind(const struct edudma_buf *b);
/** edudma_buf_segments() - DMA segments as the device sees the buffer */
uint32_t edudma_buf_segments(const struct edudma_buf *b);
/** edudma_buf_device() - the device the buffer belongs to (not a new reference) */
struct edudma *edudma_buf_device(const struct edudma_buf *b);

/* ---- transfers --------------------------------------------------------- */

/**
 * edudma_submit() - EDUDMA_IOC_XFER: a transfer between buffers of @e and
 * the device; blocking unless @x->flags has EDUDMA_XFER_ASYNC (then reap
 * it with edudma_reap(), or poll edudma_fd() for POLLIN). @x is updated with
 * the outputs.
 */
int edudma_submit(struct edudma *e, struct edudma_xfer *x);
/**
 * edudma_reap() - EDUDMA_IOC_WAIT: reap async transfer @seq (0: any)
 * @timeout_ms: 0 (no sleep), EDUDMA_WAIT_FOREVER, or a limit
 * @w: out: the transfer's status, sequence number, commands and time
 * Return: 0 when a transfer was reaped (its own status is in @w->status).
 */
int edudma_reap(struct edudma *e, uint64_t seq, uint32_t timeout_ms, struct edudma_wait *w);

/* ---- io_uring ---------------------------------------------------------- */

struct io_uring_sqe;
struct io_uring_cqe;

/**
 * edudma_uring_prep_xfer() - fill an io_uring SQE with a transfer on @e
 *	(EDUDMA_URING_CMD_XFER: <linux/edudma.h>); since 0.5
 * @sqe: a 128-byte SQE of a ring set up with IORING_SETUP_SQE128 (liburing's
 *	io_uring_get_sqe()); its user_data is kept (set it before or after)
 * @x: the transfer, as for edudma_submit(), with flags 0 (timeout_ms: its
 *	deadline, with EDUDMA_CAP_XFER_TIMEOUT)
 *
 * The library needs no liburing: the ring is the caller's, with liburing or
 * without. Return: 0, or -EINVAL (a NULL argument, a closed @e).
 */
int edudma_uring_prep_xfer(struct edudma *e, struct io_uring_sqe *sqe,
			   const struct edudma_xfer *x);
/**
 * edudma_uring_result() - the outcome of a transfer's CQE; since 0.5
 * @cqe: the CQE of an SQE from edudma_uring_prep_xfer()
 * @cqe32: the ring was set up with IORING_SETUP_CQE32 (then the CQE has the
 *	transfer's device time)
 * @x: out, or NULL: commands and device_ns are filled (device_ns 0 without
 *	@cqe32); 0 and 0 if the transfer failed
 * Return: 0, or the transfer's negative errno.
 */
int edudma_uring_result(const struct io_uring_cqe *cqe, int cqe32, struct edudma_xfer *x);

/** edudma_kind_name() - "auto", "coherent", "pages", "vmalloc", "imported" or NULL */
const char *edudma_kind_name(uint32_t kind);

#ifdef __cplusplus
}
#endif

#endif /* LIBEDUDMA_H */
